"""Runs wrk against one URL and reads back the figures bench/report.lua prints."""

import json
import shutil
import subprocess
from pathlib import Path

from bench.browse import PROXY_HEADERS

REPORT_SCRIPT = Path(__file__).resolve().parent / "report.lua"
INSTALL_HINT = "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`."


def wrk_binary():
    return shutil.which("wrk")


def version():
    found = subprocess.run([wrk_binary(), "--version"], capture_output=True, text=True)
    return (found.stdout or found.stderr).splitlines()[0].strip()


def measure(url, *, connections, seconds, cookie=None):
    """Requests per second and latency percentiles (ms) over `seconds` with `connections`
    connections kept busy by one wrk thread."""
    command = [
        wrk_binary(),
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(REPORT_SCRIPT),
    ]
    headers = dict(PROXY_HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(url)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next(
        (line for line in finished.stdout.splitlines() if line.startswith("BENCH-JSON ")), None
    )
    if finished.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {url}:\n{finished.stdout}\n{finished.stderr}")
    raw = json.loads(line.removeprefix("BENCH-JSON "))
    seconds_run = raw["duration_us"] / 1_000_000
    return {
        "connections": connections,
        "seconds": round(seconds_run, 2),
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "socket_errors": raw["socket_errors"],
        "non_200": raw["non_200"],
        "first_bad_status": raw["first_bad_status"] or None,
    }
