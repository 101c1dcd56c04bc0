from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


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
