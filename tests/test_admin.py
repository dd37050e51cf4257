"""The editors' admin: every page renders, validation speaks plainly, publishing is safe.

Forms are submitted the way a browser would: the page is fetched, its form
read back (with every inline's management data), a few fields edited, and
the whole thing posted.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, models
from django.http import HttpResponse
from django.test import Client
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from careerquiz import roles
from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from careerquiz.content.admin_views import MSG_REPUBLISH
from careerquiz.content.preview import MSG_NEW, MSG_NEW_ITEM
from careerquiz.partners.embed import iframe_snippet, script_snippet
from careerquiz.partners.models import (
    MSG_BAD_COLOUR,
    MSG_BAD_FONT,
    MSG_BAD_ORIGIN,
    MSG_CTA_HTTPS,
    MSG_CTA_NEEDS_BOTH,
    PLACEMENT_COMPLETED,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
)
from careerquiz.partners.webhooks import deliver
from ladder.admin import SOURCES_HELP
from ladder.models import (
    MSG_CURRENCY_REGION,
    MSG_MIN_GT_MAX,
    JobTitle,
    Ladder,
    LadderNote,
    NextStep,
    Responsibility,
    Rung,
    SalaryBand,
)
from quiz import rules
from quiz.admin import (
    LOG_PUBLISHED,
    LOG_UNPUBLISHED,
    MSG_PUBLISHED,
    MSG_UNCHANGED,
    MSG_WARNINGS_CHANGED,
    STATUS_DRAFT_CHANGED,
    STATUS_NOT_PUBLISHED,
    STATUS_PUBLISHED,
)
from quiz.attempts import complete_attempt, start_attempt
from quiz.models import Attempt, Option, Question, Quiz, QuizVersion
from quiz.publish_checks import MSG_NO_PAY, MSG_QUESTION_NO_ADVICE
from quiz.rules import MSG_FOREIGN_RUNG, MSG_NO_OPTIONS, as_sentence
from quiz.versions import AT_QUESTION
from tests.factories import answers_at, live_version, make_ladder, make_quiz

# --- Reading and submitting admin forms like a browser ------------------------------------


class _FormReader(HTMLParser):
    """What a browser would submit from one form of the page (without pressing a button)."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        if "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done:
            form_id = attributes.get("id", "")
            self.inside = form_id == self.form_id if self.form_id else form_id.endswith("_form")
            return
        if not self.inside or "disabled" in attributes or "name" not in attributes:
            if tag == "option" and self._select is not None:
                self._options.append((attributes.get("value", ""), "selected" in attributes))
            return
        name = attributes["name"]
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self._add(name, attributes.get("value", "on"))
                return
            self._add(name, attributes.get("value", ""))
        elif tag == "select":
            self._select = (name, "multiple" in attributes)
            self._options = []
        elif tag == "textarea":
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None


def read_form(page: str, form_id: str | None = None) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(page)
    assert reader.data, "no form found on the page"
    return reader.data


def submit(
    client: Client,
    url: str,
    edits: Mapping[str, str | list[str] | None] | None = None,
    *,
    form_id: str | None = None,
    button: str = "_save",
):
    """GET the page, edit some fields of its form (None removes one), POST it back."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data: dict[str, str | list[str]] = dict(read_form(page.content.decode(), form_id))
    for name, value in (edits or {}).items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data[button] = "Save"
    return client.post(url, data)


def text(response) -> str:
    """The page as a reader sees it: entities decoded."""
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def constraint_message(model: type[models.Model], name: str) -> str:
    return str(next(c for c in model._meta.constraints if c.name == name).violation_error_message)


def change_url(obj: models.Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


# --- One object of every registered model --------------------------------------------------


@pytest.fixture
def content(db) -> Quiz:
    ladder = make_ladder()
    rung = ladder.rungs.get(slug="junior")
    Responsibility.objects.create(rung=rung, text="Ship a scoped task.", source="t.txt")
    JobTitle.objects.create(rung=rung, name="Associate ML Engineer", source="t.txt")
    NextStep.objects.create(rung=rung, kind="project", title="Build a pipeline", source="t.txt")
    LadderNote.objects.create(ladder=ladder, kind="faq", title="Why rungs?", body="…", source="t")
    quiz = make_quiz(ladder)
    partner = Partner.objects.create(name="Careers Inc", allowed_origins="https://careers.example")
    WebhookEndpoint.objects.create(
        partner=partner, url="https://hooks.careers.example/", events=[PLACEMENT_COMPLETED]
    )
    attempt = start_attempt(
        live_version(quiz), channel=Attempt.Channel.EMBED, partner_id=partner.pk
    )
    complete_attempt(attempt, answers_at(quiz, "mid"), region="IN")  # writes a delivery
    deliver.enqueue(WebhookDelivery.objects.get().message_id)  # a row of the task queue
    Group.objects.create(name="Editors")
    # What django-axes keeps after a failed admin login.
    AccessAttempt.objects.create(
        username="intruder", ip_address="203.0.113.9", failures_since_start=1
    )
    AccessFailureLog.objects.create(username="intruder", ip_address="203.0.113.9")
    return quiz


REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_every_admin_page_renders_for_a_superuser(
    content, admin_client, admin_user, model, model_admin
):
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    obj = model._default_manager.first()
    assert obj is not None, f"the content fixture must create a {opts.label}"

    assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200
    request = RequestFactory().get("/")
    request.user = admin_user
    add = admin_client.get(reverse(f"{name}_add"))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)
    assert admin_client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200
    assert admin_client.get(reverse(f"{name}_history", args=[obj.pk])).status_code == 200
    if isinstance(model_admin, SimpleHistoryAdmin):
        revert = reverse(f"{name}_simple_history", args=[obj.pk, obj.history.earliest().pk])
        assert admin_client.get(revert).status_code == 200


def test_every_model_with_history_has_its_history_and_revert_in_the_admin():
    tracked = [
        model
        for app in ("ladder", "quiz", "partners")
        for model in apps.get_app_config(app).get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ]
    assert len(tracked) >= 12
    for model in tracked:
        assert isinstance(admin.site._registry.get(model), SimpleHistoryAdmin), model


def test_versions_and_attempts_are_read_only(content, admin_client):
    version = QuizVersion.objects.get()
    assert admin_client.get(reverse("admin:quiz_quizversion_add")).status_code == 403
    assert admin_client.get(reverse("admin:quiz_attempt_add")).status_code == 403
    page = admin_client.get(change_url(version))
    assert 'name="_save"' not in page.content.decode()
    assert '"slug": "test-quiz"' in text(page)  # the snapshot, pretty-printed
    delete = reverse("admin:quiz_quizversion_delete", args=[version.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert QuizVersion.objects.count() == 1


# --- Ladder and rungs -------------------------------------------------------------------------


@pytest.mark.django_db
def test_ladder_list_shows_rung_count_and_each_rung_is_one_click_away(ladder, admin_client):
    listing = admin_client.get(reverse("admin:ladder_ladder_changelist"))
    assert '<td class="field-rung_count">4</td>' in listing.content.decode()
    page = text(admin_client.get(change_url(ladder)))
    for rung in ladder.rungs.all():
        assert change_url(rung) in page


def test_view_on_site_and_preview_link_to_the_public_pages(quiz, admin_client):
    ladder_page = admin_client.get(change_url(quiz.ladder))
    rung_page = admin_client.get(change_url(quiz.ladder.rungs.get(slug="mid")))
    quiz_page = admin_client.get(change_url(quiz))
    assert ladder_page.status_code == rung_page.status_code == quiz_page.status_code == 200
    assert 'class="viewsitelink"' in text(ladder_page)
    assert (
        admin_client.get(view_on_site_target(ladder_page))
        .headers["Location"]
        .endswith("/ladders/test-ladder/")
    )
    assert view_on_site_target(rung_page)
    assert (
        admin_client.get(view_on_site_target(rung_page))
        .headers["Location"]
        .endswith("/ladders/test-ladder/#rung-mid")
    )
    assert 'href="/quiz/test-quiz/preview/">Preview draft' in text(quiz_page)
    assert (
        admin_client.get(view_on_site_target(quiz_page))
        .headers["Location"]
        .endswith("/quiz/test-quiz/")
    )


def view_on_site_target(response: HttpResponse) -> str:
    """The admin's "View on site" link, which redirects to the object's public page."""
    match = re.search(r'href="([^"]+)" class="viewsitelink"', response.content.decode())
    assert match, "no View on site link"
    return html.unescape(match.group(1))


@pytest.mark.django_db
def test_a_band_with_min_above_max_is_refused_and_nothing_changes(ladder, admin_client):
    rung = ladder.rungs.get(slug="junior")
    before = list(SalaryBand.objects.values_list("pk", "min", "max"))
    # Inline bands are ordered by region: 0 is IN (₹10–20 LPA), 1 is US.
    response = submit(admin_client, change_url(rung), {"salary_bands-0-min": "3000000"})
    assert response.status_code == 200
    assert f"Max {MSG_MIN_GT_MAX} (3,000,000)." in text(response)
    assert list(SalaryBand.objects.values_list("pk", "min", "max")) == before


@pytest.mark.django_db
def test_a_currency_that_does_not_fit_the_region_is_refused(ladder, admin_client):
    rung = ladder.rungs.get(slug="junior")
    response = submit(
        admin_client,
        reverse("admin:ladder_salaryband_add"),
        {
            "rung": str(rung.pk),
            "region": "US",
            "currency": "INR",
            "min": "1000000",
            "max": "2000000",
            "period": "year",
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert MSG_CURRENCY_REGION.format(currency="INR", region="US") in text(response)
    assert SalaryBand.objects.filter(rung=rung).count() == 2


@pytest.mark.django_db
def test_a_second_rung_at_the_same_order_is_refused_with_the_constraint_message(
    ladder, admin_client
):
    message = constraint_message(Rung, "unique_rung_order_per_ladder")
    response = submit(
        admin_client,
        reverse("admin:ladder_rung_add"),
        {
            "ladder": str(ladder.pk),
            "order": "2",
            "title": "Another mid",
            "slug": "another-mid",
            "question": "Can you?",
        },
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not Rung.objects.filter(slug="another-mid").exists()


@pytest.mark.django_db
def test_a_rung_added_on_the_ladder_page_at_a_taken_order_goes_there(ladder, admin_client):
    url = change_url(ladder)
    form = read_form(admin_client.get(url).content.decode())
    total = int(form["rungs-TOTAL_FORMS"][0])
    response = submit(
        admin_client,
        url,
        {
            "rungs-TOTAL_FORMS": str(total + 1),
            f"rungs-{total}-order": "1",
            f"rungs-{total}-title": "Intern",
            f"rungs-{total}-slug": "intern",
            f"rungs-{total}-question": "Can you learn the task?",
        },
    )
    assert response.status_code == 302, text(response)
    assert list(ladder.rungs.order_by("order").values_list("order", "slug")) == [
        (1, "intern"),
        (2, "junior"),
        (3, "mid"),
        (4, "senior"),
        (5, "lead"),
    ]


@pytest.mark.django_db
def test_a_rung_added_on_the_ladder_page_is_saved_with_its_defining_question(ladder, admin_client):
    url = change_url(ladder)
    total = int(read_form(admin_client.get(url).content.decode())["rungs-TOTAL_FORMS"][0])
    response = submit(
        admin_client,
        url,
        {
            "rungs-TOTAL_FORMS": str(total + 1),
            f"rungs-{total}-order": "5",
            f"rungs-{total}-title": "Staff",
            f"rungs-{total}-slug": "staff",
            f"rungs-{total}-question": "Do you make other people better?",
        },
    )
    assert response.status_code == 302
    assert ladder.rungs.get(order=5).question == "Do you make other people better?"


@pytest.mark.django_db
def test_sources_are_edited_one_per_line(ladder, admin_client):
    rung = ladder.rungs.get(slug="junior")
    assert SOURCES_HELP in text(admin_client.get(change_url(rung)))
    response = submit(admin_client, change_url(rung), {"sources": "000_a.txt\n\n002_b.txt\n"})
    assert response.status_code == 302
    rung.refresh_from_db()
    assert rung.sources == ["000_a.txt", "002_b.txt"]


def test_a_rung_with_text_variants_opens_and_saves_them_as_json(ladder, admin_client):
    rung = ladder.rungs.get(slug="junior")
    variant = {
        "field": "moves_you_up",
        "text": "Own one small problem.",
        "when": {"track": ["staff"]},
    }
    rung.texts = [variant]
    rung.save()
    page = admin_client.get(change_url(rung))
    assert page.status_code == 200
    assert "Own one small problem." in text(page)  # shown as JSON, not a list of names

    response = submit(admin_client, change_url(rung), {"texts": json.dumps([variant])})
    assert response.status_code == 302
    rung.refresh_from_db()
    assert rung.texts == [variant]


@pytest.mark.django_db
def test_band_list_shows_money_as_the_region_reads_it(ladder, admin_client):
    page = text(admin_client.get(reverse("admin:ladder_salaryband_changelist")))
    assert "₹10–20 LPA" in page
    assert "$100K–$150K" in page
    rung_page = text(admin_client.get(change_url(ladder.rungs.get(slug="junior"))))
    assert "₹10–20 LPA" in rung_page  # the read-only column of the band inline


@pytest.mark.django_db
def test_item_lists_filter_by_ladder_rung_and_kind(ladder, admin_client):
    other = make_ladder(slug="other")
    SalaryBand.objects.filter(rung__ladder=other).update(min=7_000_000, max=9_000_000)
    url = reverse("admin:ladder_salaryband_changelist")
    page = text(admin_client.get(url, {"rung__ladder__id__exact": ladder.pk, "region": "IN"}))
    assert "₹10–20 LPA" in page
    assert "₹70–90 LPA" not in page
    assert "$100K" not in page
    rung = ladder.rungs.get(slug="junior")
    NextStep.objects.create(rung=rung, kind="mistake", title="Chasing certificates")
    NextStep.objects.create(rung=rung, kind="project", title="Build a pipeline")
    steps = text(admin_client.get(reverse("admin:ladder_nextstep_changelist"), {"kind": "mistake"}))
    assert "Chasing certificates" in steps
    assert "Build a pipeline" not in steps


@pytest.mark.django_db
def test_the_rung_page_does_not_query_once_per_item(
    ladder, admin_client, django_assert_max_num_queries
):
    rung = ladder.rungs.get(slug="junior")
    for number in range(30):
        Responsibility.objects.create(rung=rung, text=f"Task {number}", position=number)
        NextStep.objects.create(rung=rung, kind="course", title=f"Course {number}")
        SalaryBand.objects.create(rung=rung, region="GB", currency="GBP", min=1, max=2)
    with django_assert_max_num_queries(15):
        response = admin_client.get(change_url(rung))
    assert response.status_code == 200


# --- History and revert ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_shows_in_history_and_can_be_reverted(ladder, admin_client):
    url = change_url(ladder)
    assert submit(admin_client, url, {"title": "Renamed ladder"}).status_code == 302
    ladder.refresh_from_db()
    assert ladder.title == "Renamed ladder"

    history = text(admin_client.get(reverse("admin:ladder_ladder_history", args=[ladder.pk])))
    assert "Renamed ladder" in history
    assert "Test-Ladder ladder" in history
    original = ladder.history.earliest()
    revert_url = reverse(
        "admin:ladder_ladder_simple_history", args=[ladder.pk, original.history_id]
    )
    assert submit(admin_client, revert_url).status_code == 302
    ladder.refresh_from_db()
    assert ladder.title == "Test-Ladder ladder"
    assert ladder.history.count() == 3


# --- Quizzes: building and publishing --------------------------------------------------------


@pytest.fixture
def draft(ladder) -> Quiz:
    return make_quiz(ladder, published=False)


def run_action(client: Client, action: str, quizzes: list[Quiz]):
    return client.post(
        reverse("admin:quiz_quiz_changelist"),
        {"action": action, "_selected_action": [str(quiz.pk) for quiz in quizzes]},
        follow=True,
    )


def publish_selected(client: Client, quizzes: list[Quiz]):
    """Choose the publish action for these quizzes, then press the confirmation's button."""
    confirmation = run_action(client, "publish_drafts", quizzes)
    assert confirmation.status_code == 200
    return client.post(
        reverse("admin:quiz_quiz_changelist"),
        read_form(confirmation.content.decode(), "bulk-publish"),
        follow=True,
    )


def log_messages(quiz: Quiz) -> list[str]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Quiz), object_id=str(quiz.pk)
    )
    return [entry.get_change_message() for entry in entries.order_by("action_time", "pk")]


def test_the_publish_action_asks_first_then_creates_a_version_once(draft, admin_client, admin_user):
    confirmation = run_action(admin_client, "publish_drafts", [draft])
    assert "Nothing is live yet" in text(confirmation)
    assert 'value="Publish 1 quiz"' in confirmation.content.decode()
    assert not QuizVersion.objects.filter(quiz=draft).exists()  # only asked so far

    response = publish_selected(admin_client, [draft])
    assert MSG_PUBLISHED.format(quiz=draft, number=1) in messages_of(response)
    assert live_version(draft).number == 1
    assert live_version(draft).published_by == admin_user.get_username()
    assert log_messages(draft) == [LOG_PUBLISHED.format(number=1)]

    again = publish_selected(admin_client, [draft])
    assert MSG_UNCHANGED.format(quiz=draft, number=1) in messages_of(again)
    assert QuizVersion.objects.filter(quiz=draft).count() == 1
    assert log_messages(draft) == [LOG_PUBLISHED.format(number=1)]  # nothing happened


def test_bulk_publish_publishes_the_sound_quizzes_and_names_what_stops_the_others(
    draft, ladder, admin_client
):
    broken = make_quiz(ladder, slug="broken", published=False)
    Option.objects.filter(question__quiz=broken, question__key="q2").delete()
    problem = AT_QUESTION.format(key="q2", problem=MSG_NO_OPTIONS)

    confirmation = text(run_action(admin_client, "publish_drafts", [draft, broken]))
    assert problem in confirmation
    assert "Will not be published" in confirmation
    assert 'value="Publish 1 quiz"' in confirmation

    response = publish_selected(admin_client, [draft, broken])
    assert live_version(draft).number == 1
    assert not QuizVersion.objects.filter(quiz=broken).exists()
    assert any(problem in message for message in messages_of(response))


def test_publishing_a_broken_draft_names_the_problem_and_publishes_nothing(draft, admin_client):
    Option.objects.filter(question__quiz=draft, question__key="q2").delete()
    problem = AT_QUESTION.format(key="q2", problem=MSG_NO_OPTIONS)

    confirmation = run_action(admin_client, "publish_drafts", [draft])
    assert problem in text(confirmation)
    assert 'value="Publish' not in confirmation.content.decode()
    response = publish_selected(admin_client, [draft])
    assert any(problem in message for message in messages_of(response))

    publish_url = reverse("admin:quiz_quiz_publish", args=[draft.pk])
    confirmation = admin_client.get(publish_url)
    assert problem in text(confirmation)
    assert 'value="Publish' not in confirmation.content.decode()
    pressed = admin_client.post(publish_url, follow=True)
    assert any(problem in message for message in messages_of(pressed))
    assert not QuizVersion.objects.filter(quiz=draft).exists()
    assert log_messages(draft) == []


def test_warnings_are_shown_and_publishing_needs_the_confirmation_that_showed_them(
    draft, admin_client
):
    Question.objects.filter(quiz=draft, key="q1").update(advice="")
    draft.intro = "Nine questions about your work."
    draft.save()
    publish_url = reverse("admin:quiz_quiz_publish", args=[draft.pk])

    confirmation = admin_client.get(publish_url)
    page = text(confirmation)
    assert as_sentence(MSG_QUESTION_NO_ADVICE.format(key="q1")) in page
    assert "The intro says “Nine questions”" in page
    assert 'value="Publish anyway"' in page

    # A post that did not come from this confirmation (or saw other warnings) is asked again.
    unconfirmed = admin_client.post(publish_url)
    assert unconfirmed.status_code == 200
    assert MSG_WARNINGS_CHANGED.format(quiz=draft) in messages_of(unconfirmed)
    assert not QuizVersion.objects.filter(quiz=draft).exists()

    confirmed = admin_client.post(
        publish_url, read_form(confirmation.content.decode(), "publish-form")
    )
    assert confirmed.status_code == 302
    assert live_version(draft).number == 1


def test_a_ladder_without_pay_is_a_warning_on_the_confirmation(draft, admin_client):
    SalaryBand.objects.filter(rung__ladder=draft.ladder).delete()
    page = text(admin_client.get(reverse("admin:quiz_quiz_publish", args=[draft.pk])))
    assert as_sentence(MSG_NO_PAY.format(ladder=draft.ladder.slug)) in page


def test_the_confirmation_lists_the_changes_against_the_live_version(quiz, admin_client):
    publish_url = reverse("admin:quiz_quiz_publish", args=[quiz.pk])
    assert "None: the draft is what visitors get now" in text(admin_client.get(publish_url))

    Question.objects.filter(quiz=quiz, key="q1").update(text="Reworded?")
    Question.objects.filter(quiz=quiz, key="q3").delete()
    SalaryBand.objects.filter(rung__slug="mid", region="US").update(max=310_000)

    page = text(admin_client.get(publish_url))
    assert "1 removed (q3)" in page
    assert "1 changed (q1)" in page
    assert "q1 · text “Evidence question 1?” → “Reworded?”" in page
    assert "mid · US · max 300,000 → 310,000" in page


def test_unpublishing_is_logged_in_the_quizs_history(quiz, admin_client):
    run_action(admin_client, "unpublish_quizzes", [quiz])
    assert log_messages(quiz) == [LOG_UNPUBLISHED.format(number=1)]
    recent = text(admin_client.get(reverse("admin:index")))
    assert recent.index("Recent actions") < recent.index(str(quiz))


def test_someone_who_may_only_view_quizzes_cannot_publish_them(draft, client):
    user = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_quiz"))
    client.force_login(user)
    run_action(client, "publish_drafts", [draft])
    client.post(
        reverse("admin:quiz_quiz_changelist"),
        {"action": "publish_drafts", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert not QuizVersion.objects.filter(quiz=draft).exists()
    assert client.post(reverse("admin:quiz_quiz_publish", args=[draft.pk])).status_code == 403


def test_the_publish_and_unpublish_buttons_on_the_quiz_page(draft, admin_client):
    page = admin_client.get(change_url(draft)).content.decode()
    publish_url = reverse("admin:quiz_quiz_publish", args=[draft.pk])
    assert publish_url in page
    assert admin_client.get(publish_url).status_code == 200
    assert admin_client.post(publish_url).status_code == 302
    assert live_version(draft).number == 1

    unpublish_url = reverse("admin:quiz_quiz_unpublish", args=[draft.pk])
    assert unpublish_url in admin_client.get(change_url(draft)).content.decode()
    assert admin_client.post(unpublish_url).status_code == 302
    draft.refresh_from_db()
    assert draft.live_version is None
    assert QuizVersion.objects.filter(quiz=draft).count() == 1


def test_the_status_column_tells_published_changed_and_unpublished_apart(quiz, admin_client):
    url = reverse("admin:quiz_quiz_changelist")
    assert STATUS_PUBLISHED.format(number=1) in text(admin_client.get(url))
    Question.objects.filter(quiz=quiz, key="q1").update(text="Reworded?")
    assert STATUS_DRAFT_CHANGED.format(number=1) in text(admin_client.get(url))
    run_action(admin_client, "unpublish_quizzes", [quiz])
    assert STATUS_NOT_PUBLISHED in text(admin_client.get(url))


def question_rows(form: dict[str, list[str]]) -> dict[str, int]:
    """The quiz page's question rows: each question's key → its row number in the form."""
    keys = dict(Question.objects.values_list("pk", "key"))
    total = int(form["questions-TOTAL_FORMS"][0])
    return {keys[int(form[f"questions-{i}-id"][0])]: i for i in range(total)}


def keys_in_order(quiz: Quiz) -> list[str]:
    return list(quiz.questions.order_by("position", "id").values_list("key", flat=True))


def test_questions_are_reordered_on_the_quiz_page(draft, admin_client):
    url = change_url(draft)
    rows = question_rows(read_form(admin_client.get(url).content.decode()))
    response = submit(admin_client, url, {f"questions-{rows['q1']}-position": "9"})
    assert response.status_code == 302
    assert keys_in_order(draft)[-1] == "q1"
    page = admin_client.get(url).content.decode()
    assert change_url(Question.objects.get(quiz=draft, key="q1")) in page  # one click to options


def test_a_question_given_a_taken_position_takes_that_place(draft, admin_client):
    assert keys_in_order(draft) == ["q1", "q2", "q3", "title", "company", "skills"]
    url = change_url(draft)
    rows = question_rows(read_form(admin_client.get(url).content.decode()))

    response = submit(admin_client, url, {f"questions-{rows['skills']}-position": "2"})

    assert response.status_code == 302, text(response)
    assert keys_in_order(draft) == ["q1", "skills", "q2", "q3", "title", "company"]
    assert list(draft.questions.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]

    # The same rule on the question's own page: setting q3 to 2 makes it second.
    q3 = draft.questions.get(key="q3")
    response = submit(admin_client, change_url(q3), {"position": "2"})
    assert response.status_code == 302, text(response)
    assert keys_in_order(draft) == ["q1", "q3", "skills", "q2", "title", "company"]
    assert len(set(draft.questions.values_list("position", flat=True))) == 6


def test_a_question_moved_to_another_quiz_arrives_at_the_position_given(draft, admin_client):
    other = make_quiz(draft.ladder, slug="other-quiz", with_extras=False, published=False)
    moving = draft.questions.get(key="title")  # no key clash with the other quiz's q1..q3
    Question.objects.filter(pk=moving.pk).update(position=1)  # a number it held elsewhere

    response = submit(admin_client, change_url(moving), {"quiz": str(other.pk), "position": "3"})

    assert response.status_code == 302, text(response)
    assert keys_in_order(other) == ["q1", "q2", "title", "q3"]
    assert list(other.questions.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_an_answer_given_a_taken_position_takes_that_place(draft, admin_client):
    question = draft.questions.get(key="q1")
    url = change_url(question)
    form = read_form(admin_client.get(url).content.decode())
    index = {form[f"options-{i}-key"][0]: i for i in range(int(form["options-INITIAL_FORMS"][0]))}
    assert list(question.options.values_list("key", flat=True)) == [
        "junior",
        "mid",
        "senior",
        "lead",
    ]

    response = submit(admin_client, url, {f"options-{index['lead']}-position": "1"})

    assert response.status_code == 302, text(response)
    assert list(question.options.values_list("key", "position")) == [
        ("junior", 0),
        ("lead", 1),
        ("mid", 2),
        ("senior", 3),
    ]


def test_rung_items_given_a_taken_position_take_that_place(ladder, admin_client):
    rung = ladder.rungs.get(slug="junior")
    first = Responsibility.objects.create(rung=rung, text="First", position=0)
    second = Responsibility.objects.create(rung=rung, text="Second", position=1)
    third = Responsibility.objects.create(rung=rung, text="Third", position=2)

    response = submit(admin_client, change_url(third), {"position": "0"})  # its own page

    assert response.status_code == 302, text(response)
    assert list(rung.responsibilities.values_list("text", flat=True)) == [
        "Third",
        "First",
        "Second",
    ]

    url = change_url(rung)  # the rung page's inline
    form = read_form(admin_client.get(url).content.decode())
    prefix = next(name[: -len("-TOTAL_FORMS")] for name in form if "responsib" in name.lower())
    rows = {
        int(form[f"{prefix}-{i}-id"][0]): i for i in range(int(form[f"{prefix}-TOTAL_FORMS"][0]))
    }
    response = submit(admin_client, url, {f"{prefix}-{rows[first.pk]}-position": "2"})

    assert response.status_code == 302, text(response)
    assert list(rung.responsibilities.values_list("text", "position")) == [
        ("Third", 0),
        ("Second", 1),
        ("First", 2),
    ]
    assert second.pk in rows

    # And in the list of responsibilities, where positions are edited in place.
    listing = reverse("admin:ladder_responsibility_changelist") + f"?rung__id__exact={rung.pk}"
    form = read_form(admin_client.get(listing).content.decode(), "changelist-form")
    total = int(form["form-TOTAL_FORMS"][0])
    rows = {int(form[f"form-{i}-id"][0]): i for i in range(total)}
    response = submit(
        admin_client, listing, {f"form-{rows[first.pk]}-position": "0"}, form_id="changelist-form"
    )
    assert response.status_code == 302, text(response)
    assert list(rung.responsibilities.values_list("text", "position")) == [
        ("First", 0),
        ("Third", 1),
        ("Second", 2),
    ]


def test_the_rung_dropdown_offers_only_the_quizs_ladder(draft, admin_client):
    make_ladder(slug="other", rungs=("apprentice",))  # another ladder, not offered here
    question = draft.questions.get(key="q1")
    page = text(admin_client.get(change_url(question)))
    assert ">1. Junior<" in page  # its own ladder's rungs need no ladder name
    assert "1. Apprentice" not in page


def test_an_option_left_on_another_ladders_rung_is_explained(draft, admin_client):
    other = make_ladder(slug="other")
    Quiz.objects.create(slug="other-quiz", title="Other", ladder=other)
    question = draft.questions.get(key="q1")
    # Moving the question to a quiz on another ladder leaves its options on this ladder's rungs.
    response = submit(
        admin_client,
        change_url(question),
        {"quiz": str(Quiz.objects.get(slug="other-quiz").pk)},
    )
    assert response.status_code == 200
    for rung in ("junior", "mid", "senior", "lead"):
        message = MSG_FOREIGN_RUNG.format(rung=rung, other="test-ladder", ladder="other")
        assert as_sentence(message) in text(response)
    question.refresh_from_db()
    assert question.quiz == draft


def test_a_question_without_options_is_refused(draft, admin_client):
    response = submit(
        admin_client,
        reverse("admin:quiz_question_add") + f"?quiz={draft.pk}",
        {"key": "ownership", "text": "Who owns it?", "role": "evidence", "position": "7"},
    )
    assert response.status_code == 200
    assert as_sentence(MSG_NO_OPTIONS) in text(response)
    assert not Question.objects.filter(key="ownership").exists()

    question = draft.questions.get(key="q1")
    url = change_url(question)
    total = int(read_form(admin_client.get(url).content.decode())["options-TOTAL_FORMS"][0])
    deleting = {f"options-{i}-DELETE": "on" for i in range(total)}
    response = submit(admin_client, url, deleting)
    assert as_sentence(MSG_NO_OPTIONS) in text(response)
    assert question.options.count() == 4


def test_a_question_with_options_is_built_on_one_page(draft, admin_client):
    junior = draft.ladder.rungs.get(slug="junior")
    response = submit(
        admin_client,
        reverse("admin:quiz_question_add") + f"?quiz={draft.pk}",
        {
            "key": "ownership",
            "text": "Who owns it?",
            "role": "evidence",
            "position": "7",
            "options-0-key": "told",
            "options-0-text": "I do what I am told",
            "options-0-rung": str(junior.pk),
            "options-0-position": "0",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(quiz=draft, key="ownership")
    assert list(question.options.values_list("key", "rung__slug")) == [("told", "junior")]


def test_the_question_page_does_not_query_once_per_option(
    draft, admin_client, django_assert_max_num_queries
):
    question = draft.questions.get(key="q1")
    junior = draft.ladder.rungs.get(slug="junior")
    for number in range(30):
        Option.objects.create(question=question, key=f"o{number}", text="…", rung=junior)
    with django_assert_max_num_queries(15):
        response = admin_client.get(change_url(question))
    assert response.status_code == 200


# --- Partners -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_partner_gets_a_generated_key_that_cannot_be_edited(admin_client):
    response = submit(
        admin_client,
        reverse("admin:partners_partner_add"),
        {"name": "Jobs Ltd", "allowed_origins": "https://jobs.example"},
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="Jobs Ltd")
    assert partner.public_key.startswith("pk_")
    page = admin_client.get(change_url(partner)).content.decode()
    assert partner.public_key in page
    assert 'name="public_key"' not in page
    key = partner.public_key
    submit(admin_client, change_url(partner), {"public_key": "pk_mine"})
    partner.refresh_from_db()
    assert partner.public_key == key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            {"allowed_origins": "https://jobs.example/path"},
            MSG_BAD_ORIGIN.format(origin="https://jobs.example/path"),
        ),
        ({"accent_color": "red;x:1"}, MSG_BAD_COLOUR),
        ({"font_family": "Inter; } body { display: none"}, MSG_BAD_FONT),
        ({"cta_text": "Our courses", "cta_url": "http://jobs.example/courses"}, MSG_CTA_HTTPS),
        ({"cta_text": "Our courses"}, MSG_CTA_NEEDS_BOTH),
        ({"corner_radius": "99"}, "less than or equal to 32"),
    ],
)
def test_a_partner_with_a_bad_origin_or_theme_is_refused(admin_client, edits, message):
    data = {"name": "Jobs Ltd", "allowed_origins": "https://jobs.example"}
    response = submit(admin_client, reverse("admin:partners_partner_add"), {**data, **edits})
    assert response.status_code == 200
    assert message in text(response)
    assert not Partner.objects.exists()


def test_the_partner_page_shows_its_snippets_and_a_live_preview(quiz, admin_client):
    partner = Partner.objects.create(name="Jobs Ltd", allowed_origins="https://jobs.example")

    page = text(admin_client.get(change_url(partner)))

    script = script_snippet(partner, base_url="http://testserver", quiz=quiz.slug)
    iframe = iframe_snippet(partner, base_url="http://testserver", quiz=quiz.slug, title=quiz.title)
    assert script in page
    assert iframe in page
    preview = f"/embed/{quiz.slug}/?partner={partner.public_key}&preview=1"
    assert f'<iframe class="partner-preview" src="{preview}"' in page
    # The preview is framed by the admin itself: staff may, visitors' pages may not.
    framed = admin_client.get(preview)
    assert "frame-ancestors https://jobs.example 'self';" in framed["Content-Security-Policy"]


# --- Attempts and the funnel -----------------------------------------------------------------


def funnel_rows(response) -> dict[str, list[str]]:
    section = re.search(r'id="attempt-funnel".*?</table>', response.content.decode(), re.S)
    assert section, "no funnel on the page"
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", section.group(0), re.S)
    return {
        label: re.findall(r"<td>(?:<strong>)?(.*?)(?:</strong>)?</td>", cells)
        for label, cells in rows
    }


def test_the_attempt_list_shows_the_funnel_for_its_filters(quiz, admin_client):
    version = live_version(quiz)
    for completed in (True, True, False):
        attempt = start_attempt(version, channel=Attempt.Channel.WEB)
        if completed:
            complete_attempt(attempt, answers_at(quiz, "senior"), region="US")
    start_attempt(version, channel=Attempt.Channel.EMBED)

    url = reverse("admin:quiz_attempt_changelist")
    everything = funnel_rows(admin_client.get(url))
    assert everything["All channels"] == ["4", "2", "50%"]
    assert everything["Quiz page"] == ["3", "2", "67%"]
    assert everything["Embedded quiz"] == ["1", "0", "0%"]

    embedded = funnel_rows(admin_client.get(url, {"channel__exact": "embed"}))
    assert embedded["All channels"] == ["1", "0", "0%"]
    completed = admin_client.get(url, {"completed": "yes"})
    assert funnel_rows(completed)["All channels"] == ["2", "2", "100%"]
    assert text(completed).count("senior") >= 2


def test_the_quiz_list_costs_the_same_queries_for_one_quiz_or_many(ladder, admin_client):
    url = reverse("admin:quiz_quiz_changelist")
    make_quiz(ladder, slug="one")
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for slug in ("two", "three", "four"):
        make_quiz(ladder, slug=slug)
    with CaptureQueriesContext(connection) as four:
        listing = admin_client.get(url)
    assert text(listing).count(STATUS_PUBLISHED.format(number=1)) == 4
    # Each row's status compares its draft with the live version; it was a snapshot per row.
    assert len(four) == len(one)


# --- Editing a quiz whole, ordering, the placement map ------------------------------------


def test_two_rungs_swap_orders_in_one_save(ladder, admin_client):
    url = change_url(ladder)
    form = read_form(admin_client.get(url).content.decode())
    index = {form[f"rungs-{i}-slug"][0]: i for i in range(int(form["rungs-TOTAL_FORMS"][0]))}

    response = submit(
        admin_client,
        url,
        {f"rungs-{index['mid']}-order": "3", f"rungs-{index['senior']}-order": "2"},
    )

    assert response.status_code == 302, text(response)
    assert list(ladder.rungs.order_by("order").values_list("slug", flat=True)) == [
        "junior",
        "senior",
        "mid",
        "lead",
    ]


def option_fields(form: dict[str, list[str]], question_key: str) -> tuple[str, dict[str, int]]:
    """The nested prefix of a question on the quiz page, and its options' indexes by key."""
    total = int(form["questions-TOTAL_FORMS"][0])
    index = next(i for i in range(total) if form[f"questions-{i}-key"][0] == question_key)
    prefix = f"questions-{index}-options"
    count = int(form[f"{prefix}-TOTAL_FORMS"][0])
    keys = {form[f"{prefix}-{i}-key"][0]: i for i in range(count) if form[f"{prefix}-{i}-key"][0]}
    return prefix, keys


def test_a_questions_answers_are_edited_on_its_page_and_save_leads_back_to_the_quiz(
    draft, admin_client
):
    question = draft.questions.get(key="q1")
    url = change_url(question)
    form = read_form(admin_client.get(url).content.decode())
    index = {form[f"options-{i}-key"][0]: i for i in range(int(form["options-INITIAL_FORMS"][0]))}
    senior = draft.ladder.rungs.get(slug="senior")

    response = submit(
        admin_client,
        url,
        {
            "text": "Who decides what you build?",
            f"options-{index['mid']}-rung": str(senior.pk),
            f"options-{index['mid']}-advice": "Own a riskier problem next.",
        },
    )

    assert response.status_code == 302, text(response)
    assert response["Location"] == change_url(draft)
    mid = Option.objects.get(question__quiz=draft, question__key="q1", key="mid")
    assert (mid.rung, mid.advice) == (senior, "Own a riskier problem next.")
    assert Question.objects.get(pk=question.pk).text == "Who decides what you build?"


def test_the_quiz_page_adds_a_question_on_its_own_page_in_the_last_place(draft, admin_client):
    page = html.unescape(admin_client.get(change_url(draft)).content.decode())
    last = max(draft.questions.values_list("position", flat=True))
    add_url = reverse("admin:quiz_question_add") + f"?quiz={draft.pk}&position={last + 1}"
    assert add_url in page
    junior, mid = draft.ladder.rungs.get(slug="junior"), draft.ladder.rungs.get(slug="mid")

    response = submit(
        admin_client,
        add_url,
        {
            "key": "pairing",
            "text": "Who do you pair with?",
            "options-TOTAL_FORMS": "2",
            "options-0-key": "nobody",
            "options-0-text": "Nobody yet",
            "options-0-rung": str(junior.pk),
            "options-1-key": "juniors",
            "options-1-text": "Juniors, on their problems",
            "options-1-rung": str(mid.pk),
            "options-1-position": "0",  # as "Add another" copies it from the blank row
        },
    )

    assert response.status_code == 302, text(response)
    assert response["Location"] == change_url(draft)
    assert keys_in_order(draft)[-1] == "pairing"
    question = Question.objects.get(quiz=draft, key="pairing")
    assert list(question.options.values_list("key", "rung__slug")) == [
        ("nobody", "junior"),
        ("juniors", "mid"),
    ]


def test_a_new_quiz_is_told_where_its_questions_go(ladder, admin_client):
    page = text(admin_client.get(reverse("admin:quiz_quiz_add")))
    assert "Save the quiz to add its questions" in page
    assert "questions-TOTAL_FORMS" not in page


def field_count(form: dict[str, list[str]]) -> int:
    return sum(len(values) for values in form.values())


# A page's form grows by this many fields per question, whatever its answers (with
# DATA_UPLOAD_MAX_NUMBER_FIELDS = 1,000, a quiz page showing every answer broke at 14).
FIELDS_PER_QUESTION = 5
FIELDS_OF_THE_QUIZ = 20


def reorder_and_rename(client: Client, quiz: Quiz) -> tuple[HttpResponse, list[str]]:
    """Save the quiz page as a browser does after the last question is dragged to second
    place (the drag script numbers every row 1, 2, 3... in page order) and the title edited."""
    url = change_url(quiz)
    form = read_form(client.get(url).content.decode())
    assert field_count(form) <= FIELDS_OF_THE_QUIZ + FIELDS_PER_QUESTION * quiz.questions.count()
    rows = question_rows(form)
    before = keys_in_order(quiz)
    wanted = [before[0], before[-1], *before[1:-1]]
    edits = {f"questions-{rows[key]}-position": str(n) for n, key in enumerate(wanted, 1)}
    return submit(client, url, {**edits, "title": "Renamed quiz"}), wanted


@pytest.mark.django_db
def test_the_shipped_quiz_saves_from_its_page_with_its_questions_reordered(admin_client):
    import_content(load_file(SHIPPED_CONTENT))
    quiz = Quiz.objects.get(slug="ml-engineer")

    response, wanted = reorder_and_rename(admin_client, quiz)

    assert response.status_code == 302, response.status_code
    assert keys_in_order(quiz) == wanted
    quiz.refresh_from_db()
    assert quiz.title == "Renamed quiz"


def make_long_quiz(ladder: Ladder, *, questions: int, answers: int) -> Quiz:
    quiz = Quiz.objects.create(slug="long", title="Long quiz", ladder=ladder)
    rungs = list(ladder.rungs.order_by("order"))
    made = Question.objects.bulk_create(
        Question(quiz=quiz, key=f"q{n}", text=f"Question {n}?", position=n)
        for n in range(questions)
    )
    Option.objects.bulk_create(
        Option(
            question=question,
            key=f"a{n}",
            text=f"Answer {n}",
            rung=rungs[n % len(rungs)],
            advice=f"Advice {n}.",
            position=n,
        )
        for question in made
        for n in range(answers)
    )
    return quiz


def test_a_quiz_of_40_questions_of_8_answers_saves_from_its_page_and_each_question_too(
    ladder, admin_client
):
    quiz = make_long_quiz(ladder, questions=40, answers=8)

    response, wanted = reorder_and_rename(admin_client, quiz)

    assert response.status_code == 302, response.status_code
    assert keys_in_order(quiz) == wanted
    question = quiz.questions.get(key="q7")
    url = change_url(question)
    form = read_form(admin_client.get(url).content.decode())
    index = {form[f"options-{i}-key"][0]: i for i in range(8)}
    response = submit(admin_client, url, {f"options-{index['a5']}-text": "Reworded"})
    assert response.status_code == 302, text(response)
    assert question.options.get(key="a5").text == "Reworded"


def test_the_placement_map_shows_each_answer_under_its_rung_and_warns(draft, admin_client):
    page = text(admin_client.get(change_url(draft)))
    start = page.index('class="placement-map"')
    map_html = page[start : page.index("</table>", start)]
    assert "Senior answer" in map_html
    assert "Every rung can be reached" in page

    Option.objects.filter(question__quiz=draft, rung__slug="lead").delete()
    page = text(admin_client.get(change_url(draft)))
    assert rules.MSG_RUNG_UNREACHED.format(rung="lead").capitalize() in page
    confirmation = text(admin_client.get(reverse("admin:quiz_quiz_publish", args=[draft.pk])))
    assert rules.MSG_RUNG_UNREACHED.format(rung="lead").capitalize() in confirmation


# --- Content files in the admin -------------------------------------------------------------

SMALL_FILE = Path(__file__).parent / "data" / "small.json"


def upload(client: Client, path: Path, content: str | None = None):
    body = content if content is not None else path.read_text(encoding="utf-8")
    return client.post(
        reverse("content-import"),
        {"file": SimpleUploadedFile(path.name, body.encode(), content_type="application/json")},
    )


@pytest.mark.django_db
def test_a_good_file_shows_what_it_would_change_then_lands_on_confirm(admin_client):
    checked = upload(admin_client, SMALL_FILE)

    page = text(checked)
    assert checked.status_code == 200
    assert "What importing small.json would change" in page
    assert MSG_NEW.format(kind="ladder") in page
    assert MSG_NEW_ITEM.format(kind="rung", label="junior") in page  # a rung it would create
    assert not Ladder.objects.exists()  # a dry run
    form = read_form(checked.content.decode(), "import-confirm")
    confirmed = admin_client.post(
        reverse("content-import"),
        {"confirm": "Import it", **{k: v[0] for k, v in form.items() if k != "file"}},
        follow=True,
    )
    assert confirmed.status_code == 200
    assert Ladder.objects.filter(slug="ml-test").exists()
    assert live_version(Quiz.objects.get(slug="ml-test")).number == 1
    assert any(message.startswith("Imported small.json") for message in messages_of(confirmed))


def small_file_with(edit) -> str:
    data = json.loads(SMALL_FILE.read_text(encoding="utf-8"))
    edit(data)
    return json.dumps(data)


def confirm_import(client: Client, checked):
    form = read_form(checked.content.decode(), "import-confirm")
    return client.post(
        reverse("content-import"),
        {"confirm": "Import it", **{k: v[0] for k, v in form.items()}},
        follow=True,
    )


@pytest.mark.django_db
def test_an_edited_salary_band_previews_as_one_change_with_before_and_after(admin_client):
    import_content(json.loads(SMALL_FILE.read_text(encoding="utf-8")))

    def raise_pay(data):
        data["ladders"][0]["rungs"][1]["salary_bands"][1]["max"] = 195_000

    page = text(upload(admin_client, SMALL_FILE, small_file_with(raise_pay)))

    changes = page[page.index('class="import-changes"') : page.index('id="import-confirm"')]
    assert "mid · US · max 190,000 → 195,000" in changes
    assert "removed" not in changes
    assert "added" not in changes
    assert "Quiz ml-test" in changes
    assert "Unchanged." in changes
    assert SalaryBand.objects.get(rung__slug="mid", region="US").max == 190_000  # a dry run


@pytest.mark.django_db
def test_after_an_import_the_quizzes_left_behind_are_named_and_can_be_published_now(
    admin_client,
):
    import_content(json.loads(SMALL_FILE.read_text(encoding="utf-8")))
    quiz = Quiz.objects.get(slug="ml-test")

    def raise_pay_leaving_publication(data):
        data["ladders"][0]["rungs"][1]["salary_bands"][1]["max"] = 195_000
        del data["quizzes"][0]["published"]

    checked = upload(admin_client, SMALL_FILE, small_file_with(raise_pay_leaving_publication))
    assert "these quizzes' drafts differ from their published version" in text(checked)

    imported = confirm_import(admin_client, checked)
    assert MSG_REPUBLISH.format(quizzes=f"“{quiz}”") in messages_of(imported)
    assert imported.redirect_chain[-1][0].endswith("?republish=ml-test")
    page = imported.content.decode()
    assert "Publish the imported content" in text(imported)
    assert live_version(quiz).number == 1  # placements still use the old pay

    # "Publish now" leads to the bulk publish confirmation, with the change listed.
    confirmation = admin_client.post(
        reverse("admin:quiz_quiz_changelist"), read_form(page, "republish-form")
    )
    assert "mid · US · max 190,000 → 195,000" in text(confirmation)
    published = admin_client.post(
        reverse("admin:quiz_quiz_changelist"),
        read_form(confirmation.content.decode(), "bulk-publish"),
        follow=True,
    )
    assert MSG_PUBLISHED.format(quiz=quiz, number=2) in messages_of(published)
    bands = live_version(quiz).snapshot["rungs"][1]["salary_bands"]
    assert [band["max"] for band in bands if band["region"] == "US"] == [195_000]

    # Once published, the step is not offered again.
    after = text(admin_client.get(imported.redirect_chain[-1][0]))
    assert "Publish the imported content" not in after


@pytest.mark.django_db
def test_a_bad_file_names_the_field_and_changes_nothing_in_the_admin(admin_client):
    make_ladder(slug="ml-test")
    data = json.loads(SMALL_FILE.read_text(encoding="utf-8"))
    data["ladders"][0]["rungs"][1]["salary_bands"][0]["max"] = 1
    before = Rung.objects.count()

    page = text(upload(admin_client, SMALL_FILE, json.dumps(data)))

    assert "cannot be imported" in page
    assert f"ladders[0].rungs[1].salary_bands[0].max</code>: {MSG_MIN_GT_MAX}" in page
    assert Rung.objects.count() == before
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused_plainly(admin_client):
    page = text(upload(admin_client, SMALL_FILE, "{not json"))
    assert "not valid JSON" in page
    assert not Ladder.objects.exists()


@pytest.mark.django_db
def test_a_file_too_big_to_confirm_is_refused_before_the_dry_run(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    page = text(upload(admin_client, SMALL_FILE))
    assert "larger than 3 KB" in page
    assert "manage.py import_content" in page
    assert not Ladder.objects.exists()


def test_a_ladder_or_quiz_downloads_as_a_file(quiz, admin_client):
    response = admin_client.get(reverse("content-export", args=["quiz", quiz.slug]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="quiz-{quiz.slug}.json"'
    data = json.loads(response.content)
    assert [q["slug"] for q in data["quizzes"]] == [quiz.slug]
    assert data["ladders"] == []
    ladder = admin_client.get(reverse("content-export", args=["ladder", quiz.ladder.slug]))
    assert json.loads(ladder.content)["ladders"][0]["slug"] == quiz.ladder.slug
    assert admin_client.get(reverse("content-export", args=["quiz", "nope"])).status_code == 404


# --- Roles ------------------------------------------------------------------------------------


def staff_in(group: str) -> Client:
    user = get_user_model().objects.create_user(f"{group}-user", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def admin_sections(client: Client) -> set[str]:
    page = client.get(reverse("admin:index")).content.decode()
    return set(re.findall(r'href="/admin/(\w+/\w+)/"', page))


@pytest.mark.django_db
def test_an_editor_keeps_content_and_quizzes_but_not_users_or_partners(quiz):
    editor = staff_in(roles.EDITOR)

    sections = admin_sections(editor)

    assert {"ladder/ladder", "ladder/rung", "quiz/quiz", "quiz/question"} <= sections
    assert "partners/partner" not in sections
    assert "auth/user" not in sections
    assert editor.get(change_url(quiz)).status_code == 200
    assert editor.get(reverse("admin:partners_partner_changelist")).status_code == 403
    assert editor.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor.get(reverse("content-import")).status_code == 200


@pytest.mark.django_db
def test_a_partner_manager_keeps_partners_and_reads_attempts_only(quiz):
    manager = staff_in(roles.PARTNER_MANAGER)

    sections = admin_sections(manager)

    assert {"partners/partner", "quiz/attempt"} <= sections
    assert "ladder/ladder" not in sections
    assert "auth/user" not in sections
    assert manager.get(reverse("admin:partners_partner_add")).status_code == 200
    assert manager.get(change_url(quiz)).status_code == 200  # read only
    assert 'name="_save"' not in manager.get(change_url(quiz)).content.decode()
    assert manager.get(reverse("content-import")).status_code == 403


@pytest.mark.django_db
def test_a_partner_manager_sees_and_edits_only_the_partners_they_manage(quiz):
    manager = staff_in(roles.PARTNER_MANAGER)
    user = get_user_model().objects.get(username=f"{roles.PARTNER_MANAGER}-user")
    theirs = Partner.objects.create(name="Theirs Ltd", allowed_origins="https://theirs.example")
    theirs.managers.add(user)
    other = Partner.objects.create(name="Other Co", allowed_origins="https://other.example")

    listing = manager.get(reverse("admin:partners_partner_changelist")).content.decode()
    own = manager.get(reverse("admin:partners_partner_change", args=[theirs.pk]))
    foreign = manager.get(reverse("admin:partners_partner_change", args=[other.pk]))

    assert "Theirs Ltd" in listing
    assert "Other Co" not in listing
    assert own.status_code == 200
    assert foreign.status_code == 302  # the admin's "does not exist" redirect
    for partner in (theirs, other):
        start_attempt(live_version(quiz), channel=Attempt.Channel.EMBED, partner_id=partner.pk)
    attempts = manager.get(reverse("admin:quiz_attempt_changelist")).content.decode()
    assert "Theirs Ltd" in attempts  # in its rows and its partner filter
    assert "Other Co" not in attempts
    assert admin_client_sees_every_partner()


def admin_client_sees_every_partner() -> bool:
    boss = get_user_model().objects.create_superuser("boss", password="pw")
    client = Client()
    client.force_login(boss)
    listing = client.get(reverse("admin:partners_partner_changelist")).content.decode()
    return "Theirs Ltd" in listing and "Other Co" in listing


@pytest.mark.django_db
def test_the_roles_command_puts_a_groups_permissions_back(quiz):
    editors = Group.objects.get(name=roles.EDITOR)
    editors.permissions.clear()
    editors.permissions.add(Permission.objects.get(codename="change_partner"))
    out = StringIO()

    call_command("roles", stdout=out)

    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"change_quiz", "change_rung", "delete_nextstep", "view_attempt"} <= codenames
    assert "change_partner" not in codenames
    assert "change_attempt" not in codenames
    assert "Editor: up to date" in out.getvalue()


def test_each_input_of_a_table_row_is_named_by_its_row_and_column(quiz, admin_client):
    question = quiz.questions.filter(role="evidence").order_by("position").first()
    page = text(admin_client.get(change_url(question)))
    assert 'aria-label="Option 1: Key"' in page
    assert 'aria-label="Option 2: Rung"' in page  # the <select>, not its add/view wrapper
    assert 'aria-label="New option: Text"' in page  # the row "Add another" copies
    rung_page = text(admin_client.get(change_url(quiz.ladder.rungs.get(slug="junior"))))
    assert re.search(r'<select[^>]+aria-label="Skill 1: Importance"', rung_page)
    assert 'aria-label="New job title: Name"' in rung_page
    skills = text(admin_client.get(reverse("admin:ladder_skill_changelist")))
    assert 'aria-label="“Skill 1”: Position"' in skills  # an editable column of a list
