"""Full-text search over the posts a viewer may see, ranked, with highlighted snippets."""

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F

from forums.models import Post, Thread

# ts_headline marks matches with these; the template escapes the text, then turns them into
# <mark> (see forums.templatetags.forum_tags.highlight).
MATCH_START = "\u0002"
MATCH_END = "\u0003"


def search_posts(viewer, *, q, community="", kind="", tag="", solved=""):
    config = settings.HEARTH_SEARCH_CONFIG
    query = SearchQuery(q, search_type="websearch", config=config)
    posts = (
        Post.objects.visible_to(viewer)
        .live()
        .filter(search_vector=query)
        .select_related("thread__community", "thread__category", "author")
    )
    if community:
        posts = posts.filter(thread__community__slug=community)
    if kind:
        posts = posts.filter(thread__kind=kind)
    if tag:
        posts = posts.filter(thread__tags__slug=tag)
    if solved:
        questions = Thread.objects.solved_for(viewer, solved=solved == "yes")
        posts = posts.filter(thread__in=questions.values("pk"))
    return posts.annotate(
        rank=SearchRank(F("search_vector"), query),
        snippet=SearchHeadline(
            "body",
            query,
            config=config,
            start_sel=MATCH_START,
            stop_sel=MATCH_END,
            max_words=35,
            min_words=15,
            max_fragments=2,
        ),
    ).order_by("-rank", "-created_at", "-pk")
