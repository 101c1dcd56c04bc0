"""`make bench` at its tiny scale, end to end, so that the harness cannot rot: generate (or
reuse) a database of the test environment's own, serve it with gunicorn, sign in through the
form, run wrk for a second per page and write the JSON, here into a temporary directory."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bench.database import with_database_name

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVERY_PAGE = {
    "home",
    "community",
    *(
        f"category {sort}{deep}"
        for sort in ["latest", "newest", "top", "unanswered"]
        for deep in ["", " p50"]
    ),
    "thread",
    "tag",
    "profile",
    "notifications",
    "search 1 word",
    "search 2 words",
    "visitor home",
    "visitor community",
    "visitor category",
    "visitor thread",
    "ceiling /healthz",
}


def bench_database_url():
    """Beside the test database, never the developer's: `test_<name>_bench`."""
    url = os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/hearth"
    name = settings.DATABASES["default"]["NAME"].removeprefix("test_")
    return with_database_name(url, f"test_{name}_bench")


def require_wrk():
    if shutil.which("wrk"):
        return
    reason = "wrk is not installed: `apt-get install wrk` to run the benchmark harness test."
    if os.environ.get("CI") or os.environ.get("HEARTH_REQUIRE_BENCH") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def test_bench_harness_measures_every_page_at_tiny_scale(tmp_path):
    require_wrk()
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--scale",
        "tiny",
        "--database-url",
        bench_database_url(),
        "--results",
        str(tmp_path),
    ]
    harness = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output, _ = harness.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the harness stop its gunicorn on the way out.
        harness.send_signal(signal.SIGTERM)
        output, _ = harness.communicate(timeout=30)
        pytest.fail(f"the harness took longer than 180 s:\n{output}")
    assert harness.returncode == 0, output

    report = json.loads((tmp_path / "tiny-latest.json").read_text())
    pages = {page["name"]: page for page in report["pages"]}
    assert set(pages) == EVERY_PAGE, output
    for name, page in pages.items():
        for run in [page["c8"], page.get("c1")]:
            if run is None:
                continue
            assert run["requests"] > 0, name
            assert run["non_200"] == 0, name
            assert run["socket_errors"] == 0, name
            assert run["requests_per_second"] > 0, name
        if page["group"] != "ceiling":
            assert page["queries"] > 0, name
    assert "c1" in pages["search 1 word"]
    assert report["worker_memory"]["max_rss_mb"] > 0
    assert report["machine"]["commit"]
    assert list(tmp_path.glob("tiny-2*.json")), "the dated copy is missing"
    # Posting and the queue, on a copy of the data set that is gone afterwards.
    posting, queue = report["writes"]["reply"], report["writes"]["queue"]
    assert posting["replies"] == 10
    assert posting["followers"] == 100
    assert 0 < posting["p50_ms"] <= posting["p95_ms"] <= posting["max_ms"]
    assert queue["emails_expected"] == 2 * 100
    assert queue["messages_written"] == queue["emails_marked_sent"] == queue["emails_expected"]
    assert queue["duplicate_messages"] == 0
    assert queue["failed_jobs"] == 0
    assert queue["seconds"] > 0
    # The harness stopped the server it started.
    assert not Path(f"/proc/{report['server']['pid']}").exists()
