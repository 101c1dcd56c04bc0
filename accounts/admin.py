from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models.functions import Lower

from accounts.models import Member
from accounts.services import assign_display_name, member_delete, validate_new_display_name


class MemberCreationForm(AdminUserCreationForm):
    class Meta:
        model = Member
        fields = ("email", "display_name")

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean_display_name(self):
        return validate_new_display_name(self.cleaned_data["display_name"])


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = Member
        fields = "__all__"

    def clean_display_name(self):
        return validate_new_display_name(self.cleaned_data["display_name"], member=self.instance)


@admin.register(Member)
class MemberAdmin(UserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["display_name", "handle", "email", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "open_to_mentoring", "date_joined"]
    ordering = [Lower("display_name")]
    search_fields = ["display_name", "handle", "email"]
    readonly_fields = ["handle", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "handle", "bio", "avatar", "open_to_mentoring")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        """A community's moderators see that community's members; site managers see all."""
        from forums import permissions
        from forums.models import Community

        queryset = super().get_queryset(request)
        if permissions.is_site_manager(request.user):
            return queryset
        return queryset.filter(
            memberships__community__in=Community.objects.moderated_by(request.user)
        ).distinct()

    def _sees_addresses(self, request):
        from forums import permissions

        return permissions.is_site_manager(request.user)

    # What volunteer moderators are not shown: addresses, exact sign-up times, staff status.
    MANAGERS_ONLY = {"email", "date_joined", "is_staff", "is_superuser"}

    def get_list_display(self, request):
        if self._sees_addresses(request):
            return self.list_display
        return [field for field in self.list_display if field not in self.MANAGERS_ONLY]

    def get_list_filter(self, request):
        if self._sees_addresses(request):
            return self.list_filter
        return [field for field in self.list_filter if field not in self.MANAGERS_ONLY]

    def get_search_fields(self, request):
        if self._sees_addresses(request):
            return self.search_fields
        return ["display_name", "handle"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self._sees_addresses(request):
            return fieldsets
        # Volunteer moderators know members by display name, like everyone else.
        return [(None, {"fields": ("display_name", "handle", "bio", "is_active")})]

    def get_readonly_fields(self, request, obj=None):
        if self._sees_addresses(request):
            return self.readonly_fields
        return ["display_name", "handle", "bio", "is_active"]

    def has_delete_permission(self, request, obj=None):
        """Site managers delete an account (a member's request by e-mail, say) the way the
        member would, keeping their community posts as "Former member"'s; volunteer
        moderators deactivate (is_active) instead. The placeholder itself is nobody's."""
        from forums import permissions

        if obj is not None and obj.is_former:
            return False
        return permissions.is_site_manager(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_former:
            return False
        return super().has_change_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """What the confirmation page lists: each account, and how many rows of each kind go
        with it, never whose circles they were in or who blocked whom."""
        _, counts, _, _ = super().get_deleted_objects(objs, request)
        accounts = [
            f"{member}: their account (their posts stay, as “Former member”)" for member in objs
        ]
        return accounts, counts, set(), []

    def delete_model(self, request, obj):
        member_delete(member=obj, erase_posts=False)

    def delete_queryset(self, request, queryset):
        for member in queryset.exclude(is_former=True):
            member_delete(member=member, erase_posts=False)

    def save_model(self, request, obj, form, change):
        if "display_name" in form.changed_data or not obj.handle:
            assign_display_name(obj, form.cleaned_data["display_name"])
        super().save_model(request, obj, form, change)
