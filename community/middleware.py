from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """Every response Django makes may carry member content or account data, so no browser
    or proxy keeps it: `Cache-Control: private, no-store`, and the back button on a shared
    computer shows nothing of the member who signed out. A view that chose its own
    Cache-Control (avatars, whose random names are never reused) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RequestBodyLimitMiddleware:
    """A request that announces a body larger than HEARTH_MAX_REQUEST_BYTES is answered 413
    before any of it is read. Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) counts form
    fields but not files. A body without a Content-Length is not read by Django at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty.
        limit = settings.HEARTH_MAX_REQUEST_BYTES
        if length > limit:
            page = render_to_string("413.html", {"limit": limit})
            return HttpResponse(page, status=413)
        return self.get_response(request)
