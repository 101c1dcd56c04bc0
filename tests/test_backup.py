"""make backup / make restore, for real: a small forum in a committed database of its own,
backed up with pg_dump, restored into another empty database, compared table by table."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def throwaway_database():
    """Makes empty databases on the test server, outside pytest's transaction, and drops
    them afterwards; returns each one's URL and a connection to it."""
    server = settings.DATABASES["default"]
    params = {
        key: value
        for key, value in {
            "host": server["HOST"],
            "port": server["PORT"],
            "user": server["USER"],
            "password": server["PASSWORD"],
        }.items()
        if value
    }
    maintenance = psycopg.connect(**params, dbname="postgres", autocommit=True)
    made = []

    def make(suffix):
        name = f"hearth_backup_test_{os.getpid()}_{suffix}"
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maintenance.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        credentials = quote(params.get("user", ""))
        if "password" in params:
            credentials += ":" + quote(params["password"], safe="")
        location = quote(params.get("host", ""), safe="")
        if "port" in params:
            location += f":{params['port']}"
        url = f"postgres://{credentials}@{location}/{name}"
        return url, psycopg.connect(**params, dbname=name, autocommit=True)

    yield make
    for name in made:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    maintenance.close()


def run(*args, database_url, media_root):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is no part of an operator's shell.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            **inherited,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "DEBUG": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def fingerprint(connection):
    """Per table: its row count and the MD5 of all its rows in order; per sequence: where
    it stands (so that new rows after a restore get fresh ids)."""
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    result = {}
    for table in tables:
        result[table] = connection.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
            f'FROM "{table}" t'
        ).fetchone()
    for name, last_value in connection.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    ):
        result[f"sequence {name}"] = last_value
    return result


def files_in(folder):
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def latest_migration(app):
    return max(path.stem for path in (ROOT / app / "migrations").glob("0*.py"))


def test_a_backup_restores_into_an_empty_database_exactly(throwaway_database, tmp_path):
    source_url, source = throwaway_database("source")
    source_media = tmp_path / "media-source"
    for command in [["migrate", "--noinput"], ["demo_data"]]:
        done = run("manage.py", *command, database_url=source_url, media_root=source_media)
        assert done.returncode == 0, done.stdout + done.stderr
    (source_media / "avatars").mkdir(parents=True)
    (source_media / "avatars" / f"{secrets.token_hex(16)}.webp").write_bytes(os.urandom(4000))
    (source_media / "avatars" / f"{secrets.token_hex(16)}.webp").write_bytes(os.urandom(900))
    before = fingerprint(source)
    assert before["forums_post"][0] > 0 and before["accounts_member"][0] > 0

    backups = tmp_path / "backups"
    made = run(
        "-m",
        "community.backup",
        "backup",
        "--into",
        str(backups),
        database_url=source_url,
        media_root=source_media,
    )
    assert made.returncode == 0, made.stderr
    assert "backup complete" in made.stderr
    [backup] = list(backups.iterdir())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z", backup.name)
    assert sorted(path.name for path in backup.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar",
    ]
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["migrations"]["latest"]["forums"] == latest_migration("forums")
    assert manifest["migrations"]["latest"]["accounts"] == latest_migration("accounts")
    assert manifest["media_files"] == 2
    assert manifest["hearth_version"]

    copy_url, copy = throwaway_database("copy")
    copy_media = tmp_path / "media-copy"
    restored = run(
        "-m",
        "community.backup",
        "restore",
        str(backup),
        database_url=copy_url,
        media_root=copy_media,
    )
    assert restored.returncode == 0, restored.stderr
    assert fingerprint(copy) == before
    assert files_in(copy_media) == files_in(source_media)

    # Never over a site: a second restore into the same database is refused, untouched.
    again = run(
        "-m", "community.backup", "restore", str(backup), database_url=copy_url, media_root=tmp_path
    )
    assert again.returncode == 1
    assert "already has" in again.stderr and "only into an empty database" in again.stderr
    assert fingerprint(copy) == before

    # Nor beside another site's media, nor from a backup that changed since it was taken.
    empty_url, empty = throwaway_database("empty")
    nothing = run(
        "-m",
        "community.backup",
        "backup",
        "--into",
        str(backups),
        database_url=empty_url,
        media_root=tmp_path / "media-new",
    )
    assert nothing.returncode == 1
    assert "has no tables: nothing to back up" in nothing.stderr
    assert list(backups.iterdir()) == [backup]
    beside = run(
        "-m",
        "community.backup",
        "restore",
        str(backup),
        database_url=empty_url,
        media_root=copy_media,
    )
    assert beside.returncode == 1
    assert "already holds files" in beside.stderr
    dump = backup / "database.dump"
    damaged = bytearray(dump.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    dump.write_bytes(bytes(damaged))
    tampered = run(
        "-m",
        "community.backup",
        "restore",
        str(backup),
        database_url=empty_url,
        media_root=tmp_path / "media-new",
    )
    assert tampered.returncode == 1
    assert "does not match its checksum" in tampered.stderr
    assert fingerprint(empty) == {}
    for connection in (source, copy, empty):
        connection.close()
