"""Members own their data: they take it with them (/settings/data/download/) and they leave
(/settings/data/), and leaving takes nobody else's words with it."""

import io
import json
import tracemalloc

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from PIL import Image

from accounts.export import archive_chunks
from accounts.models import FORMER_MEMBER_NAME, Member
from accounts.services import circle_add, member_block, member_delete
from forums import services
from forums.models import Membership, Notification, Post, PostVote, Report, Thread
from forums.moderation.services import report_create
from forums.services import ERASED_TITLE
from tests.accounts.test_avatars import upload
from tests.factories import (
    PASSWORD,
    enrol_totp,
    make_community,
    make_community_manager,
    make_member,
    make_reply,
    make_thread,
    totp_code,
)
from tests.faults import fail_on, table_rows

LEAVER = "Zephyr Quillfeather"
LEAVER_EMAIL = "zephyr.quillfeather@example.net"


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def sign_in(member, browser=None):
    """A browser signed in through the sign-in form, as a member does: allauth records the
    session (allauth.usersessions), which account deletion ends."""
    browser = browser or Client()
    response = browser.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return browser


@pytest.fixture
def community(db):
    return make_community("Long Covid")


@pytest.fixture
def world(community, client):
    """A member who did a bit of everything, beside others who wrote around them."""
    leaver = make_member(LEAVER, email=LEAVER_EMAIL, bio="Night walker, tea drinker.")
    friend = make_member("Friend Ash")
    other = make_member(
        "Other Birch", email="birch.secret@example.org", bio="Birch's own secret bio"
    )
    sign_in(leaver, client)
    uploaded = upload(
        client,
        png(),
        name="me.png",
        content_type="image/png",
        display_name=LEAVER,
        bio="Night walker, tea drinker.",
    )
    assert uploaded.status_code == 302
    leaver.refresh_from_db()
    circle_add(owner=leaver, member=friend)
    member_block(blocker=leaver, blocked=make_member("Blocked Cedar"))

    public_thread = make_thread(leaver, community, title="My public question", body="Public Q")
    others_reply = make_reply(other, public_thread, body="Birch answers the question")
    circle_thread = make_thread(
        leaver, community, title="Circle-only worries", body="Circle words", visibility="circle"
    )
    friend_reply = make_reply(friend, circle_thread, body="Ash replies in the circle")
    journal = make_thread(
        leaver, community, title="My journal", body="Only-me words", visibility="private"
    )
    lonely = make_thread(leaver, community, title="Nobody answered", body="Lonely words")
    others_thread = make_thread(
        other, community, title="Birch's secret title", body="Birch's secret opening"
    )
    my_reply = make_reply(leaver, others_thread, body="My reply to Birch")
    services.post_edit(post=my_reply, by=leaver, body="My reply to Birch, edited")
    reported_reply = make_reply(leaver, others_thread, body="A reply Birch reported")
    report = report_create(post=reported_reply, reporter=other, reason="other", details="Rude")
    my_report = report_create(
        post=others_thread.posts.get(is_opening=True), reporter=leaver, reason="spam"
    )
    deleted = make_reply(leaver, others_thread, body="Words I deleted")
    services.post_delete(post=deleted, by=leaver)
    services.post_vote(post=others_reply, member=leaver)
    services.post_vote(post=public_thread.posts.get(is_opening=True), member=other)
    assert Notification.objects.filter(recipient=leaver).exists()  # Birch's reply
    assert Notification.objects.filter(actor=leaver).exists()  # Birch was told of mine
    return {
        "leaver": Member.objects.get(pk=leaver.pk),
        "friend": friend,
        "other": other,
        "public_thread": public_thread,
        "others_reply": others_reply,
        "circle_thread": circle_thread,
        "friend_reply": friend_reply,
        "journal": journal,
        "lonely": lonely,
        "others_thread": others_thread,
        "my_reply": my_reply,
        "reported_reply": reported_reply,
        "report": report,
        "my_report": my_report,
        "deleted": deleted,
    }


# ------------------------------------------------------------------------------- the archive


def download(client):
    response = client.get("/settings/data/download/")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode()


def test_the_archive_holds_everything_of_the_member(client, world):
    leaver = world["leaver"]
    enrol_totp(leaver)
    archive = json.loads(download(client))  # signed in by the fixture, through the form

    account = archive["account"]
    assert account["email"] == LEAVER_EMAIL
    assert account["display_name"] == LEAVER
    assert account["bio"] == "Night walker, tea drinker."
    assert account["avatar"].startswith("data:image/webp;base64,")
    assert [address["email"] for address in archive["email_addresses"]] == [LEAVER_EMAIL]
    assert [auth["type"] for auth in archive["two_factor_authentication"]] == ["totp"]
    assert archive["sessions"]  # the sign-ins above
    assert [m["community"] for m in archive["memberships"]] == ["Long Covid"]
    assert [c["display_name"] for c in archive["circle"]] == ["Friend Ash"]
    assert [b["display_name"] for b in archive["blocks"]] == ["Blocked Cedar"]
    titles = {thread["title"]: thread["visibility"] for thread in archive["threads"]}
    assert titles == {
        "My public question": "public",
        "Circle-only worries": "circle",
        "My journal": "private",
        "Nobody answered": "public",
    }
    bodies = {post["body"] for post in archive["posts"]}
    assert {"Public Q", "Circle words", "Only-me words", "Lonely words"} <= bodies
    assert "Words I deleted" in bodies  # deleted, but still stored: theirs to take
    edited = next(post for post in archive["posts"] if post["id"] == world["my_reply"].pk)
    assert edited["body"] == "My reply to Birch, edited"
    assert [v["body"] for v in edited["earlier_versions"]] == ["My reply to Birch"]
    assert [vote["post"] for vote in archive["votes"]] == [
        f"http://127.0.0.1:8000/p/{world['others_reply'].pk}/"
    ]
    assert [report["reason"] for report in archive["reports_filed"]] == ["spam"]
    assert archive["followed_threads"]
    assert {n["from"] for n in archive["notifications"]} == {"Other Birch", "Friend Ash"}


def test_the_archive_is_the_same_behind_a_transaction_pooler(client, world, monkeypatch):
    """Behind PgBouncer in transaction mode server-side cursors are off
    (DATABASE_DISABLE_SERVER_SIDE_CURSORS): each section is then read whole, the same rows."""
    through_cursors = json.loads(download(client))
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    pooled = json.loads(download(client))
    assert {**pooled, "exported_at": None} == {**through_cursors, "exported_at": None}
    assert pooled["posts"]


def test_the_archive_names_other_members_by_display_name_alone(client, world):
    client.force_login(world["leaver"])
    text = download(client)
    for secret in (
        "birch.secret@example.org",
        "Birch's own secret bio",
        "Birch's secret title",
        "Birch's secret opening",
        "Birch answers the question",
        "Ash replies in the circle",
        world["other"].handle,
        world["friend"].email,
        "Rude",  # Birch's report of the leaver's reply is Birch's, not theirs
    ):
        assert secret not in text


def test_the_archive_is_for_signed_in_members_only(world):
    response = Client().get("/settings/data/download/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_archive_is_built_in_bounded_memory(community):
    """Ten times the posts, about the same memory: rows are read and written in chunks."""

    def peak_for(posts):
        member = make_member()
        thread = make_thread(member, community)
        Post.objects.bulk_create(
            Post(thread=thread, author=member, body="x" * 4000, body_html="<p>x</p>")
            for _ in range(posts)
        )
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        size = sum(len(chunk) for chunk in archive_chunks(member))
        peak = tracemalloc.get_traced_memory()[1] - start
        tracemalloc.stop()
        assert size > posts * 4000
        return peak

    list(archive_chunks(make_member()))  # modules imported on first use are not the archive
    small, large = peak_for(600), peak_for(6000)
    assert large < small * 2, (small, large)
    assert large < 6000 * 4000 / 4  # far from holding every post at once


def test_an_export_cut_short_writes_nothing(world):
    """The archive writes no row, and a stream cut short (the member's connection dropped
    after the first pieces were sent) ends its transaction: the database is as it was."""
    leaver = world["leaver"]
    before = table_rows()
    chunks = archive_chunks(leaver)
    assert next(chunks).startswith("{")
    assert next(chunks)
    chunks.close()
    assert table_rows() == before
    assert connection.in_atomic_block  # the test's own transaction, and no other, is open
    assert not connection.needs_rollback


def test_a_missing_avatar_file_still_gives_a_whole_archive(client, world):
    default_storage.delete(world["leaver"].avatar.name)
    archive = json.loads(download(client))
    assert archive["account"]["avatar"] is None
    assert archive["posts"]


# -------------------------------------------------------------------------------- leaving


def scan(*needles):
    """Every row of every table, searched for each needle: [(table, needle)] where found.
    Sessions are signed and encoded, so they are read through Django's session store."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE %s',  # noqa: S608
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, needle))
    return found


def sessions_of(pk):
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(pk)]


def others_rows(world):
    """What other members own: the rows leaving must never take."""
    leaver = world["leaver"]
    return {
        "posts": set(Post.objects.exclude(author=leaver).values_list("pk", "body")),
        "threads": set(Thread.objects.exclude(author=leaver).values_list("pk", "title")),
        "reports": set(Report.objects.exclude(reporter=leaver).values_list("pk", "details")),
        "votes": set(PostVote.objects.exclude(member=leaver).values_list("pk", flat=True)),
        "members": set(Member.objects.exclude(pk=leaver.pk).values_list("pk", "email")),
    }


def leave(client, member, choice, **extra):
    return client.post(
        "/settings/data/",
        {"posts": choice, "password": PASSWORD, "confirm": "on", **extra},
    )


@pytest.mark.parametrize("choice", ["keep", "erase"])
def test_leaving_removes_the_member_and_nothing_of_anyone_else(
    world, choice, django_capture_on_commit_callbacks
):
    leaver = world["leaver"]
    browser, elsewhere = sign_in(leaver), sign_in(leaver)  # two devices
    avatar = leaver.avatar.name
    assert sessions_of(leaver.pk) and default_storage.exists(avatar)
    kept_by_others = others_rows(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = leave(browser, leaver, choice)

    assert response.status_code == 302 and response["Location"] == "/"
    assert not Member.objects.filter(pk=leaver.pk).exists()
    assert scan(LEAVER_EMAIL, LEAVER, leaver.handle, "Night walker") == []
    assert sessions_of(leaver.pk) == []
    assert not default_storage.exists(avatar)
    assert not Notification.objects.filter(recipient_id=leaver.pk).exists()
    assert elsewhere.get("/settings/profile/").status_code == 302  # signed out there too
    after = others_rows(world)
    for name, rows in kept_by_others.items():
        assert rows <= after[name], name


def test_keeping_posts_shows_them_by_former_member(world, client):
    member_delete(member=world["leaver"], erase_posts=False)
    other = world["other"]
    client.force_login(other)

    page = client.get(world["public_thread"].get_absolute_url()).content.decode()
    assert "Public Q" in page and FORMER_MEMBER_NAME in page
    assert "Birch answers the question" in page
    page = client.get(world["others_thread"].get_absolute_url()).content.decode()
    assert "My reply to Birch, edited" in page
    # What only their circle or only they could see leaves with them.
    assert not Thread.objects.filter(pk=world["journal"].pk).exists()
    assert not Post.objects.filter(body__in=["Circle words", "Only-me words"]).exists()
    # A circle thread others replied in stays, with their replies, as a placeholder.
    assert Post.objects.filter(pk=world["friend_reply"].pk, body="Ash replies in the circle")
    assert Thread.objects.filter(pk=world["lonely"].pk, author__handle="former-member")
    # Their vote is withdrawn; the vote on their own question, Birch's, stays counted.
    assert Post.objects.get(pk=world["others_reply"].pk).votes == 0
    assert Thread.objects.get(pk=world["public_thread"].pk).score == 1
    # Their report stays for the moderators, from nobody.
    assert Report.objects.get(pk=world["my_report"].pk).reporter is None
    # Former member has no profile page.
    assert client.get("/members/former-member/").status_code == 404


def test_erasing_posts_keeps_only_placeholders_others_need(world, client):
    member_delete(member=world["leaver"], erase_posts=True)
    client.force_login(world["other"])

    page = client.get(f"/t/{world['public_thread'].pk}/", follow=True).content.decode()
    assert "Public Q" not in page
    assert "This post was deleted by its author." in page
    assert "Birch answers the question" in page
    assert not Post.objects.filter(body__startswith="My reply to Birch").exists()
    assert not Thread.objects.filter(pk=world["lonely"].pk).exists()
    # The reply Birch reported stays as a placeholder, so the report keeps its post.
    reported = Post.objects.get(pk=world["reported_reply"].pk)
    assert (reported.body, reported.deleted_at is not None) == ("", True)
    assert Report.objects.filter(pk=world["report"].pk).exists()
    assert not Post.objects.filter(author__handle="former-member").exclude(body="").exists()


def test_leaving_asks_for_the_password_and_keeps_the_choice(client, world):
    leaver = world["leaver"]
    client.force_login(leaver)
    response = client.post(
        "/settings/data/", {"posts": "erase", "password": "not it", "confirm": "on"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "That is not your password." in page
    assert 'value="erase" id="id_posts_1" checked' in page or (
        'value="erase"' in page and "checked" in page
    )
    assert Member.objects.filter(pk=leaver.pk).exists()
    response = client.post("/settings/data/", {"posts": "keep", "password": PASSWORD})
    assert "Tick the box to confirm." in response.content.decode()
    assert Member.objects.filter(pk=leaver.pk).exists()


def test_leaving_with_two_factor_on_asks_for_a_code(client, world):
    leaver = world["leaver"]
    secret = enrol_totp(leaver)
    client.force_login(leaver)
    page = client.get("/settings/data/").content.decode()
    assert "Code from your authenticator app" in page
    response = leave(client, leaver, "keep", code="000000")
    assert response.status_code == 200
    assert Member.objects.filter(pk=leaver.pk).exists()
    response = leave(client, leaver, "keep", code=totp_code(secret))
    assert response.status_code == 302
    assert not Member.objects.filter(pk=leaver.pk).exists()


def test_a_fault_during_account_deletion_leaves_everything_as_it_was(world):
    leaver = world["leaver"]
    before = table_rows()
    fail_on("accounts_member", "DELETE")  # the last write: everything before it went through
    with pytest.raises(Exception, match="injected fault"):
        member_delete(member=leaver, erase_posts=True)
    assert table_rows() == before
    assert default_storage.exists(leaver.avatar.name)


def test_a_manager_deleting_a_member_in_the_admin_keeps_others_words(client, world):
    manager = make_member("Site Keeper", is_staff=True, is_superuser=True)
    enrol_totp(manager)
    client.force_login(manager)
    leaver = world["leaver"]
    confirm = client.get(f"/admin/accounts/member/{leaver.pk}/delete/")
    assert confirm.status_code == 200
    response = client.post(f"/admin/accounts/member/{leaver.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Member.objects.filter(pk=leaver.pk).exists()
    assert Post.objects.filter(pk=world["others_reply"].pk).exists()
    assert Thread.objects.get(pk=world["public_thread"].pk).author.handle == "former-member"
    assert Thread.objects.filter(pk=world["others_thread"].pk).exists()
    assert scan(LEAVER_EMAIL, LEAVER) == []


def test_a_report_from_someone_who_left_can_still_be_dealt_with(world):
    from forums.moderation.services import reports_dismiss

    member_delete(member=world["leaver"], erase_posts=False)
    manager = make_community_manager()
    reported = world["others_thread"].posts.get(is_opening=True)
    assert reports_dismiss(post=reported, by=manager, reason="Not spam") == 1
    report = Report.objects.get(pk=world["my_report"].pk)
    assert (report.status, report.reporter) == ("dismissed", None)


def test_erasing_leaves_no_title_or_tags_of_theirs(world, client):
    thread = world["public_thread"]
    thread.tags.add("my-secret-tag")
    member_delete(member=world["leaver"], erase_posts=True)
    thread.refresh_from_db()
    assert thread.title == ERASED_TITLE
    assert list(thread.tags.all()) == []
    client.force_login(world["other"])
    page = client.get(f"/c/{thread.community.slug}/").content.decode()
    assert "My public question" not in page
    assert ERASED_TITLE in page


def test_keeping_still_erases_what_they_had_deleted(world):
    member_delete(member=world["leaver"], erase_posts=False)
    assert not Post.objects.filter(body="Words I deleted").exists()


def test_the_only_owner_of_a_community_cannot_leave_it_ownerless(client, world, community):
    leaver = world["leaver"]
    Membership.objects.filter(member=leaver, community=community).update(role="owner")
    response = leave(client, leaver, "keep")
    assert response.status_code == 200
    assert "You are the only owner of Long Covid" in response.content.decode()
    assert Member.objects.filter(pk=leaver.pk).exists()
    Membership.objects.filter(member=world["other"], community=community).update(role="owner")
    assert leave(client, leaver, "keep").status_code == 302


def test_nobody_can_warn_or_ban_former_member(world, community):
    from forums.moderation.services import member_ban, member_warn

    member_delete(member=world["leaver"], erase_posts=False)
    manager = make_community_manager()
    former = Member.objects.former_member()
    for act in (member_warn, member_ban):
        with pytest.raises(ValidationError, match="The author has left"):
            act(member=former, community=community, by=manager, reason="Rude")
    assert not Membership.objects.filter(member=former).exists()


def test_the_admin_confirmation_never_tells_whose_circle_they_were_in(client, world):
    manager = make_member("Site Keeper", is_staff=True, is_superuser=True)
    enrol_totp(manager)
    client.force_login(manager)
    page = client.get(f"/admin/accounts/member/{world['leaver'].pk}/delete/").content.decode()
    assert "Friend Ash" not in page
    assert "Blocked Cedar" not in page
    assert "their posts stay" in page


def test_the_placeholder_takes_another_handle_where_a_member_has_its_own(db):
    """A member who signed up as "Former Member" before the name was reserved keeps their
    handle and their words; the placeholder is another row, found by what it is."""
    Member.objects.filter(is_former=True).delete()
    member = make_member("Formerly Known")
    Member.objects.filter(pk=member.pk).update(handle="former-member")
    former = Member.objects.former_member()
    assert former.pk != member.pk and former.is_former and not former.is_active
    assert former.handle == "former-member-placeholder"
    assert Member.objects.former_member() == former
