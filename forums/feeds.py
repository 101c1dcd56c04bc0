from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from forums.models import Community, Thread


class CommunityFeed(Feed):
    """The latest threads of a community that the requester may see; titles and links only."""

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
        return (
            Thread.objects.visible_to(community.viewer)
            .filter(community=community)
            .select_related("author")
            .order_by("-created_at", "-pk")[:30]
        )

    def item_title(self, thread):
        return thread.title

    def item_description(self, thread):
        return f"{thread.get_kind_display()} by {thread.author_shown_to(None).display_name}"

    def item_pubdate(self, thread):
        return thread.created_at

    def item_author_name(self, thread):
        return thread.author_shown_to(None).display_name
