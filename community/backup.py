"""Backs Hearth up, and restores it: the database and the media folder, nothing else.

    python -m community.backup backup [--into backups]     (make backup)
    python -m community.backup restore backups/<date>       (make restore FROM=…)

A backup is a directory named for when it was taken (UTC), e.g. backups/2026-12-01T193012Z/:
- database.dump: `pg_dump --format=custom` of DATABASE_URL, which reads the whole database
  in one snapshot, so it is consistent however busy the site is;
- media.tar: MEDIA_ROOT (avatars), taken right after the dump;
- manifest.json: Hearth's version, the migrations applied, and the SHA-256 of both files.
It is written under a hidden name and renamed when complete: a directory with a date in its
name is a whole backup.

A restore goes only into an empty database and an empty MEDIA_ROOT, so that it can never mix
two sites or overwrite one; it checks both files against the manifest first, and loads the
dump in one transaction (all or nothing). The database and MEDIA_ROOT are read from the
settings, as the site reads them.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from community.devdb import PROJECT_ROOT, find_server_program

DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar"
MANIFEST_FILE = "manifest.json"
FORMAT = 1
# Connection settings libpq understands; Django's own (conn_max_age, …) are not among them.
LIBPQ_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in one line."""


def say(message):
    print(f"[backup] {message}", file=sys.stderr, flush=True)


def site_settings():
    """The database and media folder the site itself uses (community/settings.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
    import django
    from django.conf import settings

    django.setup()
    return settings.DATABASES["default"], Path(settings.MEDIA_ROOT)


def connection_for(database):
    """libpq's conninfo for a Django database (without the password) and an environment
    carrying the password, so that it never shows in a process list."""
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
    }
    for name, value in database.get("OPTIONS", {}).items():
        if name in LIBPQ_OPTIONS:
            params[name] = value
    conninfo = make_conninfo(**{key: str(value) for key, value in params.items() if value})
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    return conninfo, environment


def connect(database):
    conninfo, _ = connection_for(database)
    password = {"password": database["PASSWORD"]} if database.get("PASSWORD") else {}
    return psycopg.connect(conninfo, autocommit=True, **password)


def program(name):
    found = find_server_program(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def size(path):
    count = path.stat().st_size
    for unit in ["bytes", "kB", "MB", "GB"]:
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024


def user_tables(connection):
    """How many tables the database holds outside PostgreSQL's own schemas."""
    return connection.execute(
        """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'
        """
    ).fetchone()[0]


def migration_state(connection):
    """The last migration applied per app, and how many were applied in all."""
    rows = connection.execute(
        "SELECT app, name FROM django_migrations ORDER BY app, name"
    ).fetchall()
    latest = {}
    for app, name in rows:
        latest[app] = name
    return {"applied": len(rows), "latest": latest}


def git_commit():
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 (git from the PATH, for the record only)
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def backup(into):
    """Writes one whole backup into a new dated directory under `into`; returns its path."""
    database, media_root = site_settings()
    conninfo, environment = connection_for(database)
    with connect(database) as connection:
        server_version = connection.execute("SHOW server_version").fetchone()[0]
        tables = user_tables(connection)
        if not tables:
            # Most likely a mistyped DATABASE_URL (`make` creates a database that is missing).
            raise BackupError(
                f"database {database['NAME']} has no tables: nothing to back up. "
                "Is DATABASE_URL the site's database?"
            )
        migrations = migration_state(connection)
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    taken_at = datetime.now(UTC)
    target = into / taken_at.strftime("%Y-%m-%dT%H%M%SZ")
    if target.exists():
        raise BackupError(f"{target} already exists; wait a second and run it again.")
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=into))
    try:
        say(f"dumping database {database['NAME']} ({tables} tables, PostgreSQL {server_version})")
        dump = partial / DATABASE_FILE
        subprocess.run(
            [program("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={conninfo}"],
            env=environment,
            check=True,
        )
        say(f"  {DATABASE_FILE}: {size(dump)}")

        say(f"copying media from {media_root}")
        media = partial / MEDIA_FILE
        files = 0
        with tarfile.open(media, "w") as archive:
            if media_root.is_dir():
                for path in sorted(media_root.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        archive.add(path, arcname=str(path.relative_to(media_root)))
                        files += 1
        say(f"  {MEDIA_FILE}: {files} file{'' if files == 1 else 's'}, {size(media)}")

        manifest = {
            "format": FORMAT,
            "taken_at": taken_at.isoformat(timespec="seconds"),
            "hearth_version": metadata.version("hearth"),
            "git_commit": git_commit(),
            "database": {"name": database["NAME"], "server_version": server_version},
            "migrations": migrations,
            "media_files": files,
            "files": {
                name: {"bytes": (partial / name).stat().st_size, "sha256": sha256(partial / name)}
                for name in [DATABASE_FILE, MEDIA_FILE]
            },
        }
        (partial / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    say(f"backup complete: {target}")
    return target


def read_manifest(source):
    manifest_path = source / MANIFEST_FILE
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a Hearth backup (no {MANIFEST_FILE}).")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} has backup format {manifest.get('format')}, not {FORMAT}.")
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or sha256(path) != expected["sha256"]:
            raise BackupError(f"{path} does not match its checksum in the manifest: not restoring.")
        say(f"  {name}: checksum ok")
    return manifest


def restore(source):
    """Loads a backup into the (empty) database and MEDIA_ROOT the settings name."""
    source = Path(source)
    database, media_root = site_settings()
    say(f"checking {source}")
    manifest = read_manifest(source)
    conninfo, environment = connection_for(database)
    with connect(database) as connection:
        tables = user_tables(connection)
    if tables:
        raise BackupError(
            f"database {database['NAME']} already has {tables} tables: a backup is restored "
            "only into an empty database (create one, e.g. `createdb hearth_restored`, and "
            "point DATABASE_URL at it)."
        )
    if media_root.is_dir() and any(path.is_file() for path in media_root.rglob("*")):
        raise BackupError(
            f"MEDIA_ROOT {media_root} already holds files: a backup is restored only into an "
            "empty media folder (set MEDIA_ROOT to a new one)."
        )

    say(f"loading {DATABASE_FILE} into database {database['NAME']} (one transaction)")
    subprocess.run(
        [
            program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(source / DATABASE_FILE),
        ],
        env=environment,
        check=True,
    )
    say(f"unpacking media ({manifest['media_files']} in the manifest) into {media_root}")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA_FILE) as archive:
        # The "data" filter (Python 3.11.4+) refuses absolute paths, links out of the folder
        # and devices; our own archives hold none, but a backup may come from elsewhere.
        if hasattr(tarfile, "data_filter"):
            archive.extractall(media_root, filter="data")
        else:
            archive.extractall(media_root)  # noqa: S202 (no filter before Python 3.11.4)
    state = manifest["migrations"]
    say(
        f"restore complete: Hearth {manifest['hearth_version']}, backup taken "
        f"{manifest['taken_at']}, {state['applied']} migrations applied. If this code is newer, "
        "run `manage.py migrate` next."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m community.backup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    backup_command = commands.add_parser("backup", help="back up the database and media")
    backup_command.add_argument("--into", default="backups", help="parent directory")
    restore_command = commands.add_parser("restore", help="restore into an empty database")
    restore_command.add_argument("source", help="a backup directory, e.g. backups/<date>")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "backup":
            backup(arguments.into)
        else:
            restore(arguments.source)
    except BackupError as error:
        say(str(error))
        return 1
    except subprocess.CalledProcessError as error:
        say(f"{Path(error.cmd[0]).name} failed (exit status {error.returncode}); nothing kept.")
        return 1
    except psycopg.OperationalError as error:
        say(f"cannot reach the database: {str(error).strip()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
