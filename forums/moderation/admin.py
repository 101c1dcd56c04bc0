"""The admin's moderation pages: the queue of reported posts, posts awaiting approval,
reports and the audit log, on top of the base every Hearth ModelAdmin shares.

What a moderator may read is decided in forums.querysets (`Community.objects.moderated_by`,
`Thread.objects.open_to_moderator`, `Post.objects.open_to_moderator`); every list, search,
filter, choice, count and label here reads through them. Every change goes through
forums.moderation.services, which checks the scope again and writes the audit log."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal

from accounts.models import Member
from forums.models import (
    Category,
    Community,
    ModerationAction,
    ModerationQueueItem,
    PendingPost,
    Post,
    Report,
    Thread,
)
from forums.moderation import services as moderation
from forums.moderation.forms import ModerationForm
from forums.querysets import ANONYMOUS_AUTHOR, audit_names_member, named_authors_q


def _excerpt(text, length=240):
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


def _matching(fields, search_term):
    """Every word of the search in one of the fields (the admin's own rule, as a Q)."""
    if not fields:
        return Q(pk__in=[])
    query = Q()
    for word in smart_split(search_term):
        if word.startswith(('"', "'")) and word[0] == word[-1]:
            word = unescape_string_literal(word)
        query &= Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR)
    return query


class ModeratorAdmin(admin.ModelAdmin):
    """Shows a moderator only the rows of the communities they moderate (all of them for the
    site's managers), offers only those in every choice, and searches secret text only where
    it is open to them.

    `guarded_search_fields` are searched in the rows whose `open_flag` annotation (from the
    read door) is true, so that a search cannot ask yes-or-no questions about text nobody
    showed the moderator."""

    community_path = "community"
    guarded_search_fields = ()
    open_flag = None
    # Search fields that name a member, each searched only in the rows that may name them
    # (a Q): a search for a name must never find what they posted anonymously.
    named_search_fields = {"author__display_name": named_authors_q()}

    def get_queryset(self, request):
        communities = Community.objects.moderated_by(request.user)
        return super().get_queryset(request).filter(**{f"{self.community_path}__in": communities})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Every choice a form offers stays inside the moderator's communities."""
        communities = Community.objects.moderated_by(request.user)
        scoped = {
            "community": lambda: communities,
            "category": lambda: Category.objects.filter(community__in=communities),
            "thread": lambda: Thread.objects.filter(community__in=communities),
            "post": lambda: Post.objects.filter(thread__community__in=communities),
        }
        if db_field.name in scoped:
            kwargs["queryset"] = scoped[db_field.name]()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        searched = list(self.get_search_fields(request))
        fields = [field for field in searched if field not in self.named_search_fields]
        found = _matching(fields, search_term)
        for field, named in self.named_search_fields.items():
            if field in searched:
                found |= named & _matching([field], search_term)
        if self.guarded_search_fields:
            found |= Q(**{self.open_flag: True}) & _matching(
                self.guarded_search_fields, search_term
            )
        duplicates = any(
            lookup_spawns_duplicates(self.opts, field)
            for field in [*searched, *self.guarded_search_fields]
        )
        return queryset.filter(found), duplicates

    def page_on_site(self, request, obj):
        """Where "View on site" leads: the object's page, when the staff member may open it
        on the site itself (see HearthAdminSite.view_on_site)."""
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None

    @admin.display(description="author")
    def shown_author(self, obj):
        """A thread's or post's author as the admin names them: "Anonymous member" for an
        anonymous one, whoever looks (forums.querysets.author_shown_to)."""
        return obj.author_shown_to(None).display_name


class ReadOnlyAdmin(ModeratorAdmin):
    """Read, never written here: what these rows record changes through services alone."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContentAdmin(ModeratorAdmin):
    """Threads and posts: their text stays with their audience (see the read door), and
    "View on site" leads only to what the moderator may read there as a member."""

    def page_on_site(self, request, obj):
        model = type(obj)._meta.concrete_model
        if not model.objects.visible_to(request.user).filter(pk=obj.pk).exists():
            return None
        return super().page_on_site(request, obj)


class PostReadingMixin:
    """A post's text shows only where the read door opened it to moderators."""

    guarded_search_fields = ["body"]
    open_flag = "text_open"

    def get_queryset(self, request):
        return self.model.objects.open_to_moderator(request.user).select_related(
            "thread__author", "thread__community", "author"
        )

    @admin.display(description="text")
    def readable_body(self, post):
        if post.deleted_at:
            return format_html("<em>{}</em>", "Deleted by its author.")
        if not post.text_open:
            return format_html(
                "<em>{}</em>",
                f"{post.get_visibility_display()}: only the audience its author chose reads "
                "this, until someone reports it.",
            )
        text = format_html('<div class="post-text">{}</div>', _excerpt(post.body, 2000))
        if post.content_note:  # the author's warning comes first, as on the site
            note = format_html("<p><strong>Content note:</strong> {}</p>", post.content_note)
            return note + text
        return text

    @admin.display(description="thread")
    def thread_label(self, post):
        thread = post.thread
        thread.title_open = post.thread_title_open
        return str(thread)

    @admin.display(description="state")
    def state(self, post):
        if post.deleted_at:
            return "deleted"
        if post.hidden_at:
            return "hidden"
        return "awaiting approval" if post.is_pending else "live"


class ReadOnlyQueueAdmin(ContentAdmin):
    """A queue is worked through its actions alone: no add, change or delete forms, so that
    every change goes through forums.moderation.services and into the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's actions ask without an object; no single row is ever editable.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------- the moderation queue


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
        post=post,
    )


def _on_thread(service):
    return lambda post, by, data: service(thread=post.thread, by=by, reason=data["reason"])


def _on_author(service):
    return lambda post, by, data: service(
        member=post.author,
        community=post.thread.community,
        by=by,
        reason=data["reason"],
        post=post,
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
        QueueAction("lock", "Lock the thread", _on_thread(moderation.thread_lock)),
        QueueAction("unlock", "Unlock the thread", _on_thread(moderation.thread_unlock)),
        QueueAction("pin", "Pin the thread", _on_thread(moderation.thread_pin)),
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
            _on_author(moderation.member_warn),
            needs_reason=True,
            per_member=True,
        ),
        QueueAction("suspend", "Suspend the author", _suspend, needs_reason=True, per_member=True),
        QueueAction(
            "ban",
            "Ban the author",
            _on_author(moderation.member_ban),
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
    their history here, and the actions a moderator takes in one click."""

    list_display = [
        "first_reported",
        "reported_post",
        "thread_link",
        "author_and_history",
        "reasons",
        "row_actions",
    ]
    list_display_links = None
    fields = ["thread_label", "shown_author", "visibility", "readable_body", "created_at"]
    readonly_fields = fields
    list_filter = [("thread__community", admin.RelatedOnlyFieldListFilter), "reports__reason"]
    search_fields = ["author__display_name"]
    actions = [_bulk(name) for name in QUEUE_ACTIONS]

    def get_queryset(self, request):
        open_reports = Report.objects.filter(status=Report.Status.OPEN)
        # A member's history counts only what was done in communities this moderator sees:
        # a count from elsewhere would tell them where else the member belongs.
        history_here = Q(
            author__moderation_history__community__in=Community.objects.moderated_by(request.user)
        )
        # Nor what was done through an anonymous post or thread, which the audit log does not
        # list under the member's name either (querysets.audit_names_member): a count one
        # higher than the list would tell that they posted anonymously.
        history_here &= Q(author__moderation_history__post__isnull=True) | Q(
            author__moderation_history__post__is_anonymous=False
        )
        history_here &= Q(author__moderation_history__thread__isnull=True) | Q(
            author__moderation_history__thread__is_anonymous=False
        )
        return (
            super()
            .get_queryset(request)
            .filter(Exists(open_reports.filter(post=OuterRef("pk"))))
            .annotate(
                first_report_at=Min("reports__created_at"),
                history_count=Count(
                    "author__moderation_history", filter=history_here, distinct=True
                ),
            )
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
            self.thread_label(post),
            post.thread.community.name,
        )

    @admin.display(description="author")
    def author_and_history(self, post):
        if post.is_anonymous:  # neither their name nor their record here, which would
            return self.shown_author(post)  # lead to it
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
        # Any post of one's communities (a hidden one is restored from here too), named as
        # the read door allows.
        posts = list(Post.objects.open_to_moderator(request.user).filter(pk__in=ids))
        for post in posts:
            post.thread.title_open = post.thread_title_open
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
    """Pre-moderation: a new member's first posts for the whole community, waiting for a
    moderator (circle and only-me posts never wait; see forums.services._must_wait)."""

    list_display = ["created_at", "readable_body", "thread_label", "shown_author"]
    fields = ["thread_label", "shown_author", "visibility", "readable_body", "created_at"]
    readonly_fields = fields
    list_filter = [("thread__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["author__display_name"]
    list_display_links = None
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_pending=True).order_by("created_at")

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
class ReportAdmin(ReadOnlyAdmin):
    """Reports, read-only: who reported stays unsaid (no column, no filter)."""

    community_path = "post__thread__community"
    list_display = ["created_at", "reason", "status", "post", "resolved_at"]
    list_filter = [
        "status",
        "reason",
        ("post__thread__community", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["post"]
    fields = ["post", "reason", "details", "status", "created_at", "resolved_at", "resolved_by"]
    readonly_fields = fields


class NamedMemberFilter(admin.SimpleListFilter):
    """The audit log by member acted on, among the rows that name them
    (forums.querysets.audit_names_member): what was done to an anonymous author, as one,
    is never listed under their name."""

    title = "member"
    parameter_name = "member__id__exact"

    def lookups(self, request, model_admin):
        named = model_admin.get_queryset(request).filter(member_named=True, member__isnull=False)
        members = Member.objects.filter(pk__in=named.values("member")).order_by("display_name")
        return [(member.pk, member.display_name) for member in members]

    def has_output(self):
        # Django applies only the filters it shows: asked for a member it does not list,
        # this one must still filter (and find nothing), never pass the list through whole.
        return True

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(member_named=True, member=self.value())


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The audit log: read-only for everyone. Who was acted on as an anonymous author stays
    unsaid (audit_names_member), but to a community manager reading their reveal."""

    list_display = [
        "created_at",
        "moderator",
        "kind",
        "community",
        "member_shown",
        "thread",
        "reason",
    ]
    list_filter = [
        "kind",
        ("community", admin.RelatedOnlyFieldListFilter),
        ("moderator", admin.RelatedOnlyFieldListFilter),
        NamedMemberFilter,
    ]
    search_fields = ["reason", "member__display_name", "moderator__display_name"]
    named_search_fields = {"member__display_name": Q(member_named=True)}
    list_select_related = ["moderator", "community", "member", "thread__author"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "moderator",
        "kind",
        "community",
        "member_shown",
        "thread",
        "post",
        "reason",
        "before",
        "after",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_named=audit_names_member(request.user))

    @admin.display(description="member", ordering="member__display_name")
    def member_shown(self, action):
        if action.member is None:
            return None
        return action.member.display_name if action.member_named else ANONYMOUS_AUTHOR.display_name
