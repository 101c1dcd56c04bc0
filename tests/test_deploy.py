"""Production settings, checked as production runs them: `manage.py` in a subprocess with a
production environment and nothing of the developer's (no DEBUG, no REDIS_URL...)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "SECRET_KEY": "x7#kq2!v9Lm@4pZr8sT1wYb6nC3eHj5uAo0dFgIiK-prod-like-key-for-the-check",
    "ALLOWED_HOSTS": "forum.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://forum.example.org",
}
DEVELOPMENT_SECRET_KEY = "hearth-development-only-secret-key-never-use-in-production"
# What a machine's environment has that is no setting of Hearth's.
PASSED_THROUGH = {"PATH", "HOME", "LANG", "DATABASE_URL", "PGHOST", "PGUSER"}


def run_manage(*args, **env):
    inherited = {key: value for key, value in os.environ.items() if key in PASSED_THROUGH}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "community.settings", **env},
        capture_output=True,
        text=True,
    )


def deploy_check(**env):
    return run_manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, **env})


def test_production_settings_pass_the_deploy_check_without_a_warning():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr
    assert "no issues" in result.stdout


def test_several_workers_with_redis_pass_the_deploy_check():
    result = deploy_check(WEB_CONCURRENCY="3", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "check_id"),
    [
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "hearth.E001"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "hearth.E002"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "hearth.E002"),
        ({"WEB_CONCURRENCY": "2"}, "hearth.E003"),
        ({"HEARTH_MAX_REQUEST_BYTES": "5242880"}, "hearth.E004"),
        # Django's own: a production that turned debugging on.
        ({"DEBUG": "1"}, "security.W018"),
    ],
    ids=[
        "development-secret-key",
        "console-email",
        "locmem-email",
        "workers-without-redis",
        "body-cap-below-avatar",
        "debug-on",
    ],
)
def test_the_deploy_check_refuses_a_dangerous_setting(env, check_id):
    result = deploy_check(**env)
    assert result.returncode != 0, result.stdout + result.stderr
    assert check_id in result.stderr


def test_debug_is_off_and_email_goes_by_smtp_unless_set():
    show = "from django.conf import settings; print(settings.DEBUG, settings.EMAIL_BACKEND)"
    result = run_manage("shell", "--verbosity", "0", "-c", show, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.core.mail.backends.smtp.EmailBackend"]


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize(("value", "disabled"), [(None, "False"), ("1", "True")])
def test_server_side_cursors_are_turned_off_only_when_asked(value, disabled):
    show = "from django.db import connection; print(connection.settings_dict[{key!r}])".format(
        key="DISABLE_SERVER_SIDE_CURSORS"
    )
    env = {"DATABASE_DISABLE_SERVER_SIDE_CURSORS": value} if value else {}
    result = run_manage("shell", "--verbosity", "0", "-c", show, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [disabled]
