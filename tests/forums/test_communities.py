import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory

from forums.admin import MembershipAdmin
from forums.models import Membership
from tests.factories import join, make_community, make_thread


def test_home_lists_readable_communities_with_counts(client, member, member_factory):
    open_one = make_community("Open Runners", read_access="open")
    members_one = make_community("Members Lounge", read_access="members")
    make_community("Secret Garden", read_access="private")
    author = member_factory("Author")
    make_thread(author, open_one)
    make_thread(author, members_one)
    make_thread(author, members_one, visibility="private")
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Open Runners" in html and "Members Lounge" in html
    assert "Secret Garden" not in html
    lounge = next(c for c in client.get("/").context["communities"] if c.name == "Members Lounge")
    assert lounge.thread_count == 1  # the private journal entry is not counted


def test_a_private_community_is_a_404_to_non_members(client, member, member_factory):
    garden = make_community("Secret Garden", read_access="private")
    thread = make_thread(member_factory("Gardener"), garden, title="Roses")
    client.force_login(member)
    for path in [
        "/c/secret-garden/",
        "/c/secret-garden/general/",
        "/c/secret-garden/new/",
        "/c/secret-garden/feed/",
        thread.get_absolute_url(),
        f"/p/{thread.posts.get().pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.get("/search/", {"q": "Roses"}).context["results"].paginator.count == 0
    join(member, garden)
    assert client.get("/c/secret-garden/").status_code == 200


def test_joining_an_open_community_and_leaving_with_confirmation(client, member):
    community = make_community("Runners", join_policy="open")
    client.force_login(member)
    client.post("/c/runners/join/")
    assert Membership.objects.get(member=member).state == "active"
    assert "Leave Runners?" in client.get("/c/runners/leave/").content.decode()
    client.post("/c/runners/leave/")
    assert not Membership.objects.filter(member=member, community=community).exists()


def test_a_request_waits_for_a_moderator(client, member, member_factory):
    community = make_community("Careful Club", join_policy="request")
    client.force_login(member)
    client.post("/c/careful-club/join/")
    membership = Membership.objects.get(member=member)
    assert membership.state == "requested"
    assert client.get("/c/careful-club/new/").status_code == 403

    manager = member_factory("Manager", is_staff=True)
    manager.is_superuser = True
    manager.save()
    request = RequestFactory().post("/admin/")
    request.user = manager
    request._messages = _Messages()
    MembershipAdmin(Membership, admin_site).approve_requests(
        request, Membership.objects.filter(community=community)
    )
    membership.refresh_from_db()
    assert membership.state == "active"
    assert "You are now a member of Careful Club." in client.get("/notifications/").content.decode()


class _Messages(list):
    def add(self, level, message, extra_tags=""):
        self.append(message)


def test_an_invitation_only_community_refuses_requests(client, member):
    make_community("By Invitation", join_policy="invitation")
    client.force_login(member)
    response = client.post("/c/by-invitation/join/", follow=True)
    assert "open by invitation only" in response.content.decode()
    assert not Membership.objects.exists()


def test_an_invited_member_accepts(client, member, site_manager):
    from forums.moderation.services import membership_invite

    community = make_community("By Invitation", join_policy="invitation")
    membership_invite(community=community, member=member, by=site_manager)
    client.force_login(member)
    assert "Accept the invitation" in client.get("/c/by-invitation/").content.decode()
    client.post("/c/by-invitation/join/")
    assert Membership.objects.get(member=member).state == "active"


def test_verified_employer_addresses_join_automatically(client, db, mailoutbox):
    community = make_community(
        "Acme Staff", read_access="private", join_policy="domain", email_domains="acme.example"
    )
    client.post(
        "/accounts/signup/",
        {
            "email": "pat@acme.example",
            "display_name": "Pat",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert not Membership.objects.exists()
    link = re.search(r"https?://\S+", mailoutbox[-1].body).group(0).split("testserver", 1)[1]
    client.post(link)
    membership = Membership.objects.get()
    assert membership.community == community
    assert membership.state == "active"
    assert EmailAddress.objects.get().verified


def test_other_domains_cannot_join_a_domain_community(client, member):
    make_community("Acme Staff", join_policy="domain", email_domains="acme.example")
    client.force_login(member)
    response = client.post("/c/acme-staff/join/", follow=True)
    assert not Membership.objects.filter(state="active").exists()
    assert "with a confirmed e-mail address at its organisation" in response.content.decode()


@pytest.mark.parametrize("read_access", ["open", "members"])
def test_anonymous_visitors_on_an_open_site(client, db, settings, read_access):
    settings.HEARTH_MEMBERS_ONLY = False
    make_community("Runners", read_access=read_access)
    expected = 200 if read_access == "open" else 404
    assert client.get("/c/runners/").status_code == expected


def test_an_invitation_to_a_private_community_can_be_accepted(client, member, site_manager):
    from forums.moderation.services import membership_invite

    garden = make_community("Secret Garden", read_access="private", join_policy="invitation")
    membership_invite(community=garden, member=member, by=site_manager)
    client.force_login(member)
    assert client.get("/c/secret-garden/").status_code == 404  # not until they accept
    home = client.get("/").content.decode()
    assert "Secret Garden" in home and "Accept the invitation" in home
    client.post("/c/secret-garden/join/")
    assert client.get("/c/secret-garden/").status_code == 200


def test_others_cannot_join_or_learn_of_a_private_community(client, member):
    make_community("Secret Garden", read_access="private", join_policy="request")
    client.force_login(member)
    assert client.post("/c/secret-garden/join/").status_code == 404
    assert "Secret Garden" not in client.get("/").content.decode()
    assert not Membership.objects.exists()


def test_a_tag_only_on_threads_you_cannot_see_is_a_404(client, member, member_factory):
    community = make_community("Runners")
    author = member_factory("Author")
    make_thread(author, community, title="Journal", tags=["very-personal"], visibility="private")
    client.force_login(member)
    assert client.get("/tags/very-personal/").status_code == 404
    assert client.get("/tags/no-such-tag/").status_code == 404
    client.force_login(author)
    assert client.get("/tags/very-personal/").status_code == 200
