from django.conf import settings

# The header counts unread notifications up to this many, then says "99+": each one is
# checked against what the member may see now, so the count costs what it counts.
UNREAD_SHOWN = 99


def site(request):
    """The site's name, and the signed-in member's unread notification count (one query)."""
    context = {"site_name": settings.HEARTH_SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from forums.models import Notification

        unread = Notification.objects.visible_to(user).unread().order_by()[: UNREAD_SHOWN + 1]
        count = unread.count()
        context["unread_notifications"] = f"{UNREAD_SHOWN}+" if count > UNREAD_SHOWN else count
    return context
