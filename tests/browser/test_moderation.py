from django.contrib.auth.models import Group

from forums.models import ModerationAction, Post
from forums.moderation import services as moderation
from tests.factories import (
    PASSWORD,
    enrol_totp,
    join,
    make_community,
    make_member,
    make_reply,
    make_thread,
    totp_code,
)


def test_a_moderator_hides_a_reported_post_from_the_queue(moderation_groups, page, screenshot):
    community = make_community("Runners")
    author, reporter = make_member("Spammer"), make_member("Reporter")
    for member in (author, reporter):
        join(member, community)
    thread = make_thread(author, community, title="Trainers")
    spam = make_reply(author, thread, body="Cheap pills at spam.example")
    moderation.report_create(post=spam, reporter=reporter, reason="spam", details="Pill spam")
    moderator = make_member("Mod Runners", email="mod@example.org", is_staff=True)
    secret = enrol_totp(moderator)
    moderator.groups.add(Group.objects.get(name="Moderator"))
    join(moderator, community, role="moderator")

    # Staff sign in through the site's own sign-in, second factor included.
    page.goto("/admin/")
    page.get_by_label("E-mail address").fill("mod@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Waiting for you").wait_for()
    screenshot("moderate-01-admin-index")
    page.get_by_role("link", name="1 reported post").click()

    row = page.locator("#result_list tbody tr").filter(has_text="Cheap pills")
    row.get_by_text("Pill spam").wait_for()
    screenshot("moderate-02-queue")
    row.get_by_role("link", name="Hide the post").click()
    page.get_by_label("Reason").fill("Advertising is not allowed here.")
    screenshot("moderate-03-reason")
    page.get_by_role("button", name="Hide the post").click()
    page.get_by_text("Hide the post: done for 1.").wait_for()
    assert page.locator("#result_list").count() == 0 or "Cheap pills" not in page.content()
    screenshot("moderate-04-done")

    spam.refresh_from_db()
    assert spam.hidden_reason == "Advertising is not allowed here."
    assert ModerationAction.objects.filter(kind="hide", moderator=moderator).exists()
    assert not Post.objects.visible_to(reporter).filter(pk=spam.pk).exists()
