"""Times Hearth's busiest pages in-process against the data from `generate_data`.

    DATABASE_URL=… python bench/run.py [--iterations 30]

Prints the median and 95th percentile for each page with its query count, and checks them
against the targets below. Timing lives here, not in the unit tests."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from accounts.models import Member  # noqa: E402
from forums.models import Community, Thread  # noqa: E402

# 95th-percentile targets in milliseconds, on the project's 2-core machine.
TARGETS = {"home": 250, "category": 250, "thread": 200, "search": 300, "profile": 200}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    setup_test_environment()
    community = Community.objects.filter(slug__startswith="bench-").order_by("-pk").first()
    if community is None:
        sys.exit("No bench data: run `python manage.py generate_data` first.")
    viewer = Member.objects.filter(email__startswith="bench").order_by("?").first()
    thread = Thread.objects.visible_to(viewer).filter(community=community).order_by("?").first()
    client = Client()
    client.force_login(viewer)
    pages = {
        "home": "/",
        "category": f"/c/{community.slug}/general/?sort=latest",
        "thread": thread.get_absolute_url(),
        "search": "/search/?q=handover+routine",
        "profile": thread.author.get_absolute_url(),
    }
    failures = 0
    print(f"{'page':10} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'target':>7}")
    for name, url in pages.items():
        timings = []
        for _ in range(args.iterations):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        p95 = statistics.quantiles(timings, n=20)[-1]
        ok = p95 <= TARGETS[name]
        failures += not ok
        print(
            f"{name:10} {statistics.median(timings):10.1f} {p95:8.1f} {len(queries):8d} "
            f"{TARGETS[name]:7d} {'ok' if ok else 'SLOW'}"
        )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
