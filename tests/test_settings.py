"""Settings come from the environment: production passes check --deploy, URLs switch backends.

Each case runs in a fresh interpreter, because settings are read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "quiz.example.com",
}
# Printed as JSON by a child interpreter configured only by its environment.
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db, cache = s.DATABASES["default"], s.CACHES["default"]
print(json.dumps({
    "debug": s.DEBUG,
    "engine": db["ENGINE"], "name": db["NAME"], "host": db.get("HOST", ""),
    "options": db.get("OPTIONS", {}), "conn_max_age": db.get("CONN_MAX_AGE"),
    "cache": cache["BACKEND"], "location": cache.get("LOCATION", ""),
    "key_prefix": cache.get("KEY_PREFIX", ""),
}, default=lambda value: f"{value.__module__}.{value.__qualname__}"))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run the project's Python with only `env` configuring it (none of ours leaks in)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CACHE_"))
    }
    inherited["DJANGO_SETTINGS_MODULE"] = "careerquiz.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_with(**env: str) -> dict[str, Any]:
    result = run(["-c", PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {
            "DATABASE_URL": "postgres://quiz:secret@db.example:5432/quiz",
            "REDIS_URL": "redis://cache.example:6379/0",
            "DJANGO_BEHIND_TLS_PROXY": "true",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://quiz.example.com",
        },
    ],
    ids=["minimal", "postgres-redis-proxy"],
)
def test_production_settings_pass_check_deploy_without_warnings(extra, collected):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        **extra,
        DJANGO_STATIC_ROOT=str(collected),
    )

    assert result.returncode == 0, result.stderr + result.stdout
    # Clean, and not by silencing checks.
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """Static files collected as a deployment does (hashed names and a manifest)."""
    root = tmp_path_factory.mktemp("static")
    result = run(
        ["manage.py", "collectstatic", "--noinput", "-v", "0"],
        **PRODUCTION,
        DJANGO_STATIC_ROOT=str(root),
    )
    assert result.returncode == 0, result.stderr
    assert (root / "staticfiles.json").exists()
    return root


def test_without_collected_static_files_the_server_refuses_to_start_and_says_why(tmp_path):
    empty = {"DJANGO_STATIC_ROOT": str(tmp_path / "not-collected")}

    check = run(["manage.py", "check", "--deploy"], **PRODUCTION, **empty)
    server = run(["-c", "import careerquiz.wsgi"], **PRODUCTION, **empty)

    assert check.returncode != 0
    assert "careerquiz.E001" in check.stderr
    assert server.returncode != 0
    assert "ImproperlyConfigured: Static files are not collected" in server.stderr
    assert "manage.py collectstatic --noinput" in server.stderr


def test_production_without_secret_key_refuses_to_start_with_a_clear_message():
    result = run(["manage.py", "check"], **(PRODUCTION | {"DJANGO_SECRET_KEY": ""}))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_needs_nothing_set():
    settings = settings_with()

    assert settings["debug"] is True
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(ROOT / "db.sqlite3")
    assert settings["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_database_url_switches_to_postgresql_with_the_connection_pool():
    settings = settings_with(DATABASE_URL="postgres://quiz:secret@db.example:5432/quiz")

    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["name"], settings["host"]) == ("quiz", "db.example")
    # An outage fails requests in seconds; connections are checked before use.
    assert settings["options"]["pool"] == {
        "check": "careerquiz.db.check_pooled_connection",
        "timeout": 2.0,
        "reconnect_timeout": 5.0,
    }
    assert settings["options"]["connect_timeout"] == 2
    # Django's pool refuses persistent connections.
    assert settings["conn_max_age"] == 0


def test_pool_can_be_turned_off_for_persistent_connections():
    settings = settings_with(
        DATABASE_URL="postgres://quiz@db.example/quiz",
        DATABASE_POOL="false",
        DATABASE_CONN_MAX_AGE="120",
    )

    assert settings["engine"] == "django.db.backends.postgresql"
    assert "pool" not in settings["options"]
    assert settings["conn_max_age"] == 120


def test_redis_url_switches_the_cache_to_redis():
    settings = settings_with(REDIS_URL="redis://cache.example:6379/2", CACHE_KEY_PREFIX="cq")

    # Django's Redis cache, failing open (careerquiz.cache), with short socket timeouts.
    assert settings["cache"] == "careerquiz.cache.FailOpenRedisCache"
    assert settings["location"] == "redis://cache.example:6379/2"
    assert settings["key_prefix"] == "cq"


ADMIN_URLS = """
import django
django.setup()
from django.urls import reverse, resolve, Resolver404
print(reverse("admin:index"), reverse("content-import"))
try:
    resolve("/admin/")
    print("admin/ still answers")
except Resolver404:
    print("admin/ is gone")
"""


def test_the_admin_lives_where_django_admin_url_says():
    moved = run(["-c", ADMIN_URLS], DJANGO_ADMIN_URL="staff-7f3a/")
    default = run(["-c", ADMIN_URLS])
    refused = run(["manage.py", "check"], DJANGO_ADMIN_URL="../x")

    assert moved.stdout.split("\n")[:2] == [
        "/staff-7f3a/ /staff-7f3a/content/import/",
        "admin/ is gone",
    ], moved.stderr
    assert default.stdout.startswith("/admin/ /admin/content/import/")
    assert refused.returncode != 0
    assert "DJANGO_ADMIN_URL must be a path" in refused.stderr
