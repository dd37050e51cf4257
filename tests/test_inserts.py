"""A new attempt's own INSERT (quiz.inserts) writes what Model.save writes, with its tallies."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quiz import tallies
from quiz.inserts import insert_counted
from quiz.models import Attempt, QuizVersion, Tally
from tests.factories import live_version, make_ladder, make_quiz
from tests.test_tallies import assert_tallies_are_a_recount, tally_rows

pytestmark = pytest.mark.django_db

# Assigned per row, so they differ between any two rows.
OWN = {"id", "token_id", "result_id", "started_at"}


@pytest.fixture
def version() -> QuizVersion:
    return live_version(make_quiz(make_ladder()))


def finished(version: QuizVersion, **given: Any) -> Attempt:
    """A completed attempt, as the API builds one before writing it."""
    values: dict[str, Any] = {
        "quiz_id": version.quiz_id,
        "version": version,
        "channel": Attempt.Channel.API,
        "partner_id": 7,
        "ref": "spring-2027",
        "region": "IN",
        "passthrough": {"utm_source": "née «newsletter»", "empty": ""},
        "answers": {"q1": "mid", "skills": ["python", "sql"], "note": 'quote " and \\'},
        "rung_slug": "mid",
        "rung_order": 2,
        "claimed_rung_order": 3,
        "claimed_rung_slug": "senior",
        "claimed_title": "Senior ML Engineer",
        "confidence_label": "medium",
        "context_answer": "services",
        "held_back_mask": 0b101,
        "below_placed_mask": 0b1,
        "step_reached": 5,
    } | given
    return Attempt(**values)


def columns(attempt: Attempt) -> dict[str, Any]:
    row = Attempt.objects.filter(pk=attempt.pk).values().get()
    return {name: value for name, value in row.items() if name not in OWN}


def test_an_inserted_attempt_reads_back_as_one_saved_by_the_orm(version):
    now = timezone.now()
    saved, inserted = finished(version, completed_at=now), finished(version, completed_at=now)
    with transaction.atomic():
        saved.save(force_insert=True)
        insert_counted(inserted)

    assert inserted.pk is not None
    assert inserted.pk != saved.pk
    assert not inserted._state.adding
    assert columns(inserted) == columns(saved)
    assert Attempt.objects.get(pk=inserted.pk).started_at == inserted.started_at
    # Read back through the model, it is the same attempt the caller holds.
    read = Attempt.objects.get(pk=inserted.pk)
    assert (read.token_id, read.result_id) == (inserted.token_id, inserted.result_id)
    assert read.passthrough == {"utm_source": "née «newsletter»", "empty": ""}


def test_an_unfinished_attempt_is_counted_as_started(version):
    attempt = finished(version, partner_id=None, answers={}, rung_slug="", rung_order=None)
    with transaction.atomic():
        insert_counted(attempt)

    assert Attempt.objects.get(pk=attempt.pk).completed_at is None
    assert tally_rows(), "the start is counted"
    assert_tallies_are_a_recount()


def test_inserting_is_one_statement_on_postgresql_and_two_elsewhere(version):
    with CaptureQueriesContext(connection) as ran, transaction.atomic(savepoint=False):
        insert_counted(finished(version, completed_at=timezone.now()))

    assert len(ran.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert Attempt.objects.count() == 1
    assert_tallies_are_a_recount()


def test_a_transaction_that_fails_after_the_insert_leaves_no_row_and_no_count(version):
    def record_then_fail() -> None:
        with transaction.atomic():
            insert_counted(finished(version, completed_at=timezone.now()))
            raise RuntimeError("a webhook's outbox could not be written")

    before = tally_rows()
    with pytest.raises(RuntimeError):
        record_then_fail()

    assert not Attempt.objects.exists()
    assert tally_rows() == before
    assert not Tally.objects.filter(n__gt=0).exists()
    tallies.rebuild()
    assert tally_rows() == before
