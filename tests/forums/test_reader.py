"""What decides a viewer's reading is read once per request, and anew after a write that
changes it."""

from django.utils.functional import SimpleLazyObject

from accounts.models import Member
from forums.middleware import _with_reader
from forums.models import Community, Post
from forums.services import community_leave
from tests.factories import join, make_community, make_thread


def as_request_user(member):
    """request.user as ReaderMiddleware leaves it: lazy, carrying its Reader."""
    return SimpleLazyObject(lambda: _with_reader(Member.objects.get(pk=member.pk)))


def test_leaving_is_read_by_the_rest_of_the_request(member_factory):
    quiet = make_community("Quiet", read_access="private")
    member = member_factory("Member")
    join(member, quiet)
    user = as_request_user(member)
    assert quiet in Community.objects.readable_by(user)
    community_leave(community=quiet, member=user)
    assert quiet not in Community.objects.readable_by(user)


def test_the_reader_is_read_once_per_request(member_factory, django_assert_num_queries):
    member = member_factory("Member")
    make_thread(member, make_community("Open", read_access="open"))
    user = as_request_user(member)
    user.pk  # noqa: B018 - the member itself, as the session middleware would have it
    with django_assert_num_queries(3):  # the Reader, then one query for each list
        assert list(Post.objects.visible_to(user))
        assert list(Community.objects.readable_by(user))


def test_a_filter_outside_a_request_reads_the_reader_once(
    member_factory, django_assert_num_queries
):
    member = member_factory("Member")
    make_thread(member, make_community("Open", read_access="open"))
    with django_assert_num_queries(2):  # notify() asks this once per follower
        assert Post.objects.visible_to(member).exists()
