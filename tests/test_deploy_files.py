"""deploy/ is documentation nobody runs here (no container registry in the test
environment), so these read it and hold it to what Hearth needs: the layout the README
promises, PgBouncer's transaction mode and what it asks of the settings, workers straight to
PostgreSQL, the proxy's body limit, and every variable Hearth reads in env.example."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def environment_of(service):
    return {**service.get("environment", {})}


def test_compose_runs_two_app_servers_and_two_workers_behind_one_proxy():
    services = compose()
    # The app servers run the image's default command.
    image_default = (DEPLOY / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "community.wsgi"' in image_default
    web = [name for name, s in services.items() if name.startswith("web")]
    workers = [
        name
        for name, s in services.items()
        if s.get("command", [])[2:4] == ["procrastinate", "worker"]
    ]
    assert sorted(web) == ["web1", "web2"]
    assert sorted(workers) == ["worker1", "worker2"]
    assert {"postgres", "pgbouncer", "redis", "proxy", "migrate"} <= set(services)
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert re.findall(r"server (web\d):8000", nginx) == ["web1", "web2"]
    # Every app server and worker sees the same avatars.
    for name in [*web, *workers]:
        assert "media:/srv/hearth/var/media" in services[name]["volumes"], name


def test_app_servers_pool_through_pgbouncer_and_workers_connect_directly():
    services = compose()
    pgbouncer = environment_of(services["pgbouncer"])
    assert pgbouncer["POOL_MODE"] == "transaction"
    # Hearth's connections send `options=-c jit=off`; the server turns jit off instead.
    assert "options" in pgbouncer["IGNORE_STARTUP_PARAMETERS"].split(",")
    assert "jit=off" in services["postgres"]["command"]
    for name in ["web1", "web2"]:
        web = environment_of(services[name])
        assert "@pgbouncer:6432/" in web["DATABASE_URL"]
        # Said on purpose: every .iterator() of a request runs inside a transaction.
        assert web["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "0"
        assert web["REDIS_URL"].startswith("redis://redis:")
    for name in ["worker1", "worker2", "migrate"]:
        # LISTEN/NOTIFY (and migrations' DDL) do not go through transaction pooling.
        assert "@postgres:5432/" in environment_of(services[name])["DATABASE_URL"], name


def test_the_proxy_refuses_what_the_app_would_and_says_the_request_was_https():
    nginx = (DEPLOY / "nginx.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", nginx).group(1)
    assert int(size) * 1024 * 1024 == settings.HEARTH_MAX_REQUEST_BYTES
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "alias /srv/hearth/static/;" in nginx


def test_env_example_lists_every_variable_hearth_reads():
    source = "\n".join(
        path.read_text()
        for folder in ["community", "accounts", "forums"]
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )
    reads = r'(?:environ\.get\(|environ\[|env_flag\(|env_list\()\s*"([A-Z_]+)"'
    read = set(re.findall(reads, source))
    development_only = {"PGUSER"}  # community/devdb.py, for `make run`
    example = (DEPLOY / "env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z_]+)=", example, re.MULTILINE))
    assert read - development_only - listed == set()


def test_the_systemd_units_run_gunicorn_and_a_procrastinate_worker():
    web = (DEPLOY / "systemd" / "hearth-web.service").read_text()
    worker = (DEPLOY / "systemd" / "hearth-worker@.service").read_text()
    assert "ExecStart=/srv/hearth/.venv/bin/gunicorn community.wsgi" in web
    assert "manage.py procrastinate worker" in worker
    for unit in [web, worker]:
        assert "EnvironmentFile=/etc/hearth.env" in unit
        assert "User=hearth" in unit
