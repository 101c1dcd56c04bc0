"""Listed private communities: a signed-in member who does not belong finds who one is and how
to join it (on the home page and its own "about" page), and nothing of what is inside; an
unlisted one stays invisible. The admin refuses listings that make no sense."""

import re

import pytest
from django.core.exceptions import ValidationError

from forums.models import Community, Membership
from forums.moderation.services import membership_approve
from tests.factories import join, make_community, make_community_manager, make_thread

THREAD_TITLE = "Pacing through a relapse"
CATEGORY_NAME = "Check-ins and pacing"
TAG = "post-exertional"
ASK_BUTTON = re.compile(r"<button[^>]*>Ask to join")


@pytest.fixture
def long_covid(db, member_factory):
    """Listed, by request; two members, a category of its own, threads of every audience."""
    community = make_community(
        "Living with Long Covid",
        read_access="private",
        join_policy="request",
        listed=True,
        kind="peer_support",
        description="A peer-support space for people living with Long Covid.",
    )
    community.categories.create(name=CATEGORY_NAME, slug="check-ins", position=1)
    author = member_factory("Kestrel")
    make_thread(author, community, title=THREAD_TITLE, tags=[TAG])
    make_thread(author, community, title="Second public thread")
    make_thread(author, community, title="A circle thread", visibility="circle")
    join(member_factory("Heron"), community)
    return community


def _card(html, name):
    """The home page's card of the community called `name`."""
    cards = re.findall(r'<li class="card community-card">.*?</li>', html, re.S)
    return next(card for card in cards if name in card)


def _nothing_inside(html, community):
    titles = community.threads.values_list("title", flat=True)
    categories = community.categories.values_list("name", flat=True)
    for secret in [*titles, *categories, TAG, "General"]:
        assert secret not in html, secret
    assert not re.search(r"\d+ threads?\b", html)
    assert "/feed/" not in html


def test_a_listed_community_shows_who_it_is_on_home_and_nothing_inside(client, member, long_covid):
    client.force_login(member)
    response = client.get("/")
    card = _card(response.content.decode(), "Living with Long Covid")
    assert "A peer-support space for people living with Long Covid." in card
    assert "Peer support" in card and "private" in card
    assert ASK_BUTTON.search(card)
    _nothing_inside(card, long_covid)
    _nothing_inside(response.content.decode(), long_covid)
    listed = next(c for c in response.context["communities"] if c.pk == long_covid.pk)
    assert listed.thread_count is None and not listed.readable


def test_a_listed_community_s_own_page_is_an_about_page(client, member, long_covid):
    client.force_login(member)
    response = client.get("/c/living-with-long-covid/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "forums/community_about.html"
    html = response.content.decode()
    assert "<h1>Living with Long Covid</h1>" in html
    assert "A peer-support space for people living with Long Covid." in html
    assert "Peer support" in html
    assert "How to join" in html and ASK_BUTTON.search(html)
    _nothing_inside(html, long_covid)


def test_every_other_road_into_a_listed_community_is_a_404(client, member, long_covid):
    thread = long_covid.threads.get(title=THREAD_TITLE)
    opening = thread.posts.get()
    client.force_login(member)
    for path in [
        "/c/living-with-long-covid/general/",
        "/c/living-with-long-covid/check-ins/",
        "/c/living-with-long-covid/new/",
        "/c/living-with-long-covid/feed/",
        "/c/living-with-long-covid/leave/",
        thread.get_absolute_url(),
        f"/t/{thread.pk}/",
        f"/p/{opening.pk}/",
        f"/p/{opening.pk}/history/",
        f"/tags/{TAG}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.get("/search/", {"q": "relapse"}).context["results"].paginator.count == 0
    profile = client.get(thread.author.get_absolute_url()).content.decode()
    assert THREAD_TITLE not in profile


def test_visitors_find_no_private_community(client, settings, long_covid):
    """Signed out, nobody can ask to join, so a listed community is no more than a name to
    them: it stays a 404, and off the home page, even where visitors may read open ones."""
    settings.HEARTH_MEMBERS_ONLY = False
    make_community("Open Hall", read_access="open")
    assert client.get("/c/living-with-long-covid/").status_code == 404
    html = client.get("/").content.decode()
    assert "Open Hall" in html and "Living with Long Covid" not in html


@pytest.mark.parametrize("join_policy", ["invitation", "domain", "request"])
def test_an_unlisted_private_community_is_invisible_as_before(client, member, join_policy):
    hidden = make_community("Secret Garden", read_access="private", join_policy=join_policy)
    make_thread(make_community_manager(), hidden, title="Roses", tags=["roses"])
    client.force_login(member)
    for path in ["/c/secret-garden/", "/c/secret-garden/general/", "/tags/roses/"]:
        assert client.get(path).status_code == 404, path
    assert client.post("/c/secret-garden/join/").status_code == 404
    assert "Secret Garden" not in client.get("/").content.decode()
    assert not Membership.objects.filter(member=member).exists()


def test_asking_twice_makes_one_request_and_the_page_says_it_is_asked(client, member, long_covid):
    client.force_login(member)
    for _ in range(2):  # a double submit
        response = client.post("/c/living-with-long-covid/join/", {"next": "/"})
        assert response.status_code == 302 and response["Location"] == "/"
    request = Membership.objects.get(member=member)
    assert (request.community, request.state) == (long_covid, "requested")
    answer = "You asked to join — a moderator will answer."
    about = client.get("/c/living-with-long-covid/").content.decode()
    assert answer in about and not ASK_BUTTON.search(about)
    assert answer in _card(client.get("/").content.decode(), "Living with Long Covid")
    assert client.get("/c/living-with-long-covid/general/").status_code == 404


def test_approval_opens_the_community_to_the_member(client, member, long_covid):
    client.force_login(member)
    client.post("/c/living-with-long-covid/join/")
    membership_approve(
        membership=Membership.objects.get(member=member), by=make_community_manager()
    )
    page = client.get("/c/living-with-long-covid/")
    assert [t.name for t in page.templates][0] == "forums/community_detail.html"
    assert THREAD_TITLE in page.content.decode()
    thread = long_covid.threads.get(title=THREAD_TITLE)
    assert client.get(thread.get_absolute_url()).status_code == 200
    card = _card(client.get("/").content.decode(), "Living with Long Covid")
    assert "2 threads" in card and "You are a member" in card


def test_a_member_banned_from_a_listed_community_reads_nothing_of_it(client, member, long_covid):
    Membership.objects.create(community=long_covid, member=member, state="banned")
    client.force_login(member)
    about = client.get("/c/living-with-long-covid/").content.decode()
    assert "banned you" in about and not ASK_BUTTON.search(about)
    _nothing_inside(about, long_covid)
    assert client.post("/c/living-with-long-covid/join/").status_code == 302
    assert Membership.objects.get(member=member).state == "banned"


# ------------------------------------------------------------------------------ the admin


def _community_form(community, **changes):
    data = {
        "name": community.name,
        "slug": community.slug,
        "description": community.description,
        "kind": community.kind,
        "read_access": community.read_access,
        "listed": community.listed,
        "join_policy": community.join_policy,
        "email_domains": community.email_domains,
        "premoderate_first_posts": community.premoderate_first_posts,
        "categories-TOTAL_FORMS": 0,
        "categories-INITIAL_FORMS": 0,
        "categories-MIN_NUM_FORMS": 0,
        "categories-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def test_the_community_manager_lists_a_private_community_in_the_admin(client, member):
    community = make_community("Careful Club", read_access="private", join_policy="invitation")
    client.force_login(make_community_manager())
    form = client.get(f"/admin/forums/community/{community.pk}/change/").content.decode()
    assert 'type="radio" name="listed"' in form
    response = client.post(
        f"/admin/forums/community/{community.pk}/change/",
        _community_form(community, listed=True, join_policy="request"),
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.listed and community.join_policy == "request"
    client.force_login(member)
    assert "Careful Club" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("read_access", "listed", "join_policy", "message"),
    [
        ("private", False, "request", "Nobody can ask to join a community they never see."),
        ("private", False, "open", "Nobody can join a community they never see"),
        ("members", True, "open", "Listing is for private communities"),
        ("open", True, "request", "Listing is for private communities"),
    ],
)
def test_the_admin_refuses_a_listing_that_makes_no_sense(
    client, db, read_access, listed, join_policy, message
):
    community = make_community("Careful Club", read_access="private", join_policy="invitation")
    client.force_login(make_community_manager())
    response = client.post(
        f"/admin/forums/community/{community.pk}/change/",
        _community_form(community, read_access=read_access, listed=listed, join_policy=join_policy),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["listed"] and message in errors["listed"][0]
    assert message in response.content.decode().replace("&#x27;", "'")
    community.refresh_from_db()
    assert (community.read_access, community.listed, community.join_policy) == (
        "private",
        False,
        "invitation",
    )


@pytest.mark.parametrize(
    ("read_access", "listed", "join_policy"),
    [
        ("private", True, "request"),
        ("private", True, "open"),
        ("private", True, "invitation"),
        ("private", True, "domain"),
        ("private", False, "invitation"),
        ("private", False, "domain"),
        ("members", False, "request"),
        ("open", False, "open"),
    ],
)
def test_the_listings_that_make_sense_are_accepted(db, read_access, listed, join_policy):
    Community(
        name="Club", slug="club", read_access=read_access, listed=listed, join_policy=join_policy
    ).full_clean()


def test_a_community_is_created_unlisted_and_the_service_holds_it_to_the_rule(member):
    from forums.services import community_create

    assert Community(name="Club", slug="club").listed is False
    with pytest.raises(ValidationError) as refused:
        community_create(
            community=Community(
                name="Club", slug="club", read_access="private", join_policy="request"
            ),
            by=member,
        )
    assert "listed" in refused.value.message_dict
    assert not Community.objects.exists()


# --------------------------------------------------------------------- the home page's cards


def test_each_card_offers_what_its_join_policy_allows(client, member, site_manager):
    from forums.moderation.services import membership_invite

    make_community("Open Hall", join_policy="open")
    make_community("Careful Club", join_policy="request")
    make_community("Inner Room", join_policy="invitation")
    invited = make_community("Book Club", join_policy="invitation")
    membership_invite(community=invited, member=member, by=site_manager)
    joined = make_community("Runners")
    client.force_login(member)
    html = client.get("/").content.decode()
    assert re.search(r"<button[^>]*>Join<span", _card(html, "Open Hall"))
    assert ASK_BUTTON.search(_card(html, "Careful Club"))
    assert "Members join by invitation." in _card(html, "Inner Room")
    assert "Accept the invitation" in _card(html, "Book Club")
    assert "Start here" in html

    join(member, joined)
    html = client.get("/").content.decode()
    assert "You are a member" in _card(html, "Runners")
    assert "Start here" not in html  # no longer a newcomer


def test_a_visitor_s_join_leads_to_sign_up_and_back(client, settings, db):
    settings.HEARTH_MEMBERS_ONLY = False
    make_community("Open Hall", read_access="open")
    html = client.get("/").content.decode()
    assert "Start here" in html and "Create an account" in html
    card = _card(html, "Open Hall")
    assert 'href="/accounts/signup/?next=/c/open-hall/"' in card


def test_a_card_s_join_button_brings_the_member_back_home(client, member):
    make_community("Open Hall", join_policy="open")
    client.force_login(member)
    html = client.get("/").content.decode()
    assert 'name="next" value="/"' in _card(html, "Open Hall")
    response = client.post("/c/open-hall/join/", {"next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Welcome to Open Hall." in response.content.decode()


def test_a_community_form_sent_without_the_choice_leaves_it_unlisted(client, db):
    community = make_community("Careful Club", read_access="private", join_policy="invitation")
    client.force_login(make_community_manager())
    data = _community_form(community, description="Changed.")
    del data["listed"]
    response = client.post(f"/admin/forums/community/{community.pk}/change/", data)
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.description, community.listed) == ("Changed.", False)


def test_an_invitation_shows_once_on_home(client, member, site_manager):
    """A community the home list shows carries its invitation on its own card; only those
    it leaves out (unlisted private ones) are listed under Invitations."""
    from forums.moderation.services import membership_invite

    listed = make_community(
        "Long Covid", read_access="private", join_policy="invitation", listed=True
    )
    hidden = make_community("Quiet Room", read_access="private", join_policy="invitation")
    for community in (listed, hidden):
        membership_invite(community=community, member=member, by=site_manager)
    client.force_login(member)

    html = client.get("/").content.decode()

    headings = re.findall(r"<h3>(?:<a [^>]*>)?([^<]+)", html)
    assert headings.count("Long Covid") == 1
    assert headings.count("Quiet Room") == 1
