"""The newcomer's first command sets everything up once and is safe to repeat."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from ladder.models import Ladder, Rung
from quiz.models import Quiz, QuizVersion

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-server", *args, stdout=out)
    return out.getvalue()


def test_first_run_imports_content_creates_admin_and_prints_urls():
    output = run_demo()

    assert Ladder.objects.filter(slug="ml-engineer").exists()
    assert Rung.objects.filter(ladder__slug="ml-engineer").count() >= 4
    assert Quiz.objects.published().filter(slug="ml-engineer").exists()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert "password" in output
    for path in ("/quiz/ml-engineer/", "/ladders/ml-engineer/", "/admin/", "/api/docs/"):
        assert f"http://127.0.0.1:8000{path}" in output


def test_second_run_creates_nothing_new():
    run_demo()
    counts = (Rung.objects.count(), QuizVersion.objects.count(), get_user_model().objects.count())

    output = run_demo()

    assert counts == (
        Rung.objects.count(),
        QuizVersion.objects.count(),
        get_user_model().objects.count(),
    )
    assert "already present" in output
    assert "already exists" in output
    assert "password" not in output


def test_existing_superuser_means_no_demo_admin():
    get_user_model().objects.create_superuser("editor", "", "a-long-password-123")

    run_demo()

    assert not get_user_model().objects.filter(username="admin").exists()


def test_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        run_demo()
    assert not Ladder.objects.exists()
