from django.db import migrations
from django.db.models import Exists, OuterRef


def restore_threads(apps, schema_editor):
    """Before 0010, deleting an opening post deleted its thread, replies and all. A thread
    deleted so, with others' replies still live, comes back now, its opening post a
    placeholder (forums.services.post_delete), and its community is counted again
    (Community.public_thread_count, as forums.services.community_recount counts)."""
    Thread = apps.get_model("forums", "Thread")
    Post = apps.get_model("forums", "Post")
    Community = apps.get_model("forums", "Community")
    others_live = Post.objects.filter(
        thread=OuterRef("pk"), is_opening=False, deleted_at__isnull=True
    ).exclude(author=OuterRef("author"))
    back = Thread.objects.filter(deleted_at__isnull=False).filter(Exists(others_live))
    communities = set(back.values_list("community_id", flat=True))
    back.update(deleted_at=None)
    for community in communities:
        count = Thread.objects.filter(
            community=community,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            is_pending=False,
            visibility="public",
        ).count()
        Community.objects.filter(pk=community).update(public_thread_count=count)


class Migration(migrations.Migration):
    dependencies = [("forums", "0010_departed_members_leave_their_words")]

    operations = [migrations.RunPython(restore_threads, migrations.RunPython.noop)]
