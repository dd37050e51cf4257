"""Settings come from the environment: production passes check --deploy, URLs switch backends."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "quiz.example.com",
}
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'options': s.DATABASES['default'].get('OPTIONS', {}), "
    "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG}))"
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    clean.pop("REDIS_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "careerquiz.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = PRODUCTION | {"DJANGO_SECRET_KEY": ""}

    result = run(["manage.py", "check"], **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"engine": "django.db.backends.sqlite3", "cache": "locmem"}),
        (
            {"DATABASE_URL": "postgres://u@db.example:5432/quiz"},
            {"engine": "django.db.backends.postgresql", "pool": True},
        ),
        (
            {"DATABASE_URL": "postgres://u@db.example/quiz", "DATABASE_POOL": "false"},
            {"engine": "django.db.backends.postgresql", "pool": None},
        ),
        ({"REDIS_URL": "redis://cache.example:6379/0"}, {"cache": "redis.RedisCache"}),
    ],
)
def test_environment_switches_database_and_cache(env, expected):
    result = run(["-c", PRINT_SETTINGS], **env)

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["debug"] is True
    if "engine" in expected:
        assert settings["engine"] == expected["engine"]
    if "pool" in expected:
        assert settings["options"].get("pool") == expected["pool"]
    if "cache" in expected:
        assert expected["cache"] in settings["cache"]
