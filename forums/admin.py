"""The Django admin's content pages, where community managers and moderators work:
communities, memberships, threads, posts and tags. The moderation pages (queue, approvals,
reports, audit log) and the base they share live in forums.moderation.admin.

Every list is scoped to the communities one moderates, and every text a thread or post
carries shows only where the read door opened it to moderators."""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from taggit.models import Tag, TaggedItem

from forums import permissions, services
from forums.models import Category, Community, Membership, Post, Thread
from forums.moderation import services as moderation
from forums.moderation.admin import (
    ContentAdmin,
    ModeratorAdmin,
    PostReadingMixin,
    ReadOnlyAdmin,
)
from forums.moderation.forms import MembershipAdminForm, RevealForm

Only = admin.RelatedOnlyFieldListFilter


# --------------------------------------------------------------------- communities, members


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Community)
class CommunityAdmin(ModeratorAdmin):
    community_path = "pk"
    list_display = [
        "name",
        "kind",
        "read_access",
        "listing",
        "join_policy",
        "member_count",
        "created_at",
    ]
    list_filter = ["kind", "read_access", "join_policy"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "kind"]}),
        (
            "Who reads it, finds it and joins",
            {
                "fields": ["read_access", "listed", "join_policy", "email_domains"],
                "description": "A private community is read by its own members alone. Listed, "
                "signed-in members see its name and description and may ask to join (or join, "
                "when anyone may); unlisted, nobody else knows it exists, and members join by "
                "invitation or by their e-mail domain.",
            },
        ),
        ("Moderation", {"fields": ["premoderate_first_posts"]}),
    ]
    radio_fields = {"listed": admin.VERTICAL}
    inlines = [CategoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if db_field.name == "listed":
            # A form sent without the choice leaves the community unlisted: invisible.
            field.required, field.empty_value = False, False
        return field

    @admin.display(description="listing", ordering="listed")
    def listing(self, community):
        if community.read_access != Community.ReadAccess.PRIVATE:
            return "—"
        return "listed" if community.listed else "unlisted"

    @admin.display(description="members", ordering="member_total")
    def member_count(self, community):
        return community.member_total

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the form edits: the counts kept by the write door are not its to
            # write back as they were when the form was read.
            obj.save(update_fields=form.changed_data)
        else:
            services.community_create(community=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # Deleting a community would take every member's words with it: nothing is lost.
        return False


@admin.register(Membership)
class MembershipAdmin(ModeratorAdmin):
    """Who belongs where. Moderators approve requests through the action; site managers
    change roles and states, each change carried out (and logged) by the moderation
    services, with the reason they give."""

    form = MembershipAdminForm
    list_display = ["member", "community", "role", "state", "suspended_until", "created_at"]
    list_filter = ["state", "role", ("community", Only)]
    search_fields = ["member__display_name", "community__name"]
    autocomplete_fields = ["member"]
    list_select_related = ["member", "community"]
    actions = ["approve_requests"]

    def get_fields(self, request, obj=None):
        fields = ["community", "member", "role", "state"]
        if permissions.is_site_manager(request.user):
            fields.append("reason")
        return fields if obj is None else [*fields, "suspended_until", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        """Bans and suspensions go through the moderation queue; roles and states are for
        site managers."""
        if not permissions.is_site_manager(request.user):
            return ["community", "member", "role", "state", "suspended_until", "created_at"]
        if obj is not None:
            return ["community", "member", "suspended_until", "created_at"]
        return []

    def has_add_permission(self, request):
        return permissions.is_site_manager(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_site_manager(request.user) and super().has_delete_permission(
            request, obj
        )

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("reason", "")
        if not change:
            saved = moderation.membership_add(
                community=obj.community,
                member=obj.member,
                role=obj.role,
                by=request.user,
                reason=reason,
            )
            obj.pk = saved.pk
            return
        stored = Membership.objects.get(pk=obj.pk)
        try:
            if "state" in form.changed_data:
                moderation.membership_set_state(
                    membership=stored, state=obj.state, by=request.user, reason=reason
                )
            if "role" in form.changed_data:
                moderation.membership_set_role(
                    membership=stored, role=obj.role, by=request.user, reason=reason
                )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        obj.refresh_from_db()

    @admin.action(description="Approve the selected requests to join")
    def approve_requests(self, request, queryset):
        approved = 0
        for membership in queryset.filter(state=Membership.State.REQUESTED):
            moderation.membership_approve(membership=membership, by=request.user)
            approved += 1
        self.message_user(request, f"Approved {approved} request(s).", messages.SUCCESS)


# ------------------------------------------------------------------------- threads and posts


class SolvedFilter(admin.SimpleListFilter):
    title = "solved"
    parameter_name = "solved"

    def lookups(self, request, model_admin):
        return [("yes", "Solved"), ("no", "Unsolved questions")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(accepted_answer__isnull=False)
        if self.value() == "no":
            return queryset.filter(kind=Thread.Kind.QUESTION, accepted_answer__isnull=True)
        return queryset


@admin.register(Thread)
class ThreadAdmin(ContentAdmin):
    """Threads are changed through actions, so that each change is logged. A circle or
    only-me thread is named by a neutral label until one of its posts is reported."""

    list_display = [
        "label",
        "community",
        "category",
        "kind",
        "visibility",
        "is_pinned",
        "is_locked",
        "solved",
        "created_at",
    ]
    list_filter = [
        ("community", Only),
        "kind",
        SolvedFilter,
        "visibility",
        "is_pinned",
        "is_locked",
        "idea_status",
    ]
    search_fields = ["author__display_name"]
    guarded_search_fields = ["title"]
    open_flag = "title_open"
    list_select_related = ["community", "category", "author"]
    date_hierarchy = "created_at"
    fields = [
        "label",
        "community",
        "category",
        "shown_author",
        "kind",
        "visibility",
        "idea_status",
        "is_pinned",
        "is_locked",
        "is_pending",
        "accepted_answer",
        "score",
        "created_at",
        "bumped_at",
        "hidden_at",
        "deleted_at",
    ]
    readonly_fields = fields
    actions = ["lock", "unlock", "pin", "unpin"]

    def get_queryset(self, request):
        posts = (
            Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True)
            .order_by()
            .values("thread")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return Thread.objects.open_to_moderator(request.user).annotate(
            post_total=Coalesce(Subquery(posts), 0)
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Threads are deleted softly, by their authors; the retention job removes them.
        return False

    @admin.display(description="thread")
    def label(self, thread):
        return str(thread)

    @admin.display(boolean=True, ordering="accepted_answer")
    def solved(self, thread):
        return thread.accepted_answer_id is not None

    def _apply(self, request, queryset, service, done):
        for thread in queryset:
            service(thread=thread, by=request.user)
        self.message_user(request, f"{done} {queryset.count()} thread(s).", messages.SUCCESS)

    @admin.action(description="Lock the selected threads", permissions=["change"])
    def lock(self, request, queryset):
        self._apply(request, queryset, moderation.thread_lock, "Locked")

    @admin.action(description="Unlock the selected threads", permissions=["change"])
    def unlock(self, request, queryset):
        self._apply(request, queryset, moderation.thread_unlock, "Unlocked")

    @admin.action(description="Pin the selected threads", permissions=["change"])
    def pin(self, request, queryset):
        self._apply(request, queryset, moderation.thread_pin, "Pinned")

    @admin.action(description="Unpin the selected threads", permissions=["change"])
    def unpin(self, request, queryset):
        self._apply(request, queryset, moderation.thread_unpin, "Unpinned")


class PostStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("pending", "Awaiting approval"),
            ("hidden", "Hidden"),
            ("deleted", "Deleted"),
        ]

    def queryset(self, request, queryset):
        return {
            "live": queryset.filter(
                deleted_at__isnull=True, hidden_at__isnull=True, is_pending=False
            ),
            "pending": queryset.filter(is_pending=True),
            "hidden": queryset.filter(hidden_at__isnull=False),
            "deleted": queryset.filter(deleted_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Post)
class PostAdmin(PostReadingMixin, ContentAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "thread_label", "shown_author", "visibility", "state", "created_at"]
    list_filter = [PostStateFilter, "visibility", ("thread__community", Only)]
    search_fields = ["author__display_name"]
    date_hierarchy = "created_at"
    fields = [
        "thread_label",
        "shown_author",
        "visibility",
        "readable_body",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_reason",
    ]
    readonly_fields = [*fields, "reveal"]

    def get_fields(self, request, obj=None):
        """A community manager is offered the reveal of an anonymous post's author."""
        if obj is not None and obj.is_anonymous and permissions.can_reveal_author(request.user):
            return [*self.fields, "reveal"]
        return self.fields

    @admin.display(description="anonymous author")
    def reveal(self, post):
        return format_html(
            '<a href="{}">Reveal who wrote it</a> (asks for a reason, which is logged and '
            "sent to the author)",
            reverse("admin:forums_post_reveal", args=[post.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="forums_post_reveal",
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request, pk):
        """Who wrote an anonymous post, for a community manager alone, once they gave a
        reason (moderation.services.post_reveal_author). Anyone else is refused (403), and
        a post outside their communities, or not anonymous, is not found (404)."""
        if not permissions.can_reveal_author(request.user):
            raise PermissionDenied
        post = get_object_or_404(
            self.get_queryset(request).filter(is_anonymous=True).select_related("thread"), pk=pk
        )
        form = RevealForm(request.POST or None)
        author = None
        if request.method == "POST" and form.is_valid():
            try:
                author = moderation.post_reveal_author(
                    post=post, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "title": "Reveal who wrote an anonymous post",
            "post": post,
            "form": form,
            "author": author,
            "opts": self.model._meta,
        }
        return render(request, "admin/forums/reveal.html", context)


# ------------------------------------------------------------------------------------- tags


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags that a thread open to this moderator carries: a tag used only on circle or
    only-me threads says as much as their titles, and stays with their audience."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        open_threads = Thread.objects.open_to_moderator(request.user).filter(title_open=True)
        carried = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Thread),
            object_id__in=open_threads.values("pk"),
        )
        return super().get_queryset(request).filter(pk__in=carried.values("tag_id"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
