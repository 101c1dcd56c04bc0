from django.contrib.auth.middleware import get_user
from django.utils.functional import SimpleLazyObject

from forums.querysets import READER_ATTRIBUTE, Reader


def _with_reader(user):
    # Read at the first visibility check of the request, not before: pages that show
    # nothing behind the read door never pay for it.
    setattr(user, READER_ATTRIBUTE, SimpleLazyObject(lambda: Reader.load(user)))
    return user


class ReaderMiddleware:
    """Remembers, for the length of one request, what its viewer may read (Reader), so that
    every list, count and check on the page asks the database once. Goes right after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(lambda: _with_reader(get_user(request)))
        return self.get_response(request)
