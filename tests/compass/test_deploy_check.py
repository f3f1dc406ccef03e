"""`manage.py check --deploy` under production settings, run in a subprocess with a production environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NO_ISSUES = "System check identified no issues (0 silenced)."

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "compass.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://compass.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "BEHIND_TLS_PROXY": "true",
}


def check_deploy(**changes: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    left_out = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION}
    environment = {name: value for name, value in os.environ.items() if name not in left_out}
    environment.update(PRODUCTION)
    environment.update(changes)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    result = check_deploy()

    assert result.stderr == ""
    assert result.stdout.strip() == NO_ISSUES
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "false"}, "security.W005"),
        ({"SECURE_COOKIES": "false"}, "security.W012"),
        ({"ALLOWED_HOSTS": ""}, "security.W020"),
        ({"SECRET_KEY": "short"}, "security.W009"),
        ({"DEBUG": "true"}, "security.W018"),
    ],
)
def test_check_deploy_reports_each_weakened_setting(changes, warning):
    result = check_deploy(**changes)

    assert warning in result.stderr
    assert result.returncode == 1


def test_settings_without_secret_key_fail_in_production():
    result = check_deploy(SECRET_KEY="")

    assert "SECRET_KEY is missing" in result.stderr
    assert result.returncode == 1
