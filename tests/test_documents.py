"""Typed documents and lean attempts: results read the same whether stored or built.

tests/data/result_v1.json is a real attempt as commit a9a8023 stored it (the whole
result document in the row, schema 1), with its version's snapshot and the
sentences its page showed (tests/data/make_legacy_result.py wrote it).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Mapping
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from quiz import results
from quiz.attempts import complete_attempt, place_and_record, start_attempt
from quiz.documents import (
    RESULT_SCHEMA,
    DocumentError,
    Result,
    Snapshot,
    load_questions,
    load_result,
    load_snapshot,
)
from quiz.models import Attempt, Quiz, QuizVersion
from quiz.placement import place
from quiz.snapshots import snapshot_document, spec_from_snapshot
from quiz.versions import publish, spec_for

LEGACY = json.loads(Path(__file__).with_name("data").joinpath("result_v1.json").read_text())

# A completed attempt's JSON columns (answers, passthrough, result) stay under this: the
# shipped quiz's answers are about 500 bytes, and no result document is stored.
STORED_JSON_MAX = 1024
# The whole row on PostgreSQL, as pg_column_size counts it (indexes come on top:
# tests/bench/rows.py measures both, per attempt).
ROW_MAX = 1400


def _words(response: Any) -> str:
    page = unescape(response.content.decode())
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def shipped(db) -> Quiz:
    import_content(load_file(SHIPPED_CONTENT))
    return Quiz.objects.get(slug="ml-engineer")


@pytest.fixture
def legacy(shipped: Quiz) -> Attempt:
    """The stored a9a8023 attempt, on a version holding the snapshot stored with it."""
    version = QuizVersion.objects.create(quiz=shipped, number=99, snapshot=LEGACY["snapshot"])
    return Attempt.objects.create(
        quiz=shipped,
        version=version,
        answers=LEGACY["answers"],
        region=LEGACY["region"],
        result_id=LEGACY["result_id"],
        completed_at=datetime.fromisoformat(LEGACY["completed_at"]),
        result=LEGACY["result"],
        result_schema=1,
        rung_slug=LEGACY["result"]["rung"]["slug"],
    )


@pytest.mark.django_db
def test_a_result_stored_before_lean_attempts_still_shows_what_its_page_showed(legacy):
    response = Client().get(legacy.get_absolute_url())

    assert response.status_code == 200
    words = _words(response)
    for sentence in LEGACY["page_says"]:
        assert sentence in words


@pytest.mark.django_db
def test_a_result_stored_before_lean_attempts_reads_the_same_through_the_api(legacy):
    body = Client().get(f"/api/v1/placements/{legacy.result_id}/").json()

    stored = LEGACY["result"]
    for key in ("rung", "next_rung", "title_gap", "held_back", "salary", "next_steps"):
        assert body[key] == stored[key], key
    assert body["why"] == {name: stored["why"][name] for name in body["why"]}


@pytest.mark.django_db
def test_the_current_builder_builds_what_schema_1_stored_for_the_same_answers(legacy):
    # If this fails, the builder's output changed: results already completed would read
    # differently. Such a change is a new RESULT_SCHEMA whose builder is registered in
    # quiz.results.BUILDERS beside the old one (docs/performance.md, "Lean attempts").
    # Schema 2 was rebased once before any of its rows was deployed: it gained
    # `track_note` (rung text variants, skill conditions and not-my-role answers change
    # nothing else for this visitor, whose snapshot has none of them).
    lean = Attempt.objects.create(
        quiz=legacy.quiz,
        version=legacy.version,
        answers=legacy.answers,
        region=legacy.region,
        result_id=legacy.result_id + "x",
        completed_at=legacy.completed_at,
    )
    built = results.result_of(Attempt.objects.get(pk=lean.pk))

    assert built.to_json() == LEGACY["result"] | {
        "schema_version": RESULT_SCHEMA,
        "id": lean.result_id,
        "quiz": LEGACY["result"]["quiz"] | {"version": legacy.version.number},
        "track_note": None,  # on no track
    }


def test_a_stored_snapshot_of_schema_1_upgrades_and_places_as_it_did():
    frozen = load_snapshot(LEGACY["snapshot"])
    spec = spec_from_snapshot(frozen)

    assert Snapshot.from_json(frozen.to_json()) == frozen
    assert frozen.rung("mid") is not None
    assert place(spec, LEGACY["answers"]).rung.slug == LEGACY["result"]["rung"]["slug"]
    # Stored before rung text variants and skill conditions: none, and every skill for all.
    assert all(rung.texts == () for rung in frozen.rungs)
    assert {skill.when == {} for rung in frozen.rungs for skill in rung.skills} == {True}


@pytest.mark.django_db
def test_a_published_snapshot_keeps_the_rungs_text_variants_and_skill_conditions(shipped):
    frozen = snapshot_document(shipped)
    texts = [t for rung in frozen.rungs for t in rung.texts]
    conditioned = [skill for rung in frozen.rungs for skill in rung.skills if skill.when]

    assert texts  # the shipped ladder has both
    assert conditioned
    assert {t.field for t in texts} <= {"moves_you_up", "keeps_you_stuck"}
    assert all(t.when for t in texts)
    assert load_snapshot(frozen.to_json()) == frozen


def test_documents_round_trip_through_json():
    result = load_result(LEGACY["result"])
    assert Result.from_json(result.to_json()) == result
    assert result.why is not None
    assert result.why.counted_more[0][1] == 2.0
    assert result.track_note is None  # schema 1 kept no track note
    assert all(row.rung is not None for row in result.profile)


def walked(value: Any) -> Any:
    """A document's JSON written the slow, obvious way: every field, in order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: walked(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list, frozenset)):
        return [walked(item) for item in value]
    if isinstance(value, Mapping):
        return {key: walked(item) for key, item in value.items()}
    return value


@pytest.mark.django_db
def test_a_documents_json_is_each_of_its_fields_in_order(shipped):
    version = shipped.live_version
    spec = spec_for(version)
    people = random.Random(19)
    for _ in range(40):
        answers: dict[str, Any] = {}
        for question in spec.questions:
            keys = [option.key for option in question.options]
            if question.kind == "multiple":
                answers[question.key] = people.sample(keys, people.randint(0, len(keys)))
            else:
                answers[question.key] = people.choice(keys)
        result = results.build_result(
            spec,
            place(spec, answers),
            frozen=version.document,
            version_number=version.number,
            region=people.choice(["IN", "US", ""]),
            result_id="r",
            completed_at="2026-12-06T12:00:00+00:00",
        )
        # json.dumps keeps the keys' order: the same text is the same fields in the same order.
        assert json.dumps(result.to_json()) == json.dumps(walked(result))
    assert json.dumps(version.document.to_json()) == json.dumps(walked(version.document))


@pytest.mark.django_db
def test_republishing_an_unchanged_draft_over_a_schema_1_version_adds_no_version(shipped):
    live = shipped.live_version
    assert live is not None
    old_style = snapshot_document(shipped).to_json()
    del old_style["schema_version"]  # as versions were stored before documents were typed
    QuizVersion.objects.filter(pk=live.pk).update(snapshot=old_style)
    shipped.refresh_from_db()

    assert publish(shipped).pk == live.pk


@pytest.mark.django_db
def test_a_completed_attempt_stores_its_answers_not_its_result(shipped):
    attempt = place_and_record(
        shipped.live_version, LEGACY["answers"], region="IN", passthrough={"utm_source": "x"}
    )

    row = Attempt.objects.filter(pk=attempt.pk).values("answers", "passthrough", "result").get()
    assert row["result"] is None
    stored = sum(len(json.dumps(value)) for value in row.values() if value is not None)
    assert stored < STORED_JSON_MAX
    assert Attempt.objects.get(pk=attempt.pk).result_schema == RESULT_SCHEMA
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_column_size(a.*) FROM quiz_attempt a WHERE id = %s", [attempt.pk]
            )
            (size,) = cursor.fetchone()
        assert size < ROW_MAX


@pytest.mark.django_db
def test_a_result_read_from_its_row_is_the_result_returned_on_completion(shipped):
    started = start_attempt(shipped.live_version, region="IN")
    done = complete_attempt(started, LEGACY["answers"], region="IN")

    again = Attempt.objects.get(pk=done.pk)
    assert done.completed_at is not None
    assert again.result == done.result
    assert again.result["completed_at"] == done.completed_at.isoformat()


@pytest.mark.django_db
def test_a_result_is_built_once_then_read_from_the_cache(shipped):
    attempt = place_and_record(shipped.live_version, LEGACY["answers"], region="IN")
    url = attempt.get_absolute_url()

    with mock.patch("quiz.results.place", wraps=place) as placed:
        first = Client().get(url)
        second = Client().get(url)

    assert placed.call_count == 1
    assert first.content == second.content


@pytest.mark.django_db
def test_a_cached_result_that_no_longer_reads_is_built_again(shipped):
    from quiz.results import cache_key

    attempt = place_and_record(shipped.live_version, LEGACY["answers"], region="IN")
    expected = Client().get(attempt.get_absolute_url()).content
    # What an earlier deploy cached under the same key, in a shape this code cannot read.
    cache.set(cache_key(attempt.result_id, attempt.result_schema), {"id": attempt.result_id})

    response = Client().get(attempt.get_absolute_url())
    assert response.status_code == 200
    assert response.content == expected


@pytest.mark.django_db
def test_a_result_page_takes_one_query_and_none_to_build(shipped, django_assert_num_queries):
    attempt = place_and_record(shipped.live_version, LEGACY["answers"], region="IN")
    url = attempt.get_absolute_url()
    Client().get(url)  # this process has read the version once
    cache.clear()  # built again, from the shared version: no query for it

    with django_assert_num_queries(1):
        response = Client().get(url)
    assert response.status_code == 200
    with django_assert_num_queries(1):
        assert Client().get(f"/api/v1/placements/{attempt.result_id}/").status_code == 200


def test_a_published_rung_freezes_the_items_a_result_shows_and_no_others():
    from dataclasses import fields

    from ladder.models import RUNG_ITEMS
    from quiz import documents
    from quiz.models import FROZEN_RUNG_ITEMS

    frozen = {f.name for f in fields(documents.Rung)} & set(RUNG_ITEMS)
    assert frozen == set(FROZEN_RUNG_ITEMS)


@pytest.mark.django_db
def test_analytics_labels_a_schema_1_versions_questions_through_the_document(legacy):
    from careerquiz.analytics.content import Published

    published = Published.of(legacy.quiz)
    old = published.version(99)
    assert old is not None
    frozen = LEGACY["snapshot"]["questions"]
    assert [q.key for q in old.questions] == [q["key"] for q in frozen]
    assert old.questions[0].options == tuple((o["key"], o["text"]) for o in frozen[0]["options"])
    # Questions stored before a field existed read with its default, as the whole upgrades.
    assert load_questions(frozen, schema_version=1) == load_snapshot(LEGACY["snapshot"]).questions
    with pytest.raises(DocumentError):
        load_questions(frozen, schema_version=99)


def quote_column(field: Any) -> str:
    return connection.ops.quote_name(field.column)


@pytest.mark.django_db
def test_a_row_inserted_by_code_from_before_lean_attempts_reads_as_schema_1(shipped):
    # For a moment after `migrate` the old processes still run, and their INSERTs name
    # no result_schema: the database's own default must make that row valid, schema 1.
    version = shipped.live_version
    assert version is not None
    attempt = Attempt(quiz=shipped, version=version, answers={}, result=LEGACY["result"])
    fields = [f for f in Attempt._meta.concrete_fields if f.column not in ("id", "result_schema")]
    columns = ", ".join(quote_column(f) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(attempt, True), connection) for f in fields]
    table = connection.ops.quote_name(Attempt._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
            values,
        )
    assert Attempt.objects.get(result_id=attempt.result_id).result_schema == 1
