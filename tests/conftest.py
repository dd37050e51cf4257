"""Shared test set-up.

CAREERQUIZ_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure, so
CI cannot go green by silently skipping browser or PostgreSQL tests.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache

REQUIRE_ALL = os.environ.get("CAREERQUIZ_REQUIRE_ALL", "") not in ("", "0", "false")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Production's PBKDF2 costs about 0.9 s per login here, and many tests log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"Skipped, but CAREERQUIZ_REQUIRE_ALL is set: {reason}"


@pytest.fixture
def ladder(db):
    from tests.factories import make_ladder

    return make_ladder()


@pytest.fixture
def quiz(ladder):
    from tests.factories import make_quiz

    return make_quiz(ladder)
