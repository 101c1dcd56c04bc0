"""A database outage, for real: gunicorn serves the site as in production while PostgreSQL
refuses (or never answers) the connection, and every page, GET or POST, gets the calm 503."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.urls import path

ROOT = Path(__file__).resolve().parent.parent
# Nothing listens on port 1: the connection is refused at once.
REFUSED_DATABASE = "postgres://postgres@127.0.0.1:1/hearth"
CSRF_SECRET = "a" * 32  # a CSRF cookie Django accepts, and the same (unmasked) token in forms


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, *, session=False, form=None, timeout=30):
        cookies = [f"csrftoken={CSRF_SECRET}"]
        if session:
            # A signed-in member's browser sends its session cookie: the session is loaded
            # from the database by SessionMiddleware, before any view runs.
            cookies.append("sessionid=" + "s" * 32)
        headers = {"Cookie": "; ".join(cookies), "Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF_SECRET, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response, response.read().decode()
        finally:
            connection.close()


@pytest.fixture
def serve(tmp_path):
    """Starts gunicorn with production settings against a given DATABASE_URL."""
    processes = []

    def start(database_url):
        port = free_port()
        inherited = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
        }
        environment = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "community.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "HEARTH_MEMBERS_ONLY": "1",
            "LOG_LEVEL": "CRITICAL",
        }
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "community.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / f"gunicorn-{port}.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return Site(port)
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    yield start
    for process, log in processes:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def assert_outage_page(response, body):
    assert response.status == 503, body
    assert response.getheader("Retry-After") == "30"
    assert response.getheader("Cache-Control") == "no-store"
    assert "Hearth can't reach its database just now" in body
    assert "What you typed is kept in this browser" in body
    assert "Try again in a minute" in body


@pytest.mark.parametrize(
    ("method", "path", "session", "form"),
    [
        # The session middleware fails, for a member reading ...
        ("GET", "/c/runners/", True, None),
        # ... and for a member sending a reply.
        ("POST", "/t/1/reply/", True, {"body": "Still here?", "visibility": "public"}),
        # No session: members-only mode lets the sign-in form through, whose view fails.
        ("POST", "/accounts/login/", False, {"login": "a@example.org", "password": "x"}),
    ],
)
def test_a_refused_database_connection_answers_503_on_every_road(
    serve, method, path, session, form
):
    site = serve(REFUSED_DATABASE)
    response, body = site.request(method, path, session=session, form=form)
    assert_outage_page(response, body)


def test_healthz_says_the_database_is_unreachable(serve):
    site = serve(REFUSED_DATABASE)
    response, body = site.request("GET", "/healthz")
    assert response.status == 503
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("Retry-After") == "30"
    assert "no-cache" in response.getheader("Cache-Control")
    assert body == '{"status": "unavailable", "database": "unreachable"}'


def test_a_database_that_never_answers_gives_up_after_the_connect_timeout(serve):
    # A port that accepts the connection (the kernel does) but never speaks PostgreSQL:
    # without a connect timeout the request would wait until gunicorn killed the worker.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        site = serve(f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/hearth")
        started = time.monotonic()
        response, body = site.request("GET", "/c/runners/", session=True, timeout=25)
        elapsed = time.monotonic() - started
    assert_outage_page(response, body)
    assert elapsed < 15


# In process: the handler tells a lost database from any other failure.
def fails_for_another_reason(request):
    raise ValueError("a bug")


def fails_while_handling_a_lost_database(request):
    from django.db import OperationalError

    try:
        raise OperationalError("connection to server was lost")
    except OperationalError as error:
        raise RuntimeError("could not render the page") from error


urlpatterns = [
    path("bug/", fails_for_another_reason),
    path("lost/", fails_while_handling_a_lost_database),
]
handler500 = "community.errors.server_error"


@pytest.fixture
def visitor(client, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    client.raise_request_exception = False
    return client


@pytest.mark.urls(__name__)
def test_any_other_failure_keeps_the_500_page(visitor):
    response = visitor.get("/bug/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert "Retry-After" not in response


@pytest.mark.urls(__name__)
def test_a_failure_caused_by_a_lost_database_is_the_outage_page(visitor):
    response = visitor.get("/lost/")
    assert_outage_page_in_process(response)


def assert_outage_page_in_process(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"can't reach its database just now" in response.content
