import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts import names
from forums.choices import NotificationKind, Visibility


def new_avatar_seed():
    return secrets.token_hex(8)


def default_email_notifications():
    return [
        NotificationKind.REPLY,
        NotificationKind.MENTION,
        NotificationKind.ACCEPTED,
        NotificationKind.MODERATION,
    ]


FORMER_MEMBER_HANDLE = "former-member"
FORMER_MEMBER_NAME = "Former member"


def former_member_fields(handle_taken):
    """The placeholder's row. Its name key and address are ones no sign-up can produce (a
    key holds only letters and digits; an address is required), so it never clashes with a
    member's, and it takes another handle where a member already has its own."""
    return {
        "is_former": True,
        "email": "",
        "display_name": FORMER_MEMBER_NAME,
        "display_name_key": "~former-member",
        "handle": FORMER_MEMBER_HANDLE + ("-placeholder" if handle_taken.exists() else ""),
        "is_active": False,
        "password": "!",  # unusable: no password hashes to it
        "email_notifications": [],
    }


class MemberManager(BaseUserManager):
    """`create_user` and `create_superuser` for Django's own tools (createsuperuser, tests);
    the site signs members up through allauth and accounts.services."""

    def _create(self, email, password, display_name, **fields):
        from accounts.services import assign_display_name

        member = self.model(email=self.normalize_email(email).lower(), **fields)
        assign_display_name(member, display_name)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, email, password=None, display_name="", **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, display_name, **fields)

    def former_member(self):
        """The one placeholder that what departed members left behind is attributed to:
        "Former member", a row that is nobody (it cannot sign in, has no address, no circle,
        no profile page). Made on first use, found by what it is (`is_former`), never by a
        name or handle a member could hold."""
        fields = former_member_fields(self.filter(handle=FORMER_MEMBER_HANDLE))
        member, _ = self.get_or_create(is_former=fields.pop("is_former"), defaults=fields)
        return member

    def create_superuser(self, email, password=None, display_name="", **fields):
        """The address is registered as verified: whoever runs createsuperuser is trusted
        with it, and allauth lets nobody sign in with an address that is not."""
        from allauth.account.models import EmailAddress

        fields.update(is_staff=True, is_superuser=True)
        with transaction.atomic(using=self._db):
            member = self._create(email, password, display_name, **fields)
            EmailAddress.objects.using(self._db).create(
                user=member, email=member.email, primary=True, verified=True
            )
        return member


class Member(AbstractBaseUser, PermissionsMixin):
    """Someone with an account. Other members know them only by display name and avatar;
    the e-mail address and everything else here stays between the member and the staff."""

    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=names.MAX_LENGTH)
    # Two names that read alike share a key (accounts.names.display_name_key). Not for
    # display or sorting: "Marie" gives "rnarle".
    display_name_key = models.CharField(
        max_length=names.KEY_MAX_LENGTH, unique=True, editable=False
    )
    handle = models.SlugField(max_length=64, unique=True, help_text="Used in profile URLs.")
    bio = models.TextField(max_length=600, blank=True)
    avatar = models.FileField(upload_to="avatars/", blank=True)
    avatar_seed = models.CharField(max_length=16, default=new_avatar_seed, editable=False)
    open_to_mentoring = models.BooleanField(default=False)
    default_visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text="The audience your new threads and replies start with.",
    )
    email_notifications = ArrayField(
        models.CharField(max_length=20, choices=NotificationKind.choices),
        default=default_email_notifications,
        blank=True,
        help_text="The kinds of notification also sent by e-mail.",
    )
    # Database defaults too, so that rows written by hand (generate_data's COPY) get them.
    weekly_digest = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Once a week, e-mail the titles of new threads in their communities.",
    )
    # How posts with a content note show to this member: folded behind the note (the
    # default, and what a newcomer gets) or open, the note still above the post.
    fold_content_notes = models.BooleanField(
        "posts with a content note",
        default=True,
        db_default=True,
        choices=[
            (True, "Always fold them behind their note, until I open one"),
            (False, "Show them unfolded, with the note above the post"),
        ],
    )
    # The ISO week ("2026-W49") of the last digest sent (forums.digest): a second run in
    # that week sends nothing.
    digest_sent_for = models.CharField(
        max_length=10, blank=True, default="", db_default="", editable=False
    )

    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin site to manage communities."
    )
    is_active = models.BooleanField(default=True)
    # The placeholder departed members' words are attributed to (MemberManager.former_member).
    is_former = models.BooleanField(default=False, db_default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = MemberManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = "member"
        ordering = [Lower("display_name")]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="member_email_unique_ignoring_case"),
            models.UniqueConstraint(
                fields=["is_former"], condition=models.Q(is_former=True), name="one_former_member"
            ),
        ]
        indexes = [
            models.Index(fields=["date_joined"]),
            models.Index(Lower("display_name"), name="member_display_name_lower"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"handle": self.handle})

    def get_short_name(self):
        return self.display_name

    def get_full_name(self):
        return self.display_name


def former_member():
    """For `on_delete=SET(...)`: a departed member's words stay, attributed to nobody."""
    return Member.objects.former_member()


class CircleMembership(models.Model):
    """`member` is in `owner`'s close circle. Only the owner ever sees this."""

    owner = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="circle_entries")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "member"], name="circle_once"),
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("member")), name="circle_not_self"
            ),
        ]
        # The read path asks "whose circles is this viewer in?": member first.
        indexes = [models.Index(fields=["member", "owner"])]

    def __str__(self):
        return f"{self.member} in {self.owner}'s circle"


class Block(models.Model):
    """`blocker` blocked `blocked`: the two no longer see each other's posts or mentions."""

    blocker = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self):
        return f"{self.blocker} blocked {self.blocked}"
