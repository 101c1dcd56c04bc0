from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from forums.models import Post, Thread
from forums.services import post_delete
from tests.factories import make_community, make_reply, make_thread


def test_the_retention_job_removes_only_what_was_deleted_long_ago(member, capsys):
    community = make_community()
    kept = make_thread(member, community, title="Kept")
    old_reply = make_reply(member, kept, body="Deleted long ago")
    recent_reply = make_reply(member, kept, body="Deleted yesterday")
    gone = make_thread(member, community, title="Gone")
    for post in (old_reply, recent_reply, gone.posts.get()):
        post_delete(post=post, by=member)
    long_ago = timezone.now() - timedelta(days=31)
    Post.objects.filter(pk__in=[old_reply.pk, gone.posts.get().pk]).update(deleted_at=long_ago)
    Thread.objects.filter(pk=gone.pk).update(deleted_at=long_ago)

    call_command("purge_deleted", days=30)

    assert not Thread.objects.filter(pk=gone.pk).exists()
    assert not Post.objects.filter(pk=old_reply.pk).exists()
    assert Post.objects.filter(pk=recent_reply.pk).exists()
    assert kept.posts.filter(is_opening=True, deleted_at__isnull=True).exists()
    assert "Removed 1 thread(s) and 1 post(s)" in capsys.readouterr().out
