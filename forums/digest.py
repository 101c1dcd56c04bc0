from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Member
from forums.models import Membership, Thread

DIGEST_DAYS = 7
DIGEST_MAX_THREADS = 20
# Its own salt: no other signed value of the site (sessions, allauth's keys) is a valid token.
UNSUBSCRIBE_SALT = "hearth.forums.digest.unsubscribe"


@dataclass(frozen=True)
class DigestEntry:
    title: str
    community: str
    link: str


@dataclass(frozen=True)
class Digest:
    entries: list
    more: int

    @property
    def total(self):
        return len(self.entries) + self.more


def digest_week(moment):
    """The ISO week a digest is for, e.g. "2026-W49": one digest per member per week."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients(*, week):
    """The ids of the active members who asked for the digest and have not had this week's."""
    return (
        Member.objects.filter(weekly_digest=True, is_active=True)
        .exclude(digest_sent_for__gte=week)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def digest_build(member, *, until):
    """What one member's digest holds, decided now: the threads started in the seven days
    before `until` in the communities where they are an active member, that they may read
    now (through the read door, so a thread narrowed, hidden or deleted since is not there),
    newest first, at most DIGEST_MAX_THREADS of them and how many more. Only titles,
    community names and links: never a post's text, never an author. Their own threads are
    left out (they are not news to them). None when there is nothing new, or the member is
    deactivated or no longer asks for the digest."""
    if not member.is_active or not member.weekly_digest:
        return None
    communities = Membership.objects.active().filter(member=member).values("community_id")
    threads = (
        Thread.objects.visible_to(member)
        .filter(
            community__in=communities,
            created_at__gte=until - timedelta(days=DIGEST_DAYS),
            created_at__lt=until,
        )
        .exclude(author=member)
        .select_related("community")
        .order_by("-created_at", "-pk")
    )
    shown = list(threads[: DIGEST_MAX_THREADS + 1])
    if not shown:
        return None
    more = threads.count() - DIGEST_MAX_THREADS if len(shown) > DIGEST_MAX_THREADS else 0
    base = settings.HEARTH_BASE_URL.rstrip("/")
    entries = [
        DigestEntry(
            # A title is one line in the mail, whatever was sent in the form.
            title=" ".join(thread.title.split()),
            community=thread.community.name,
            link=base + thread.get_absolute_url(),
        )
        for thread in shown[:DIGEST_MAX_THREADS]
    ]
    return Digest(entries=entries, more=more)


def digest_send(*, member_id, until):
    """Sends a member the digest for the week of `until`, at most once, whether the job runs
    twice or is retried: the member's row is locked, the week checked, the mail sent and the
    week recorded in one transaction, so a failed send records nothing (and is retried), and
    a second run waits for the first and then finds the week done. A week with nothing new
    is done too, without an e-mail. Returns whether an e-mail was sent."""
    week = digest_week(until)
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(pk=member_id).first()
        if (
            member is None
            or not member.is_active
            or not member.weekly_digest
            or member.digest_sent_for >= week
        ):
            return False
        digest = digest_build(member, until=until)
        if digest is not None:
            digest_message(member, digest).send()
        member.digest_sent_for = week
        member.save(update_fields=["digest_sent_for"])
    return digest is not None


def digest_message(member, digest):
    """The plain-text e-mail, with the one-click unsubscribe of RFC 8058 in its headers."""
    base = settings.HEARTH_BASE_URL.rstrip("/")
    unsubscribe = base + reverse(
        "forums:digest_unsubscribe", kwargs={"token": unsubscribe_token(member)}
    )
    body = render_to_string(
        "forums/email/digest.txt",
        {
            "digest": digest,
            "more_link": base + reverse("home"),
            "unsubscribe_link": unsubscribe,
            "settings_link": base + reverse("forums:notification_settings"),
        },
    )
    plural = "" if digest.total == 1 else "s"
    subject = (
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}"
        f"{digest.total} new thread{plural} in your communities this week"
    )
    return EmailMessage(
        subject,
        body,
        to=[member.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def unsubscribe_token(member):
    """An unguessable token that turns this member's digest off: their id, signed with the
    site's secret key (and a salt of its own). It never carries the address. It does not
    expire: the link in a digest from last year still stops the digest."""
    return signing.dumps(member.pk, salt=UNSUBSCRIBE_SALT)


def member_for_unsubscribe_token(token):
    """The member a token was made for, or None for a token this site did not sign (or a
    member who is gone)."""
    try:
        member_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(member_id, int):
        return None
    return Member.objects.filter(pk=member_id).first()


@transaction.atomic
def digest_unsubscribe(*, member):
    """Turns the member's weekly digest off: what the link in every digest does."""
    member.weekly_digest = False
    member.save(update_fields=["weekly_digest"])
    return member
