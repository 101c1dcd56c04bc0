"""The error pages Django shows when a request fails on our side (DEBUG off)."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

# How long a browser, crawler or load balancer is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30
# What the database driver raises when PostgreSQL cannot be reached or the connection broke.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


def database_unreachable_response():
    """The 503 page for a database outage. It is rendered without the request, so no context
    processor runs, and its template extends nothing: nothing on it asks the database."""
    body = loader.render_to_string("503.html", {"site_name": settings.HEARTH_SITE_NAME})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _caused_by_unreachable_database(error):
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_UNREACHABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def server_error(request):
    """handler500. Django calls it for every uncaught exception when DEBUG is off, wherever
    it was raised: in a middleware (loading the session, the member, their Reader), in the
    view or in its template, for any method. A request that failed because PostgreSQL is
    unreachable gets the calm 503 page with Retry-After; anything else Django's 500 page."""
    if _caused_by_unreachable_database(sys.exc_info()[1]):
        return database_unreachable_response()
    return defaults.server_error(request)
