"""Analytics: exact figures on a known set of attempts, filters, who sees what, the CSV.

The known set (`known`) is ten attempts at a four-rung quiz with three evidence
questions, a title question, a services/product question, optional skills and
the region step (seven steps). Six are completed:

    #  q1      q2      q3      title   company   channel        placed  title vs rung
    1  junior  junior  junior  junior  services  web            junior  level
    2  mid     mid     mid     senior  services  web            mid     ahead
    3  lead    mid     mid     lead    services  embed, Acme    mid     ahead   (ref spring)
    4  senior  senior  senior  senior  product   embed, Acme    senior  level
    5  lead    lead    lead    senior  product   embed, Globex  lead    behind
    6  mid     senior  senior  senior  product   api            senior  level

and four are left at steps 1 (web), 3 (web), 6 (embed, Acme, ref spring) and 2 (web).
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, AnonymousUser, Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerquiz import roles
from careerquiz.analytics import figures
from careerquiz.analytics.charts import bar_chart, charts_for
from careerquiz.analytics.content import REGION, Published, rungs_of
from careerquiz.analytics.export import HEADER, cells, filename, number, text
from careerquiz.analytics.figures import reach_per_step
from careerquiz.analytics.filters import (
    MSG_DATE_OUT_OF_RANGE,
    MSG_DATES_REVERSED,
    MSG_NO_SUCH_PARTNER,
    MSG_NO_SUCH_QUIZ,
    Filters,
)
from careerquiz.partners.attempts import visible_to
from careerquiz.partners.models import Partner
from quiz import flow, progress, tallies
from quiz.attempts import ANALYTICS, complete_attempt, evidence_mask, start_attempt
from quiz.models import REF_VALIDATOR, Attempt, Option, Question, Quiz
from quiz.versions import publish
from tests.factories import live_version, make_ladder, make_quiz

URL = "/admin/analytics/"
CSV_URL = "/admin/analytics/placements.csv"
# For an editor: session, user, their permissions (2), the progress flush (a read, and
# when steps were marked a locked read, an update and a tally upsert, in a savepoint
# here), quizzes, versions, partners, the tallies' time zone, the ladder's rungs and
# seven figures. The same for ten attempts or a million; a superuser skips the
# permissions.
QUERY_BOUND = 22

COMPLETED = [
    # q1, q2, q3, title, company, channel, partner, ref
    ("junior", "junior", "junior", "junior", "services", "web", None, ""),
    ("mid", "mid", "mid", "senior", "services", "web", None, ""),
    ("lead", "mid", "mid", "lead", "services", "embed", "Acme", "spring"),
    ("senior", "senior", "senior", "senior", "product", "embed", "Acme", ""),
    ("lead", "lead", "lead", "senior", "product", "embed", "Globex", ""),
    ("mid", "senior", "senior", "senior", "product", "api", None, ""),
]
LEFT = [  # step reached, channel, partner, ref
    (1, "web", None, ""),
    (3, "web", None, ""),
    (6, "embed", "Acme", "spring"),
    (2, "web", None, ""),
]


def started_on(attempt: Attempt, when: datetime) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(started_at=when)


@pytest.fixture
def known(db) -> Quiz:
    quiz = make_quiz(make_ladder())
    version = live_version(quiz)
    partners = {name: Partner.objects.create(name=name) for name in ("Acme", "Globex")}
    march = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for q1, q2, q3, title, company, channel, partner, ref in COMPLETED:
        attempt = start_attempt(
            version,
            channel=channel,
            partner_id=partners[partner].pk if partner else None,
            ref=ref,
        )
        answers = {"q1": q1, "q2": q2, "q3": q3, "title": title, "company": company}
        complete_attempt(attempt, answers, region="IN")
        started_on(attempt, march)
    for reached, channel, partner, ref in LEFT:
        attempt = start_attempt(
            version, channel=channel, partner_id=partners[partner].pk if partner else None, ref=ref
        )
        if reached > 1:
            progress.mark_reached(str(attempt.token_id), reached)
        started_on(attempt, march)
    # Attempt 2 started late on 1 March (UTC), attempt 5 late on 31 March.
    first = Attempt.objects.order_by("pk")
    started_on(first[1], datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    started_on(first[4], datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    progress.flush(now=datetime(2026, 3, 12, tzinfo=UTC))
    # Moving start dates with .update() went around quiz.tallies: count them again.
    tallies.rebuild()
    return quiz


def dashboard_for(quiz: Quiz, **filters) -> figures.Dashboard:
    published = Published.of(quiz)
    attempts = Filters(quiz=quiz, **filters).apply(Attempt.objects.all())
    return figures.dashboard(attempts, published=published, rungs=rungs_of(quiz))


def counts(shares) -> dict[str, int]:
    return {share.label: share.count for share in shares}


# --- The figures, exactly -------------------------------------------------------------------


def test_started_completed_and_rate(known):
    totals = dashboard_for(known).totals
    assert (totals.started, totals.completed, totals.completion_rate) == (10, 6, "60%")


def test_drop_off_counts_each_step_reached_and_the_completed(known):
    drop = dashboard_for(known).drop_off
    reached = [(step.key, step.reached.count, step.lost) for step in drop.steps]
    assert reached == [
        ("q1", 10, 0),
        ("q2", 9, 1),
        ("q3", 8, 1),
        ("title", 7, 1),
        ("company", 7, 0),
        ("skills", 7, 0),
        (REGION, 6, 1),
    ]
    assert drop.steps[1].reached.percent == "90%"
    assert drop.steps[0].reached.detail == "Evidence question 1?"
    assert (drop.completed.count, drop.completed.percent) == (6, "60%")
    assert all(step.in_every_version for step in drop.steps)


def test_placements_and_confidence(known):
    shown = dashboard_for(known)
    assert counts(shown.placements) == {"Junior": 1, "Mid": 2, "Senior": 2, "Lead": 1}
    assert [share.percent for share in shown.placements] == ["17%", "33%", "33%", "17%"]
    # The last placement (Senior on 2 of 3 answers) is one answer from Mid: never high.
    assert counts(shown.confidence) == {"High": 4, "Medium": 2, "Low": 0}


def test_title_gap_matrix_split_by_services_or_product(known):
    gaps = dashboard_for(known).title_gaps
    assert [rung.title for rung in gaps.placed] == ["Junior", "Mid", "Senior", "Lead"]
    assert [group.label for group in gaps.groups] == ["Everyone", "Services", "Product"]
    everyone, services, product = gaps.groups
    assert counts(everyone.relations) == {
        "Title above the rung": 2,
        "Title at the rung": 3,
        "Title below the rung": 1,
        "No title given": 0,
    }
    assert [share.count for share in services.relations] == [2, 1, 0, 0]
    assert services.ahead.percent == "67%"
    assert [share.count for share in product.relations] == [0, 2, 1, 0]
    # Rows: the rung the title names; columns: the rung placed at.
    assert [[c.count for c in row.cells] for row in everyone.rows] == [
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 1, 2, 1],
        [0, 1, 0, 0],
    ]
    senior_row = everyone.rows[2]
    assert [cell.relation for cell in senior_row.cells] == ["ahead", "ahead", "level", "behind"]
    assert [cell.heat for cell in senior_row.cells] == [0, 3, 5, 3]
    assert [[c.count for c in row.cells] for row in product.rows][2] == [0, 0, 2, 1]


def test_no_title_and_no_context_answer_get_a_row_and_a_group_of_their_own(known):
    first = Attempt.objects.completed().order_by("pk")[0]
    Attempt.objects.filter(pk=first.pk).update(claimed_rung_order=None, context_answer="")
    gaps = dashboard_for(known).title_gaps
    assert [group.label for group in gaps.groups] == [
        "Everyone",
        "Services",
        "Product",
        "Not answered",
    ]
    everyone = gaps.groups[0]
    assert everyone.rows[-1].claimed == "No title given"
    assert [cell.count for cell in everyone.rows[-1].cells] == [1, 0, 0, 0]
    assert {cell.relation for cell in everyone.rows[-1].cells} == {"untitled"}
    assert [share.count for share in gaps.groups[-1].relations] == [0, 0, 0, 1]


def test_questions_that_held_people_back(known):
    held = dashboard_for(known).held_back
    assert [(row.question.label, row.question.count, row.question.percent) for row in held] == [
        ("q2", 5, "83%"),
        ("q3", 5, "83%"),
        ("q1", 4, "67%"),
    ]
    assert held[0].question.detail == "Evidence question 2?"
    # Only attempt 6's mid answer to q1 sat below the rung it was placed at (senior).
    assert [(row.below_placed.count, row.below_placed.percent) for row in held] == [
        (0, "0%"),
        (0, "0%"),
        (1, "17%"),
    ]


def test_filters_narrow_every_figure(known):
    acme = Partner.objects.get(name="Acme")
    by_partner = dashboard_for(known, partner=acme)
    assert (by_partner.totals.started, by_partner.totals.completed) == (3, 2)
    assert counts(by_partner.placements) == {"Junior": 0, "Mid": 1, "Senior": 1, "Lead": 0}
    assert dashboard_for(known, without_partner=True).totals.started == 6
    assert dashboard_for(known, channel="web").totals.started == 5
    assert dashboard_for(known, channel="api").totals.completed == 1
    spring = dashboard_for(known, ref="spring")
    assert (spring.totals.started, spring.totals.completed) == (2, 1)
    assert [s.reached.count for s in spring.drop_off.steps] == [2, 2, 2, 2, 2, 2, 1]


def test_dates_are_whole_days_in_the_site_time_zone(known, settings):
    def started(start=None, end=None) -> int:
        return dashboard_for(known, start=start, end=end).totals.started

    march = {"start": datetime(2026, 3, 2).date(), "end": datetime(2026, 3, 30).date()}
    assert started(**march) == 8  # not late on 1 March, not late on 31 March
    assert started(end=datetime(2026, 3, 31).date()) == 10  # the end day is included
    settings.TIME_ZONE = "Asia/Kolkata"  # 23:30 UTC on 1 March is 05:00 on 2 March there
    assert started(**march) == 9


def test_versions_with_other_steps_leave_the_funnel_where_their_steps_differ():
    # v1 asked q1, q2; v2 asks q1, q2, q3. An attempt reached step n of its own version.
    steps = {2: ("q1", "q2", "q3", REGION), 1: ("q1", "q2", REGION)}
    counts = {(1, 1): 2, (1, 2): 3, (1, 3): 5, (2, 1): 1, (2, 3): 2, (2, 4): 7}
    assert [(s.key, s.reached, s.lost, s.counted) for s in reach_per_step(counts, steps)] == [
        ("q1", 20, 0, 20),
        ("q2", 17, 3, 20),
        ("q3", 9, 0, 10),  # v2 only: v1's third step was the country
        (REGION, 7, 2, 10),  # not 12: v1's five countries were another step
    ]


def test_a_version_asking_other_steps_from_the_first_is_left_out():
    steps = {2: ("b", "c", "a", REGION), 1: ("a", "b", REGION)}
    counts = {(1, 1): 4, (1, 3): 6, (2, 2): 5, (2, 4): 5}
    assert [(s.key, s.reached, s.lost, s.counted) for s in reach_per_step(counts, steps)] == [
        ("b", 10, 0, 10),
        ("c", 10, 0, 10),
        ("a", 5, 5, 10),
        (REGION, 5, 0, 10),
    ]
    # Without attempts of v2, the funnel is v1's.
    only_v1 = {(1, 1): 4, (1, 3): 6}
    assert [s.key for s in reach_per_step(only_v1, steps)] == ["a", "b", REGION]


def two_versions_of_different_lengths() -> Quiz:
    """v1 asks q1, q2 (then the country); v2 adds q3. v1: three completed and one left
    at its first step; v2: two completed, one left at q3 and one at q2."""
    quiz = make_quiz(make_ladder(), evidence_questions=2, with_extras=False)
    first = live_version(quiz)
    q2 = Question.objects.get(quiz=quiz, key="q2")
    q3 = Question.objects.create(
        quiz=quiz, key="q3", text="Evidence question 3?", role=q2.role, position=3
    )
    for option in q2.options.all():
        Option.objects.create(
            question=q3,
            key=option.key,
            text=option.text,
            rung=option.rung,
            position=option.position,
        )
    second = publish(quiz)
    assert (first.number, second.number) == (1, 2)
    answers = {"q1": "mid", "q2": "mid"}
    for version, completed, left in ((first, 3, [1]), (second, 2, [3, 2])):
        for _ in range(completed):
            extra = {"q3": "senior"} if version == second else {}
            complete_attempt(start_attempt(version), answers | extra, region="IN")
        for step in left:
            progress.mark_reached(str(start_attempt(version).token_id), step)
    progress.flush()
    return quiz


def test_the_funnel_over_two_versions_of_different_lengths_only_narrows(db, admin_client):
    quiz = two_versions_of_different_lengths()
    drop = admin_client.get(URL).context["figures"].drop_off
    assert drop == dashboard_for(quiz).drop_off  # the tallies, as the attempts count
    rows = [(s.key, s.reached.count, s.lost, s.counted, s.in_every_version) for s in drop.steps]
    assert rows == [
        ("q1", 8, 0, 8, True),
        ("q2", 7, 1, 8, True),
        ("q3", 3, 1, 4, False),  # v2 only: v1 asked the country third
        (REGION, 2, 1, 4, False),
    ]
    counts = [s.reached.count for s in drop.steps] + [drop.completed.count]
    assert counts == sorted(counts, reverse=True)
    assert (drop.completed.count, drop.left_out) == (2, 0)
    page = page_text(admin_client.get(URL))
    assert "of the 4 attempts of versions asking the steps up to here" in page
    # One version chosen: its own funnel, every attempt counted at every step.
    v1 = dashboard_for(quiz, version=Published.of(quiz).version(1)).drop_off
    assert [(s.key, s.reached.count) for s in v1.steps] == [("q1", 4), ("q2", 3), (REGION, 3)]
    assert all(s.in_every_version for s in v1.steps)


def test_a_rung_order_the_ladder_no_longer_has_is_labelled_by_its_number(known):
    known.ladder.rungs.filter(order=4).update(order=5)
    shown = dashboard_for(known)
    assert counts(shown.placements) == {
        "Junior": 1,
        "Mid": 2,
        "Senior": 2,
        "Rung 4": 1,
        "Lead": 0,
    }
    assert [rung.title for rung in shown.title_gaps.placed][-2:] == ["Rung 4", "Lead"]


def test_charts_scale_bars_and_describe_their_numbers(known):
    shown = dashboard_for(known)
    drawn = charts_for(shown)
    first, completed = drawn.drop_off.rows[0], drawn.drop_off.rows[-1]
    assert first.width == drawn.drop_off.track == 520  # everyone started
    assert completed.width == 312  # 60%
    assert completed.value == "6 · 60%"
    assert "Evidence question 2?: 9 (90%)" in drawn.drop_off.description
    assert [bar.width for bar in drawn.placements.rows] == [140, 280, 280, 140]
    widths = [[s.width for s in row.segments] for row in drawn.title_gaps.rows]
    assert widths == [[173.3, 260, 86.7], [346.7, 173.3], [346.7, 173.3]]
    held = drawn.held_back.rows[2]
    assert (held.width, held.inner) == (346.7, 86.7)
    assert held.title == "Evidence question 1?: 4 (67%), 1 (17%) below the rung placed at"
    assert bar_chart("empty", "Nothing", []).description == "No attempts."


# --- The page ---------------------------------------------------------------------------------


def staff(username: str, *, group: str | None = None, **extra) -> tuple[Client, AbstractUser]:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client, user


def page_text(response) -> str:
    return response.content.decode()


def test_the_page_shows_every_figure_with_its_chart_and_table(known, admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = page_text(response)
    assert response.context["figures"].totals.started == 10
    assert page.count('role="img"') == 5
    assert page.count("<details>") == 5
    assert '<title id="chart-placements-title">Placements by rung</title>' in page
    assert "Download as CSV (10 rows)" in page
    assert "<style" not in page
    assert " style=" not in page  # the CSP allows no inline style
    assert 'class="heat-5 level"' in page


def test_the_admin_index_links_to_the_page_for_those_who_may_read_attempts(db, admin_client):
    assert f'href="{URL}"' in page_text(admin_client.get("/admin/"))
    nobody, _ = staff("nobody")
    assert f'href="{URL}"' not in page_text(nobody.get("/admin/"))


def test_a_filtered_page_is_a_bookmarkable_url(known, admin_client):
    acme = Partner.objects.get(name="Acme")
    response = admin_client.get(URL, {"partner": acme.pk, "channel": "embed", "version": 1})
    assert response.context["figures"].totals.started == 3
    assert "Acme" in response.context["filters"].describe()[2]
    assert "partner=" in response.context["export_url"]
    assert "quiz=test-quiz" in response.context["export_url"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-20", "end": "2026-03-01"}, MSG_DATES_REVERSED),
        ({"start": "2026-13-01"}, "Enter a valid date."),
        ({"end": "1899-12-31"}, MSG_DATE_OUT_OF_RANGE),
        ({"start": "9999-12-31"}, MSG_DATE_OUT_OF_RANGE),
        ({"version": "99"}, "This quiz has no version 99"),
        ({"version": "v1"}, "This quiz has no version v1"),
        ({"partner": "12345"}, MSG_NO_SUCH_PARTNER),
        ({"channel": "preview"}, "Choose one of the channels listed."),
        ({"quiz": "no-such-quiz"}, MSG_NO_SUCH_QUIZ),
        ({"quiz": "nul\x00"}, MSG_NO_SUCH_QUIZ),
        ({"ref": "not a ref!"}, str(REF_VALIDATOR.message)),
        ({"ref": "x" * 65}, "at most 64 characters"),
    ],
)
def test_bad_filters_are_explained_and_count_nothing(known, admin_client, query, message):
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "figures" not in response.context
    assert "Correct the filters above" in page_text(response)
    csv_response = admin_client.get(CSV_URL, query)
    assert csv_response.status_code == 302
    assert csv_response["Location"].startswith(URL + "?")


def test_a_quiz_never_published_or_taken_shows_zeroes(db, admin_client):
    make_quiz(make_ladder(), published=False)
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert response.context["figures"].totals.started == 0
    assert "No attempts match these filters." in page_text(response)


def test_without_any_quiz_the_page_says_so(db, admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert "There is no quiz yet" in page_text(response)


def test_the_page_costs_the_same_queries_for_three_attempts_or_three_hundred(
    db, django_assert_num_queries
):
    editor, _ = staff("editor", group=roles.EDITOR)
    quiz = make_quiz(make_ladder())
    version = live_version(quiz)
    partner = Partner.objects.create(name="Acme")

    def add(count: int) -> None:
        for index in range(count):
            attempt = start_attempt(version, partner_id=partner.pk if index % 2 else None)
            if index % 3:
                answers = {"q1": "mid", "q2": "senior", "q3": "junior"}
                complete_attempt(attempt, answers | {"title": "lead", "company": "services"})
            else:
                progress.mark_reached(str(attempt.token_id), 4)

    def measure() -> int:
        cache.delete(progress.FLUSH_LOCK)  # each view flushes, as its first in a while
        with CaptureQueriesContext(connection) as queries:
            assert editor.get(URL).status_code == 200
        return len(queries)

    add(3)
    few = measure()
    add(297)
    with django_assert_num_queries(QUERY_BOUND):
        many = measure()
    assert many == few
    assert Attempt.objects.filter(step_reached=4).count() == 100


# --- Who sees what ------------------------------------------------------------------------------


def test_anonymous_and_non_staff_users_are_sent_to_the_login(known):
    anonymous = Client()
    visitor = Client()
    visitor.force_login(get_user_model().objects.create_user("visitor", password="pw"))
    for client in (anonymous, visitor):
        for url in (URL, CSV_URL):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_permission_to_read_attempts_get_403(known):
    client, _ = staff("clerk")
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_editors_see_every_attempt(known):
    editor, _ = staff("editor", group=roles.EDITOR)
    response = editor.get(URL)
    assert response.context["figures"].totals.started == 10
    choices = dict(response.context["form"].fields["partner"].choices)
    assert set(choices.values()) == {"All partners", "No partner (our site, API without key)"} | {
        "Acme",
        "Globex",
    }


def test_partner_managers_see_only_the_partners_they_manage(known):
    manager, user = staff("manager", group=roles.PARTNER_MANAGER)
    acme, globex = Partner.objects.get(name="Acme"), Partner.objects.get(name="Globex")
    acme.managers.add(user.pk)

    response = manager.get(URL)
    assert response.context["figures"].totals.started == 3  # Acme's only
    assert "(your partners only)" in page_text(response)
    choices = response.context["form"].fields["partner"].choices
    assert choices == [("", "All yours"), (str(acme.pk), "Acme")]
    refused = manager.get(URL, {"partner": globex.pk})
    assert MSG_NO_SUCH_PARTNER in page_text(refused)
    assert "figures" not in refused.context
    assert manager.get(URL, {"partner": "none"}).context.get("figures") is None

    rows = list(csv.reader(io.StringIO(streamed(manager.get(CSV_URL)))))
    assert len(rows) == 1 + 3
    assert {row[HEADER.index("partner")] for row in rows[1:]} == {"Acme"}

    listing = manager.get(reverse("admin:quiz_attempt_changelist"))
    assert listing.context["cl"].result_count == 3


def test_a_partner_manager_of_no_partner_sees_nothing(known):
    manager, _ = staff("new-manager", group=roles.PARTNER_MANAGER)
    response = manager.get(URL)
    assert response.context["figures"].totals.started == 0
    assert "You manage no partner yet" in page_text(response)


def test_an_inactive_or_anonymous_user_reads_no_attempts(known):
    _, user = staff("gone", group=roles.EDITOR, is_active=False)
    assert not visible_to(user).exists()
    assert not visible_to(AnonymousUser()).exists()


def test_only_user_admins_choose_a_partners_managers(known, admin_client):
    acme = Partner.objects.get(name="Acme")
    change = reverse("admin:partners_partner_change", args=[acme.pk])
    assert 'name="managers"' in page_text(admin_client.get(change))
    manager, user = staff("manager", group=roles.PARTNER_MANAGER)
    assert 'name="managers"' not in page_text(manager.get(change))

    added = manager.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Initech",
            "is_active": "on",
            "allowed_origins": "",
            "accent_color": "#0b5fff",
            "color_scheme": "auto",
            "corner_radius": "8",
        },
    )
    assert added.status_code == 302
    assert list(Partner.objects.get(name="Initech").managers.all()) == [user]


def test_the_roles_give_editors_every_attempt_and_partner_managers_their_own(db):
    editors = Group.objects.get(name=roles.EDITOR).permissions
    managers = Group.objects.get(name=roles.PARTNER_MANAGER).permissions
    assert editors.filter(codename="view_every_attempt").exists()
    assert managers.filter(codename="view_attempt").exists()
    assert not managers.filter(codename="view_every_attempt").exists()
    assert Permission.objects.filter(codename="view_every_attempt").count() == 1


# --- The CSV export ---------------------------------------------------------------------------


def streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_export_streams_one_row_per_filtered_attempt(known, admin_client):
    response = admin_client.get(CSV_URL, {"channel": "embed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    day = datetime.now(UTC).date().isoformat()
    assert f'filename="placements-test-quiz-{day}.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    assert len(rows) == Attempt.objects.filter(channel="embed").count() == 4
    first = rows[0]
    assert list(first) == HEADER
    attempt = Attempt.objects.order_by("pk").filter(channel="embed")[0]
    assert first["id"] == attempt.result_id
    assert first["started_at"] == "2026-03-10T12:00:00+00:00"
    assert first["quiz"] == "test-quiz"
    assert first["version"] == "1"
    assert first["partner"] == "Acme"
    assert first["ref"] == "spring"
    assert first["rung"] == "mid"
    assert first["title_claimed"] == "Lead"
    assert first["claimed_rung"] == "lead"
    assert first["confidence"] == "medium"
    assert first["steps_reached"] == "7"
    assert json.loads(first["answers"]) == {
        "q1": "lead",
        "q2": "mid",
        "q3": "mid",
        "title": "lead",
        "company": "services",
    }
    left = rows[-1]
    assert (left["completed_at"], left["rung"], left["steps_reached"]) == ("", "", "6")


def test_the_export_row_count_equals_the_attempts_counted_on_the_page(known, admin_client):
    for query in ({}, {"ref": "spring"}, {"start": "2026-03-02", "end": "2026-03-30"}):
        page = admin_client.get(URL, query)
        text = streamed(admin_client.get(CSV_URL, query))
        assert len(list(csv.reader(io.StringIO(text)))) - 1 == (
            page.context["figures"].totals.started
        )


def test_spreadsheet_formulas_are_neutralised(known, admin_client):
    Partner.objects.filter(name="Acme").update(name='=HYPERLINK("http://evil.example")')
    Attempt.objects.filter(ref="spring").update(ref="-2+3")
    rows = list(csv.DictReader(io.StringIO(streamed(admin_client.get(CSV_URL)))))
    assert {row["partner"] for row in rows} >= {'\'=HYPERLINK("http://evil.example")'}
    assert "'-2+3" in {row["ref"] for row in rows}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        ("", ""),
        ("mid", "mid"),
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
    ],
)
def test_text_cells_never_start_a_formula(value, written):
    assert text(value) == written


def test_number_and_moment_cells(settings):
    assert (number(None), number(7)) == ("", 7)
    settings.TIME_ZONE = "Asia/Kolkata"
    when = datetime(2026, 3, 1, 9, 30, 15, 999, tzinfo=UTC)
    assert cells()[HEADER.index("started_at")](when) == "2026-03-01T15:00:15+05:30"
    assert cells()[HEADER.index("completed_at")](None) == ""


def test_the_file_name_names_the_quiz_and_the_day():
    assert filename("ml-engineer", datetime(2026, 3, 1).date()) == (
        "placements-ml-engineer-2026-03-01.csv"
    )


# --- Recording how far people got -----------------------------------------------------------


def test_completion_copies_what_analytics_groups_by(known):
    third, sixth = Attempt.objects.completed().order_by("pk")[2::3]
    assert third.step_reached == 7
    assert (third.claimed_rung_order, third.claimed_rung_slug) == (4, "lead")
    assert (third.claimed_title, third.confidence_label) == ("Lead", "medium")
    assert third.context_answer == "services"
    # Bits 0, 1, 2 are q1, q2, q3: q2 and q3 (mid) held attempt 3 below senior.
    assert (third.held_back_mask, third.below_placed_mask) == (0b110, 0)
    # Attempt 6, placed senior: all three below lead, q1 (mid) below senior too.
    assert (sixth.held_back_mask, sixth.below_placed_mask) == (0b111, 0b001)


def test_an_evidence_mask_has_a_bit_per_evidence_question_in_order(known):
    spec = flow.published_run(live_version(known)).spec
    assert evidence_mask(spec, {"q3"}) == 0b100
    assert evidence_mask(spec, {"q1", "q2", "title", "nope"}) == 0b011
    assert evidence_mask(spec, set()) == 0


def test_flush_moves_attempts_on_and_never_back(known):
    left = Attempt.objects.filter(completed_at__isnull=True).order_by("pk")
    assert [a.step_reached for a in left] == [1, 3, 6, 2]
    progress.mark_reached(str(left[1].token_id), 2)  # a stale mark
    progress.mark_reached(str(left[3].token_id), 5)
    assert progress.flush(now=datetime(2026, 3, 12, tzinfo=UTC)) == 1
    assert [a.step_reached for a in left.all()] == [1, 3, 6, 5]
    assert progress.flush(now=datetime(2026, 3, 12, tzinfo=UTC)) == 0


def test_flush_leaves_old_attempts_and_completed_ones_alone(known):
    done = Attempt.objects.completed().order_by("pk")[0]
    progress.mark_reached(str(done.token_id), 2)
    old = Attempt.objects.filter(completed_at__isnull=True).order_by("pk")[0]
    progress.mark_reached(str(old.token_id), 4)
    assert progress.flush(now=datetime(2026, 3, 10, tzinfo=UTC) + progress.WINDOW * 2) == 0
    done.refresh_from_db()
    assert done.step_reached == 7


def test_a_cache_that_fails_never_breaks_a_step_or_the_page(known, admin_client, caplog):
    with mock.patch.object(cache, "set", side_effect=ConnectionError("cache down")):
        progress.mark_reached("token", 3)
    assert "Could not record quiz progress" in caplog.text
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("cache down")):
        assert progress.flush() == 0
    with mock.patch.object(cache, "add", side_effect=ConnectionError("cache down")):
        assert admin_client.get(URL).status_code == 200


def test_the_flush_command_reports_what_moved(known):
    attempt = Attempt.objects.filter(completed_at__isnull=True).order_by("pk")[0]
    Attempt.objects.filter(pk=attempt.pk).update(started_at=datetime.now(UTC))
    progress.mark_reached(str(attempt.token_id), 5)
    out = io.StringIO()
    call_command("flush_progress", stdout=out)
    assert out.getvalue().strip() == "1 unfinished attempt moved on"


def test_the_fill_migration_backfills_completed_attempts(known):
    fill = importlib.import_module("quiz.migrations.0007_fill_attempt_analytics_columns").fill
    columns = ["pk", *ANALYTICS]
    completed = list(Attempt.objects.completed().order_by("pk").values_list(*columns))
    Attempt.objects.update(
        step_reached=1,
        claimed_rung_order=None,
        claimed_rung_slug="",
        claimed_title="",
        confidence_label="",
        context_answer="",
        held_back_mask=0,
        below_placed_mask=0,
    )
    fill(apps, None)
    assert list(Attempt.objects.completed().order_by("pk").values_list(*columns)) == completed
    unfinished = Attempt.objects.filter(completed_at__isnull=True)
    assert set(unfinished.values_list("step_reached", flat=True)) == {1}


# --- Over time and by ref ---------------------------------------------------------------------


def test_attempts_over_time_count_each_day_started_and_completed(known):
    shown = dashboard_for(known).over_time
    assert shown.unit == "day"
    rows = [(p.start.isoformat(), p.started, p.completed.count) for p in shown.periods]
    assert rows == [("2026-03-01", 1, 1), ("2026-03-10", 8, 4), ("2026-03-31", 1, 1)]
    assert shown.periods[1].completed.percent == "50%"


def test_over_many_days_the_table_counts_weeks_from_monday(known):
    version = live_version(known)
    for offset in range(70):  # one more attempt a day for ten weeks from Monday 4 May
        attempt = start_attempt(version)
        started_on(attempt, datetime(2026, 5, 4, 9, tzinfo=UTC) + timedelta(days=offset))

    shown = dashboard_for(known).over_time
    assert shown.unit == "week"
    weeks = {p.start.isoformat(): p.started for p in shown.periods}
    assert weeks["2026-02-23"] == 1  # Sunday 1 March's week
    assert weeks["2026-03-09"] == 8
    assert weeks["2026-05-04"] == 7
    assert sum(weeks.values()) == 80


def test_attempts_by_ref_most_used_first(known):
    rows = [(r.label, r.started, r.completed.count) for r in dashboard_for(known).by_ref]
    assert rows == [(figures.NO_REF, 8, 5), ("spring", 2, 1)]


def test_the_page_shows_attempts_over_time_and_by_ref(known, admin_client):
    page = admin_client.get(URL).content.decode()
    over_time = page.split('id="over-time"', 1)[1].split("</section>", 1)[0]
    assert '<time datetime="2026-03-10">10 Mar 2026</time></th><td>8</td><td>4</td>' in over_time
    by_ref = page.split('id="by-ref"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="row">spring</th><td>2</td><td>1</td><td>50%</td>' in by_ref


def test_one_partners_attempts_break_down_by_its_passed_through_parameters(known, admin_client):
    acme = Partner.objects.get(name="Acme")
    acme.pass_params = "utm_source cohort"
    acme.save()
    Attempt.objects.filter(partner_id=acme.pk).update(passthrough={"utm_source": "newsletter"})
    first = Attempt.objects.filter(partner_id=acme.pk).order_by("pk").first()
    assert first is not None
    Attempt.objects.filter(pk=first.pk).update(passthrough={"utm_source": "ads", "cohort": "c1"})

    attempts = Filters(quiz=known, partner=acme).apply(Attempt.objects.all())
    shown = figures.by_passthrough(attempts, acme.pass_param_names)
    counted = {p.name: [(v.label, v.started) for v in p.values] for p in shown}
    assert counted == {
        "utm_source": [("newsletter", 2), ("ads", 1)],
        "cohort": [(figures.NOT_PASSED, 2), ("c1", 1)],
    }
    page = admin_client.get(URL, {"partner": acme.pk}).content.decode()
    assert "<h2>By <code>utm_source</code></h2>" in page
    assert dashboard_for(known).by_passthrough == ()  # every partner: no breakdown


def test_time_to_complete_counts_completed_attempts_in_bands(known):
    took = [timedelta(seconds=40), timedelta(seconds=90), timedelta(minutes=3)]
    took += [timedelta(minutes=4), timedelta(minutes=12), timedelta(hours=2)]
    for attempt, duration in zip(Attempt.objects.completed().order_by("pk"), took, strict=True):
        Attempt.objects.filter(pk=attempt.pk).update(completed_at=attempt.started_at + duration)

    bands = {share.label: share.count for share in dashboard_for(known).time_to_complete}
    assert bands == {
        "under 1 minute": 1,
        "1–2 minutes": 1,
        "2–5 minutes": 2,
        "5–10 minutes": 0,
        "10–30 minutes": 1,
        "30 minutes or more": 1,
    }


def test_call_to_action_clicks_count_placements_followed_through(known, admin_client):
    from careerquiz.partners.models import CallToActionClick

    acme = Partner.objects.get(name="Acme")
    for attempt in Attempt.objects.completed().filter(partner_id=acme.pk):
        CallToActionClick.objects.create(attempt=attempt, partner=acme)
    shown = dashboard_for(known).cta_clicks
    assert (shown.count, shown.of, shown.percent) == (2, 6, "33%")
    page = admin_client.get(URL).content.decode()
    clicks = "<span>Call-to-action clicks</span><strong>2</strong> <span>33% of completed</span>"
    assert clicks in page
