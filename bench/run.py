"""Hearth's load benchmark, as an operator would run it (`make bench`, bench/README.md).

    python -m bench.run [--scale full|medium|small|tiny] [--rebuild] [--results DIR]

Builds or reuses the benchmark database of the scale, serves the site with gunicorn as in
production, signs the bench viewer in through the real sign-in form, warms up, measures
every page with wrk, counts each page's SQL queries, reads the workers' memory, prints a
table against the targets and writes it as JSON. A missed target prints MISS and still exits
0; a page that answers anything but 200, or a server that does not start, exits 1."""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import database, server, writes, wrk
from bench.browse import Browser
from bench.database import PROJECT_ROOT, say

RESULTS = PROJECT_ROOT / "bench" / "results"
# Seconds of wrk per page, and of warm-up before it.
MEASURE_SECONDS = {"full": 15, "medium": 15, "small": 5, "tiny": 1}
WARM_UP_SECONDS = {"full": 3, "medium": 3, "small": 1, "tiny": 0}
# Requests each page gets first, one at a time, to prove it answers 200 (and warm it when
# the scale has no warm-up time).
FIRST_REQUESTS = 3
CONNECTIONS = 8

# The targets, on the project's 2-core machine.
LIST_REQUESTS_PER_SECOND = 150
LIST_P99_MS = 100
SEARCH_SINGLE_CLIENT_P95_MS = 50
SEARCH_REQUESTS_PER_SECOND = 100
WORKER_RSS_MB = 150


def target(page):
    if page["group"] in {"list", "visitor"}:
        text = f">={LIST_REQUESTS_PER_SECOND}/s, p99<{LIST_P99_MS}"
        c8 = page["c8"]
        return text, c8["requests_per_second"] >= LIST_REQUESTS_PER_SECOND and (
            c8["p99_ms"] < LIST_P99_MS
        )
    if page["group"] == "search":
        text = f"c1 p95<{SEARCH_SINGLE_CLIENT_P95_MS}, >={SEARCH_REQUESTS_PER_SECOND}/s"
        return text, page["c1"]["p95_ms"] < SEARCH_SINGLE_CLIENT_P95_MS and (
            page["c8"]["requests_per_second"] >= SEARCH_REQUESTS_PER_SECOND
        )
    return "", None


def machine_facts(database_url):
    version, counts = database.server_facts(database_url)
    git = shutil.which("git") or "git"
    commit = subprocess.run(
        [git, "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=no"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_mb": memory_kb // 1024,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgresql": version,
        "wrk": wrk.version(),
        "commit": commit,
        "uncommitted_changes": bool(dirty),
    }, counts


def measure_pages(pages, *, base_url, cookie, seconds, warm_up):
    results = []
    for page in pages:
        url = base_url + page.path
        page_cookie = cookie if page.signed_in else None
        if warm_up:
            wrk.measure(url, connections=CONNECTIONS, seconds=warm_up, cookie=page_cookie)
        result = {
            "name": page.name,
            "path": page.path,
            "group": page.group,
            "signed_in": page.signed_in,
            "notes": page.notes,
            "c8": wrk.measure(url, connections=CONNECTIONS, seconds=seconds, cookie=page_cookie),
        }
        if page.group == "search":
            result["c1"] = wrk.measure(url, connections=1, seconds=seconds, cookie=page_cookie)
        runs = [result["c8"], result.get("c1")]
        result["errors"] = sum(run["non_200"] + run["socket_errors"] for run in runs if run)
        say(
            f"{page.name}: {result['c8']['requests_per_second']:.0f}/s, "
            f"p99 {result['c8']['p99_ms']:.1f} ms"
            + (f", {result['errors']} ERRORS" if result["errors"] else "")
        )
        results.append(result)
    return results


def check_first_requests(browser, pages):
    """Every page answers 200 before wrk sees it; the first failure stops the run."""
    visitor = Browser(browser.base_url)
    for page in pages:
        client = browser if page.signed_in else visitor
        for _ in range(FIRST_REQUESTS):
            status, headers, _ = client.get(page.path)
            if status != 200:
                where = f" (to {headers['Location']})" if headers.get("Location") else ""
                raise RuntimeError(f"{page.name} {page.path} answered {status}{where}")


def reach_deep_pages(browser, pages):
    for page in pages:
        if not page.follow_next:
            continue
        page.path, followed = browser.follow_next(page.path, page.follow_next)
        if followed < page.follow_next:
            pages_there = followed + 1
            page.notes.append(
                f"only {pages_there} page{'s' if pages_there > 1 else ''}: measured the last"
            )


def print_table(report):
    columns = f"{'page':26} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'c1 p95':>7} "
    columns += f"{'ratio':>6} {'queries':>7}  {'target':28} result"
    print()
    print(
        f"Hearth bench, scale {report['scale']} ({report['data']['posts']} posts), "
        f"{report['machine']['nproc']} cores, {report['server']['workers']} gunicorn workers, "
        f"wrk -c{CONNECTIONS} {report['seconds_per_page']} s per page"
    )
    if report["pages"]:
        print(columns)
        print("-" * len(columns))
    for page in report["pages"]:
        c8, c1 = page["c8"], page.get("c1")
        verdict = {True: "ok", False: "MISS", None: ""}[page["ok"]]
        single = f"{c1['p95_ms']:7.1f}" if c1 else ""
        if page["errors"]:
            verdict = f"FAILED ({page['errors']} errors, status {c8['first_bad_status']})"
        print(
            f"{page['name']:26} {c8['requests_per_second']:7.0f} {c8['p50_ms']:7.1f} "
            f"{c8['p99_ms']:7.1f} {single:>7} "
            f"{page['ratio_to_ceiling']:6.2f} {page['queries']:7d}  {page['target']:28} {verdict}"
        )
    memory = report["worker_memory"]
    if memory:
        print(
            f"{'worker RSS (max)':26} {memory['max_rss_mb']:.0f} MB (peak "
            f"{memory['max_hwm_mb']:.0f} MB) of {len(memory['workers'])} workers; target "
            f"<{WORKER_RSS_MB} MB: {'ok' if memory['ok'] else 'MISS'}"
        )
    if report["writes"]:
        posting, queue = report["writes"]["reply"], report["writes"]["queue"]
        print(
            f"{'reply, ' + str(posting['followers']) + ' followers':26} p50 {posting['p50_ms']}"
            f" ms, p95 {posting['p95_ms']} ms, max {posting['max_ms']} ms over "
            f"{posting['replies']} replies; target {posting['target']}: "
            f"{'ok' if posting['ok'] else 'MISS'}"
        )
        print(
            f"{'queue, ' + str(queue['workers']) + ' workers':26} {queue['messages_written']}"
            f" e-mails in {queue['seconds']} s ({queue['emails_per_second']}/s, "
            f"{queue['duplicate_messages']} twice, {queue['failed_jobs']} jobs failed); "
            f"target {queue['target']}: {'ok' if queue['ok'] else 'MISS'}"
        )
    for page in report["pages"]:
        if page["notes"]:
            print(f"  {page['name']}: {'; '.join(page['notes'])}")
    for note in report["notes"]:
        print(f"  note: {note}")
    print(f"{report['misses']} target(s) missed")


def write_results(report, results_dir):
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    text = json.dumps(report, indent=2) + "\n"
    dated = results_dir / f"{report['scale']}-{stamp}.json"
    dated.write_text(text)
    (results_dir / f"{report['scale']}-latest.json").write_text(text)
    return dated


def serve_and_measure(environment, pages, member, *, seconds, warm_up):
    """Starts gunicorn, signs in, measures every page, reads the workers' memory and stops
    the server, whatever happens. Returns (server, queries per page, results, workers)."""
    from bench import pages as bench_pages

    log = Path(tempfile.mkstemp(prefix="hearth-bench-gunicorn-", suffix=".log")[1])
    site = server.Server(environment, log)
    try:
        site.start()
        browser = Browser(site.base_url)
        browser.sign_in(bench_pages.VIEWER_EMAIL, bench_pages.VIEWER_PASSWORD)
        reach_deep_pages(browser, pages)
        check_first_requests(browser, pages)
        say("counting queries")
        # Signing in may have upgraded the stored password hash, which the session checks.
        member.refresh_from_db()
        queries = bench_pages.count_queries(pages, member)
        say(f"measuring {len(pages)} pages")
        cookie = browser.cookie_header()
        results = measure_pages(
            pages, base_url=site.base_url, cookie=cookie, seconds=seconds, warm_up=warm_up
        )
        workers = site.worker_memory()
    except Exception:
        say(f"gunicorn's log ({log}):\n{site.tail() if site.process else ''}")
        raise
    finally:
        site.stop()
    log.unlink(missing_ok=True)
    return site, queries, results, workers


PARTS = ["pages", "writes"]


def measure_every_page(environment, scale, seconds):
    """The read pages (and the workers' memory after them): (results, workers, server pid)."""
    from bench import pages as bench_pages

    member = bench_pages.viewer()
    say("choosing pages")
    pages = bench_pages.choose(member)
    site, queries, results, workers = serve_and_measure(
        environment, pages, member, seconds=seconds, warm_up=WARM_UP_SECONDS[scale]
    )
    ceiling = next(page for page in results if page["group"] == "ceiling")
    ceiling_rate = ceiling["c8"]["requests_per_second"] or 1
    for page in results:
        page["queries"] = queries[page["name"]]
        page["ratio_to_ceiling"] = round(page["c8"]["requests_per_second"] / ceiling_rate, 3)
        page["target"], page["ok"] = target(page)
    max_rss = max(worker["rss_mb"] for worker in workers)
    memory = {
        "workers": workers,
        "max_rss_mb": max_rss,
        "max_hwm_mb": max(worker["hwm_mb"] for worker in workers),
        "target_mb": WORKER_RSS_MB,
        "ok": max_rss < WORKER_RSS_MB,
    }
    return results, memory, site.process.pid


def measure_writes(environment, database_url, scale):
    """Posting and the queue (bench/writes.py), on a copy of the data set: the harness lets
    go of the database first, as a copy needs."""
    from django.db import connections

    connections.close_all()
    logs = Path(tempfile.mkdtemp(prefix="hearth-bench-writes-"))
    result = writes.measure(database_url, scale, environment, logs)
    shutil.rmtree(logs, ignore_errors=True)
    return result


def run(*, scale, seconds, rebuild, database_url, results_dir, redis_url, parts=PARTS):
    started = time.monotonic()
    load_before = os.getloadavg()
    marker = database.prepare(database_url, scale, rebuild=rebuild)
    notes = []
    if not server.redis_answers(redis_url):
        notes.append(f"Redis did not answer at {redis_url}: ran without REDIS_URL")
        redis_url = None
    environment = server.production_environment(database_url, redis_url)
    # This process counts queries with the server's own settings.
    os.environ.pop("REDIS_URL", None)
    os.environ.update(environment)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from bench import pages as bench_pages

    machine, counts = machine_facts(database_url)
    results, memory, pid = [], None, None
    if "pages" in parts:
        results, memory, pid = measure_every_page(environment, scale, seconds)
    write_figures = measure_writes(environment, database_url, scale) if "writes" in parts else None
    load_after = os.getloadavg()
    if load_before[0] >= 1:
        notes.append(
            f"the machine was busy before the run (load {load_before[0]:.1f} on "
            f"{machine['nproc']} cores): other work shared the CPU, figures are low"
        )
    machine["load_average_before"] = [round(load, 2) for load in load_before]
    machine["load_average_after"] = [round(load, 2) for load in load_after]
    misses = sum(page["ok"] is False for page in results) + (
        memory is not None and not memory["ok"]
    )
    if write_figures:
        misses += sum(not figures["ok"] for figures in write_figures.values())
    report = {
        "scale": scale,
        "parts": list(parts),
        "generate_data": marker["arguments"],
        "generator_digest": marker["generator"],
        "data_generated_at": marker["generated_at"],
        "database": database.database_name(database_url),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds_per_page": seconds,
        "warm_up_seconds": WARM_UP_SECONDS[scale],
        "connections": CONNECTIONS,
        "machine": machine,
        "data": counts,
        "server": {
            "command": f"gunicorn community.wsgi --workers {server.WORKERS} (sync)",
            "workers": server.WORKERS,
            "pid": pid,
            "redis": redis_url,
            "viewer": bench_pages.VIEWER_EMAIL,
        },
        "pages": results,
        "worker_memory": memory,
        "writes": write_figures,
        "misses": misses,
        "failed_pages": [page["name"] for page in results if page["errors"]],
        "notes": notes,
        "harness_seconds": round(time.monotonic() - started),
    }
    path = write_results(report, results_dir)
    print_table(report)
    print(f"written to {path}")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", choices=database.SCALES, default=os.environ.get("BENCH_SCALE") or "full"
    )
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("BENCH_SECONDS") or 0) or None,
        help="seconds of wrk per page (BENCH_SECONDS; default 15 full/medium, 5 small, 1 tiny)",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        default=os.environ.get("BENCH_REBUILD") == "1",
        help="generate the data set again even when the database holds it (BENCH_REBUILD=1)",
    )
    parser.add_argument(
        "--database-url",
        help="the benchmark database itself (default: the developer's, named hearth_bench_<scale>)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument(
        "--only",
        choices=PARTS,
        default=os.environ.get("BENCH_ONLY") or None,
        help="measure only the read pages or only posting and the queue (BENCH_ONLY)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", server.DEFAULT_REDIS_URL)
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        say(wrk.INSTALL_HINT)
        return 2
    url = args.database_url or database.with_database_name(
        database.developer_database_url(), f"hearth_bench_{args.scale}"
    )
    # A terminated run still stops its gunicorn (run's `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        report = run(
            scale=args.scale,
            seconds=args.seconds or MEASURE_SECONDS[args.scale],
            rebuild=args.rebuild,
            database_url=url,
            results_dir=args.results,
            redis_url=args.redis_url,
            parts=[args.only] if args.only else PARTS,
        )
    except (RuntimeError, subprocess.CalledProcessError, psycopg.Error) as error:
        say(f"FAILED: {error}")
        return 1
    if report["failed_pages"]:
        say(f"FAILED: these pages answered errors: {', '.join(report['failed_pages'])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
