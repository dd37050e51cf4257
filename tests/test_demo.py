"""The newcomer's first command sets everything up once and is safe to repeat."""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from careerquiz.management.commands import demo
from careerquiz.partners.demo import DEMO_PARTNER, serve_pages
from careerquiz.partners.embed import loader_file
from careerquiz.partners.models import Partner
from ladder.models import Ladder, Rung
from quiz.models import Quiz, QuizVersion

PASSWORD_LINE = re.compile(r"password: (\S+)")


def password_in(output: str) -> str:
    match = PASSWORD_LINE.search(output)
    assert match, "no password in the output"
    return match.group(1)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-server", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "ladders": Ladder.objects.count(),
        "rungs": Rung.objects.count(),
        "rung history": Rung.history.count(),
        "quizzes": Quiz.objects.count(),
        "versions": QuizVersion.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.fixture(autouse=True)
def debug_on(settings):
    # The test runner turns DEBUG off; the demo is for development, where it is on.
    settings.DEBUG = True


@pytest.mark.django_db
def test_first_run_imports_and_publishes_content_and_prints_a_working_login():
    output = run_demo()

    assert Ladder.objects.filter(slug="ml-engineer").exists()
    assert Rung.objects.filter(ladder__slug="ml-engineer").count() >= 4
    assert Quiz.objects.published().filter(slug="ml-engineer").exists()
    admin = get_user_model().objects.get(username=demo.ADMIN_USERNAME)
    assert admin.is_superuser
    assert admin.is_staff
    password = password_in(output)
    assert admin.check_password(password)


@pytest.mark.django_db
def test_first_run_prints_the_urls_that_matter():
    output = run_demo()

    for path in (
        "/quiz/ml-engineer/",
        "/ladders/ml-engineer/",
        "/admin/",
        "/api/docs/",
        "/api/v1/quizzes/",
    ):
        assert f"http://127.0.0.1:8000{path}" in output


@pytest.mark.django_db
def test_second_run_creates_nothing_and_never_shows_the_password_again():
    first = run_demo()
    password = password_in(first)
    before = counts()

    output = run_demo()

    assert counts() == before
    assert demo.MSG_CONTENT_PRESENT in output
    assert demo.MSG_ADMIN_EXISTS.split("{")[0] in output
    assert password not in output
    assert not PASSWORD_LINE.search(output)


@pytest.mark.django_db
def test_rerun_keeps_editor_changes_and_restores_only_what_is_missing():
    run_demo()
    Ladder.objects.filter(slug="ml-engineer").update(title="Edited by an editor")
    Quiz.objects.filter(slug="ml-engineer").delete()

    output = run_demo()

    assert demo.MSG_CONTENT_IMPORTED.split("{")[0] in output
    assert Ladder.objects.get(slug="ml-engineer").title == "Edited by an editor"
    assert Quiz.objects.published().filter(slug="ml-engineer").exists()


@pytest.mark.django_db
def test_existing_superuser_means_no_demo_admin():
    get_user_model().objects.create_superuser("editor", "", "a-long-password-123")

    output = run_demo()

    assert not get_user_model().objects.filter(username=demo.ADMIN_USERNAME).exists()
    assert demo.MSG_ADMIN_EXISTS.split("{")[0] in output


@pytest.mark.django_db
def test_plain_user_named_admin_is_left_alone():
    get_user_model().objects.create_user(demo.ADMIN_USERNAME, "", "a-long-password-123")

    output = run_demo()

    user = get_user_model().objects.get(username=demo.ADMIN_USERNAME)
    assert not user.is_superuser
    assert "createsuperuser" in output


@pytest.mark.django_db
def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        run_demo()
    assert not Ladder.objects.exists()

    run_demo("--force")
    assert Ladder.objects.filter(slug="ml-engineer").exists()


@pytest.mark.django_db
def test_starts_the_development_server_and_the_partner_page(monkeypatch):
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    real_call_command = call_command

    def spy(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "runserver":
            calls.append((name, args, kwargs))
            return
        real_call_command(name, *args, **kwargs)

    pages: list[tuple[str, int]] = []
    monkeypatch.setattr(demo, "call_command", spy)
    monkeypatch.setattr(
        demo, "serve_pages", lambda served, *, port: pages.append((served["/"], port))
    )

    call_command("demo", "0.0.0.0:8123", "--no-worker", stdout=StringIO())

    assert calls == [("runserver", ("0.0.0.0:8123",), {"use_reloader": False})]
    [(html, port)] = pages
    assert port == 8124
    partner = Partner.objects.get(name=DEMO_PARTNER)
    # The page loads the app from localhost, another site than 127.0.0.1 to a browser.
    # The snippet the partner admin hands out: the loader pinned by its integrity.
    assert (
        f'<script src="http://localhost:8123/embed.js" integrity="{loader_file().integrity}" '
        f'crossorigin="anonymous" data-quiz="ml-engineer" data-partner="{partner.public_key}"'
    ) in html


class FakeWorker:
    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.events: list[str] = ["started"]

    def terminate(self) -> None:
        self.events.append("terminated")

    def wait(self, timeout: float | None = None) -> int:
        self.events.append("waited")
        return 0


@pytest.mark.django_db
def test_the_webhook_worker_runs_beside_the_server_and_stops_with_it(monkeypatch):
    workers: list[FakeWorker] = []
    seen_by_server: list[list[str]] = []

    def popen(command: list[str]) -> FakeWorker:
        workers.append(FakeWorker(command))
        return workers[-1]

    def runserver(name: str, *args: Any, **kwargs: Any) -> None:
        if name != "runserver":
            call_command(name, *args, **kwargs)
            return
        seen_by_server.append(list(workers[0].events))
        raise KeyboardInterrupt  # the developer presses Ctrl-C

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(demo, "call_command", runserver)
    monkeypatch.setattr(demo, "serve_pages", lambda served, *, port: None)
    out = StringIO()

    with pytest.raises(KeyboardInterrupt):
        call_command("demo", "127.0.0.1:8123", stdout=out)

    [worker] = workers
    assert worker.command[2:] == ["db_worker", "--queue-name", "*", "--no-reload"]
    assert seen_by_server == [["started"]]  # running while the server ran
    assert worker.events == ["started", "terminated", "waited"]
    assert "db_worker" in out.getvalue()


def test_without_a_server_no_worker_starts(monkeypatch, db):
    monkeypatch.setattr(demo, "start_worker", lambda: pytest.fail("a worker was started"))
    run_demo()


@pytest.mark.django_db
def test_the_demo_partner_may_embed_from_the_partner_page_and_is_kept_on_reruns():
    output = run_demo()
    partner = Partner.objects.get(name=DEMO_PARTNER)
    assert partner.origins == ["http://127.0.0.1:8001"]
    assert "http://127.0.0.1:8001/" in output

    partner.accent_color = "#aa3300"
    partner.save()
    run_demo("127.0.0.1:9000")

    partner.refresh_from_db()
    assert partner.accent_color == "#aa3300"
    assert partner.origins == ["http://127.0.0.1:8001", "http://127.0.0.1:9001"]
    assert Partner.objects.filter(name=DEMO_PARTNER).count() == 1


def test_the_partner_page_server_serves_the_page_and_nothing_else():
    server = serve_pages({"/": "<p>Partner page</p>"})
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/") as response:
            assert response.read() == b"<p>Partner page</p>"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/other")
        assert missing.value.code == 404
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("addrport", "base"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("9000", "http://127.0.0.1:9000"),
        ("0.0.0.0:8000", "http://127.0.0.1:8000"),
        ("0:8000", "http://127.0.0.1:8000"),
        ("localhost", "http://localhost:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_printed_urls_are_ones_a_browser_here_can_open(addrport, base):
    assert demo.browsable_base(addrport) == base
