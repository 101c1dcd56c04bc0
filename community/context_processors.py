from django.conf import settings


def site(request):
    return {"site_name": settings.HEARTH_SITE_NAME}
