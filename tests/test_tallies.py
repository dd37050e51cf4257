"""Analytics' tallies (quiz.tallies) always equal a recount from the attempts.

Every way an attempt changes (started, moved on by the progress flush,
completed through the flow or the API, deleted, its call to action followed,
its partner deleted) keeps the tallies equal to what `rebuild` counts from the
attempts, and the page's figures from tallies equal the figures counted from
the attempts, under every filter; so do simultaneous completions.
"""

from __future__ import annotations

import importlib
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connections

from careerquiz.analytics import figures
from careerquiz.analytics.content import Published, rungs_of
from careerquiz.analytics.counts import TallyCounts
from careerquiz.analytics.filters import Filters
from careerquiz.partners.models import CallToActionClick, Partner
from quiz import progress, tallies
from quiz.attempts import complete_attempt, place_and_record, start_attempt
from quiz.models import TALLY_KEY, Attempt, Quiz, QuizVersion, Tally
from tests.factories import live_version, make_ladder, make_quiz

URL = "/admin/analytics/"
ANSWERS = [
    {"q1": "junior", "q2": "junior", "q3": "junior", "title": "junior", "company": "services"},
    {"q1": "mid", "q2": "senior", "q3": "senior", "title": "lead", "company": "product"},
    {"q1": "lead", "q2": "lead", "q3": "lead", "title": "junior", "company": "product"},
    {"q1": "mid", "q2": "mid", "q3": "lead", "title": "mid", "company": "services"},
]


def tally_rows() -> set[tuple[Any, ...]]:
    """The tallies that count something, as comparable tuples."""
    rows = Tally.objects.values_list(*TALLY_KEY, "n", "also")
    return {row for row in rows if row[-2] or row[-1]}


def assert_tallies_are_a_recount() -> None:
    kept = tally_rows()
    tallies.rebuild()
    assert kept == tally_rows()


def dashboards(quiz: Quiz, **chosen: Any) -> tuple[figures.Dashboard, figures.Dashboard]:
    """The figures counted from the tallies, and from the attempts."""
    chosen_filters = Filters(quiz=quiz, **chosen)
    attempts = chosen_filters.apply(Attempt.objects.all())
    published, rungs = Published.of(quiz), rungs_of(quiz)
    every = Tally.objects.all()
    counts = TallyCounts(
        chosen_filters.apply_to_tallies(every), together=chosen_filters.tallies_together(every)
    )
    return (
        figures.dashboard(attempts, counts=counts, published=published, rungs=rungs),
        figures.dashboard(attempts, published=published, rungs=rungs),
    )


def lived(version: QuizVersion, partners: list[Partner]) -> None:
    """Attempts of every kind, written the way the site writes them."""
    for index in range(12):
        partner = partners[index % 3] if index % 3 < len(partners) else None
        record: dict[str, Any] = {
            "channel": "embed" if partner else "web",
            "partner_id": partner.pk if partner else None,
            "ref": "spring" if index % 4 == 1 else "",
        }
        if index % 5 == 4:
            place_and_record(version, ANSWERS[index % 4], region="IN", **record)
            continue
        attempt = start_attempt(version, **record)
        if index % 3 == 2:
            progress.mark_reached(str(attempt.token_id), 2 + index % 4)
        else:
            done = complete_attempt(attempt, ANSWERS[index % 4], region="GB")
            if partner and index % 2:
                CallToActionClick.objects.create(attempt=done, partner=partner)
    progress.flush()


@pytest.fixture
def lively(db) -> Quiz:
    quiz = make_quiz(make_ladder())
    partners = [Partner.objects.create(name=name) for name in ("Acme", "Globex")]
    lived(live_version(quiz), partners)
    return quiz


def test_the_site_keeps_the_tallies_equal_to_a_recount(lively):
    assert Tally.objects.exists()
    assert_tallies_are_a_recount()


@pytest.mark.parametrize(
    "chosen",
    [
        {},
        {"channel": "embed"},
        {"channel": "web"},
        {"ref": "spring"},
        {"without_partner": True},
        {"start": date.today(), "end": date.today()},
        {"end": date(2020, 1, 1)},
    ],
)
def test_every_figure_from_the_tallies_equals_the_count_of_attempts(lively, chosen):
    from_tallies, from_attempts = dashboards(lively, **chosen)
    assert from_tallies == from_attempts


def test_the_counts_for_everyone_together_equal_those_by_partner(lively):
    every = Tally.objects.all()
    together = Filters(quiz=lively).tallies_together(every)
    by_partner = Filters(quiz=lively).apply_to_tallies(every)
    assert together is not None
    assert set(together.values_list("partner_id", flat=True)) == {tallies.EVERY_PARTNER}
    assert tallies.EVERY_PARTNER not in set(by_partner.values_list("partner_id", flat=True))
    attempts = Attempt.objects.filter(quiz=lively)
    published, rungs = Published.of(lively), rungs_of(lively)
    assert figures.dashboard(
        attempts, counts=TallyCounts(by_partner, together=together), **shown(published, rungs)
    ) == figures.dashboard(attempts, counts=TallyCounts(by_partner), **shown(published, rungs))
    assert Filters(quiz=lively, channel="web").tallies_together(every) is None


def shown(published: Published, rungs: Any) -> dict[str, Any]:
    return {"published": published, "rungs": rungs}


def test_one_partners_figures_from_the_tallies_equal_the_count(lively):
    acme = Partner.objects.get(name="Acme")
    from_tallies, from_attempts = dashboards(lively, partner=acme)
    assert from_tallies == from_attempts
    assert from_tallies.totals.started == Attempt.objects.filter(partner_id=acme.pk).count() > 0
    assert from_tallies.cta_clicks.count == CallToActionClick.objects.filter(partner=acme).count()


def test_the_page_counts_from_the_tallies(lively, admin_client):
    Tally.objects.filter(kind=tallies.Kind.REACHED).update(n=0, also=0)  # a tally gone wrong
    shown = admin_client.get(URL).context["figures"]
    assert shown.totals.started == 0  # the page read the tallies, not the attempts
    tallies.rebuild()
    shown = admin_client.get(URL).context["figures"]
    assert shown == dashboards(lively)[1]
    assert shown.totals.started == Attempt.objects.count() == 12


def test_deleting_attempts_takes_their_counts_away(lively):
    clicked = CallToActionClick.objects.values_list("attempt_id", flat=True)[0]
    Attempt.objects.filter(pk=clicked).delete()
    Attempt.objects.filter(completed_at__isnull=True).first().delete()  # type: ignore[union-attr]
    from_tallies, from_attempts = dashboards(lively)
    assert from_tallies == from_attempts
    assert from_tallies.totals.started == 10
    assert_tallies_are_a_recount()


def test_a_deleted_partners_attempts_count_as_no_partners(lively):
    acme = Partner.objects.get(name="Acme")
    acme.delete()
    from_tallies, from_attempts = dashboards(lively, without_partner=True)
    assert from_tallies == from_attempts
    assert from_tallies.totals.started == Attempt.objects.filter(partner_id__isnull=True).count()
    assert_tallies_are_a_recount()


def test_a_repeated_completion_counts_once(lively):
    attempt = start_attempt(live_version(lively))
    complete_attempt(attempt, ANSWERS[0])
    complete_attempt(attempt, ANSWERS[1])
    assert_tallies_are_a_recount()


def test_when_time_zone_changed_the_page_counts_attempts_until_rebuilt(db, admin_client, settings):
    quiz = make_quiz(make_ladder())
    attempt = start_attempt(live_version(quiz))
    # 23:30 UTC on 1 March is 05:00 on 2 March in Kolkata.
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    )
    tallies.rebuild()
    assert tallies.zone() == "UTC"
    settings.TIME_ZONE = "Asia/Kolkata"
    assert not tallies.fit_current_zone()
    days = admin_client.get(URL).context["figures"].over_time.periods
    assert [period.start for period in days] == [date(2026, 3, 2)]

    out = io.StringIO()
    call_command("rebuild_tallies", stdout=out)
    # The attempt's step, by its partner and for everyone together.
    assert out.getvalue().strip() == "2 tally rows written (Asia/Kolkata)"
    assert tallies.fit_current_zone()
    assert set(Tally.objects.values_list("day", flat=True)) == {date(2026, 3, 2)}


def test_the_migration_counts_the_attempts_already_there(lively):
    kept = tally_rows()
    Tally.objects.all().delete()
    migration = importlib.import_module(
        "careerquiz.partners.migrations.0009_count_existing_attempts"
    )
    migration.count_existing_attempts(apps, None)
    assert tally_rows() == kept


def test_an_upsert_adds_to_the_row_it_meets():
    # Pure arithmetic of what a change adds: completing moves the attempt off its step.
    before = {("d", 1): [1, 0]}
    after = {("d", 7): [1, 1], ("p",): [1, 0]}
    assert tallies.difference(before, after) == {
        ("d", 1): [-1, 0],
        ("d", 7): [1, 1],
        ("p",): [1, 0],
    }
    assert [
        tallies.band_of(datetime(2026, 1, 1, 0, m) - datetime(2026, 1, 1)) for m in (0, 1, 4, 59)
    ] == [
        0,
        1,
        2,
        5,
    ]


# --- At the same time -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_completions_and_flushes_lose_no_count():
    # On PostgreSQL the writers really overlap (row locks decide); on SQLite each waits
    # for the one before (IMMEDIATE transactions), which must lose nothing either.
    quiz = make_quiz(make_ladder())
    version = live_version(quiz)
    partner = Partner.objects.create(name="Acme")
    started = [
        start_attempt(version, channel="embed", partner_id=partner.pk if i % 2 else None)
        for i in range(24)
    ]
    for attempt in started:
        progress.mark_reached(str(attempt.token_id), 3)

    # Each attempt completed twice at once, among flushes moving the same attempts.
    jobs = [*range(24), *range(24)]
    for place in range(0, 48, 8):
        jobs.insert(place, -1)

    def work(job: int) -> None:
        try:
            if job < 0:
                progress.flush()
            else:
                complete_attempt(started[job], ANSWERS[job % 4])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, jobs))

    assert Attempt.objects.completed().count() == 24
    from_tallies, from_attempts = dashboards(quiz)
    assert from_tallies == from_attempts
    assert from_tallies.totals.completed == 24
    assert_tallies_are_a_recount()
