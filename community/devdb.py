"""Finds a PostgreSQL database for local development and tests, and prints its URL.

`make run` and `make test` call this before anything touches the database:
1. DATABASE_URL, when set (the database is created if the server allows it);
2. otherwise the server on 127.0.0.1:5432, database `hearth` (created when missing);
3. otherwise a project-local cluster under .pgdata/, started with the installed initdb and
   pg_ctl, listening on a unix socket only.
Messages go to stderr; stdout carries the URL alone.
"""

import getpass
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_CLUSTER = PROJECT_ROOT / ".pgdata"
DATABASE_NAME = "hearth"
INSTALL_HINT = (
    "Hearth needs PostgreSQL (14 or newer): install it (Debian/Ubuntu: `sudo apt-get install "
    "postgresql`; macOS: `brew install postgresql@16`) or set DATABASE_URL."
)


def say(message):
    print(f"[database] {message}", file=sys.stderr)


def connect(params, **overrides):
    return psycopg.connect(**{**params, **overrides, "connect_timeout": 3}, autocommit=True)


def ensure_database(url):
    """Creates the database named in `url` when it is missing and the server lets us."""
    params = conninfo_to_dict(url)
    name = params.get("dbname", DATABASE_NAME)
    try:
        with connect(params, dbname="postgres") as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                say(f"created database {name}")
    except psycopg.Error as error:
        # No right to the maintenance database is fine if ours is already there.
        with connect(params):
            pass
        say(f"using existing database {name} ({error.__class__.__name__} on postgres)")


def server_on_localhost():
    """The URL of the database on 127.0.0.1:5432 for the first role that may sign in."""
    for user in dict.fromkeys(
        filter(None, [os.environ.get("PGUSER"), getpass.getuser(), "postgres"])
    ):
        params = {"host": "127.0.0.1", "port": "5432", "user": user, "dbname": "postgres"}
        try:
            with connect(params):
                pass
        except psycopg.OperationalError as error:
            if "Connection refused" in str(error) or "timeout" in str(error).lower():
                return None
            continue
        return f"postgres://{quote(user)}@127.0.0.1:5432/{DATABASE_NAME}"
    return None


def find_server_program(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    candidates += glob.glob(f"/opt/homebrew/opt/postgresql*/bin/{name}")
    return candidates[-1] if candidates else None


def local_cluster():
    """Starts (creating it first if needed) a cluster in .pgdata on a unix socket."""
    initdb, pg_ctl = find_server_program("initdb"), find_server_program("pg_ctl")
    if not (initdb and pg_ctl):
        return None
    if os.name == "posix" and os.geteuid() == 0:
        say("initdb refuses to run as root: start the PostgreSQL service or set DATABASE_URL.")
        return None
    socket_dir = str(LOCAL_CLUSTER)
    if not (LOCAL_CLUSTER / "PG_VERSION").exists():
        say(f"creating a local PostgreSQL cluster in {LOCAL_CLUSTER}")
        subprocess.run(
            [initdb, "-D", socket_dir, "-U", "hearth", "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    running = subprocess.run([pg_ctl, "-D", socket_dir, "status"], capture_output=True)
    if running.returncode != 0:
        say("starting the local PostgreSQL cluster")
        subprocess.run(
            [
                pg_ctl,
                "-D",
                socket_dir,
                "-l",
                str(LOCAL_CLUSTER / "server.log"),
                "-o",
                f"-c listen_addresses='' -c unix_socket_directories='{socket_dir}'",
                "-w",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return f"postgres://hearth@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def main():
    url = os.environ.get("DATABASE_URL") or server_on_localhost() or local_cluster()
    if not url:
        say(INSTALL_HINT)
        return 1
    try:
        ensure_database(url)
    except psycopg.Error as error:
        say(f"cannot use {url}: {error}".strip())
        say(INSTALL_HINT)
        return 1
    print(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
