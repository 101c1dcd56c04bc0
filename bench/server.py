"""The site served as in production: gunicorn with sync workers, DEBUG off, a random secret."""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.database import PROJECT_ROOT, say

WORKERS = 2
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers(url):
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def production_environment(database_url, redis_url):
    """The environment of a production deployment behind a TLS proxy, on this machine.

    SECURE_SSL_REDIRECT is off because the harness speaks plain HTTP to gunicorn; it sends
    X-Forwarded-Proto: https on every request, as the proxy would, so Django still treats
    each request as secure (secure cookies, the HTTPS referer check on the sign-in form)."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "community.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "HEARTH_MEMBERS_ONLY": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("REDIS_URL", None)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


class Server:
    """gunicorn serving community.wsgi on a free port; stop() ends it and all its workers."""

    def __init__(self, environment, log_path: Path):
        self.environment = environment
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=60):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "community.wsgi",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "60",
        ]
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # Its own process group, so that stop() reaches the workers even if the master hangs.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.tail()}"
                )
            if self.healthy() and len(self.worker_pids()) == WORKERS:
                say(f"gunicorn (pid {self.process.pid}) answers at {self.base_url}")
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.tail()}")

    def healthy(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def tail(self, lines=40):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self):
        """The master's children: its workers."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the second field after the command name, which may hold spaces.
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_memory(self):
        """Resident memory now (VmRSS) and at its peak (VmHWM) of each worker, in MB."""
        workers = []
        for pid in self.worker_pids():
            fields = {}
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key in {"VmRSS", "VmHWM"}:
                        fields[key] = int(value.split()[0]) / 1024
            except OSError:
                continue
            workers.append(
                {
                    "pid": pid,
                    "rss_mb": round(fields["VmRSS"], 1),
                    "hwm_mb": round(fields["VmHWM"], 1),
                }
            )
        return workers

    def stop(self):
        """Ends the master gracefully (it stops its workers), or the whole group if it hangs."""
        if self.process is not None:
            stop_group(self.process, self.log)


def stop_group(process, log):
    """SIGTERM, as systemd stops a service; the whole process group is killed if it is still
    there after 15 seconds. Then the log is closed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()


class Worker:
    """`manage.py procrastinate worker` in a process (and process group) of its own, as on a
    worker machine; kill() ends it as a crash would, stop() as systemd does (SIGTERM)."""

    def __init__(self, environment, log_path: Path, name, *, concurrency=1):
        self.name = name
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "procrastinate",
                "worker",
                "--name",
                name,
                "--concurrency",
                str(concurrency),
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def tail(self, lines=40):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        stop_group(self.process, self.log)
