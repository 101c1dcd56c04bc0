"""Every page type a member or a moderator meets, at a desktop and a phone width: axe-core
finds no violation of any impact, and a screenshot of each lands in test-results/ so anyone
can look at what members see (pages-<width>-<page>.png)."""

import pytest

from accounts.models import CircleMembership
from forums.models import Notification
from forums.moderation import services as moderation
from forums.services import post_edit, thread_accept_answer
from tests.browser.accessibility import axe_violations, describe
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_posting import sign_in
from tests.factories import (
    PASSWORD,
    join,
    make_community,
    make_member,
    make_reply,
    make_thread,
    make_volunteer,
    totp_code,
)

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


class Sweep:
    """Visits pages one by one, keeping every page's violations for one report at the end."""

    def __init__(self, page, width):
        self.page, self.width, self.failures = page, width, []
        SCREENSHOTS.mkdir(exist_ok=True)

    def look(self, name):
        self.page.screenshot(path=SCREENSHOTS / f"pages-{self.width}-{name}.png", full_page=True)
        violations = axe_violations(self.page)
        if violations:
            self.failures.append(f"{name} ({self.page.url}):\n{describe(violations)}")

    def visit(self, name, path, *, status=200):
        response = self.page.goto(path)
        assert response.status == status, f"{name}: {path} answered {response.status}"
        self.look(name)


@pytest.fixture
def forum(moderation_groups):
    community = make_community("Runners", description="For people who run, and want to.")
    asker = make_member("Lantern Moth", email="asker@example.org", bio="Slow and steady.")
    helper = make_member("Quiet Heron", email="helper@example.org")
    for member in (asker, helper):
        join(member, community)
    CircleMembership.objects.create(owner=asker, member=helper)
    question = make_thread(
        asker,
        community,
        kind="question",
        title="Knee pain after long runs?",
        body="It starts around **15 km**.\n\n- left knee\n- only downhill",
        tags=["knees"],
    )
    answer = make_reply(helper, question, body="New shoes helped me. @Lantern Moth, try it.")
    make_reply(helper, question, body="Just between us: rest days too.", visibility="circle")
    thread_accept_answer(thread=question, post=answer, by=asker)
    opening = question.posts.get(is_opening=True)
    post_edit(post=opening, by=asker, body=opening.body + "\n\nEdited: it's both knees.")
    idea = make_thread(helper, community, kind="idea", title="A beginners' group run")
    moderation.report_create(
        post=make_reply(helper, idea, body="Buy cheap watches here"),
        reporter=asker,
        reason="spam",
        details="Advert",
    )
    moderator = make_volunteer(community, email="mod@example.org")
    return {"community": community, "question": question, "answer": answer, "mod": moderator}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_at_both_widths(browser, live_server, forum, width):
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(10_000)
    sweep = Sweep(page, width)
    question, answer = forum["question"], forum["answer"]
    opening = question.posts.get(is_opening=True)
    assert Notification.objects.filter(recipient__display_name="Lantern Moth").exists()

    sweep.visit("home-visitor", "/")
    sweep.visit("sign-in", "/accounts/login/")
    sweep.visit("sign-up", "/accounts/signup/")
    # The server's own messages, not the browser's: what a member without HTML5 checks sees.
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.locator("#id_email").fill("not an address")
    page.locator("#id_email").press("Enter")
    page.locator(".errorlist").first.wait_for()
    sweep.look("sign-up-errors")
    sweep.visit("password-reset", "/accounts/password/reset/")

    sign_in(page, "asker@example.org")
    sweep.look("home")
    sweep.visit("not-found", "/c/nowhere/", status=404)
    sweep.visit("community", "/c/runners/")
    sweep.visit("category", "/c/runners/general/")
    sweep.visit("thread", question.get_absolute_url())
    page.get_by_role("button", name="Post reply").click()
    page.locator(".errorlist").first.wait_for()
    sweep.look("reply-errors")
    page.locator("#id_body").fill("Thank you, both of you.")
    page.get_by_role("button", name="Post reply").click()
    page.locator("[data-posted]").wait_for()
    sweep.look("thread-posted")
    sweep.visit("new-thread", "/c/runners/new/")
    page.locator("#id_title").fill("Anyone near me?")
    page.locator("#id_body").fill("Text me on 07700 900123.")
    page.get_by_role("button", name="Post", exact=True).click()
    page.get_by_text("This looks like personal information").wait_for()
    sweep.look("personal-data-check")
    sweep.visit("edit", f"/p/{opening.pk}/edit/")
    sweep.visit("history", f"/p/{opening.pk}/history/")
    sweep.visit("report", f"/p/{answer.pk}/report/")
    sweep.visit("delete", f"/p/{opening.pk}/delete/")
    sweep.visit("search", "/search/?q=knee")
    sweep.visit("search-empty", "/search/?q=zebra")
    sweep.visit("tag", "/tags/knees/")
    sweep.visit("profile", "/members/quiet-heron/")
    sweep.visit("notifications", "/notifications/")
    sweep.visit("settings-profile", "/settings/profile/")
    sweep.visit("settings-circle", "/settings/circle/")
    sweep.visit("settings-reading", "/settings/reading/")
    sweep.visit("settings-notifications", "/settings/notifications/")
    sweep.visit("settings-data", "/settings/data/")
    sweep.visit("settings-email", "/accounts/email/")
    sweep.visit("settings-password", "/accounts/password/change/")
    sweep.visit("settings-sessions", "/accounts/sessions/")
    sweep.visit("two-factor", "/accounts/2fa/")
    sweep.visit("two-factor-activate", "/accounts/2fa/totp/activate/")
    sweep.visit("community-leave", "/c/runners/leave/")

    context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("mod@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.locator("#id_code").wait_for()
    sweep.look("two-factor-code")
    page.locator("#id_code").fill(totp_code(_secret(forum["mod"])))
    page.locator("#id_code").press("Enter")
    page.locator(".notifications-link").wait_for()
    sweep.visit("two-factor-on", "/accounts/2fa/")
    sweep.visit("two-factor-recovery-codes", "/accounts/2fa/recovery-codes/generate/")
    sweep.visit("two-factor-deactivate", "/accounts/2fa/totp/deactivate/")
    sweep.visit("admin-index", "/admin/")
    sweep.visit("moderation-queue", "/admin/forums/moderationqueueitem/")
    page.locator("#result_list a", has_text="Hide the post").first.click()
    page.locator("form").last.wait_for()
    sweep.look("moderation-action")
    context.close()

    assert not sweep.failures, "\n\n".join(sweep.failures)


def _secret(member):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.get(user=member, type="totp").data["secret"]
