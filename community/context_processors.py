from django.conf import settings

# The header counts unread notifications up to this many, then says "99+": each one is
# checked against what the member may see now, so the count costs what it counts.
UNREAD_SHOWN = 99


def site(request):
    """The site's name, whether the viewer may search (forums.permissions.can_search, from
    what they may read, read at most once a request), and the signed-in member's unread
    notification count (one query)."""
    from forums import permissions

    context = {"site_name": settings.HEARTH_SITE_NAME}
    user = getattr(request, "user", None)
    context["can_search"] = user is not None and permissions.can_search(user)
    if user is not None and user.is_authenticated:
        from forums.models import Notification

        unread = Notification.objects.visible_to(user).unread().order_by()[: UNREAD_SHOWN + 1]
        count = unread.count()
        context["unread_notifications"] = f"{UNREAD_SHOWN}+" if count > UNREAD_SHOWN else count
    return context
