from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from forums.models import Community, Post, Thread


class CommunityFeed(Feed):
    """The latest threads of a community that the requester may see; titles and links only,
    and the content note of a thread's opening post, so that a reader is warned before
    following the link (its text is never in the feed, noted or not)."""

    feed_type = Atom1Feed

    def get_object(self, request, community):
        community = get_object_or_404(Community.objects.readable_by(request.user), slug=community)
        # The feed object is shared between requests; the viewer travels with this one's object.
        community.viewer = request.user
        return community

    def title(self, community):
        return community.name

    def link(self, community):
        return community.get_absolute_url()

    def subtitle(self, community):
        return f"Latest threads in {community.name}"

    def items(self, community):
        # A deleted or hidden opening post's note is its words, gone with it.
        opening = Post.objects.filter(
            thread=OuterRef("pk"), is_opening=True, deleted_at__isnull=True, hidden_at__isnull=True
        )
        return (
            Thread.objects.visible_to(community.viewer)
            .filter(community=community)
            .select_related("author")
            .annotate(content_note=Subquery(opening.values("content_note")[:1]))
            .order_by("-created_at", "-pk")[:30]
        )

    def item_title(self, thread):
        return thread.title

    def item_description(self, thread):
        description = f"{thread.get_kind_display()} by {thread.author_shown_to(None).display_name}"
        if thread.content_note:
            description += f". Content note: {thread.content_note}"
        return description

    def item_pubdate(self, thread):
        return thread.created_at

    def item_author_name(self, thread):
        return thread.author_shown_to(None).display_name
