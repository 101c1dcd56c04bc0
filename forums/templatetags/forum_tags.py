from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from forums import audiences, permissions
from forums.models import Thread
from forums.search import MATCH_END, MATCH_START

register = template.Library()


@register.filter
def post_html(post):
    """A post's HTML, made once on write by forums.markdown: rendered, then sanitised by the
    allow-list there. Nothing else is ever marked safe."""
    return mark_safe(post.body_html)  # noqa: S308 - sanitised on write, see forums/markdown.py


@register.filter
def folds_content_notes(viewer):
    """Whether this viewer sees posts with a content note folded behind it: everyone does
    (signed out too) unless they chose in their settings to have them shown unfolded."""
    return getattr(viewer, "fold_content_notes", True)


@register.filter
def highlight(snippet):
    """Escapes a search snippet, then marks the matches PostgreSQL found."""
    escaped = escape(snippet)
    return mark_safe(  # noqa: S308 - everything but our own <mark> tags is escaped above
        escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>")
    )


@register.simple_tag(takes_context=True)
def visibility_badge(context, item):
    """A small label of who really sees a thread or post, worded for the viewer
    (forums.audiences): "Lantern Moth's circle" on a reply for the community in Lantern
    Moth's circle thread."""
    if isinstance(item, Thread):
        audience = audiences.audience_of(item, viewer=context.get("user"))
    else:
        audience = audiences.audience_of(
            item, thread=_thread_of(context, item), viewer=context.get("user")
        )
    return format_html(
        '<span class="audience audience--{}" title="{}">{}</span>',
        audience.reach,
        audience.description,
        audience.label,
    )


@register.simple_tag(takes_context=True)
def author_shown(context, item):
    """`{% author_shown post as author %}`: the author of a post or thread as the page's
    viewer may know them (forums.querysets.author_shown_to): "Anonymous member" for an
    anonymous one, unless the viewer wrote it."""
    return item.author_shown_to(context.get("user"))


@register.filter
def ago(moment):
    """How long ago, in words: "just now" under a minute, else "5 minutes ago"."""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with another page number, keeping the other query parameters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def cursor_url(context, direction, cursor):
    """The current URL at the page next to this one ("older" or "newer" than `cursor`),
    keeping the other query parameters."""
    query = context["request"].GET.copy()
    for name in ("older", "newer", "page"):
        query.pop(name, None)
    query[direction] = cursor
    return "?" + query.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


# What a template may ask of forums.permissions about a post, given the page's viewer
# (`user`), their `membership` of the community and the `thread` the page shows.
POST_ACTIONS = {
    "vote": lambda user, post, thread, membership: permissions.can_vote(user, post, membership),
    "accept": lambda user, post, thread, membership: permissions.can_accept_post(
        user, thread, post, membership
    ),
    "unaccept": lambda user, post, thread, membership: permissions.can_unaccept_post(
        user, thread, post, membership
    ),
    "edit": lambda user, post, thread, membership: permissions.can_edit_post(user, post),
    "report": lambda user, post, thread, membership: permissions.can_report_post(user, post),
}


@register.simple_tag(takes_context=True)
def may(context, action, post):
    """`{% may "vote" post as may_vote %}`: the one way a template asks whether the viewer
    may act on a post, answered by forums.permissions, so that no template restates a rule."""
    return POST_ACTIONS[action](
        context["user"], post, _thread_of(context, post), context.get("membership")
    )


def _thread_of(context, post):
    """The post's thread: the page's own when it shows that thread."""
    thread = context.get("thread")
    if thread is None or thread.pk != post.thread_id:
        thread = post.thread
    return thread
