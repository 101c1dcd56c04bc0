"""Per-member rate limits for posting and reporting, counted in the cache (Redis in
production) in fixed windows. Settings: HEARTH_RATE_LIMITS, e.g. {"post": "10/60"}."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

MESSAGES = {
    "post": "You are posting faster than this community allows. Wait a minute, then post "
    "again: what you wrote is still here.",
    "report": "You have sent many reports in a short time. Please wait a while before "
    "sending more.",
}


def check(scope, member):
    """Counts one action; raises ValidationError when the member is over the limit."""
    allowed, seconds = (int(part) for part in settings.HEARTH_RATE_LIMITS[scope].split("/"))
    key = f"hearth:rate:{scope}:{member.pk}:{int(time.time() // seconds)}"
    if cache.add(key, 1, timeout=seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.add(key, 1, timeout=seconds)
            count = 1
    if count > allowed:
        raise ValidationError(MESSAGES[scope], code="rate_limited")
