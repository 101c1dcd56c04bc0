"""The benchmark's own database: found beside the developer's, filled by `generate_data` once
per scale, and reused while it still holds what that scale asked for."""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Arguments to `manage.py generate_data` for each scale.
SCALES = {
    "full": ["--members", "10000", "--threads", "100000", "--replies", "9"],
    "medium": ["--members", "2000", "--threads", "10000", "--replies", "9"],
    "small": ["--members", "500", "--threads", "2000", "--replies", "9"],
    "tiny": ["--members", "60", "--threads", "150", "--replies", "5"],
}
# A table of our own, outside Django's models, naming what the data set was generated with.
# It is written only after generate_data finished, so a half-built database is never reused.
MARKER_TABLE = "bench_marker"
GENERATOR = PROJECT_ROOT / "forums" / "management" / "commands" / "generate_data.py"


def say(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def developer_database_url():
    """The database `make run` and `make test` use (community.devdb finds or makes one)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    found = subprocess.run(
        [sys.executable, "-m", "community.devdb"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SystemExit(found.stderr.strip() or "community.devdb found no database")
    return found.stdout.strip()


def with_database_name(url, name):
    """`url` pointing at database `name` on the same server, as the same role."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url):
    return conninfo_to_dict(url)["dbname"]


def _connect(url, dbname=None):
    params = conninfo_to_dict(url)
    if dbname:
        params["dbname"] = dbname
    return psycopg.connect(**params, connect_timeout=5, autocommit=True)


def _create(url, *, drop_first):
    name = database_name(url)
    with _connect(url, dbname="postgres") as connection:
        if drop_first:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            say(f"dropped database {name}")
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


def post_count(url):
    with _connect(url) as connection:
        return connection.execute("SELECT count(*) FROM forums_post").fetchone()[0]


def generator_digest():
    """Changes whenever generate_data does: a new generator makes a different data set."""
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def _marker(url):
    """What the data set was generated with, or None when the database holds no finished one."""
    with _connect(url) as connection:
        present = connection.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()[0]
        if not present:
            return None
        row = connection.execute(
            sql.SQL("SELECT row_to_json(marker) FROM {} AS marker").format(
                sql.Identifier(MARKER_TABLE)
            )
        ).fetchone()
    return row[0] if row else None


def _write_marker(url, arguments, posts):
    with _connect(url) as connection, connection.transaction():
        table = sql.Identifier(MARKER_TABLE)
        connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        connection.execute(
            sql.SQL(
                "CREATE TABLE {} (arguments jsonb NOT NULL, generator text NOT NULL,"
                " posts bigint NOT NULL, generated_at timestamptz NOT NULL DEFAULT now())"
            ).format(table)
        )
        connection.execute(
            sql.SQL("INSERT INTO {} (arguments, generator, posts) VALUES (%s, %s, %s)").format(
                table
            ),
            [json.dumps(arguments), generator_digest(), posts],
        )


def _stale(marker, arguments, url):
    """Why the database cannot be reused as the data set for `arguments`, or None."""
    if marker is None:
        return "it holds no finished data set"
    if marker["arguments"] != arguments:
        return f"it was generated with {' '.join(marker['arguments'])}"
    if marker.get("generator") != generator_digest():
        return "generate_data changed since"
    if marker["posts"] != post_count(url):
        return "its posts changed since"
    return None


def manage(url, *arguments):
    """Runs a management command on the bench database with the development settings (DEBUG
    is off unless set); the server under measurement has production's (bench/server.py)."""
    environment = {"DEBUG": "1", **os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=PROJECT_ROOT, env=environment, check=True
    )


def prepare(url, scale, *, rebuild):
    """Makes `url` hold the data set of `scale`, generating it only when it does not already.
    Returns the marker describing the data."""
    arguments = SCALES[scale]
    _create(url, drop_first=rebuild)
    if not rebuild and _has_tables(url):
        marker = _marker(url)
        reason = _stale(marker, arguments, url)
        if reason is None:
            say(f"reusing {database_name(url)} (generated {marker['generated_at']})")
            manage(url, "migrate", "--noinput", "--verbosity", "0")
            return marker
        # Something else is in there: start again from an empty database.
        say(f"rebuilding {database_name(url)}: {reason}")
        _create(url, drop_first=True)
    manage(url, "migrate", "--noinput", "--verbosity", "0")
    say(f"generating the {scale} data set: generate_data {' '.join(arguments)}")
    started = time.monotonic()
    manage(url, "generate_data", *arguments)
    say(f"generated in {time.monotonic() - started:.0f} s; analysing")
    with _connect(url) as connection:
        # Production's autovacuum would have done this long before anyone read the pages.
        connection.execute("VACUUM ANALYZE")
    _write_marker(url, arguments, post_count(url))
    return _marker(url)


def _has_tables(url):
    with _connect(url) as connection:
        return connection.execute("SELECT to_regclass('forums_post')").fetchone()[0] is not None


def server_facts(url):
    with _connect(url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        counts = {}
        for label, table in [
            ("members", "accounts_member"),
            ("communities", "forums_community"),
            ("threads", "forums_thread"),
            ("posts", "forums_post"),
            ("circle_memberships", "accounts_circlemembership"),
        ]:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            counts[label] = connection.execute(query).fetchone()[0]
    return version, counts
