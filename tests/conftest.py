"""Shared test set-up.

CAREERQUIZ_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure, so
CI cannot go green by silently skipping browser or PostgreSQL tests.
"""

from __future__ import annotations

import copy
import os
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    from quiz.models import QuizVersion
    from quiz.placement import QuizSpec

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


# --- The shipped ladder and quiz (careerquiz/content/ml-engineer.json) -----------------------


@pytest.fixture(scope="session")
def shipped_data() -> dict[str, Any]:
    """The shipped content file, read and parsed once per session (copy it to change it)."""
    from careerquiz.content import SHIPPED_CONTENT, load_file

    return load_file(SHIPPED_CONTENT)


def _import_shipped(data: dict[str, Any]) -> QuizVersion:
    from careerquiz.content import import_content
    from quiz.models import Quiz

    import_content(copy.deepcopy(data))
    version = Quiz.objects.published().get(slug="ml-engineer").live_version
    assert version is not None
    return version


def _forget_shipped() -> None:
    """Delete what importing the shipped content wrote, history last (deleting writes it)."""
    from django.apps import apps

    from ladder.models import Ladder
    from quiz.models import Quiz

    Quiz.objects.all().delete()
    Ladder.objects.all().delete()
    for model in apps.get_models():
        if model._meta.app_label in ("ladder", "quiz") and model.__name__.startswith("Historical"):
            model._default_manager.all().delete()


@pytest.fixture(scope="module")
def _shipped_in_module(django_db_setup, django_db_blocker, shipped_data):
    # Importing costs seconds; a module's tests share one import, committed before
    # them (each test's own writes still roll back) and deleted after the last.
    with django_db_blocker.unblock():
        pk = _import_shipped(shipped_data).pk
    yield pk
    with django_db_blocker.unblock():
        _forget_shipped()


@pytest.fixture
def shipped_version(_shipped_in_module, db) -> QuizVersion:
    """The shipped ladder and quiz, imported and published: its live version."""
    from quiz.models import QuizVersion

    return QuizVersion.objects.get(pk=_shipped_in_module)


@pytest.fixture(scope="session")
def shipped_spec(django_db_setup, django_db_blocker, shipped_data) -> QuizSpec:
    """The shipped quiz as the placement engine sees it, for tests that need no database.

    Imported and published once per session, exactly as an editor would, inside a
    transaction that is then rolled back: only the published snapshot is kept.
    """
    from django.db import transaction

    from quiz.snapshots import spec_from_snapshot

    with django_db_blocker.unblock(), transaction.atomic():
        snapshot = _import_shipped(shipped_data).document
        transaction.set_rollback(True)
    return spec_from_snapshot(snapshot)
