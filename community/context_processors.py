from django.conf import settings


def site(request):
    """The site's name, and the signed-in member's unread notification count (one query)."""
    context = {"site_name": settings.HEARTH_SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from forums.models import Notification

        context["unread_notifications"] = Notification.objects.visible_to(user).unread().count()
    return context
