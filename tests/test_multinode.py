"""Hearth past one machine, for real: two gunicorn app servers and two Procrastinate workers,
each a process of its own as on separate machines, share one PostgreSQL database and one
Redis. Through HTTP to both servers: a session begun on one is good on the other, a rate
limit holds across them, every background task runs once (one notification and one e-mail
per follower and post), and a worker killed in the middle of a job loses nothing: the other
worker takes the job over and finishes it.

The database is a throwaway one beside the test database, migrated and filled by
`manage.py` in subprocesses, dropped at the end; e-mail goes by SMTP to tests/mailsink.py."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from bench.browse import Browser
from bench.database import with_database_name
from bench.server import Server, Worker, production_environment, redis_answers
from tests.factories import PASSWORD
from tests.mailsink import MailSink

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("HEARTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
# Three posts per member in a window that no test run crosses (the limit counts in fixed
# windows: forums/ratelimit.py).
POSTS_ALLOWED = 3
POST_RATE = f"{POSTS_ALLOWED}/{10 * 365 * 24 * 3600}"
FOLLOWERS = 5
# Worker timings, shortened so that a dead worker's job is handed on in seconds: a heartbeat
# every second, a worker silent for 3 s is stalled, and the one alive looks for stalled jobs
# every 2 s (community/settings.py).
WORKER_ENVIRONMENT = {
    "HEARTH_STALLED_WORKER_SECONDS": "3",
    "HEARTH_RETRY_STALLED_CRON": "* * * * * */2",
}
WAIT = 90  # seconds, at most, for anything the workers do

SEED = """
import json
from tests.factories import join, make_community, make_member, make_thread
from forums.models import ThreadFollow
community = make_community("Night Shift", read_access="members")
def member(name):
    made = make_member(name, email=name.lower().replace(" ", ".") + "@multinode.test")
    join(made, community)
    return made
opener = member("Opener Oak")
posters = [member("Poster Pine"), member("Poster Plum")]
followers = [member(f"Follower {n}") for n in range(1, %(followers)d + 1)]
limited = member("Hasty Hazel")
limited_thread = make_thread(opener, community, title="Quick notes")
thread = make_thread(opener, community, title="Handover notes")
for follower in [*posters, *followers]:
    ThreadFollow.objects.get_or_create(thread=thread, member=follower)
keeper = member("Keeper Kale")
rescuers = [member("Rescuer Rye"), member("Rescuer Rue")]
held_thread = make_thread(keeper, community, title="Kept safe")
for rescuer in rescuers:
    ThreadFollow.objects.get_or_create(thread=held_thread, member=rescuer)
print("SEEDED " + json.dumps({
    "thread": thread.pk,
    "opener": opener.email,
    "posters": [m.email for m in posters],
    "followers": [m.email for m in followers],
    "limited": limited.email,
    "limited_thread": limited_thread.pk,
    "held_thread": held_thread.pk,
    "keeper": keeper.email,
    "rescuers": [m.email for m in rescuers],
}))
"""


def require_tools():
    """Skipped only when a tool is missing: Redis (the shared cache) or gunicorn."""
    missing = None
    if not Path(sys.executable).with_name("gunicorn").exists():
        missing = "gunicorn is not installed in this environment (`make install`)"
    elif not redis_answers(REDIS_URL):
        missing = f"Redis does not answer at {REDIS_URL}: start redis-server"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


def connect(url, dbname=None):
    params = conninfo_to_dict(url)
    if dbname:
        params["dbname"] = dbname
    return psycopg.connect(**params, connect_timeout=5, autocommit=True)


def manage(environment, *arguments, timeout=180):
    finished = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


def wait_until(predicate, *, timeout=WAIT, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s for {what}")


class Cluster:
    def __init__(self, database_url, seed, servers, workers, mail):
        self.database_url = database_url
        self.seed = seed
        self.servers = servers
        self.workers = workers
        self.mail = mail

    def query(self, statement, params=()):
        with connect(self.database_url) as connection:
            return connection.execute(statement, params).fetchall()

    def browser(self, server, email=None):
        browser = Browser(self.servers[server].base_url)
        if email:
            browser.sign_in(email, PASSWORD)
        return browser

    def open_jobs(self):
        """Jobs of Hearth's own tasks not finished yet (the periodic ones left aside)."""
        return self.query(
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
            " AND (task_name LIKE %s OR task_name LIKE %s)",
            ["%announce_post", "%send_notification_emails"],
        )[0][0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_tools()
    logs = tmp_path_factory.mktemp("multinode")
    base = os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/hearth"
    name = f"hearth_multinode_{secrets.token_hex(4)}"
    database_url = with_database_name(base, name)
    servers, workers = [], []
    import redis

    with connect(base, dbname="postgres") as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with MailSink() as mail:
            environment = {
                key: value
                for key, value in production_environment(database_url, REDIS_URL).items()
                if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"}
            }
            environment.update(
                {
                    "HEARTH_TASKS_EAGER": "0",
                    "HEARTH_MEMBERS_ONLY": "1",
                    "HEARTH_POST_RATE": POST_RATE,
                    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(mail.port),
                    "WEB_CONCURRENCY": "2",
                    # Every job a worker starts, in its log (job_starts).
                    "PROCRASTINATE_LOG_LEVEL": "INFO",
                    **WORKER_ENVIRONMENT,
                }
            )
            redis.Redis.from_url(REDIS_URL).flushdb()
            development = {**environment, "DEBUG": "1", "HEARTH_TASKS_EAGER": "1"}
            development["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
            manage(development, "migrate", "--noinput", "--verbosity", "0")
            output = manage(
                development, "shell", "--verbosity", "0", "-c", SEED % {"followers": FOLLOWERS}
            )
            seed = json.loads(output.split("SEEDED ", 1)[1])
            for letter in "ab":
                server = Server(environment, logs / f"gunicorn-{letter}.log")
                servers.append(server)
                server.start()
            for letter in "ab":
                # One job at a time: a worker holding a job holds nothing else.
                workers.append(Worker(environment, logs / f"worker-{letter}.log", letter))
            cluster = Cluster(database_url, seed, servers, workers, mail)
            wait_until(
                lambda: cluster.query("SELECT count(*) FROM procrastinate_workers")[0][0] == 2,
                what="both workers to register",
            )
            yield cluster
    finally:
        for process in [*workers, *servers]:
            process.stop()
        with connect(base, dbname="postgres") as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        redis.Redis.from_url(REDIS_URL).flushdb()


def reply(browser, thread_id, body):
    """Sends the reply form as a browser would; returns (status, the new post's id or None,
    the page)."""
    form = urlencode(
        {
            # The CSRF cookie's secret is a token the form may carry as it is.
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "body": body,
            "visibility": "public",
            "client_token": str(uuid.uuid4()),
        }
    )
    status, headers, page = browser.request(
        "POST",
        f"/t/{thread_id}/reply/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": browser.origin,
            "Referer": f"{browser.origin}/t/{thread_id}/",
        },
    )
    post = re.fullmatch(r"/p/(\d+)/", headers.get("Location") or "")
    return status, int(post.group(1)) if post else None, page


def test_a_session_begun_on_one_server_is_good_on_the_other(cluster):
    member = cluster.seed["followers"][0]
    on_a = cluster.browser(0, member)
    on_b = cluster.browser(1)
    on_b.cookies = dict(on_a.cookies)

    status, _, page = on_b.get("/notifications/")
    assert status == 200
    assert "Follower 1" in page

    # Signing out on B ends the session on A too.
    status, _, page = on_b.get("/accounts/logout/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, _ = on_b.request(
        "POST",
        "/accounts/logout/",
        body=urlencode({"csrfmiddlewaretoken": token}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": on_b.origin,
            "Referer": f"{on_b.origin}/accounts/logout/",
        },
    )
    assert status == 302
    status, headers, _ = on_a.get("/notifications/")
    assert status == 302
    assert headers["Location"].startswith("/accounts/login/")


def test_the_rate_limit_holds_across_servers(cluster):
    member = cluster.seed["limited"]
    browsers = [cluster.browser(0, member), cluster.browser(1)]
    browsers[1].cookies = dict(browsers[0].cookies)
    answers = []
    for attempt in range(POSTS_ALLOWED + 1):
        status, post, page = reply(
            browsers[attempt % 2], cluster.seed["limited_thread"], f"Quick note {attempt}"
        )
        answers.append((status, post is not None))
    # Each server alone saw at most two posts: only a shared count refuses the fourth.
    assert answers == [(302, True)] * POSTS_ALLOWED + [(400, False)]
    assert "You are posting faster than this community allows" in page
    assert f"Quick note {POSTS_ALLOWED}" in page  # what they typed is still there


def emails_about(cluster, posts):
    """(recipient, post id) of every message the sink got about one of `posts`."""
    pairs = []
    for message in cluster.mail.received():
        post = re.search(r"/p/(\d+)/", message.get_content())
        if post and int(post.group(1)) in posts:
            pairs.append((message["To"], int(post.group(1))))
    return pairs


def notifications_about(cluster, posts):
    return cluster.query(
        "SELECT member.email, notification.post_id, notification.emailed_at IS NOT NULL"
        " FROM forums_notification notification"
        " JOIN accounts_member member ON member.id = notification.recipient_id"
        " WHERE notification.post_id = ANY(%s)",
        [list(posts)],
    )


def job_starts(cluster, task):
    """[(worker, job id, its arguments)] for every start of one task's jobs, from the workers'
    logs (PROCRASTINATE_LOG_LEVEL=INFO): jobs that succeeded are not kept in the database."""
    pattern = re.compile(rf"Starting job forums\.tasks\.{task}\[(\d+)\]\((.*)\)$", re.MULTILINE)
    return [
        (worker.name, int(job), arguments)
        for worker in cluster.workers
        for job, arguments in pattern.findall(worker.log_path.read_text(errors="replace"))
    ]


def test_every_task_runs_once_whichever_server_and_worker(cluster):
    seed = cluster.seed
    posters = [cluster.browser(0, email) for email in seed["posters"]]
    everyone = {seed["opener"], *seed["posters"], *seed["followers"]}
    expected = set()
    posts = []
    # Each poster replies through both servers, alternately.
    for number, (poster, server) in enumerate([(0, 0), (1, 1), (0, 1), (1, 0)]):
        browser = cluster.browser(server)
        browser.cookies = dict(posters[poster].cookies)
        status, post, page = reply(browser, seed["thread"], f"Shift note {number}")
        assert status == 302, page
        posts.append(post)
        expected |= {(email, post) for email in everyone - {seed["posters"][poster]}}

    wait_until(
        lambda: len(emails_about(cluster, posts)) >= len(expected) and cluster.open_jobs() == 0,
        what=f"{len(expected)} e-mails",
    )
    emails = Counter(emails_about(cluster, posts))
    assert set(emails) == expected
    assert set(emails.values()) == {1}, "an e-mail went out twice"
    notifications = Counter(
        (email, post) for email, post, emailed in notifications_about(cluster, posts) if emailed
    )
    assert set(notifications) == expected
    assert set(notifications.values()) == {1}, "a notification was made twice"
    # One job per reply, started once, by one worker or the other; none failed.
    announced = Counter(
        int(re.match(r"post_id=(\d+)", arguments).group(1))
        for _, _, arguments in job_starts(cluster, "announce_post")
    )
    assert {post: announced[post] for post in posts} == dict.fromkeys(posts, 1)
    assert cluster.query("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == [
        (0,)
    ]


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing(cluster):
    seed = cluster.seed
    wait_until(lambda: cluster.open_jobs() == 0, what="the queue to be empty")
    rescuers = [cluster.browser(0, email) for email in seed["rescuers"]]
    doomed, survivor = cluster.workers

    # Mail that never answers holds each sending job in the middle: one reply, one job, one
    # worker holding it (each runs one job at a time); the second reply holds the other.
    cluster.mail.hold()
    posts = []
    for number, browser in enumerate(rescuers):
        status, post, page = reply(browser, seed["held_thread"], f"Are you there? {number}")
        assert status == 302, page
        posts.append(post)
        cluster.mail.wait_for_held(number + 1, timeout=WAIT)
    held = cluster.query(
        "SELECT id FROM procrastinate_jobs WHERE status = 'doing' AND task_name LIKE %s",
        ["%send_notification_emails"],
    )
    assert len(held) == 2

    doomed.kill()
    cluster.mail.release()
    everyone = {seed["keeper"], *seed["rescuers"]}
    expected = {(email, post) for email in everyone for post in posts} - {
        (seed["rescuers"][number], post) for number, post in enumerate(posts)
    }
    wait_until(
        lambda: len(emails_about(cluster, posts)) >= len(expected) and cluster.open_jobs() == 0,
        what="the dead worker's job to be handed on and finished",
    )
    assert survivor.alive()
    emails = Counter(emails_about(cluster, posts))
    assert set(emails) == expected
    assert set(emails.values()) == {1}
    assert all(emailed for _, _, emailed in notifications_about(cluster, posts))
    # The dead worker's job was started by it, then again by the survivor, which finished it.
    starts = [(worker, job) for worker, job, _ in job_starts(cluster, "send_notification_emails")]
    held = {job for (job,) in held}
    assert sorted(worker for worker, job in starts if job in held) == ["a", "b", "b"]
    assert cluster.query(
        "SELECT count(*) FROM procrastinate_jobs WHERE id = ANY(%s)", [list(held)]
    ) == [(0,)], "a held job did not succeed (successful jobs are deleted)"
