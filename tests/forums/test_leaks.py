"""Promise 1 at page level: nothing a viewer may not read reaches them by any page.

One fixed forum, rich enough to hold every case: communities of each read access, threads
and replies of each visibility, circles, a block, hidden, deleted and held (pending) posts,
an edited post, an accepted answer, tags, mentions, follows. Every thread title and every
post body carries its own secret word ("secretword0001"…). Each viewer then reads every
page a member can reach, and the secrets on each page are compared with what the reference
model (tests/forums/reference.py) allows.
"""

import re
from collections import deque
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.services import circle_add, member_block
from forums import services
from forums.models import Category, Membership, Notification, Post, Thread
from tests.factories import join, make_community, make_member
from tests.forums import reference

SECRET = re.compile(r"secretword\d{4}")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
SORTS = ["latest", "newest", "top", "unanswered"]
VIEWERS = ["anonymous", "ada", "ben", "cam", "dee", "eve", "fay"]
MEMBERS = VIEWERS[1:]
NO_SUCH_ID = 987654321
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
NO_LIMITS = {"post": "10000/60", "report": "10000/60"}


@dataclass
class Forum:
    """The fixed forum, and which secret word belongs to which title or post."""

    members: dict = field(default_factory=dict)  # "ada" -> Member
    communities: dict = field(default_factory=dict)  # "open" / "members" / "private"
    threads: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    title_secrets: dict = field(default_factory=dict)  # secret -> thread pk
    body_secrets: dict = field(default_factory=dict)  # secret -> post pk, in its current text
    earlier_secrets: dict = field(default_factory=dict)  # secret -> post pk, in a revision
    tags: dict = field(default_factory=dict)  # thread pk -> its tags
    emails: list = field(default_factory=list)
    _secret_count: int = 0

    def secret(self):
        self._secret_count += 1
        return f"secretword{self._secret_count:04d}"

    def category(self, community, slug="general"):
        return Category.objects.get(community=self.communities[community], slug=slug)

    def start(
        self,
        author,
        community,
        visibility,
        *,
        category="general",
        kind="discussion",
        tags=(),
        words="",
    ):
        title_secret, body_secret = self.secret(), self.secret()
        thread = services.thread_create(
            author=self.members[author],
            category=self.category(community, category),
            kind=kind,
            title=f"Thread {title_secret}",
            body=f"{words} Opening words {body_secret}.",
            visibility=visibility,
            tags=list(tags),
        )
        self.threads.append(thread)
        self.tags[thread.pk] = set(tags)
        self.title_secrets[title_secret] = thread.pk
        opening = thread.posts.get()
        self.posts.append(opening)
        self.body_secrets[body_secret] = opening.pk
        return thread

    def reply(self, author, thread, visibility, *, words=""):
        body_secret = self.secret()
        post = services.post_create(
            author=self.members[author],
            thread=thread,
            body=f"{words} A reply {body_secret}.",
            visibility=visibility,
        )
        self.posts.append(post)
        self.body_secrets[body_secret] = post.pk
        return post

    def edit(self, post):
        """A new text with a new secret; the earlier one is kept as a revision."""
        earlier = next(secret for secret, pk in self.body_secrets.items() if pk == post.pk)
        self.earlier_secrets[earlier] = self.body_secrets.pop(earlier)
        body_secret = self.secret()
        services.post_edit(post=post, by=post.author, body=f"Edited words {body_secret}.")
        self.body_secrets[body_secret] = post.pk

    def world(self, *, members_only):
        return reference.World.from_database(members_only=members_only)

    def readable_secrets(self, world, viewer):
        """The secrets this viewer may read: titles of the threads they see, texts of the
        live posts they see (earlier versions included)."""
        viewer_pk = None if viewer is None else viewer.pk
        titles = {
            secret
            for secret, thread in self.title_secrets.items()
            if reference.thread_visible(world, viewer_pk, thread)
        }
        texts = {
            secret
            for secret, post in (self.body_secrets | self.earlier_secrets).items()
            if reference.post_text_visible(world, viewer_pk, post)
        }
        return titles | texts

    def describe(self, secret):
        if secret in self.title_secrets:
            thread = Thread.objects.get(pk=self.title_secrets[secret])
            return f"title of {thread.visibility} thread {thread.pk} by {thread.author}"
        post = Post.objects.get(pk=(self.body_secrets | self.earlier_secrets)[secret])
        states = {"deleted": post.deleted_at, "hidden": post.hidden_at, "held": post.is_pending}
        state = "".join(f"{name} " for name, now in states.items() if now)
        return f"text of {state}{post.visibility} post {post.pk} by {post.author}"


@pytest.fixture(scope="module")
def forum(django_db_setup, django_db_blocker):
    """Built once for this module, inside a transaction rolled back after its last test;
    each test reads it inside its own savepoint (the `db` fixture, via `_reading`)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with (
            override_settings(PASSWORD_HASHERS=[FAST_HASHER], HEARTH_RATE_LIMITS=NO_LIMITS),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            sent_before = len(mail.outbox)
            forum = build_forum()
        forum.emails = mail.outbox[sent_before:]
        yield forum
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _reading(db, settings):
    """Pages large enough that pagination never hides what a viewer may read. (Sessions in
    signed cookies only save this file a query per page.)"""
    settings.HEARTH_THREADS_PER_PAGE = 200
    settings.HEARTH_POSTS_PER_PAGE = 200
    settings.HEARTH_MEMBERS_ONLY = False
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


def build_forum():
    """Six members; circles: Ada's holds Ben and Fay, Ben's holds Ada, Cam's holds Dee;
    Dee blocked Ada. "Open Hall" is read by anyone, "Members Lounge" by signed-in members,
    "Quiet Room" by its active members only (Ada, Ben, Dee; Cam asked to join, Eve is
    invited, Fay is not a member), and listed, so that the others find who it is."""
    forum = Forum()
    names = {
        "ada": "Ada Arden",
        "ben": "Ben Brook",
        "cam": "Cam Cole",
        "dee": "Dee Dune",
        "eve": "Eve Eames",
        "fay": "Fay Fenn",
    }
    for key, name in names.items():
        forum.members[key] = make_member(name)
    ada, ben, cam, dee, eve, fay = (forum.members[key] for key in MEMBERS)

    open_hall = make_community("Open Hall", read_access="open")
    Category.objects.create(community=open_hall, name="Questions", slug="questions", position=1)
    lounge = make_community("Members Lounge", read_access="members")
    # Listed: those who do not belong find its "about" page, and nothing of what is inside.
    quiet = make_community("Quiet Room", read_access="private", join_policy="request", listed=True)
    forum.communities = {"open": open_hall, "members": lounge, "private": quiet}
    for member in (ada, ben, cam, dee, fay):
        join(member, open_hall)
    for member in (ada, ben, cam, fay):
        join(member, lounge)
    for member in (ada, ben, dee):
        join(member, quiet)
    Membership.objects.create(community=quiet, member=cam, state="requested")
    Membership.objects.create(community=quiet, member=eve, state="invited")

    circle_add(owner=ada, member=ben)
    circle_add(owner=ada, member=fay)
    circle_add(owner=ben, member=ada)
    circle_add(owner=cam, member=dee)
    member_block(blocker=dee, blocked=ada)
    # New threads there reach these followers only when they may see them.
    services.category_follow(category=forum.category("open", "questions"), member=cam)
    services.category_follow(category=forum.category("private"), member=eve)
    services.category_follow(category=forum.category("private"), member=fay)
    build_threads(forum)
    return forum


def build_threads(forum):
    start, reply = forum.start, forum.reply
    now = timezone.now()

    # Open Hall
    question = start(
        "ada", "open", "public", category="questions", kind="question", tags=["pacing", "shared"]
    )
    answer = reply("ben", question, "public", words="@Cam Cole have a look.")
    reply("ben", question, "circle")  # Ben's circle: Ada
    reply("ben", question, "private")
    reply("ada", question, "circle", words="@Fay Fenn and @Ben Brook, thanks.")
    hidden = reply("cam", question, "public")
    Post.objects.filter(pk=hidden.pk).update(hidden_at=now, hidden_reason="Off topic")
    services.post_delete(post=reply("fay", question, "public"), by=forum.members["fay"])
    reply("cam", question, "public", words="@Dee Dune you would know.")  # Dee blocked Ada
    services.thread_accept_answer(thread=question, post=answer, by=forum.members["ada"])

    circle_thread = start("ada", "open", "circle", tags=["circle-only"])
    reply("ben", circle_thread, "public")
    reply("fay", circle_thread, "circle")  # Fay's circle is empty
    reply("cam", circle_thread, "public")  # Cam was in Ada's circle once, say

    journal = start("ada", "open", "private", tags=["journal"])
    reply("ada", journal, "private")  # the one audience its author may give a reply there

    bens = start("ben", "open", "public", kind="question", tags=["shared"])
    deesanswer = reply("dee", bens, "public")  # Ada, whom Dee blocked, can't see it
    reply("ada", bens, "public", words="@Dee Dune what do you think?")
    forum.edit(reply("cam", bens, "circle"))  # Cam's circle: Dee
    services.thread_accept_answer(thread=bens, post=deesanswer, by=forum.members["ben"])

    hidden_thread = start("cam", "open", "public", tags=["hidden-away"])
    Thread.objects.filter(pk=hidden_thread.pk).update(hidden_at=now)
    reply("ben", hidden_thread, "public")

    deleted_thread = start("ben", "open", "public", tags=["gone"])
    reply("cam", deleted_thread, "public")
    services.post_delete(post=deleted_thread.posts.get(is_opening=True), by=forum.members["ben"])

    hidden_opening = start("dee", "open", "public")
    Post.objects.filter(thread=hidden_opening, is_opening=True).update(hidden_at=now)
    reply("fay", hidden_opening, "public", words="@Eve Eames look.")

    # Members Lounge
    lounge_thread = start("ben", "members", "public", tags=["shared"])
    reply("ada", lounge_thread, "circle")  # Ada's circle: Ben, Fay
    reply("cam", lounge_thread, "private")
    held = reply("fay", lounge_thread, "public")  # held for a moderator's approval
    Post.objects.filter(pk=held.pk).update(is_pending=True)
    lounge_circle = start("ada", "members", "circle")
    reply("ben", lounge_circle, "public", words="@Fay Fenn")

    # Quiet Room
    quiet_thread = start(
        "ada", "private", "public", tags=["shared", "quiet"], words="@Fay Fenn @Eve Eames @Cam Cole"
    )
    reply("ben", quiet_thread, "public", words="@Fay Fenn")
    reply("dee", quiet_thread, "public")
    reply("ben", quiet_thread, "circle")
    quiet_circle = start("ben", "private", "circle")
    reply("ada", quiet_circle, "public")


# ------------------------------------------------------------------------------ reading

# Every viewer on an open site; then an anonymous visitor on a members-only site, where
# they may read nothing at all (members read the same on both, see the property test).
VIEWINGS = [(name, False) for name in VIEWERS] + [("anonymous", True)]
VIEWING_IDS = [f"{name}-{'members-only' if only else 'open site'}" for name, only in VIEWINGS]


def sign_in(client, settings, forum, viewer_name, members_only=False):
    settings.HEARTH_MEMBERS_ONLY = members_only
    viewer = forum.members.get(viewer_name)
    if viewer is not None:
        client.force_login(viewer)
    return viewer


def pages_to_read(forum, viewer):
    """Every page a member can reach, whether or not this viewer may read it. (A post's
    permalink and history are read by the tests of what answers 404 and of what the
    audience does see.)"""
    yield "/"
    for community in forum.communities.values():
        yield f"/c/{community.slug}/"
        yield f"/c/{community.slug}/feed/"
        for category in community.categories.all():
            for sort in SORTS:
                yield f"/c/{community.slug}/{category.slug}/?sort={sort}"
    for thread in forum.threads:
        yield f"/t/{thread.pk}/{thread.slug}/"
    for tag in sorted(set().union(*forum.tags.values())):
        yield f"/tags/{tag}/"
    for member in forum.members.values():
        yield member.get_absolute_url()
    if viewer is not None:
        yield "/notifications/"


def read_all(client, urls):
    """Each page, and each page it redirects to (once), with the secrets typed into the
    address that led there: a viewer may of course see again what they typed (in a search
    box, a slug, the sign-in page's `next`)."""
    read = set()
    queue = deque((url, set(SECRET.findall(url))) for url in urls)
    while queue:
        url, typed = queue.popleft()
        if url in read:
            continue
        read.add(url)
        response = client.get(url)
        yield url, typed, response
        if response.status_code in (301, 302):
            queue.append((response["Location"].split("#")[0], typed))


def secrets_in(response):
    """The secret words a response carries, in its text or in where it redirects."""
    return set(SECRET.findall(response.content.decode() + response.get("Location", "")))


@pytest.mark.parametrize(("viewer_name", "members_only"), VIEWINGS, ids=VIEWING_IDS)
def test_no_page_shows_a_secret_outside_its_audience(
    client, settings, forum, viewer_name, members_only
):
    """A thread's title shows only where the viewer may see the thread; a post's text only
    where they may see the post and it is not deleted: on lists (every sort), thread pages,
    tag pages, profiles, notifications and feeds, and in where any of them redirects.
    Search has its own test below."""
    viewer = sign_in(client, settings, forum, viewer_name, members_only)
    readable = forum.readable_secrets(forum.world(members_only=members_only), viewer)
    leaks = []
    for url, typed, response in read_all(client, pages_to_read(forum, viewer)):
        assert response.status_code in (200, 301, 302, 404), url
        for secret in sorted(secrets_in(response) - readable - typed):
            leaks.append(f"{url} shows {secret}, the {forum.describe(secret)}")
    assert not leaks, f"{viewer_name} sees what is not theirs to see:\n" + "\n".join(leaks)


@pytest.mark.parametrize(("viewer_name", "members_only"), VIEWINGS, ids=VIEWING_IDS)
def test_search_finds_exactly_the_live_posts_the_viewer_may_see(
    client, settings, forum, viewer_name, members_only
):
    """Searching a secret finds the post that holds it (for a title, the opening post) when
    the viewer may read that post's text, with the word marked in its snippet, and nothing
    else; earlier versions of an edited post are not searched. No result, title or snippet
    shows any other secret the viewer may not read."""
    viewer = sign_in(client, settings, forum, viewer_name, members_only)
    world = forum.world(members_only=members_only)
    viewer_pk = None if viewer is None else viewer.pk
    readable = forum.readable_secrets(world, viewer)
    openings = dict(Post.objects.filter(is_opening=True).values_list("thread", "pk"))
    holders = forum.body_secrets | {
        secret: openings[thread] for secret, thread in forum.title_secrets.items()
    }
    wrong = []
    for secret in [*holders, *forum.earlier_secrets]:
        response = client.get("/search/", {"q": secret})
        holder = holders.get(secret)
        if holder and reference.post_text_visible(world, viewer_pk, holder):
            expected = {holder}
        else:
            expected = set()
        results = response.context["results"] if response.status_code == 200 else None
        found = {post.pk for post in results or []}
        if found != expected:
            wrong.append(f"{secret}: found posts {found}, expected {expected}")
        marked = f"<mark>{secret}</mark>" in response.content.decode()
        if secret in forum.body_secrets and expected and not marked:
            wrong.append(f"{secret}: not marked in the snippet of post {holder}")
        for other in sorted(secrets_in(response) - readable - {secret}):
            wrong.append(f"{secret}: the page shows {other}, the {forum.describe(other)}")
    assert not wrong, f"search for {viewer_name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_every_post_a_viewer_may_read_is_on_its_thread_page(client, settings, forum, viewer_name):
    """The other half of the promise: the audience does see. Each live post a viewer may
    see is on its thread's page and in its edit history (which shows nothing else they may
    not read), under the thread's title."""
    viewer = sign_in(client, settings, forum, viewer_name)
    world = forum.world(members_only=False)
    viewer_pk = None if viewer is None else viewer.pk
    readable = forum.readable_secrets(world, viewer)
    missing = []
    for thread in forum.threads:
        if not reference.thread_visible(world, viewer_pk, thread.pk):
            continue
        page = client.get(thread.get_absolute_url()).content.decode()
        title = next(s for s, pk in forum.title_secrets.items() if pk == thread.pk)
        if title not in page:
            missing.append(f"{title} (title) missing from {thread.get_absolute_url()}")
        for secret, post in forum.body_secrets.items():
            if world.posts[post].thread != thread.pk:
                continue
            if reference.post_text_visible(world, viewer_pk, post):
                if secret not in page:
                    missing.append(f"{secret} missing from {thread.get_absolute_url()}")
                history = client.get(f"/p/{post}/history/")
                if secret not in history.content.decode():
                    missing.append(f"{secret} missing from /p/{post}/history/")
                for other in sorted(secrets_in(history) - readable):
                    missing.append(f"/p/{post}/history/ shows {other}, not theirs to read")
    assert not missing, f"for {viewer_name}:\n" + "\n".join(missing)


def normalised(response, pk):
    """What a response tells its reader, less the per-response CSRF token, with the id
    asked for made anonymous wherever it redirects."""
    location = response.get("Location", "").replace(f"/{pk}/", "/ID/")
    return response.status_code, location, CSRF_TOKEN.sub("", response.content.decode())


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_what_a_viewer_may_not_see_answers_like_what_does_not_exist(
    client, settings, forum, viewer_name
):
    """A thread or post the viewer may not see answers 404, exactly like an id that was
    never used: at its thread URL (with its slug, or without one), its permalink and its
    history. No redirect, so no slug or title, ever reaches them."""
    viewer = sign_in(client, settings, forum, viewer_name)
    world = forum.world(members_only=False)
    viewer_pk = None if viewer is None else viewer.pk
    never_used = {}
    different = []

    def compare(pattern, pk):
        url, unused_url = pattern.format(pk), pattern.format(NO_SUCH_ID)
        if unused_url not in never_used:
            never_used[unused_url] = normalised(client.get(unused_url), NO_SUCH_ID)
        response = client.get(url)
        if normalised(response, pk) != never_used[unused_url]:
            different.append(f"{url} answers {response.status_code}")

    for thread in forum.threads:
        if not reference.thread_visible(world, viewer_pk, thread.pk):
            compare("/t/{}/" + thread.slug + "/", thread.pk)
            compare("/t/{}/", thread.pk)  # which would otherwise redirect to the slug
    for post in forum.posts:
        if not reference.post_visible(world, viewer_pk, post.pk):
            compare("/p/{}/", post.pk)
            compare("/p/{}/history/", post.pk)
    assert never_used[f"/p/{NO_SUCH_ID}/"][0] == 404
    assert not different, f"{viewer_name} can tell these exist:\n" + "\n".join(different)


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_a_tag_only_on_threads_a_viewer_cannot_see_answers_like_an_unknown_tag(
    client, settings, forum, viewer_name
):
    """A tag page lists the threads with that tag the viewer may see. When there are none
    because every such thread is out of their sight, the page must not tell them that the
    tag exists (a private journal tagged "relapse" would otherwise be known to exist): it
    answers like a tag never used."""
    viewer = sign_in(client, settings, forum, viewer_name)
    world = forum.world(members_only=False)
    viewer_pk = None if viewer is None else viewer.pk
    all_tags = set().union(*forum.tags.values())
    seen_tags = set().union(
        *(
            tags
            for thread, tags in forum.tags.items()
            if reference.thread_visible(world, viewer_pk, thread)
        )
    )
    never_used = normalised(client.get("/tags/never-used/"), "never-used")
    telling = []
    for tag in sorted(all_tags - seen_tags):
        response = client.get(f"/tags/{tag}/")
        if normalised(response, tag) != never_used:
            telling.append(f"/tags/{tag}/ answers {response.status_code}")
    assert not telling, f"{viewer_name} learns these tags exist:\n" + "\n".join(telling)


@pytest.mark.parametrize("viewer_name", MEMBERS)
def test_notifications_list_only_what_the_recipient_may_see_now(
    client, settings, forum, viewer_name
):
    """A member's notifications page lists exactly their notifications whose post (or
    thread) they may see at the moment they look."""
    viewer = sign_in(client, settings, forum, viewer_name)
    world = forum.world(members_only=False)

    def may_see(notification):
        if notification.post_id:
            return reference.post_text_visible(world, viewer.pk, notification.post_id)
        if notification.thread_id:
            return reference.thread_visible(world, viewer.pk, notification.thread_id)
        return True

    expected = {n.pk for n in Notification.objects.filter(recipient=viewer) if may_see(n)}
    listed = {n.pk for n in client.get("/notifications/").context["notifications"]}
    assert listed == expected
    someone_elses = Notification.objects.exclude(recipient=viewer).values_list("pk", flat=True)
    tried = [*Notification.objects.filter(recipient=viewer).values_list("pk", flat=True)]
    tried += someone_elses[:3]
    opened = {pk for pk in tried if client.get(f"/notifications/{pk}/").status_code != 404}
    assert opened == expected, "only one's own notifications open, while still visible"


def thread_rows(html):
    """A thread list's rows, by thread id."""
    rows = html.split('<li class="thread-row')[1:]
    return {int(re.search(r'href="/t/(\d+)/', row).group(1)): row for row in rows}


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_solved_shows_only_where_the_accepted_answer_is_visible(
    client, settings, forum, viewer_name
):
    """A question is "Solved" for a viewer only when they may read its accepted answer, as
    on its own page: no list may tell them that an answer they cannot see was accepted, and
    "Unanswered" lists the questions that are unanswered for them."""
    viewer = sign_in(client, settings, forum, viewer_name)
    world = forum.world(members_only=False)
    viewer_pk = None if viewer is None else viewer.pk
    questions = Thread.objects.filter(kind="question")
    answers = dict(questions.values_list("pk", "accepted_answer"))
    categories = dict(questions.values_list("pk", "category__slug"))

    def solved(thread):
        answer = answers.get(thread)
        return answer is not None and reference.post_text_visible(world, viewer_pk, answer)

    wrong = []
    for url in ["/", "/c/open-hall/", "/tags/shared/"]:
        for thread, row in thread_rows(client.get(url).content.decode()).items():
            if ('class="solved"' in row) != solved(thread):
                wrong.append(f"{url}: thread {thread} shows as solved: {not solved(thread)}")
    for category in ["general", "questions"]:
        url = f"/c/open-hall/{category}/?sort=unanswered"
        listed = set(thread_rows(client.get(url).content.decode()))
        unanswered = {
            thread
            for thread in answers
            if categories[thread] == category
            and reference.thread_visible(world, viewer_pk, thread)
            and not solved(thread)
        }
        if listed != unanswered:
            wrong.append(f"{url} lists {sorted(listed)}, not {sorted(unanswered)}")
    for thread in answers:
        if answers[thread] and reference.thread_visible(world, viewer_pk, thread):
            page = client.get(f"/t/{thread}/", follow=True).content.decode()
            if ('class="solved"' in page) != solved(thread):
                wrong.append(f"/t/{thread}/ shows as solved: {not solved(thread)}")
    assert not wrong, f"for {viewer_name}:\n" + "\n".join(wrong)


def test_the_forum_made_notifications_for_mentions_and_follows(forum):
    """The forum above does exercise notifications: Cam hears of the mention and of the new
    question in a category he follows; Dee, who blocked Ada, hears nothing from Ada; Eve
    and Fay, who cannot read the Quiet Room, hear nothing from it."""
    heard = {
        name: set(
            Notification.objects.filter(recipient=forum.members[name]).values_list(
                "kind", "thread__community__slug"
            )
        )
        for name in MEMBERS
    }
    assert {("mention", "open-hall"), ("new_thread", "open-hall")} <= heard["cam"]
    assert not Notification.objects.filter(
        recipient=forum.members["dee"], actor=forum.members["ada"]
    ).exists()
    assert all(community != "quiet-room" for _, community in heard["eve"] | heard["fay"])


def test_notification_emails_carry_no_title_or_text(forum):
    """E-mails say who did what and link to it; no title or post text travels in them."""
    assert forum.emails, "the forum should have sent some notification e-mails"
    for message in forum.emails:
        assert not SECRET.findall(message.subject + message.body), message.subject
