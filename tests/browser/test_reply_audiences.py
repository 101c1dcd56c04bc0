from accounts.models import CircleMembership
from forums.models import Post
from tests.browser.accessibility import assert_accessible
from tests.browser.test_posting import sign_in
from tests.factories import join, make_community, make_member, make_thread


def test_a_reply_in_a_circle_thread_is_told_and_badged_with_its_real_audience(page, screenshot):
    community = make_community("Peer support")
    lantern = make_member("Lantern Moth", email="lantern@example.org")
    friend = make_member("Friend", email="friend@example.org")
    join(friend, community)
    CircleMembership.objects.create(owner=lantern, member=friend)
    make_thread(
        lantern, community, title="A hard week", body="Only for my circle.", visibility="circle"
    )

    sign_in(page, "friend@example.org")
    page.goto("/c/peer-support/")
    page.get_by_role("link", name="A hard week").click()
    page.get_by_role("heading", name="A hard week").wait_for()
    audience = page.get_by_role("group", name="Who can see this?")
    thread_audience = audience.get_by_label("Lantern Moth’s circle — Whoever can see this thread")
    assert thread_audience.is_checked()
    assert audience.get_by_label("My circle — You and the members of your circle who can").count()
    assert audience.get_by_text("Community").count() == 0
    assert_accessible(page)
    screenshot("reply-audience-01-form")

    page.get_by_label("Your reply").fill("Thinking of you.")
    page.get_by_role("button", name="Post reply").click()
    page.get_by_text("Thinking of you.").wait_for()
    reply = Post.objects.get(body="Thinking of you.")
    assert reply.visibility == "public"
    badge = page.locator(f"#post-{reply.pk} .audience")
    assert badge.inner_text() == "Lantern Moth’s circle"
    assert badge.get_attribute("title") == (
        "Whoever can see this thread, now Lantern Moth and the members of their circle"
    )
    screenshot("reply-audience-02-posted")
    # Read again, without the "Posted." message (the lead is reworking flash messages).
    page.reload()
    assert_accessible(page)
