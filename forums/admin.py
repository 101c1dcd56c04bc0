from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from forums import services
from forums.choices import Visibility
from forums.models import Category, Community, Membership, Post, Thread


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
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
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "community", "role", "state", "created_at"]
    list_filter = ["state", "role", "community"]
    search_fields = ["member__display_name", "community__name"]
    autocomplete_fields = ["member", "community"]
    list_select_related = ["member", "community"]
    actions = ["approve_requests"]

    @admin.action(description="Approve the selected requests to join")
    def approve_requests(self, request, queryset):
        approved = 0
        for membership in queryset.filter(state=Membership.State.REQUESTED).select_related(
            "community", "member"
        ):
            services.membership_approve(membership=membership, by=request.user)
            approved += 1
        self.message_user(request, f"Approved {approved} request(s).", messages.SUCCESS)


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "category", "kind", "visibility", "solved", "created_at"]
    list_filter = ["community", "kind", "visibility", "is_pinned", "is_locked", "idea_status"]
    search_fields = ["title"]
    list_select_related = ["community", "category", "author"]
    readonly_fields = ["author", "created_at", "bumped_at", "score", "accepted_answer"]
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
        "accepted_answer",
        "score",
        "created_at",
        "bumped_at",
        "deleted_at",
    ]

    @admin.display(boolean=True, ordering="accepted_answer")
    def solved(self, thread):
        return thread.accepted_answer_id is not None


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Managers see every post's metadata; the text of a circle or private post stays with
    its audience."""

    list_display = ["__str__", "thread", "author", "visibility", "state", "created_at"]
    list_filter = [
        "visibility",
        ("deleted_at", admin.EmptyFieldListFilter),
        ("hidden_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["thread", "author"]
    search_fields = ["thread__title", "author__display_name"]
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="state")
    def state(self, post):
        if post.deleted_at:
            return "deleted"
        if post.hidden_at:
            return "hidden"
        return "live"

    @admin.display(description="text")
    def readable_body(self, post):
        if post.visibility != Visibility.PUBLIC:
            return format_html(
                "<em>{}</em>", "Only the author's chosen audience can read this post."
            )
        return format_html('<div style="white-space: pre-wrap">{}</div>', post.body)
