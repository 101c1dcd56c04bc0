"""What member pages say: accepting answers, idea votes, search snippets, notifications,
empty lists, the settings navigation and the header's search box."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from forums import services
from forums.models import Notification
from forums.moderation.services import thread_set_idea_status
from tests.factories import join, make_community, make_reply, make_thread


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def asker(member_factory, community):
    asker = member_factory("Asker")
    join(asker, community)
    return asker


@pytest.fixture
def helper(member_factory, community):
    helper = member_factory("Helper")
    join(helper, community)
    return helper


# ---------------------------------------------------------------------- accepting answers


def test_the_asker_is_not_offered_to_accept_their_own_reply(client, asker, helper, community):
    question = make_thread(asker, community, kind="question", title="Which shoes?")
    own = make_reply(asker, question, body="Answering myself")
    other = make_reply(helper, question, body="Try these")
    client.force_login(asker)
    html = client.get(question.get_absolute_url()).content.decode()
    assert f'action="/t/{question.pk}/accept/{other.pk}/"' in html
    assert f'action="/t/{question.pk}/accept/{own.pk}/"' not in html
    with pytest.raises(ValidationError, match="your own reply"):
        services.thread_accept_answer(thread=question, post=own, by=asker)
    response = client.post(f"/t/{question.pk}/accept/{own.pk}/")
    question.refresh_from_db()
    assert response.status_code == 302 and question.accepted_answer is None


# ----------------------------------------------------------------------------- idea votes


def test_an_idea_is_voted_for_with_a_button_that_says_so(client, asker, helper, community):
    idea = make_thread(asker, community, kind="idea", title="Dark mode")
    opening = idea.posts.get()
    make_reply(asker, idea, body="Agreed")
    client.force_login(helper)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert (
        '<button class="vote" type="submit" aria-pressed="false"><span aria-hidden="true">▲ '
        '</span>Vote<span class="visually-hidden"> for this idea</span> · 0'
        '<span class="visually-hidden"> votes</span></button>' in html
    )
    assert "▲ Helpful · 0" in html  # a reply is still found helpful
    client.post(f"/p/{opening.pk}/vote/")
    html = client.get(idea.get_absolute_url()).content.decode()
    assert (
        '<button class="vote vote--on" type="submit" aria-pressed="true">Voted'
        '<span class="visually-hidden"> for this idea</span> · 1'
        '<span class="visually-hidden"> vote</span></button>' in html
    )
    assert "Helpful · 1" not in html
    client.force_login(asker)  # the author sees the count, as votes
    assert "▲ 1 vote</span>" in client.get(idea.get_absolute_url()).content.decode()


# ------------------------------------------------------------------------- search snippets


def snippets(client, q):
    html = client.get("/search/", {"q": q}).content.decode()
    return [part.split("</p>")[0] for part in html.split('<p class="snippet">')[1:]]


def test_search_snippets_are_the_posts_text_without_markdown(client, asker, helper, community):
    make_thread(
        asker,
        community,
        title="Pacing",
        body="Pacing is **very** _helpful_, see [the pacing guide](https://example.org/guide).",
    )
    client.force_login(helper)
    [snippet] = snippets(client, "pacing")
    assert snippet == "<mark>Pacing</mark> is very helpful, see the <mark>pacing</mark> guide"


def test_search_snippets_never_let_a_posts_html_through(client, asker, helper, community):
    make_thread(
        asker,
        community,
        title="Knees",
        body="Knees <script>alert('knees')</script> and <b onclick=x>knees</b> & 1 < 2",
    )
    client.force_login(helper)
    [snippet] = snippets(client, "knees")
    assert "<mark>Knees</mark>" in snippet
    assert set(re.findall(r"<(/?[a-z]+)", snippet)) == {"mark", "/mark"}


# --------------------------------------------------------------------------- notifications


def test_notifications_name_their_thread_and_say_just_now(client, asker, helper, community):
    thread = make_thread(asker, community, title="Knee pain")
    make_reply(helper, thread)
    client.force_login(asker)
    html = client.get("/notifications/").content.decode()
    assert "Helper replied in “Knee pain”." in html
    assert ">just now</time>" in html and "0 minutes" not in html
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert ">5\xa0minutes ago</time>" in client.get("/notifications/").content.decode()


def test_an_idea_status_change_says_where_the_idea_stands(
    client, asker, community, member_factory, mailoutbox, django_capture_on_commit_callbacks
):
    moderator = member_factory("Marshal")
    join(moderator, community, role="moderator")
    asker.email_notifications = ["moderation"]
    asker.save(update_fields=["email_notifications"])
    idea = make_thread(asker, community, kind="idea", title="Dark mode")
    with django_capture_on_commit_callbacks(execute=True):
        thread_set_idea_status(thread=idea, status="planned", by=moderator)
    client.force_login(asker)
    html = client.get("/notifications/").content.decode()
    assert "Your idea “Dark mode” is now Planned." in html
    assert "The moderators have a message for you" not in html
    [email] = mailoutbox
    assert "Your idea is now Planned." in email.subject
    assert "Dark mode" not in email.subject + email.body  # e-mails never carry a title
    assert f"/t/{idea.pk}/" in email.body


# ----------------------------------------------------------------------------- empty lists


def test_an_empty_category_invites_a_member_to_start_a_thread(client, asker, community):
    client.force_login(asker)
    html = client.get("/c/runners/general/").content.decode()
    assert "No threads in General yet." in html
    assert '<a href="/c/runners/new/?category=general">Start one</a>' in html
    assert "No threads match" not in html


def test_an_empty_category_offers_no_start_to_who_cannot_post(client, member_factory, community):
    client.force_login(member_factory("Passer-by"))
    html = client.get("/c/runners/general/").content.decode()
    assert "No threads in General yet." in html and "Start one" not in html


def test_filters_that_hide_every_thread_say_so_with_a_way_back(client, asker, community):
    make_thread(asker, community, title="Untagged")
    client.force_login(asker)
    html = client.get("/c/runners/general/", {"tag": "knees"}).content.decode()
    assert "No threads match these filters." in html
    assert '<a href="/c/runners/general/">Clear the filters</a>' in html


def test_an_empty_community_invites_a_member_to_start_a_thread(client, asker, community):
    client.force_login(asker)
    html = client.get("/c/runners/").content.decode()
    assert "No threads in Runners yet." in html
    assert '<a href="/c/runners/new/">Start one</a>' in html


def test_search_without_results_says_whether_filters_hid_them(client, asker, community):
    make_thread(asker, community, title="Knees", body="Knees hurt.")
    client.force_login(asker)
    html = client.get("/search/", {"q": "elbows"}).content.decode()
    assert "Nothing you can see matches “elbows”. Try fewer or different words." in html
    html = client.get("/search/", {"q": "knees", "kind": "idea"}).content.decode()
    assert "Nothing you can see matches “knees” with these filters." in html
    assert '<a href="?q=knees">Search without the filters</a>' in html


# ------------------------------------------------------------------- settings navigation

SETTINGS_PAGES = [
    ("/settings/profile/", "Profile"),
    ("/settings/circle/", "Circle and blocks"),
    ("/settings/reading/", "Reading"),
    ("/settings/notifications/", "Notifications"),
    ("/accounts/email/", "E-mail address"),
    ("/accounts/password/change/", "Password"),
    ("/accounts/2fa/", "Two-factor authentication"),
    ("/accounts/sessions/", "Signed-in devices"),
    ("/settings/data/", "Your data and account"),
]


@pytest.mark.parametrize(("path", "label"), SETTINGS_PAGES)
def test_the_settings_navigation_marks_the_page_shown(client, asker, path, label):
    client.force_login(asker)
    html = client.get(path).content.decode()
    nav = html.split('aria-label="Settings"')[1].split("</nav>")[0]
    assert nav.count('aria-current="page"') == 1
    assert f'aria-current="page">{label}</a>' in nav


# --------------------------------------------------------------------- header search box


def search_box(client, path="/accounts/login/"):
    return 'class="site-search"' in client.get(path).content.decode()


def test_the_search_box_is_for_those_who_can_search(client, settings, asker, community):
    settings.HEARTH_MEMBERS_ONLY = True
    assert not search_box(client)  # /search/ would only ask them to sign in
    settings.HEARTH_MEMBERS_ONLY = False
    assert not search_box(client)  # nothing here is open to visitors
    make_community("Open door", read_access="open")
    assert search_box(client)
    client.force_login(asker)
    assert search_box(client, "/")
