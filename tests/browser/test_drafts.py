"""What a member types into the reply and new-thread forms is kept in their browser until
the post has really gone through: leaving the page, an outage (503) or a form error loses
nothing; a successful post, Discard or signing out forgets it."""

from community.errors import database_unreachable_response
from forums.models import Post
from tests.browser.test_posting import sign_in
from tests.factories import join, make_community, make_member, make_thread

DRAFT_KEYS = "Object.keys(localStorage).filter(key => key.startsWith('hearth:draft:'))"


def test_a_reply_draft_survives_leaving_and_an_outage_and_goes_once_posted(page, screenshot):
    community = make_community("Runners")
    thread = make_thread(make_member("Asker"), community, title="Knee pain after long runs?")
    join(make_member("Friend", email="friend@example.org"), community)
    sign_in(page, "friend@example.org")

    page.goto(thread.get_absolute_url())
    page.get_by_label("Your reply").fill("New shoes helped me, but keep this between us.")
    page.get_by_label("Only me").check()
    page.goto("/")  # leaves without sending

    page.goto(thread.get_absolute_url())
    page.get_by_text("Restored your unsent draft.").wait_for()
    reply = page.get_by_label("Your reply")
    assert reply.input_value() == "New shoes helped me, but keep this between us."
    assert page.get_by_label("Only me").is_checked()  # never back under the default audience
    screenshot("drafts-01-restored")

    # The database is down when it is sent: the 503 page, and the draft stays.
    outage = database_unreachable_response()
    page.route(
        "**/reply/",
        lambda route: route.fulfill(
            status=503, body=outage.content, headers={"Content-Type": "text/html"}
        ),
    )
    page.get_by_role("button", name="Post reply").click()
    page.get_by_text("can't reach its database just now").wait_for()
    page.unroute("**/reply/")
    assert not Post.objects.filter(body__startswith="New shoes").exists()

    page.goto(thread.get_absolute_url())
    page.get_by_text("Restored your unsent draft.").wait_for()
    assert reply.input_value() == "New shoes helped me, but keep this between us."

    # Sent for real: after the redirect the draft is gone, and a reload shows an empty box.
    page.get_by_role("button", name="Post reply").click()
    page.locator("[data-posted]").wait_for()
    page.get_by_text("New shoes helped me").first.wait_for()
    assert Post.objects.get(body__startswith="New shoes").visibility == "private"
    assert page.evaluate(DRAFT_KEYS) == []
    page.reload()
    assert page.get_by_label("Your reply").input_value() == ""
    assert page.get_by_text("Restored your unsent draft.").count() == 0


def test_a_new_thread_draft_survives_a_form_error_and_goes_on_discard_post_or_sign_out(page):
    community = make_community("Runners")
    join(make_member("Asker", email="asker@example.org"), community)
    sign_in(page, "asker@example.org")

    page.goto("/c/runners/new/")
    page.get_by_label("Your post").fill("It starts around 15 km.")
    page.get_by_label("Tags").fill("knees, injury")
    page.get_by_role("button", name="Post").click()  # no title: a form error
    page.locator("#id_title_error").get_by_text("Give your thread a title.").wait_for()
    page.get_by_label("Title").fill("Knee pain after long runs?")
    page.goto("/c/runners/")

    page.goto("/c/runners/new/")
    page.get_by_text("Restored your unsent draft.").wait_for()
    assert page.get_by_label("Title").input_value() == "Knee pain after long runs?"
    assert page.get_by_label("Your post").input_value() == "It starts around 15 km."
    assert page.get_by_label("Tags").input_value() == "knees, injury"

    page.get_by_role("button", name="Discard").click()
    assert page.get_by_label("Your post").input_value() == ""
    assert page.get_by_text("Restored your unsent draft.").count() == 0
    assert page.evaluate(DRAFT_KEYS) == []

    # Posted: the new thread's page says so, and the draft is gone.
    page.get_by_label("Title").fill("Shin splints")
    page.get_by_label("Your post").fill("Any stretches that work?")
    page.get_by_role("button", name="Post").click()
    page.locator("[data-posted]").wait_for()
    assert page.evaluate(DRAFT_KEYS) == []
    page.goto("/c/runners/new/")
    assert page.get_by_label("Your post").input_value() == ""

    # Signing out forgets every draft: the next person at this computer finds none.
    page.get_by_label("Your post").fill("Something personal.")
    assert len(page.evaluate(DRAFT_KEYS)) == 1
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    assert page.evaluate(DRAFT_KEYS) == []
