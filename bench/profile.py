"""Profiles one page in-process, as the benchmark's viewer sees it, with production settings,
against a benchmark database that `make bench` built. Shows where a page's time goes.

    .venv/bin/python -m bench.profile /c/bench-night-shift-nurses/general/ [--scale full]

Writes the profile as text to bench/profiles/<page>.txt (pyinstrument, a test dependency)."""

import argparse
import os
import re
import secrets
import sys
import time
from pathlib import Path

from bench import database

PROFILES = Path(__file__).resolve().parent / "profiles"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--scale", choices=database.SCALES, default="full")
    parser.add_argument("--viewer", default="viewer@bench.example")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.update(
        DATABASE_URL=database.with_database_name(
            database.developer_database_url(), f"hearth_bench_{args.scale}"
        ),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        HEARTH_MEMBERS_ONLY="0",
        DJANGO_SETTINGS_MODULE="community.settings",
    )
    sys.path.insert(0, str(database.PROJECT_ROOT))
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from accounts.models import Member

    client = Client(secure=True)
    client.force_login(Member.objects.get(email=args.viewer))
    for _ in range(5):
        assert client.get(args.path).status_code == 200, args.path
    started = time.perf_counter()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(args.requests):
            client.get(args.path)
    per_request = (time.perf_counter() - started) / args.requests * 1000
    PROFILES.mkdir(exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", args.path.lower()).strip("-") or "home"
    target = PROFILES / f"{args.scale}-{name}.txt"
    text = profiler.output_text(unicode=False, color=False)
    target.write_text(
        f"{args.path} as {args.viewer}, {args.scale} scale, {args.requests} requests, "
        f"{per_request:.1f} ms each under the profiler\n\n{text}"
    )
    print(text)
    print(f"{per_request:.1f} ms a request under the profiler; written to {target}")


if __name__ == "__main__":
    main()
