"""The Django admin, where community managers and moderators work.

Every list is scoped: a moderator sees and acts on the communities they moderate only, a
site manager on all. Every moderation action goes through forums.moderation, which checks
the scope again and writes the audit log."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Value
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from forums import moderation, permissions, services
from forums.models import (
    Category,
    Community,
    Membership,
    ModerationAction,
    ModerationQueueItem,
    PendingPost,
    Post,
    Report,
    Thread,
)


class ScopedAdmin(admin.ModelAdmin):
    """Shows a moderator only the rows of the communities they moderate."""

    community_path = "community"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.is_site_manager(request.user):
            return queryset
        return queryset.filter(
            **{f"{self.community_path}__in": permissions.moderated_communities(request.user)}
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Every choice a form offers stays inside the moderator's communities."""
        communities = permissions.moderated_communities(request.user)
        scoped = {
            "community": lambda: communities,
            "category": lambda: Category.objects.filter(community__in=communities),
            "thread": lambda: Thread.objects.filter(community__in=communities),
            "post": lambda: Post.objects.filter(thread__community__in=communities),
        }
        if db_field.name in scoped and not permissions.is_site_manager(request.user):
            kwargs["queryset"] = scoped[db_field.name]()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyQueueAdmin(ScopedAdmin):
    """A queue is worked through its actions alone: no add, change or delete forms, so that
    every change goes through forums.moderation and into the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's actions ask without an object; no single row is ever editable.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


# Filters offer only what the (scoped) list holds: no other community's names.
Only = admin.RelatedOnlyFieldListFilter


def _excerpt(text, length=240):
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


# --------------------------------------------------------------------- communities, members


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    community_path = "pk"
    list_display = ["name", "kind", "read_access", "join_policy", "member_count", "created_at"]
    list_filter = ["kind", "read_access", "join_policy"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CategoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, community):
        return community.member_total


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["member", "community", "role", "state", "suspended_until", "created_at"]
    list_filter = ["state", "role", ("community", Only)]
    search_fields = ["member__display_name", "community__name"]
    autocomplete_fields = ["member"]
    list_select_related = ["member", "community"]
    readonly_fields = ["suspended_until"]
    actions = ["approve_requests"]

    def get_readonly_fields(self, request, obj=None):
        """Moderators approve requests through the action; roles, states and who belongs
        are for site managers (bans and suspensions go through the moderation queue)."""
        if permissions.is_site_manager(request.user):
            return self.readonly_fields
        return ["community", "member", "role", "state", "suspended_until", "created_at"]

    def has_add_permission(self, request):
        return permissions.is_site_manager(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_site_manager(request.user) and super().has_delete_permission(
            request, obj
        )

    @admin.action(description="Approve the selected requests to join")
    def approve_requests(self, request, queryset):
        approved = 0
        for membership in queryset.filter(state=Membership.State.REQUESTED).select_related(
            "community", "member"
        ):
            services.membership_approve(membership=membership, by=request.user)
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
class ThreadAdmin(ScopedAdmin):
    """Threads are changed through actions, so that each change is logged."""

    list_display = [
        "title",
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
    search_fields = ["title"]
    list_select_related = ["community", "category", "author"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "community",
        "category",
        "author",
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

    def has_add_permission(self, request):
        return False

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


class PostReadingMixin:
    """Managers see every post's metadata; the text of a circle or private post stays with
    its audience unless someone reported it to the moderators."""

    @admin.display(description="text")
    def readable_body(self, post):
        if not post.text_open_to_moderators:
            return format_html("<em>{}</em>", "Only the author's chosen audience can read this.")
        return format_html('<div class="post-text">{}</div>', _excerpt(post.body, 2000))

    @admin.display(description="state")
    def state(self, post):
        if post.deleted_at:
            return "deleted"
        if post.hidden_at:
            return "hidden"
        return "awaiting approval" if post.is_pending else "live"


@admin.register(Post)
class PostAdmin(PostReadingMixin, ScopedAdmin):
    community_path = "thread__community"
    list_display = ["__str__", "thread", "author", "visibility", "state", "created_at"]
    list_filter = [PostStateFilter, "visibility", ("thread__community", Only)]
    list_select_related = ["thread", "author"]
    search_fields = ["thread__title", "author__display_name"]
    date_hierarchy = "created_at"
    fields = [
        "thread",
        "author",
        "visibility",
        "readable_body",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).with_text_open_to_moderators()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------- the moderation queue


class ModerationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        help_text="Logged, and shown to the member where they are told of the decision.",
    )
    days = forms.TypedChoiceField(
        label="Suspend for",
        coerce=int,
        choices=[(1, "1 day"), (3, "3 days"), (7, "7 days"), (30, "30 days"), (365, "a year")],
        initial=7,
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), empty_label=None)

    def __init__(self, *args, action, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action.needs_reason:
            self.fields["reason"].required = True
        if action.name != "suspend":
            del self.fields["days"]
        if action.name == "move":
            communities = {post.thread.community_id for post in posts}
            self.fields["category"].queryset = Category.objects.filter(community__in=communities)
        else:
            del self.fields["category"]


class QueueAction:
    def __init__(self, name, label, run, *, needs_reason=False, per_member=False):
        self.name, self.label, self.run = name, label, run
        self.needs_reason, self.per_member = needs_reason, per_member


def _suspend(post, by, data):
    until = timezone.now() + timedelta(days=data["days"])
    moderation.member_suspend(
        member=post.author,
        community=post.thread.community,
        by=by,
        until=until,
        reason=data["reason"],
    )


QUEUE_ACTIONS = {
    action.name: action
    for action in [
        QueueAction(
            "hide",
            "Hide the post",
            lambda post, by, data: moderation.post_hide(post=post, by=by, reason=data["reason"]),
            needs_reason=True,
        ),
        QueueAction(
            "restore",
            "Restore the post",
            lambda post, by, data: moderation.post_restore(post=post, by=by, reason=data["reason"]),
        ),
        QueueAction(
            "dismiss",
            "Dismiss the reports",
            lambda post, by, data: moderation.reports_dismiss(
                post=post, by=by, reason=data["reason"]
            ),
        ),
        QueueAction(
            "lock",
            "Lock the thread",
            lambda post, by, data: moderation.thread_lock(
                thread=post.thread, by=by, reason=data["reason"]
            ),
        ),
        QueueAction(
            "unlock",
            "Unlock the thread",
            lambda post, by, data: moderation.thread_unlock(
                thread=post.thread, by=by, reason=data["reason"]
            ),
        ),
        QueueAction(
            "pin",
            "Pin the thread",
            lambda post, by, data: moderation.thread_pin(
                thread=post.thread, by=by, reason=data["reason"]
            ),
        ),
        QueueAction(
            "move",
            "Move the thread",
            lambda post, by, data: moderation.thread_move(
                thread=post.thread, category=data["category"], by=by, reason=data["reason"]
            ),
        ),
        QueueAction(
            "warn",
            "Warn the author",
            lambda post, by, data: moderation.member_warn(
                member=post.author, community=post.thread.community, by=by, reason=data["reason"]
            ),
            needs_reason=True,
            per_member=True,
        ),
        QueueAction("suspend", "Suspend the author", _suspend, needs_reason=True, per_member=True),
        QueueAction(
            "ban",
            "Ban the author",
            lambda post, by, data: moderation.member_ban(
                member=post.author, community=post.thread.community, by=by, reason=data["reason"]
            ),
            needs_reason=True,
            per_member=True,
        ),
    ]
}
ROW_BUTTONS = ["hide", "dismiss", "lock", "warn", "suspend", "ban"]


def _bulk(name):
    action = QUEUE_ACTIONS[name]

    def run(modeladmin, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        url = reverse("admin:forums_moderationqueueitem_moderate", args=[name])
        return redirect(f"{url}?ids={ids}")

    run.__name__ = f"bulk_{name}"
    return admin.action(description=f"{action.label} (each selected post)", permissions=["change"])(
        run
    )


@admin.register(ModerationQueueItem)
class ModerationQueueAdmin(PostReadingMixin, ReadOnlyQueueAdmin):
    """Open reports grouped by post, oldest first, with the post, its thread, its author and
    their history, and the actions a moderator takes in one click."""

    community_path = "thread__community"
    list_display = [
        "first_reported",
        "reported_post",
        "thread_link",
        "author_and_history",
        "reasons",
        "row_actions",
    ]
    list_display_links = None
    fields = ["thread", "author", "visibility", "readable_body", "created_at"]
    readonly_fields = fields
    list_filter = [("thread__community", Only), "reports__reason"]
    search_fields = ["thread__title", "author__display_name", "body"]
    actions = [_bulk(name) for name in QUEUE_ACTIONS]

    def get_queryset(self, request):
        open_reports = Report.objects.filter(status=Report.Status.OPEN)
        return (
            super()
            .get_queryset(request)
            .filter(Exists(open_reports.filter(post=OuterRef("pk"))))
            .annotate(
                first_report_at=Min("reports__created_at"),
                history_count=Count("author__moderation_history", distinct=True),
                text_open_to_moderators=Value(True),  # reported, by definition
            )
            .select_related("thread__community", "author")
            .prefetch_related(Prefetch("reports", open_reports, to_attr="open_reports"))
            .order_by("first_report_at", "pk")
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": "Moderation queue: open reports, oldest first",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "moderate/<str:action>/",
                self.admin_site.admin_view(self.moderate_view),
                name="forums_moderationqueueitem_moderate",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="first reported", ordering="first_report_at")
    def first_reported(self, post):
        return post.first_report_at

    @admin.display(description="post")
    def reported_post(self, post):
        return format_html(
            "{}<br><small>{} · {}</small>",
            self.readable_body(post),
            post.get_visibility_display(),
            self.state(post),
        )

    @admin.display(description="thread")
    def thread_link(self, post):
        return format_html(
            '<a href="{}">{}</a><br><small>{}</small>',
            reverse("admin:forums_thread_change", args=[post.thread_id]),
            post.thread.title,
            post.thread.community.name,
        )

    @admin.display(description="author")
    def author_and_history(self, post):
        history = reverse("admin:forums_moderationaction_changelist")
        return format_html(
            '{}<br><small><a href="{}?member__id__exact={}">{} earlier action(s)</a></small>',
            post.author.display_name,
            history,
            post.author_id,
            post.history_count,
        )

    @admin.display(description="reports")
    def reasons(self, post):
        return format_html_join(
            "",
            "<div><strong>{}</strong> {}</div>",
            (
                (report.get_reason_display(), _excerpt(report.details, 140))
                for report in post.open_reports
            ),
        )

    @admin.display(description="act")
    def row_actions(self, post):
        return format_html_join(
            " ",
            '<a class="button" href="{}?ids={}">{}</a>',
            (
                (
                    reverse("admin:forums_moderationqueueitem_moderate", args=[name]),
                    post.pk,
                    QUEUE_ACTIONS[name].label,
                )
                for name in ROW_BUTTONS
            ),
        )

    def moderate_view(self, request, action):
        """Asks for the reason (and a duration or category), then acts on each post."""
        if action not in QUEUE_ACTIONS or not self.has_change_permission(request):
            raise PermissionDenied
        queue_action = QUEUE_ACTIONS[action]
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        # Read through the scoped list of all posts: nothing outside one's communities.
        posts = list(
            PostAdmin(Post, self.admin_site)
            .get_queryset(request)
            .filter(pk__in=ids)
            .select_related("thread__community", "author")
        )
        if not posts:
            self.message_user(request, "Nothing to act on.", messages.WARNING)
            return redirect("admin:forums_moderationqueueitem_changelist")
        form = ModerationForm(request.POST or None, action=queue_action, posts=posts)
        if request.method == "POST" and form.is_valid():
            done, seen_members = 0, set()
            for post in posts:
                key = (post.author_id, post.thread.community_id)
                if queue_action.per_member and key in seen_members:
                    continue
                seen_members.add(key)
                try:
                    queue_action.run(post, request.user, form.cleaned_data)
                    done += 1
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
            self.message_user(request, f"{queue_action.label}: done for {done}.", messages.SUCCESS)
            return redirect("admin:forums_moderationqueueitem_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": queue_action.label,
            "action": queue_action,
            "posts": posts,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/forums/moderate.html", context)


@admin.register(PendingPost)
class PendingPostAdmin(PostReadingMixin, ReadOnlyQueueAdmin):
    """Pre-moderation: a new member's first posts, waiting for a moderator."""

    community_path = "thread__community"
    list_display = ["created_at", "pending_text", "thread", "author"]
    fields = ["thread", "author", "visibility", "pending_text", "created_at"]
    readonly_fields = fields
    list_filter = [("thread__community", Only)]
    list_display_links = None
    list_select_related = ["thread", "author"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_pending=True).order_by("created_at")

    @admin.display(description="post")
    def pending_text(self, post):
        # Waiting posts are shown whole to moderators: approving them means reading them.
        return format_html('<div class="post-text">{}</div>', _excerpt(post.body, 2000))

    @admin.action(description="Approve the selected posts", permissions=["change"])
    def approve(self, request, queryset):
        for post in queryset:
            moderation.post_approve(post=post, by=request.user)
        self.message_user(request, f"Approved {queryset.count()} post(s).", messages.SUCCESS)

    @admin.action(description="Reject the selected posts", permissions=["change"])
    def reject(self, request, queryset):
        for post in queryset:
            moderation.post_reject(
                post=post, by=request.user, reason="It did not meet this community's guidelines."
            )
        self.message_user(request, "Rejected.", messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(ScopedAdmin):
    community_path = "post__thread__community"
    list_display = ["created_at", "reason", "status", "post", "resolved_at"]
    list_filter = ["status", "reason", ("post__thread__community", Only)]
    list_select_related = ["post"]
    fields = ["post", "reason", "details", "status", "created_at", "resolved_at", "resolved_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ScopedAdmin):
    """The audit log: read-only for everyone."""

    list_display = ["created_at", "moderator", "kind", "community", "member", "thread", "reason"]
    list_filter = ["kind", ("community", Only), ("moderator", Only), ("member", Only)]
    search_fields = ["reason", "member__display_name", "moderator__display_name"]
    list_select_related = ["moderator", "community", "member", "thread"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "moderator",
        "kind",
        "community",
        "member",
        "thread",
        "post",
        "reason",
        "before",
        "after",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
