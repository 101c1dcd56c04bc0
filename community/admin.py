"""Hearth's admin site: where community managers and volunteer moderators work.

The admin reads through the same doors as the site (forums.querysets): this class keeps the
admin's own side doors shut too."""

from functools import update_wrapper

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

STAFF_NEED_TWO_FACTOR = (
    "Staff accounts need two-factor authentication. Set up an authenticator app to open the admin."
)


class DeclaredFiltersChangeList(ChangeList):
    """A list filtered only by the filters, date drill-down and search its ModelAdmin
    declares. Any other lookup in the query string (`?body__icontains=`,
    `?email__iendswith=`, `?reporter=`) is answered as an unknown parameter is: the list
    comes back unfiltered with the admin's "invalid filter" notice, telling nothing."""

    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
        except DisallowedModelAdminLookup as error:
            raise IncorrectLookupParameters(error) from error
        remaining = set(filters[2])
        if self.date_hierarchy:
            remaining -= {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        if remaining:
            raise IncorrectLookupParameters(f"Undeclared filter: {', '.join(sorted(remaining))}")
        return filters


class DeclaredFiltersOnly:
    """Mixed into every ModelAdmin the site registers, Hearth's and other apps' alike."""

    def get_changelist(self, request, **kwargs):
        return DeclaredFiltersChangeList


class HearthAdminSite(admin.AdminSite):
    site_header = "Hearth community management"
    site_title = "Hearth admin"
    index_template = "admin/hearth_index.html"

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """Staff sign in where members do, through allauth, so that its rate limits and the
        second factor apply. The admin's own form is never shown and checks no password."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME)
        if not next_url or not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
            next_url = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(next_url)
        if request.user.is_authenticated:
            # Signed in, but not staff: sending them to sign in again would come back here.
            raise PermissionDenied
        return redirect_to_login(next_url, login_url=reverse("account_login"))

    def admin_view(self, view, cacheable=False):
        """Every admin page (index, lists, forms, autocomplete, view on site) first asks a
        staff member without an authenticator app to set one up; signing out does not."""

        def second_factor_first(request, *args, **kwargs):
            if request.path != reverse("admin:logout", current_app=self.name) and not (
                is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
            ):
                messages.warning(request, STAFF_NEED_TWO_FACTOR)
                # allauth's set-up takes no `next`: it ends on the recovery codes, whose
                # settings menu links back to the admin for staff.
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        # The permission check wraps this one: visitors and members are sent to sign in.
        return super().admin_view(update_wrapper(second_factor_first, view), cacheable)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredFiltersOnly):
            admin_class = type(
                admin_class.__name__,
                (DeclaredFiltersOnly, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        """Django's "View on site" redirect (`r/<content type>/<id>/`) answers for any object
        of any model to any staff member, naming its URL: slugs of titles and handles. Ours
        goes through the ModelAdmin's own rows and the site's read door first."""
        urls = super().get_urls()
        ours = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [ours if getattr(url, "name", None) == "view_on_site" else url for url in urls]

    def view_on_site(self, request, content_type_id, object_id):
        """Leads to an object's page on the site only when the staff member sees the object
        in its ModelAdmin and may open that page as a member (ModelAdmin.page_on_site);
        anything else is 404, like an object that does not exist."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        page_on_site = getattr(model_admin, "page_on_site", None)
        if page_on_site is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        obj = model_admin.get_object(request, object_id)
        url = obj is not None and page_on_site(request, obj)
        if not url:
            raise Http404
        return redirect(url)
