import pytest

from forums.services import thread_accept_answer
from tests.factories import make_community, make_reply, make_thread


@pytest.fixture
def world(member_factory):
    runners = make_community("Runners")
    cooks = make_community("Cooks")
    author = member_factory("Author")
    question = make_thread(
        author,
        runners,
        kind="question",
        title="Blisters on long runs",
        body="My heels blister after twenty kilometres.",
        tags=["feet"],
    )
    answer = make_reply(member_factory("Helper"), question, body="Try blister plasters early.")
    thread_accept_answer(thread=question, post=answer, by=author)
    make_thread(
        author,
        runners,
        kind="discussion",
        title="Favourite routes",
        body="The river path has no blisters, only views.",
    )
    make_thread(
        author,
        cooks,
        kind="idea",
        title="Blister-free knife grips",
        body="Soft handles would stop blisters.",
    )
    make_thread(author, runners, title="Diary", body="Secret blisters diary.", visibility="private")
    viewer = member_factory("Viewer")
    return {"runners": runners, "cooks": cooks, "viewer": viewer, "author": author}


def titles(response):
    return sorted({post.thread.title for post in response.context["results"]})


def test_full_text_search_finds_stemmed_words(client, world):
    client.force_login(world["viewer"])
    response = client.get("/search/", {"q": "blister"})
    assert titles(response) == [
        "Blister-free knife grips",
        "Blisters on long runs",
        "Favourite routes",
    ]
    assert "Diary" not in response.content.decode()  # someone's journal stays theirs


def test_search_ranks_titles_first_and_highlights_snippets(client, world):
    client.force_login(world["viewer"])
    response = client.get("/search/", {"q": "heels"})
    html = response.content.decode()
    assert "<mark>heels</mark>" in html


def test_snippets_are_escaped(client, world):
    make_thread(
        world["author"],
        world["runners"],
        title="Markup",
        body='Compare 3 < 5 > 2 & "quoted" marathon <img src=x onerror=alert(1)>',
    )
    client.force_login(world["viewer"])
    main = client.get("/search/", {"q": "marathon"}).content.decode().split("<main")[1]
    assert "<mark>marathon</mark>" in main
    assert "3 &lt; 5 &gt; 2 &amp;" in main
    assert "<img" not in main


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"community": "cooks"}, ["Blister-free knife grips"]),
        ({"kind": "question"}, ["Blisters on long runs"]),
        ({"tag": "feet"}, ["Blisters on long runs"]),
        ({"solved": "yes"}, ["Blisters on long runs"]),
        ({"solved": "no", "kind": "question"}, []),
    ],
)
def test_search_filters(client, world, filters, expected):
    client.force_login(world["viewer"])
    assert titles(client.get("/search/", {"q": "blisters", **filters})) == expected


def test_search_paginates(client, world, settings):
    settings.HEARTH_THREADS_PER_PAGE = 2
    client.force_login(world["viewer"])
    first = client.get("/search/", {"q": "blisters"})
    assert first.context["results"].paginator.num_pages == 2
    second = client.get("/search/", {"q": "blisters", "page": 2})
    assert len(second.context["results"]) == 2
    assert "q=blisters" in first.content.decode()


def test_an_empty_search_shows_the_form_only(client, world):
    client.force_login(world["viewer"])
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["results"] is None


def test_the_author_finds_their_own_journal(client, world):
    client.force_login(world["author"])
    assert "Diary" in titles(client.get("/search/", {"q": "diary"}))


def test_only_the_most_recent_matches_the_viewer_may_see_are_ranked(client, world, settings):
    """With more matches than HEARTH_SEARCH_CANDIDATES, the newest ones the viewer may see
    are ranked; a newer journal entry of someone else's takes no place among them."""
    settings.HEARTH_SEARCH_CANDIDATES = 2
    make_thread(world["author"], world["runners"], title="Later", body="Blisters again.")
    make_thread(
        world["author"], world["runners"], title="Journal", body="Blisters.", visibility="private"
    )
    client.force_login(world["viewer"])
    response = client.get("/search/", {"q": "blisters"})
    assert titles(response) == ["Blister-free knife grips", "Later"]
    assert "2 or more results: the most recent 2, best match first" in response.content.decode()
    client.force_login(world["author"])
    assert titles(client.get("/search/", {"q": "blisters"})) == ["Journal", "Later"]
