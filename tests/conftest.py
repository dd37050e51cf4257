"""Shared test set-up.

CAREERQUIZ_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure, so
CI cannot go green by silently skipping browser or PostgreSQL tests.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache

REQUIRE_ALL = os.environ.get("CAREERQUIZ_REQUIRE_ALL", "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # SQLite's default test database lives in memory, and then pytest-django hands the
    # live server the test's own connection: two requests at once (two embeds on one
    # page) share it and fail with "bad parameter or other API misuse". A file gives
    # each server thread its own connection, as in production.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Production's PBKDF2 costs about 0.9 s per login here, and many tests log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from careerquiz.web.recent import forget_all

    # Each test has a database of its own: nothing a process kept may outlive it.
    cache.clear()
    forget_all()
    yield
    cache.clear()
    forget_all()


def pytest_collection_modifyitems(items):
    # Everything under tests/browser/ needs the browser: `-m "not browser"` leaves it out.
    for item in items:
        if "browser" in item.path.parts[-2:-1]:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"Skipped, but CAREERQUIZ_REQUIRE_ALL is set: {reason}"


# --- Shared fixtures -------------------------------------------------------------------------


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def partner(db):
    from careerquiz.partners.models import Partner

    return Partner.objects.create(
        name="Careers Co", public_key="pk_careers", allowed_origins="https://careers.example"
    )


@pytest.fixture
def rates(settings):
    """Set throttle rates for one test: rates(client="2/min", ...)."""

    def set_rates(**overrides: str) -> None:
        current = settings.REST_FRAMEWORK
        merged = {**current["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = {**current, "DEFAULT_THROTTLE_RATES": merged}

    return set_rates


@pytest.fixture
def ladder(db):
    from tests.factories import make_ladder

    return make_ladder()


@pytest.fixture
def quiz(ladder):
    from tests.factories import make_quiz

    return make_quiz(ladder)
