"""A ban bites on reading too: in a community that banned them, a member reads no further
than an anonymous visitor could. On an open site that is the public threads and posts of an
`open` community; on a members-only site, nothing. Every page that reads through the door
follows: community and thread pages, counts, search, tag pages, notifications."""

import pytest

from accounts.models import CircleMembership
from accounts.services import member_block
from forums.moderation.services import member_ban, member_unban
from tests.factories import join, make_community, make_reply, make_thread


@pytest.fixture
def forum(db, member_factory, site_manager):
    """Ada writes in an open, a members-only and a private community; Fay, whose circle holds
    Ben, answers there for her circle; Ben took part everywhere, then was banned everywhere."""
    ada, ben, fay = (member_factory(name) for name in ("Ada", "Ben", "Fay"))
    communities = {
        "open": make_community("Open Hall", read_access="open"),
        "members": make_community("Members Lounge", read_access="members"),
        "private": make_community("Inner Room", read_access="private"),
    }
    CircleMembership.objects.create(owner=fay, member=ben)
    threads = {}
    for access, community in communities.items():
        for member in (ada, ben, fay):
            join(member, community)
        thread = make_thread(
            ada, community, title=f"Ada in {access}", body=f"{access}opening", tags=[access]
        )
        make_reply(fay, thread, body=f"{access}circlereply", visibility="circle")
        make_reply(ben, thread, body=f"{access}benpublic")
        make_reply(ben, thread, body=f"{access}benjournal", visibility="private")
        threads[access] = thread
    threads["circle"] = make_thread(
        fay, communities["open"], title="Fay for her circle", visibility="circle"
    )
    for community in communities.values():
        member_ban(member=ben, community=community, by=site_manager, reason="Spam.")
    return {"ben": ben, "ada": ada, "fay": fay, "communities": communities, "threads": threads}


def titles(response):
    return [thread.title for thread in response.context["threads"]]


def test_a_banned_member_reads_an_open_community_as_a_visitor(client, forum, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    client.force_login(forum["ben"])
    threads = forum["threads"]

    assert titles(client.get("/c/open-hall/")) == ["Ada in open"]
    page = client.get(threads["open"].get_absolute_url()).content.decode()
    assert "openopening" in page and "openbenpublic" in page
    assert "opencirclereply" not in page, "a circle that holds him does not open a ban"
    assert "openbenjournal" not in page, "not even his own journal: a visitor cannot read it"
    assert client.get(threads["circle"].get_absolute_url()).status_code == 404

    for slug in ("members-lounge", "inner-room"):
        assert client.get(f"/c/{slug}/").status_code == 404
    for access in ("members", "private"):
        assert client.get(threads[access].get_absolute_url()).status_code == 404
        for post in threads[access].posts.all():
            assert client.get(post.get_absolute_url()).status_code == 404


def test_the_same_as_a_visitor_sees(client, forum, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    thread = forum["threads"]["open"]
    visitor = client.get(thread.get_absolute_url()).content.decode()
    client.force_login(forum["ben"])
    banned = client.get(thread.get_absolute_url()).content.decode()
    for word in ("opening", "circlereply", "benpublic", "benjournal"):
        assert (f"open{word}" in banned) == (f"open{word}" in visitor), word


def test_on_a_members_only_site_a_banned_member_reads_nothing_there(client, forum, settings):
    settings.HEARTH_MEMBERS_ONLY = True
    client.force_login(forum["ben"])
    assert client.get("/c/open-hall/").status_code == 404
    assert client.get(forum["threads"]["open"].get_absolute_url()).status_code == 404
    home = client.get("/")
    assert list(home.context["communities"]) == []
    assert titles(home) == []


def test_counts_search_and_tags_follow_the_ban(client, forum, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    client.force_login(forum["ben"])
    home = client.get("/")
    assert {c.name: c.thread_count for c in home.context["communities"]} == {"Open Hall": 1}
    assert titles(home) == ["Ada in open"]
    for word, found in [
        ("openopening", 1),
        ("opencirclereply", 0),
        ("membersopening", 0),
        ("membersbenpublic", 0),
        ("privateopening", 0),
    ]:
        results = client.get("/search/", {"q": word}).context["results"]
        assert len(results) == found, word
    assert client.get("/tags/open/").status_code == 200
    assert client.get("/tags/members/").status_code == 404
    assert client.get("/tags/private/").status_code == 404


def test_notifications_from_where_he_is_banned_stop_showing(client, forum, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    ben = forum["ben"]
    for access in ("open", "members"):
        make_reply(forum["ada"], forum["threads"][access], body=f"{access}latereply")
    client.force_login(ben)
    page = client.get("/notifications/")
    shown = {n.post.body for n in page.context["notifications"] if n.post_id}
    assert shown == {"openlatereply"}


def test_blocks_still_stand_for_a_banned_member(client, forum, settings, member_factory):
    """Reading as a visitor never widens what a member sees: a block still hides."""
    settings.HEARTH_MEMBERS_ONLY = False
    dee = member_factory("Dee")
    thread = forum["threads"]["open"]
    make_reply(dee, thread, body="deewords")
    member_block(blocker=dee, blocked=forum["ben"])
    assert "deewords" in client.get(thread.get_absolute_url()).content.decode()
    client.force_login(forum["ben"])
    assert "deewords" not in client.get(thread.get_absolute_url()).content.decode()


def test_members_not_banned_read_on_and_lifting_the_ban_opens_it_again(
    client, forum, settings, site_manager
):
    settings.HEARTH_MEMBERS_ONLY = True
    lounge = forum["communities"]["members"]
    thread = forum["threads"]["members"]
    client.force_login(forum["fay"])
    assert titles(client.get("/c/members-lounge/")) == ["Ada in members"]

    member_unban(member=forum["ben"], community=lounge, by=site_manager)
    client.force_login(forum["ben"])
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "membersbenjournal" in page and "memberscirclereply" in page
