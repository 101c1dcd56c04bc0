"""Background work on the real queue: Procrastinate's jobs in PostgreSQL, run by its worker.

The rest of the suite runs tasks at once (HEARTH_TASKS_EAGER); here they are deferred for
real, so these tests commit (transactional_db) and a worker, in this process or in its own,
takes the jobs from the table."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from forums import tasks
from forums.models import Notification, Post
from tests.factories import join, make_community, make_member, make_reply, make_thread

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(settings):
    settings.HEARTH_TASKS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


@pytest.fixture
def conversation(queued):
    """A thread with three followers who want e-mail of replies, and a replier."""
    community = make_community("Runners")
    asker = make_member("Asker")
    thread = make_thread(asker, community, title="Shin splints")
    followers = [asker]
    for name in ("Follower One", "Follower Two"):
        follower = make_member(name)
        make_reply(follower, thread, body=f"{name} is here too")
        followers.append(follower)
    replier = make_member("Replier")
    join(replier, community)
    work()  # what the set-up queued
    Notification.objects.all().delete()
    mail.outbox = []
    return thread, followers, replier


@pytest.fixture(autouse=True)
def _no_connection_left_behind(monkeypatch):
    """The worker's threads open their own database connections: closed after each task
    (forums.tasks.in_worker) when they are kept for no time, so the test database can be
    dropped at the end."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@pytest.fixture(scope="module", autouse=True)
def _end_idle_worker_connections(django_db_blocker):
    """What the worker's own threads still hold once this module is done (Procrastinate's
    periodic deferrer keeps one): ended, so the test database can be dropped."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
        )


def work():
    """Runs a worker in this process until the queue is empty, on a connection of its own
    as `manage.py procrastinate worker` does, and in a thread of its own: its event loop
    must not meet the browser tests' one in this thread."""
    worker = app.with_connector(app.connector.get_worker_connector())
    failure = []

    def run():
        try:
            worker.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
        except BaseException as error:  # handed to the test
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the worker did not finish"
    if failure:
        raise failure[0]


def jobs(task, **args):
    return [
        job
        for job in ProcrastinateJob.objects.filter(task_name=task.name)
        if all(job.args.get(key) == value for key, value in args.items())
    ]


def test_a_job_commits_with_its_write_and_never_outlives_a_rollback(conversation):
    thread, _, replier = conversation
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = make_reply(replier, thread, body="Never posted")
        raise RuntimeError("the request failed after the reply was written")
    assert not Post.objects.filter(pk=rolled_back.pk).exists()
    assert jobs(tasks.announce_post, post_id=rolled_back.pk) == []

    reply = make_reply(replier, thread, body="Posted")
    assert [job.status for job in jobs(tasks.announce_post, post_id=reply.pk)] == ["todo"]
    assert not Notification.objects.filter(post=reply).exists()  # nothing before a worker


def test_each_follower_hears_once_even_when_a_job_runs_twice(conversation):
    thread, followers, replier = conversation
    reply = make_reply(replier, thread, body="Ice and rest")
    work()
    # The same job again, as a retry after a lost acknowledgement would run it.
    tasks.announce_post.defer(post_id=reply.pk, mentioned_ids=[])
    notified = list(Notification.objects.filter(post=reply).values_list("pk", flat=True))
    tasks.send_notification_emails.defer(notification_ids=notified)
    work()

    recipients = sorted(Notification.objects.filter(post=reply).values_list("recipient", flat=True))
    assert recipients == sorted(member.pk for member in followers)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(m.email for m in followers)
    assert all("Ice and rest" not in message.body for message in mail.outbox)
    assert ProcrastinateJob.objects.filter(status="todo").count() == 0


def test_a_mail_server_that_is_down_is_tried_again_and_nothing_is_sent_twice(
    conversation, settings
):
    thread, followers, replier = conversation
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    reply = make_reply(replier, thread, body="While the mail server is down")
    work()

    assert Notification.objects.filter(post=reply).count() == len(followers)  # on the site
    (job,) = ProcrastinateJob.objects.filter(task_name=tasks.send_notification_emails.name)
    assert (job.status, job.attempts) == ("todo", 1)  # failed once, waiting to be retried
    assert not Notification.objects.filter(post=reply, emailed_at__isnull=False).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with connection.cursor() as cursor:  # its wait is over
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", [job.id])
    work()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(m.email for m in followers)
    assert not ProcrastinateJob.objects.filter(status="todo").exists()


def test_a_real_worker_process_notifies_and_emails(conversation, tmp_path, settings):
    thread, followers, replier = conversation
    outbox = tmp_path / "mail"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "1",
        "HEARTH_TASKS_EAGER": "0",
        "DATABASE_URL": (
            f"postgres://{settings.DATABASES['default']['USER'] or 'postgres'}@"
            f"{settings.DATABASES['default']['HOST'] or '127.0.0.1'}:"
            f"{settings.DATABASES['default']['PORT'] or 5432}/{connection.settings_dict['NAME']}"
        ),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--delete-jobs", "successful"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        reply = make_reply(replier, thread, body="Sent through the real worker")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sent = list(outbox.glob("*.log")) if outbox.exists() else []
            messages = sum(path.read_text().count("\nTo: ") for path in sent)
            if messages >= len(followers):
                break
            time.sleep(0.2)
        assert Notification.objects.filter(post=reply).count() == len(followers)
        assert messages == len(followers)
        assert not ProcrastinateJob.objects.exists()  # done, and not kept
    finally:
        worker.terminate()
        output = worker.communicate(timeout=15)[0]
    assert worker.returncode in (0, -15), output
