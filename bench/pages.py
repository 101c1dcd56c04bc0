"""Which pages the benchmark measures, chosen from the data through the read door, and how
many SQL queries each costs. Needs Django set up with the benchmark's settings."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Member
from forums.models import Community, Post, Thread

VIEWER_EMAIL = "viewer@bench.example"
VIEWER_PASSWORD = "bench-password"
SORTS = ["latest", "newest", "top", "unanswered"]
DEEP_PAGE = 50
THREAD_POSTS = 30
# Common words in generate_data's vocabulary.
SEARCH_ONE_WORD = "routine"
SEARCH_TWO_WORDS = "handover routine"


@dataclass
class Page:
    name: str
    path: str
    group: str  # "list", "visitor", "search" or "ceiling"
    signed_in: bool
    notes: list = field(default_factory=list)
    # Set for pages reached by following rel="next": how many links to follow from `path`.
    follow_next: int = 0


def viewer():
    member = Member.objects.filter(email=VIEWER_EMAIL, is_active=True).first()
    if member is None:
        raise RuntimeError(
            f"the data set has no bench viewer {VIEWER_EMAIL}: generate_data must create it "
            "(with a verified address and the password bench-password); "
            "rebuild with BENCH_REBUILD=1 once it does"
        )
    return member


def _busiest_community(member):
    """The community with the most threads the member sees, an open one if there is one
    (visitors can then read it too)."""
    counts = dict(
        Thread.objects.visible_to(member)
        .values_list("community")
        .annotate(threads=Count("pk"))
        .order_by()
    )
    readable = Community.objects.readable_by(member).filter(pk__in=counts)
    if not readable:
        raise RuntimeError(f"{member.email} sees no thread in any community")
    return max(
        readable, key=lambda community: (community.read_access == "open", counts[community.pk])
    ), counts


def _longest_thread(reader, community):
    """The thread of `community` with the most posts `reader` sees, and that number."""
    row = (
        Post.objects.visible_to(reader)
        .filter(thread__community=community)
        .values("thread")
        .annotate(posts=Count("pk"))
        .order_by("-posts", "thread")
        .first()
    )
    if row is None:
        return None, 0
    return Thread.objects.get(pk=row["thread"]), row["posts"]


def _thread_page(name, group, reader, community):
    thread, posts = _longest_thread(reader, community)
    if thread is None:
        raise RuntimeError(f"no thread in {community.slug} is visible for {name}")
    page = Page(name, thread.get_absolute_url(), group, signed_in=group != "visitor")
    page.notes.append(f"{posts} posts visible")
    if posts < THREAD_POSTS:
        page.notes.append(f"no thread has {THREAD_POSTS} visible posts: took the longest")
    return page


def choose(member):
    """Every page of the benchmark, for `member` and for a visitor, with notes on what the
    data could not offer."""
    community, counts = _busiest_community(member)
    category = (
        community.categories.filter(slug="general").first()
        or community.categories.annotate(threads=Count("threads")).order_by("-threads").first()
    )
    pages = [
        Page("home", "/", "list", True),
        Page("community", community.get_absolute_url(), "list", True),
    ]
    pages[-1].notes.append(
        f"{community.slug} ({community.read_access}, {counts[community.pk]} threads visible)"
    )
    for sort in SORTS:
        path = f"{category.get_absolute_url()}?sort={sort}"
        pages.append(Page(f"category {sort}", path, "list", True))
        pages.append(
            Page(f"category {sort} p{DEEP_PAGE}", path, "list", True, follow_next=DEEP_PAGE - 1)
        )
    pages.append(_thread_page("thread", "list", member, community))
    tag = (
        Thread.objects.visible_to(member)
        .filter(tags__isnull=False)
        .values("tags__slug")
        .annotate(threads=Count("pk"))
        .order_by("-threads", "tags__slug")
        .first()
    )
    if tag is None:
        raise RuntimeError("no thread the viewer sees carries a tag: the tag page cannot be had")
    pages.append(Page("tag", f"/tags/{tag['tags__slug']}/", "list", True))
    pages[-1].notes.append(f"{tag['threads']} threads visible")
    author = (
        Post.objects.visible_to(member)
        .live()
        .filter(thread__community=community, author__is_active=True)
        .exclude(author=member)
        .values("author__handle")
        .annotate(posts=Count("pk"))
        .order_by("-posts", "author__handle")
        .first()
    )
    pages.append(Page("profile", f"/members/{author['author__handle']}/", "list", True))
    pages[-1].notes.append(f"{author['posts']} posts visible")
    pages.append(Page("notifications", "/notifications/", "list", True))
    notifications = member.notifications.count()
    if not notifications:
        pages[-1].notes.append("the viewer has no notifications")
    for name, words in [("search 1 word", SEARCH_ONE_WORD), ("search 2 words", SEARCH_TWO_WORDS)]:
        pages.append(Page(name, f"/search/?q={words.replace(' ', '+')}", "search", True))
        query = SearchQuery(words, search_type="websearch", config=settings.HEARTH_SEARCH_CONFIG)
        if not Post.objects.filter(search_vector=query).exists():
            pages[-1].notes.append("no post matches")
    pages += _visitor_pages(community, category)
    pages.append(Page("ceiling /healthz", "/healthz", "ceiling", False))
    return pages


def _visitor_pages(community, category):
    visitor = AnonymousUser()
    pages = [Page("visitor home", "/", "visitor", False)]
    if community.read_access != "open":
        pages[0].notes.append(f"{community.slug} is not open: no visitor community pages")
        return pages
    pages.append(Page("visitor community", community.get_absolute_url(), "visitor", False))
    pages.append(Page("visitor category", category.get_absolute_url(), "visitor", False))
    pages.append(_thread_page("visitor thread", "visitor", visitor, community))
    return pages


def count_queries(pages, member):
    """SQL queries per page, counted in this process through Django's test client on the
    same database and settings as the server; the second of two requests is counted, so
    that one-off work (a session's first read) is left out. Returns {name: count}."""
    signed_in = Client(headers={"X-Forwarded-Proto": "https"})
    signed_in.force_login(member)
    visitor = Client(headers={"X-Forwarded-Proto": "https"})
    counts = {}
    for page in pages:
        client = signed_in if page.signed_in else visitor
        client.get(page.path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        if response.status_code != 200:
            raise RuntimeError(
                f"{page.name} {page.path} answered {response.status_code} in-process"
            )
        counts[page.name] = len(queries)
    return counts
