"""Writes and the queue: posting a reply to a thread that 1,000 members follow (the form
POST until its redirect, one client), and two Procrastinate workers sending the notification
e-mails of ten such replies (10,000, by the file backend).

Both run on a copy of the benchmark database (`CREATE DATABASE ... TEMPLATE`), dropped
afterwards, so that the data set the pages are measured on never changes."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from psycopg import sql

from bench import database
from bench.browse import Browser
from bench.database import PROJECT_ROOT, say
from bench.server import Server, Worker

# Followers of the thread replied to; the tiny scale (the harness test) makes do with fewer.
FOLLOWERS = {"full": 1000, "medium": 1000, "small": 1000, "tiny": 100}
# Replies timed, after a few untimed ones to warm the server up.
REPLIES = {"full": 200, "medium": 200, "small": 100, "tiny": 10}
WARM_UP_REPLIES = 5
# Replies whose notifications the workers then send: 10 x 1,000 = 10,000 e-mails.
QUEUE_REPLIES = {"full": 10, "medium": 10, "small": 10, "tiny": 2}
QUEUE_WORKERS = 2
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY") or 4)
QUEUE_TIMEOUT = 600

REPLY_P95_MS = 50
QUEUE_SECONDS = 60

# Run by `manage.py shell` in the copy: a public thread of an open community that does not
# hold back new members' posts, the bench viewer a member there, and exactly FOLLOWERS
# members following it who may read it, want e-mail for replies, and are not the viewer
# (members are added when the data set has too few).
SETUP = """
import json
from accounts.models import Member, default_email_notifications
from accounts.services import member_create
from forums.models import Membership, Post, Thread, ThreadFollow
viewer = Member.objects.get(email=%(viewer)r)
thread = (
    Thread.objects.visible_to(viewer)
    .filter(visibility="public", is_locked=False, is_pending=False, deleted_at=None,
            hidden_at=None, community__read_access="open",
            community__premoderate_first_posts=0)
    .order_by("pk").first()
)
membership, _ = Membership.objects.get_or_create(community=thread.community, member=viewer)
Membership.objects.filter(pk=membership.pk).update(state="active", suspended_until=None)
opening = thread.posts.get(is_opening=True)
ThreadFollow.objects.filter(thread=thread).delete()
followers, added = [], 0
for member in Member.objects.filter(is_active=True).exclude(pk=viewer.pk).order_by("pk"):
    if len(followers) == %(followers)d:
        break
    if Post.objects.visible_to(member).filter(pk=opening.pk).exists():
        followers.append(member.pk)
while len(followers) < %(followers)d:
    added += 1
    made = member_create(email=f"follower{added}@bench-followers.example", password=None,
                         display_name=f"Bench Follower {added}", email_verified=True)
    followers.append(made.pk)
Member.objects.filter(pk__in=followers).update(email_notifications=default_email_notifications())
ThreadFollow.objects.bulk_create(ThreadFollow(thread=thread, member_id=pk) for pk in followers)
print("SETUP " + json.dumps({"thread": thread.pk, "followers": len(followers), "added": added,
                             "community": thread.community.slug}))
"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _copy_database(url):
    """A copy of the benchmark database beside it; nothing else may be connected to it."""
    copy = database.with_database_name(url, database.database_name(url) + "_writes")
    name = sql.Identifier(database.database_name(copy))
    with database._connect(url, dbname="postgres") as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                name, sql.Identifier(database.database_name(url))
            )
        )
    return copy


def _drop_database(url):
    name = sql.Identifier(database.database_name(url))
    with database._connect(url, dbname="postgres") as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _query(url, statement, params=()):
    with database._connect(url) as connection:
        return connection.execute(statement, params).fetchall()


def _setup(url, followers):
    from bench.pages import VIEWER_EMAIL

    environment = {"DEBUG": "1", **os.environ, "DATABASE_URL": url, "HEARTH_TASKS_EAGER": "1"}
    finished = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--verbosity",
            "0",
            "-c",
            SETUP % {"viewer": VIEWER_EMAIL, "followers": followers},
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0 or "SETUP " not in finished.stdout:
        raise RuntimeError(f"setting up the followed thread failed:\n{finished.stderr}")
    return json.loads(finished.stdout.split("SETUP ", 1)[1])


def reply(browser, thread_id, body):
    """The reply form sent as the browser sends it; returns (status, seconds, post id)."""
    form = urlencode(
        {
            # The CSRF cookie's secret is a token the form may carry as it is.
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "body": body,
            "visibility": "public",
            "client_token": str(uuid.uuid4()),
        }
    )
    started = time.perf_counter()
    status, headers, _ = browser.request(
        "POST",
        f"/t/{thread_id}/reply/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": browser.origin,
            "Referer": f"{browser.origin}/t/{thread_id}/",
        },
    )
    seconds = time.perf_counter() - started
    post = re.fullmatch(r"/p/(\d+)/", headers.get("Location") or "")
    if status != 302 or not post:
        raise RuntimeError(f"a reply to thread {thread_id} answered {status}, not the redirect")
    return seconds, int(post.group(1))


def count_messages(folder):
    """Messages the file backend wrote (several to a file: one file per connection), and
    how many of them went to the same address about the same post twice."""
    seen, duplicates = set(), 0
    for path in Path(folder).iterdir():
        for message in path.read_text(errors="replace").split("-" * 79 + "\n"):
            to = re.search(r"^To: (.+)$", message, re.MULTILINE)
            link = re.search(r"/p/(\d+)/", message)
            if not to:
                continue
            key = (to.group(1), link.group(1) if link else None)
            duplicates += key in seen
            seen.add(key)
    return len(seen) + duplicates, duplicates


def task_durations(workers):
    """Per task, from the workers' logs (PROCRASTINATE_LOG_LEVEL=INFO): jobs run and the
    seconds they lasted, so that a slow queue says which task it waits on."""
    pattern = re.compile(
        r"^Job forums\.tasks\.(\w+)\[\d+\]\(.*\) ended with status: (\w+), lasted ([\d.]+) s",
        re.MULTILINE,
    )
    tasks = {}
    for worker in workers:
        worker.log.flush()
        for task, status, seconds in pattern.findall(worker.log_path.read_text(errors="replace")):
            figures = tasks.setdefault(task, {"jobs": 0, "seconds": 0.0, "not_success": 0})
            figures["jobs"] += 1
            figures["seconds"] += float(seconds)
            figures["not_success"] += status != "Success"
    for figures in tasks.values():
        figures["mean_seconds"] = round(figures["seconds"] / figures["jobs"], 3)
        figures["seconds"] = round(figures["seconds"], 1)
    return tasks


def _hearth_jobs_open(url):
    return _query(
        url,
        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
        " AND task_name NOT IN (SELECT DISTINCT task_name FROM procrastinate_periodic_defers)",
    )[0][0]


def measure(url, scale, environment, logs: Path):
    """Both scenarios on a copy of `url`; the server and workers run with `environment`
    (production's), e-mail to files. Returns the figures for the results JSON."""
    followers = FOLLOWERS[scale]
    copy = _copy_database(url)
    mail = Path(tempfile.mkdtemp(prefix="hearth-bench-mail-"))
    site, workers = None, []
    try:
        say(f"writes: a thread with {followers} followers in a copy of the data set")
        setup = _setup(copy, followers)
        environment = {
            **environment,
            "DATABASE_URL": copy,
            "HEARTH_TASKS_EAGER": "0",
            "HEARTH_POST_RATE": "1000000/60",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail),
            # Every job in the workers' logs, with how long it lasted (task_durations).
            "PROCRASTINATE_LOG_LEVEL": "INFO",
        }
        site = Server(environment, logs / "gunicorn-writes.log")
        site.start()
        from bench.pages import VIEWER_EMAIL, VIEWER_PASSWORD

        browser = Browser(site.base_url)
        browser.sign_in(VIEWER_EMAIL, VIEWER_PASSWORD)
        for number in range(WARM_UP_REPLIES):
            reply(browser, setup["thread"], f"Warming up, reply {number}.")
        timings = [
            reply(browser, setup["thread"], f"Timed reply {number}, no links.")[0]
            for number in range(REPLIES[scale])
        ]
        # No worker ran yet: what those replies set going is not what is measured next.
        _query(copy, "DELETE FROM procrastinate_jobs WHERE status = 'todo' RETURNING id")
        posting = {
            "replies": len(timings),
            "followers": setup["followers"],
            "followers_added": setup["added"],
            "p50_ms": round(percentile(timings, 0.50) * 1000, 1),
            "p95_ms": round(percentile(timings, 0.95) * 1000, 1),
            "max_ms": round(max(timings) * 1000, 1),
            "target": f"p95<{REPLY_P95_MS} ms",
            "notes": ["one client, workers stopped (their work is measured apart)"],
        }
        posting["ok"] = posting["p95_ms"] < REPLY_P95_MS
        say(f"reply with {setup['followers']} followers: p95 {posting['p95_ms']} ms")

        for number in range(QUEUE_WORKERS):
            workers.append(
                Worker(
                    environment,
                    logs / f"worker-{number}.log",
                    f"bench-{number}",
                    concurrency=WORKER_CONCURRENCY,
                )
            )
        deadline = time.monotonic() + 60
        while _query(copy, "SELECT count(*) FROM procrastinate_workers")[0][0] < QUEUE_WORKERS:
            if time.monotonic() > deadline or not all(w.alive() for w in workers):
                raise RuntimeError("the workers did not start:\n" + workers[0].tail())
            time.sleep(0.1)
        expected = QUEUE_REPLIES[scale] * setup["followers"]
        started = time.monotonic()
        posts = [
            reply(browser, setup["thread"], f"Queued reply {number}.")[1]
            for number in range(QUEUE_REPLIES[scale])
        ]
        emailed = 0
        while True:
            emailed = _query(
                copy,
                "SELECT count(*) FROM forums_notification WHERE post_id = ANY(%s)"
                " AND emailed_at IS NOT NULL",
                [posts],
            )[0][0]
            if emailed >= expected and _hearth_jobs_open(copy) == 0:
                break
            if time.monotonic() - started > QUEUE_TIMEOUT:
                raise RuntimeError(f"{emailed} of {expected} e-mails sent in {QUEUE_TIMEOUT} s")
            if not all(worker.alive() for worker in workers):
                raise RuntimeError("a worker died:\n" + workers[0].tail())
            time.sleep(0.1)
        seconds = time.monotonic() - started
        messages, duplicates = count_messages(mail)
        failed = _query(copy, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        queue = {
            "replies": len(posts),
            "emails_expected": expected,
            "emails_marked_sent": emailed,
            "messages_written": messages,
            "duplicate_messages": duplicates,
            "failed_jobs": failed[0][0],
            "workers": QUEUE_WORKERS,
            "concurrency": WORKER_CONCURRENCY,
            "seconds": round(seconds, 1),
            "emails_per_second": round(messages / seconds, 1),
            "tasks": task_durations(workers),
            "target": f"{expected} e-mails in <{QUEUE_SECONDS} s",
        }
        queue["ok"] = (
            seconds < QUEUE_SECONDS
            and messages == expected
            and duplicates == 0
            and queue["failed_jobs"] == 0
        )
        say(f"queue: {messages} e-mails in {seconds:.1f} s on {QUEUE_WORKERS} workers")
        for task, figures in queue["tasks"].items():
            say(f"  {task}: {figures['jobs']} jobs, {figures['mean_seconds']} s each")
        return {"reply": posting, "queue": queue}
    except Exception:
        for process in [site, *workers]:
            if process is not None and process.process is not None:
                say(f"{process.log_path}:\n{process.tail()}")
        raise
    finally:
        for worker in workers:
            worker.stop()
        if site is not None:
            site.stop()
        _drop_database(copy)
        shutil.rmtree(mail, ignore_errors=True)
