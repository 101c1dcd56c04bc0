import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kq2!v9Lm@4pZr8sT1wYb6nC3eHj5uAo0dFgIiK-prod-like-key-for-the-check",
    "ALLOWED_HOSTS": "forum.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://forum.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def run_manage(*args, **env):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is no part of a production environment.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check_without_a_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = run_manage("check", SECRET_KEY="", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
