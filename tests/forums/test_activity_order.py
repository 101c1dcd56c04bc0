"""The order of a list never tells of a post the viewer cannot see. A thread moves up a
member's lists by latest activity (home, community, category, tag pages) only for a reply
they can read: a public reply by someone who blocked them, or whom they blocked, leaves it
where it was for them, while everyone else sees it rise."""

import html
import re

import pytest

from accounts.services import member_block, member_unblock
from forums.models import Thread
from forums.moderation.services import post_approve
from tests.factories import join, make_community, make_reply, make_thread

BLOCKS = {
    "the viewer blocked the replier": lambda viewer, replier: (viewer, replier),
    "the replier blocked the viewer": lambda viewer, replier: (replier, viewer),
}
LISTS = {
    "home": "/",
    "community": "/c/runners/",
    "category": "/c/runners/general/",
    "category, latest": "/c/runners/general/?sort=latest",
    "category, top": "/c/runners/general/?sort=top",  # equal scores: activity decides
    "category, tag": "/c/runners/general/?tag=pace",
    "tag": "/tags/pace/",
}


@pytest.fixture
def community(db):
    return make_community("Runners", read_access="open")


@pytest.fixture
def people(member_factory, community):
    people = {name: member_factory(name) for name in ("Ada", "Viewer", "Friend", "Replier", "Cal")}
    for member in people.values():
        join(member, community)
    return people


@pytest.fixture
def forum(people, community):
    """Ada starts "Hills", then "Tempo"; Friend answers "Hills"; Ada starts "Long runs";
    Replier answers "Hills" last of all."""
    ada = people["Ada"]
    hills = make_thread(ada, community, title="Hills", tags=["pace"])
    make_thread(ada, community, title="Tempo", tags=["pace"])
    make_reply(people["Friend"], hills, body="Friend's answer")
    make_thread(ada, community, title="Long runs", tags=["pace"])
    make_reply(people["Replier"], hills, body="Replier's answer")
    return hills


def titles(client, url):
    return [thread.title for thread in client.get(url).context["threads"]]


def pages_of_titles(client, url, count):
    """The titles on the first `count` pages of a list, following its "Older" links."""
    pages = []
    for _ in range(count):
        response = client.get(url)
        pages.append([thread.title for thread in response.context["threads"]])
        older = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
        if older is None:
            break
        url = url.split("?")[0] + html.unescape(older[1])
    return pages


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
@pytest.mark.parametrize("block", BLOCKS.values(), ids=BLOCKS.keys())
def test_a_reply_the_viewer_cannot_see_does_not_move_the_thread(client, people, forum, url, block):
    blocker, blocked = block(people["Viewer"], people["Replier"])
    member_block(blocker=blocker, blocked=blocked)

    client.force_login(people["Cal"])
    assert titles(client, url) == ["Hills", "Long runs", "Tempo"]
    client.force_login(people["Viewer"])
    assert titles(client, url) == ["Long runs", "Hills", "Tempo"], (
        "Hills stands where Friend's answer, the newest reply the viewer can read, puts it"
    )


def test_the_last_post_shown_is_one_the_viewer_can_read(client, people, forum):
    member_block(blocker=people["Replier"], blocked=people["Viewer"])
    client.force_login(people["Viewer"])
    listed = client.get("/c/runners/").context["threads"]
    hills = next(thread for thread in listed if thread.title == "Hills")
    assert hills.last_post.body == "Friend's answer"
    assert hills.reply_count == 1


def test_unblocking_moves_the_thread_back_at_once(client, people, forum):
    member_block(blocker=people["Viewer"], blocked=people["Replier"])
    client.force_login(people["Viewer"])
    assert titles(client, "/")[0] == "Long runs"
    member_unblock(blocker=people["Viewer"], blocked=people["Replier"])
    assert titles(client, "/")[0] == "Hills"


def test_pinned_threads_stay_first_and_pages_follow_the_viewers_order(
    client, people, forum, settings
):
    settings.HEARTH_THREADS_PER_PAGE = 1
    Thread.objects.filter(title="Tempo").update(is_pinned=True)
    member_block(blocker=people["Replier"], blocked=people["Viewer"])
    client.force_login(people["Viewer"])
    assert pages_of_titles(client, "/c/runners/general/", 3) == [
        ["Tempo"],
        ["Long runs"],
        ["Hills"],
    ]
    assert titles(client, "/c/runners/") == ["Tempo"]
    assert pages_of_titles(client, "/", 3)[2] == ["Tempo"], "the home page pins nothing"


def test_a_thread_with_no_reply_the_viewer_can_read_stands_at_its_start(client, people, community):
    ada = people["Ada"]
    first = make_thread(ada, community, title="First")
    make_thread(ada, community, title="Second")
    make_reply(people["Replier"], first)
    member_block(blocker=people["Viewer"], blocked=people["Replier"])
    client.force_login(people["Viewer"])
    assert titles(client, "/") == ["Second", "First"]


def test_a_reply_approved_late_does_not_move_its_thread_back(
    client, people, community, site_manager
):
    """A held reply is as old as when it was written; approving it after newer replies
    leaves the thread at its newest."""
    ada = people["Ada"]
    hills = make_thread(ada, community, title="Hills")
    community.premoderate_first_posts = 1  # for the viewer's first reply alone
    community.save()
    held = make_reply(people["Viewer"], hills, body="A newcomer's first words")
    community.premoderate_first_posts = 0
    community.save()
    assert held.is_pending
    make_thread(ada, community, title="Tempo")
    make_reply(people["Cal"], hills, body="Cal's answer")
    post_approve(post=held, by=site_manager)
    client.force_login(people["Friend"])
    assert titles(client, "/") == ["Hills", "Tempo"]
