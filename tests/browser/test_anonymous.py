"""An anonymous question, a volunteer moderator's warning that reaches its author without
naming them, and a community manager's audited reveal."""

from django.contrib.auth.models import Group

from forums.models import ModerationAction, Notification, Post
from forums.moderation import services as moderation
from tests.browser.accessibility import assert_accessible
from tests.browser.test_posting import sign_in
from tests.factories import (
    PASSWORD,
    enrol_totp,
    join,
    make_community,
    make_member,
    totp_code,
)

SECRET_NAME = "Quillon Vesper"


def staff_sign_in(page, email, secret):
    page.goto("/admin/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Waiting for you").wait_for()


def staff(display_name, email, group):
    member = make_member(display_name, email=email, is_staff=True)
    member.groups.add(Group.objects.get(name=group))
    return member, enrol_totp(member)


def test_an_anonymous_question_is_moderated_and_revealed_by_a_manager(
    moderation_groups, page, screenshot
):
    harbour = make_community("Harbour", kind="peer_support", allows_anonymous=True)
    author = make_member(SECRET_NAME, email="quillon@example.org")
    reader = make_member("Reader One", email="reader@example.org")
    for member in (author, reader):
        join(member, harbour)
    volunteer, volunteer_secret = staff("Mod Harbour", "mod@example.org", "Moderator")
    join(volunteer, harbour, role="moderator")
    manager, manager_secret = staff("Site Manager", "manager@example.org", "Community manager")

    # The author asks anonymously, and sees the question marked as theirs.
    sign_in(page, "quillon@example.org")
    page.goto("/c/harbour/new/")
    page.get_by_label("Question").check()
    page.get_by_label("Title").fill("Nights are the hardest")
    page.get_by_label("Your post").fill("I have not slept properly in weeks.")
    page.get_by_label("Post anonymously").check()
    screenshot("anonymous-01-new-question")
    page.get_by_role("button", name="Post").click()
    page.get_by_role("heading", name="Nights are the hardest").wait_for()
    page.get_by_text("you, anonymously").wait_for()
    screenshot("anonymous-02-own-question")
    assert_accessible(page)
    question = Post.objects.get(thread__title="Nights are the hardest")
    assert question.is_anonymous

    # Another member reads "Anonymous member", and reports the post.
    page.context.clear_cookies()
    sign_in(page, "reader@example.org")
    page.goto("/c/harbour/")
    assert SECRET_NAME not in page.content()
    page.get_by_role("link", name="Nights are the hardest").click()
    page.locator(".post__author").get_by_text("Anonymous member").wait_for()
    assert SECRET_NAME not in page.content()
    screenshot("anonymous-03-others-view")
    moderation.report_create(post=question, reporter=reader, reason="harmful", details="Worried")

    # The volunteer moderator warns the author from the queue, never learning who.
    page.context.clear_cookies()
    staff_sign_in(page, "mod@example.org", volunteer_secret)
    page.get_by_role("link", name="1 reported post").click()
    row = page.locator("#result_list tbody tr").filter(has_text="not slept properly")
    row.get_by_text("Anonymous member").wait_for()
    assert SECRET_NAME not in page.content()
    screenshot("anonymous-04-queue")
    row.get_by_role("link", name="Warn the author").click()
    page.get_by_label("Reason").fill("Please reach out to the helpline listed in our guide.")
    assert SECRET_NAME not in page.content()
    page.get_by_role("button", name="Warn the author").click()
    page.get_by_text("Warn the author: done for 1.").wait_for()
    refused = page.goto(f"/admin/forums/post/{question.pk}/reveal/")
    assert refused.status == 403
    warning = Notification.objects.get(recipient=author, kind="moderation")
    assert "helpline" in warning.message

    # A community manager reveals the author, with a reason: logged, and the author told.
    page.context.clear_cookies()
    staff_sign_in(page, "manager@example.org", manager_secret)
    page.goto(f"/admin/forums/post/{question.pk}/change/")
    assert SECRET_NAME not in page.content()
    page.get_by_role("link", name="Reveal who wrote it").click()
    page.get_by_label("Reason").fill("A safeguarding concern raised by the warning.")
    screenshot("anonymous-05-reveal-reason")
    page.get_by_role("button", name="Reveal the author").click()
    page.get_by_role("status").get_by_text(SECRET_NAME).first.wait_for()
    screenshot("anonymous-06-revealed")
    reveal = ModerationAction.objects.get(kind="reveal")
    assert (reveal.moderator, reveal.member) == (manager, author)

    # The author hears of both, on their notifications page.
    page.context.clear_cookies()
    sign_in(page, "quillon@example.org")
    page.goto("/notifications/")
    page.get_by_text("helpline").wait_for()
    page.get_by_text("found out that you wrote").wait_for()
    screenshot("anonymous-07-author-told")
