"""What Hearth does in the background, on Procrastinate workers (`manage.py procrastinate
worker`; `make run` starts one). Each task is idempotent: a retry after a failure, or a job
run twice, never notifies or e-mails anyone twice (forums.services)."""

import functools
from datetime import UTC, datetime, timedelta

import procrastinate
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from procrastinate.contrib.django import app

from community import background

# 4 s, 16 s, 64 s … about 18 hours in all: long enough to outlast a mail server's outage.
RETRY = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=4)


def in_worker(task):
    """Runs a task's body as Django runs a request: a database connection that is broken or
    past DATABASE_CONN_MAX_AGE is closed before and after, so that a worker living for weeks
    outlasts a database restart. (Inside a transaction, as when the tests run a task at
    once, the connection is left alone.)"""

    @functools.wraps(task)
    def run(*args, **kwargs):
        fresh = not connection.in_atomic_block
        if fresh:
            close_old_connections()
        try:
            return task(*args, **kwargs)
        finally:
            if fresh:
                close_old_connections()

    return run


@app.task(queue="notifications", retry=RETRY)
@in_worker
def announce_post(post_id, mentioned_ids):
    """Notifies a newly visible post's followers and the members it mentions."""
    from forums import services

    services.post_announce_to_followers(post_id=post_id, mentioned_ids=mentioned_ids)


@app.task(queue="email", retry=RETRY)
@in_worker
def send_notification_emails(notification_ids):
    """E-mails the notifications whose recipients asked for e-mail, each at most once."""
    from forums import services

    services.notification_emails_send(notification_ids)


@app.periodic(cron="30 3 * * *", periodic_id="purge_deleted")
@app.task(queue="maintenance", queueing_lock="purge_deleted", retry=RETRY)
@in_worker
def purge_deleted(timestamp):
    """The retention job, once a day: what authors deleted HEARTH_RETENTION_DAYS ago."""
    from forums import services

    services.purge_deleted(older_than=timedelta(days=settings.HEARTH_RETENTION_DAYS))


@app.periodic(cron=settings.HEARTH_RETRY_STALLED_CRON, periodic_id="retry_stalled_jobs")
@app.task(queue="maintenance", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp):
    """A worker that died mid-task (killed, out of memory, its machine gone) stops sending
    heartbeats; after HEARTH_STALLED_WORKER_SECONDS its jobs are handed to another worker."""
    stalled = await context.app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.HEARTH_STALLED_WORKER_SECONDS
    )
    for job in stalled:
        await context.app.job_manager.retry_job(job)


@app.periodic(cron="0 7 * * 1", periodic_id="weekly_digest")  # Mondays, 07:00 UTC
@app.task(queue="maintenance", queueing_lock="weekly_digest", retry=RETRY)
@in_worker
def weekly_digest(timestamp):
    """Queues one digest job per member who asked for it, for the week that ends at the
    scheduled time, so that a late or retried run covers the same week. In one
    transaction: a failure queues none and its retry queues them all; members already sent
    this week's digest are left out, and forums.digest.digest_send refuses a second one
    anyway."""
    from forums import digest

    until = datetime.fromtimestamp(timestamp, UTC)
    with transaction.atomic():
        for member_id in digest.digest_recipients(week=digest.digest_week(until)).iterator():
            background.defer(send_weekly_digest, member_id=member_id, until=until.isoformat())


@app.task(queue="email", retry=RETRY)
@in_worker
def send_weekly_digest(member_id, until):
    """One member's weekly digest, built from what they may read when the job runs."""
    from forums import digest

    digest.digest_send(member_id=member_id, until=datetime.fromisoformat(until))
