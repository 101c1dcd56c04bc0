"""Full-text search over the posts a viewer may see, ranked, with highlighted snippets."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F

from forums.markdown import plain_text
from forums.models import Post, Thread
from forums.querysets import UNLISTED_MEMBER_FIELDS

# ts_headline marks matches with these; the template escapes the text, then turns them into
# <mark> (see forums.templatetags.forum_tags.highlight). A post's own text never carries
# them (markdown.plain_text drops them), so every <mark> is PostgreSQL's.
MATCH_START = "\u0002"
MATCH_END = "\u0003"


def _query(q):
    return SearchQuery(q, search_type="websearch", config=settings.HEARTH_SEARCH_CONFIG)


def search_posts(viewer, *, q, community="", kind="", tag="", solved=""):
    """The live posts this viewer may see whose text matches `q`, as a list of pks, the best
    match first (then the newer), and whether there were more. Only the
    HEARTH_SEARCH_CANDIDATES most recent matches are ranked: a word found in every other post
    costs what a rare one does, and what is found is always what the viewer may read (the
    filter runs before the limit)."""
    query = _query(q)
    posts = Post.objects.visible_to(viewer).live().filter(search_vector=query)
    if community:
        posts = posts.filter(thread__community__slug=community)
    if kind:
        posts = posts.filter(thread__kind=kind)
    if tag:
        posts = posts.filter(thread__tags__slug=tag)
    if solved:
        questions = Thread.objects.solved_for(viewer, solved=solved == "yes")
        posts = posts.filter(thread__in=questions.values("pk"))
    limit = settings.HEARTH_SEARCH_CANDIDATES
    # One more than are ranked, to tell whether there were more.
    recent = list(posts.order_by("-created_at", "-pk").values_list("pk", flat=True)[: limit + 1])
    ranked = (
        Post.objects.filter(pk__in=recent[:limit])
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    return list(ranked), len(recent) > limit


def search_results(viewer, pks, *, q):
    """The posts of one page of search_posts, in its order, each with its `snippet`: read
    through the door again, so a post hidden since the search is not shown. A snippet is
    cut from the text a reader sees (markdown.plain_text of the post's HTML), never from
    its Markdown source, with the matches between MATCH_START and MATCH_END."""
    posts = (
        Post.objects.visible_to(viewer)
        .live()
        .filter(pk__in=pks)
        .select_related("thread__community", "thread__category", "thread__author", "author")
        .defer(
            "search_vector",
            "body",
            *(
                f"{member}__{field}"
                for member in ("author", "thread__author")
                for field in UNLISTED_MEMBER_FIELDS
            ),
        )
        .in_bulk()
    )
    found = [posts[pk] for pk in pks if pk in posts]
    snippets = _headlines([plain_text(post.body_html) for post in found], q)
    for post, snippet in zip(found, snippets, strict=True):
        post.snippet = snippet
    return found


HEADLINE_OPTIONS = (
    f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=35, MinWords=15, MaxFragments=2"
)


def _headlines(texts, q):
    """PostgreSQL's ts_headline of each text for the query, in one query for the page."""
    if not texts:
        return []
    config = settings.HEARTH_SEARCH_CONFIG
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, text, websearch_to_tsquery(%s::regconfig, %s), %s)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS page(text, position)"
            " ORDER BY position",
            [config, config, q, HEADLINE_OPTIONS, texts],
        )
        return [row[0] for row in cursor.fetchall()]
