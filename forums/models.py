import hashlib

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

from accounts.models import former_member
from forums.choices import NotificationKind, Visibility
from forums.querysets import (
    FOR_EVERYONE,
    CommunityQuerySet,
    MembershipQuerySet,
    NotificationQuerySet,
    PostQuerySet,
    ThreadQuerySet,
    author_shown_to,
)

# Paths that sit where a thread's slug or a category's slug would (forums/urls.py).
RESERVED_THREAD_SLUGS = frozenset({"reply", "follow", "status", "accept"})
RESERVED_CATEGORY_SLUGS = frozenset({"new", "join", "leave", "feed", "follow"})
# A post's content note ("self-harm", "pregnancy loss"): a few words, not a sentence.
CONTENT_NOTE_MAX_LENGTH = 60
# A moderator's reason: logged, shown to the member, kept on a hidden post.
REASON_MAX_LENGTH = 500


# Why the admin refuses an unlisted private community these join policies (Community.clean).
UNLISTED_JOINING = {
    "request": "Nobody can ask to join a community they never see. List it, so that signed-in "
    "members find it and ask, or let members join by invitation.",
    "open": "Nobody can join a community they never see: unlisted, it takes members by "
    "invitation alone. List it, so that signed-in members find it and join, or let members "
    "join by invitation.",
}


def validate_category_slug(slug):
    if slug in RESERVED_CATEGORY_SLUGS:
        raise ValidationError(
            "“%(slug)s” is taken by the community's own pages; choose another slug.",
            params={"slug": slug},
        )


def _list_index(name, *fields, condition=None):
    """An index for a list of threads in the order of `fields`, newest first, then by pk."""
    live = models.Q(deleted_at__isnull=True)
    return models.Index(
        fields=[*fields, "-id"], name=name, condition=live & condition if condition else live
    )


class Community(models.Model):
    class Kind(models.TextChoices):
        SUPPORT = "support", "Customer support"
        PRACTICE = "practice", "Community of practice"
        PEER_SUPPORT = "peer_support", "Peer support"
        IDEAS = "ideas", "Ideas"
        INTEREST = "interest", "Special interest"
        INTERNAL = "internal", "Internal"

    class ReadAccess(models.TextChoices):
        OPEN = "open", "Anyone (signed in or not, unless the site is members-only)"
        MEMBERS = "members", "Any signed-in member of the site"
        PRIVATE = "private", "This community's own members"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone may join"
        REQUEST = "request", "By request, approved by a moderator"
        INVITATION = "invitation", "By invitation only"
        DOMAIN = "domain", "Automatically, for verified e-mail addresses at given domains"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=1000, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    read_access = models.CharField(
        max_length=10, choices=ReadAccess.choices, default=ReadAccess.MEMBERS
    )
    join_policy = models.CharField(
        max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    # Only a private community is listed or unlisted: others are found by whoever reads them.
    listed = models.BooleanField(
        "who finds it",
        default=False,
        choices=[
            (True, "Listed: signed-in members see its name and description, and may ask to join"),
            (False, "Unlisted: only its members, and those it invites, know it exists"),
        ],
        help_text="For a private community (read by its own members). Listed or not, nothing "
        "inside it shows to those who do not belong: no threads, categories, tags or counts.",
    )
    email_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="For automatic joining: comma-separated domains, e.g. example.org, example.com.",
    )
    premoderate_first_posts = models.PositiveSmallIntegerField(
        default=0,
        help_text="A new member's first this many posts wait for a moderator's approval "
        "(0: none do).",
    )
    allows_anonymous = models.BooleanField(
        "members may post anonymously",
        default=False,
        db_default=False,
        help_text="On a new thread or reply, members may choose “Post anonymously”: the post "
        "shows as “Anonymous member” to everyone but its author. Only a community manager "
        "can reveal who wrote it, with a reason that is logged and told to the author.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Derived, kept by the write door (forums.services.community_recount): the threads here
    # that everyone who reads the community sees (ThreadQuerySet.for_everyone). Lists add
    # each viewer's own corrections (CommunityQuerySet.with_thread_counts).
    public_thread_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "communities"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forums:community", kwargs={"community": self.slug})

    def clean(self):
        """Listing is for private communities, and an unlisted private community is one
        nobody finds: it can take members by invitation (or by their e-mail domain), never
        by their own request or by joining of their own accord."""
        Access, Policy = self.ReadAccess, self.JoinPolicy
        if self.listed and self.read_access != Access.PRIVATE:
            raise ValidationError(
                {
                    "listed": "Listing is for private communities: members already find one "
                    "they may read. Choose “Unlisted” (for this community it changes nothing), "
                    "or let only its own members read it."
                }
            )
        if (
            self.read_access == Access.PRIVATE
            and not self.listed
            and self.join_policy in (Policy.OPEN, Policy.REQUEST)
        ):
            raise ValidationError({"listed": UNLISTED_JOINING[self.join_policy]})

    @property
    def domains(self):
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"
        OWNER = "owner", "Owner"

    class State(models.TextChoices):
        ACTIVE = "active", "Member"
        REQUESTED = "requested", "Asked to join"
        INVITED = "invited", "Invited"
        BANNED = "banned", "Banned"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    # Until then the member reads but does not post here.
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "member"], name="membership_once"),
        ]
        indexes = [models.Index(fields=["member", "state", "community"])]

    def __str__(self):
        return f"{self.member} in {self.community} ({self.get_state_display()})"

    @property
    def suspended_now(self):
        return bool(self.suspended_until and self.suspended_until > timezone.now())


class Category(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, validators=[validate_category_slug])
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="category_slug_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "forums:category", kwargs={"community": self.community.slug, "category": self.slug}
        )


class Thread(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        DISCUSSION = "discussion", "Discussion"
        IDEA = "idea", "Idea"

    class IdeaStatus(models.TextChoices):
        NEW = "new", "New"
        UNDER_REVIEW = "under_review", "Under review"
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        DECLINED = "declined", "Declined"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    # A departed member's thread stays, with everyone's replies (accounts.services.member_delete).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET(former_member), related_name="threads"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, allow_unicode=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Derived: the opening post's `is_anonymous`, set with it (forums.services.thread_create).
    is_anonymous = models.BooleanField(default=False, db_default=False, editable=False)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    idea_status = models.CharField(max_length=14, choices=IdeaStatus.choices, blank=True)
    accepted_answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The opening post's votes, copied on every vote so lists can sort by them.
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved only by replies the thread's whole audience can see, so the order of a list
    # never hints at a reply someone may not read.
    bumped_at = models.DateTimeField(auto_now_add=True)
    # Derived: the author of the reply that set bumped_at (none while only its start counts).
    # A viewer whom no block parts from them sees bumped_at as the thread's activity.
    bumped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Waiting for a moderator's approval (pre-moderation): seen by its author alone.
    is_pending = models.BooleanField(default=False)

    tags = TaggableManager(blank=True)
    objects = ThreadQuerySet.as_manager()

    class Meta:
        # One index per list order (forums.views.SORT_KEYS), ending in the pk so that a
        # page can start after any row; deleted threads are listed nowhere.
        indexes = [
            _list_index("thread_category_latest", "category", "-is_pinned", "-bumped_at"),
            _list_index("thread_category_newest", "category", "-is_pinned", "-created_at"),
            _list_index("thread_category_top", "category", "-is_pinned", "-score", "-bumped_at"),
            _list_index(
                "thread_category_questions",
                "category",
                "-is_pinned",
                "-created_at",
                condition=models.Q(kind="question"),
            ),
            _list_index("thread_community_latest", "community", "-is_pinned", "-bumped_at"),
            _list_index("thread_latest", "-bumped_at"),
            models.Index(fields=["community"], condition=FOR_EVERYONE, name="thread_for_everyone"),
            models.Index(fields=["author", "-created_at"]),
        ]

    def __str__(self):
        """The thread as it may be named outside its audience (the admin, logs, messages):
        its title when the whole community may read it, or when a moderator was shown it
        through a report (`title_open`, from ThreadQuerySet.open_to_moderator); otherwise a
        neutral label that names no word of it."""
        for_everyone = self.visibility == Visibility.PUBLIC and not self.deleted_at
        if getattr(self, "title_open", for_everyone):
            return self.title
        return self.neutral_label

    def get_absolute_url(self):
        return reverse("forums:thread", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def neutral_label(self):
        """ "Circle thread by Lantern Moth · 3 posts": what a thread is, without its title.
        The number of posts shows where the list annotated `post_total`."""
        if self.deleted_at:
            kind = "Deleted thread"
        else:
            kind = {Visibility.CIRCLE: "Circle thread", Visibility.PRIVATE: "Only-me thread"}.get(
                self.visibility, "Thread"
            )
        label = f"{kind} by {self.author_shown_to(None).display_name}"
        total = getattr(self, "post_total", None)
        if total is not None:
            label += f" · {total} post{'s' if total != 1 else ''}"
        return label

    def author_shown_to(self, viewer):
        """Who a viewer is shown as the thread's author: its opening post's (author_shown_to
        in forums.querysets)."""
        return author_shown_to(viewer, self)

    @staticmethod
    def slug_for(title):
        slug = slugify(title, allow_unicode=True)[:80].strip("-") or "thread"
        # /t/<id>/reply/ and its neighbours are actions, not titles.
        return f"{slug}-thread" if slug in RESERVED_THREAD_SLUGS else slug


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET(former_member), related_name="posts"
    )
    is_opening = models.BooleanField(default=False)
    # Shown as "Anonymous member" to everyone but its author (forums.querysets.author_shown_to).
    is_anonymous = models.BooleanField(default=False, db_default=False, editable=False)
    body = models.TextField()
    body_html = models.TextField()
    # The author's warning of what the post is about: pages fold the body behind it.
    # A database default too, so that rows written by hand (generate_data's COPY) get it.
    content_note = models.CharField(
        max_length=CONTENT_NOTE_MAX_LENGTH, blank=True, default="", db_default=""
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    votes = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    is_pending = models.BooleanField(default=False)
    # The form's one-time token: a second submit of the same form finds the first post.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_token"], name="post_submitted_once"),
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["author", "-created_at"]),
            # Search's most recent matches, when a word is too common for the GIN index.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="post_latest",
            ),
            GinIndex(fields=["search_vector"], name="post_search_gin"),
            models.Index(
                fields=["created_at"], condition=models.Q(is_pending=True), name="post_pending"
            ),
        ]

    def __str__(self):
        return f"Post {self.pk} in {self.thread_id}"

    def get_absolute_url(self):
        return reverse("forums:post", kwargs={"pk": self.pk})

    @property
    def version(self):
        """Which text of the post an edit starts from (the opening post's title included): a
        save based on another is refused (forums.services.post_edit)."""
        title = self.thread.title if self.is_opening else ""
        text = f"{title}\x00{self.body}"
        if self.content_note:  # a post without one keeps the version it always had
            text += f"\x00{self.content_note}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        return digest[:32]

    def author_shown_to(self, viewer):
        """Who a viewer is shown as the post's author (forums.querysets.author_shown_to)."""
        return author_shown_to(viewer, self)

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class PostRevision(models.Model):
    """A post's earlier text, kept on every edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    content_note = models.CharField(
        max_length=CONTENT_NOTE_MAX_LENGTH, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Revision of post {self.post_id} from {self.created_at:%Y-%m-%d %H:%M}"


class PostVote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="vote_once")]
        indexes = [models.Index(fields=["member", "post"])]

    def __str__(self):
        return f"Vote on post {self.post_id}"


class ThreadFollow(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="thread_follow_once")
        ]
        indexes = [models.Index(fields=["member", "thread"])]

    def __str__(self):
        return f"{self.member} follows thread {self.thread_id}"


class CategoryFollow(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "member"], name="category_follow_once")
        ]
        indexes = [models.Index(fields=["member", "category"])]

    def __str__(self):
        return f"{self.member} follows {self.category}"


class Notification(models.Model):
    """Something for one member to look at. It names a post or thread and never copies its
    text, so what it shows is read through the visibility rule at the moment they look."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET(former_member),
        related_name="+",
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Room for a moderator's reason (ModerationAction.reason) and the words around it.
    message = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When a worker e-mailed it (or found it was not to be): never twice.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A retried job never tells anyone twice of the same post
            # (forums.services.ONCE_PER_POST).
            models.UniqueConstraint(
                fields=["recipient", "kind", "post"],
                # Every kind but the moderators' messages, which a member may get many of.
                condition=models.Q(post__isnull=False) & ~models.Q(kind="moderation"),
                name="notification_once_per_post",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}"


class Report(models.Model):
    """A member's report of a post to the community's moderators."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        HARASSMENT = "harassment", "Harassment or bullying"
        HARMFUL = "harmful", "Harmful or unsafe"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Acted on"
        DISMISSED = "dismissed", "Dismissed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    # A report outlives its reporter's account, as moderation evidence that names nobody.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="reports_made",
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    details = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=models.Q(status="open"),
                name="one_open_report_per_member_per_post",
            ),
        ]
        indexes = [
            models.Index(fields=["post"], condition=models.Q(status="open"), name="report_open"),
        ]

    def __str__(self):
        return f"Report of post {self.post_id}: {self.get_reason_display()}"


class ModerationAction(models.Model):
    """The audit log: every moderator action, who, what, when, why, before and after.
    Written by forums.moderation alone; read-only everywhere else."""

    class Kind(models.TextChoices):
        HIDE = "hide", "Hid a post"
        RESTORE = "restore", "Restored a post"
        DISMISS = "dismiss", "Dismissed reports"
        APPROVE = "approve", "Approved a post"
        REJECT = "reject", "Rejected a post"
        LOCK = "lock", "Locked a thread"
        UNLOCK = "unlock", "Unlocked a thread"
        PIN = "pin", "Pinned a thread"
        UNPIN = "unpin", "Unpinned a thread"
        MOVE = "move", "Moved a thread"
        WARN = "warn", "Warned a member"
        SUSPEND = "suspend", "Suspended a member"
        UNSUSPEND = "unsuspend", "Lifted a suspension"
        BAN = "ban", "Banned a member"
        UNBAN = "unban", "Lifted a ban"
        ADMIT = "admit", "Approved a request to join"
        INVITE = "invite", "Invited a member"
        ADD = "add", "Added a member"
        ROLE = "role", "Changed a member's role"
        IDEA = "idea", "Changed an idea's status"
        REVEAL = "reveal", "Revealed an anonymous author"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_history",
        help_text="The member acted on (a post's author, or the member warned).",
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-created_at"]),
            models.Index(fields=["member", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.moderator}: {self.get_kind_display()}"


class ModerationQueueItem(Post):
    """The admin's moderation queue: posts with open reports."""

    class Meta:
        proxy = True
        verbose_name = "reported post"
        verbose_name_plural = "moderation queue"


class PendingPost(Post):
    """The admin's approval queue: posts waiting under pre-moderation."""

    class Meta:
        proxy = True
        verbose_name = "post awaiting approval"
        verbose_name_plural = "posts awaiting approval"
