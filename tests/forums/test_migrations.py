import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("forums", "0010_departed_members_leave_their_words")]
AFTER = [("forums", "0011_threads_others_replied_to_come_back")]


@pytest.mark.django_db
def test_threads_deleted_with_others_replies_under_the_old_rule_come_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Member = old.get_model("accounts", "Member")
    Community, Category = old.get_model("forums", "Community"), old.get_model("forums", "Category")
    Thread, Post = old.get_model("forums", "Thread"), old.get_model("forums", "Post")
    author, replier = (
        Member.objects.create(
            email=f"{name}@example.org", display_name=name, display_name_key=name, handle=name
        )
        for name in ("opener", "replier")
    )
    community = Community.objects.create(name="Runners", slug="runners", public_thread_count=0)
    category = Category.objects.create(community=community, name="General", slug="general")
    deleted = timezone.now()

    def thread(title, *, reply_by, reply_deleted=False):
        made = Thread.objects.create(
            community=community,
            category=category,
            author=author,
            title=title,
            slug=title,
            deleted_at=deleted,
        )
        Post.objects.create(
            thread=made, author=author, is_opening=True, body="x", body_html="x", deleted_at=deleted
        )
        Post.objects.create(
            thread=made,
            author=reply_by,
            body="y",
            body_html="y",
            deleted_at=deleted if reply_deleted else None,
        )
        return made

    others = thread("others-replied", reply_by=replier)
    alone = thread("only-the-author", reply_by=author)
    gone = thread("their-reply-deleted-too", reply_by=replier, reply_deleted=True)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Thread, Community = new.get_model("forums", "Thread"), new.get_model("forums", "Community")

    assert Thread.objects.get(pk=others.pk).deleted_at is None
    assert Thread.objects.get(pk=alone.pk).deleted_at is not None
    assert Thread.objects.get(pk=gone.pk).deleted_at is not None
    assert Community.objects.get(pk=community.pk).public_thread_count == 1
