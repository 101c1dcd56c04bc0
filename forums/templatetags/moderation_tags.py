from django import template

from forums.models import Community, Membership, Post, Report

register = template.Library()


@register.simple_tag
def moderation_counts(member):
    """What waits for this moderator, in their own communities only."""
    communities = Community.objects.moderated_by(member)
    return {
        "reported_posts": Post.objects.filter(
            thread__community__in=communities, reports__status=Report.Status.OPEN
        )
        .distinct()
        .count(),
        "pending_posts": Post.objects.filter(
            thread__community__in=communities, is_pending=True
        ).count(),
        "join_requests": Membership.objects.filter(
            community__in=communities, state=Membership.State.REQUESTED
        ).count(),
    }
