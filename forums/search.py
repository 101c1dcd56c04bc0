"""Full-text search over the posts a viewer may see, ranked, with highlighted snippets."""

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F

from forums.models import Post, Thread

# ts_headline marks matches with these; the template escapes the text, then turns them into
# <mark> (see forums.templatetags.forum_tags.highlight).
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
    through the door again, so a post hidden since the search is not shown."""
    posts = (
        Post.objects.visible_to(viewer)
        .live()
        .filter(pk__in=pks)
        .select_related("thread__community", "thread__category", "author")
        .defer("search_vector", "body_html")
        .annotate(
            snippet=SearchHeadline(
                "body",
                _query(q),
                config=settings.HEARTH_SEARCH_CONFIG,
                start_sel=MATCH_START,
                stop_sel=MATCH_END,
                max_words=35,
                min_words=15,
                max_fragments=2,
            )
        )
        .in_bulk()
    )
    return [posts[pk] for pk in pks if pk in posts]
