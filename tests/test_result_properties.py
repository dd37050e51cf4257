"""Properties of every result of the shipped quiz, over generated answer sets (issue 18).

For any answers a visitor could give: no advice for a skill they ticked, no text
whose condition their answers contradict, counts on the page that agree with
each other, and never "high" confidence when a single answer would change the rung.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladder.conditions import applies, fitted_text
from quiz import guidance, presentation
from quiz.models import QuizVersion
from quiz.placement import EVIDENCE, SKILLS, QuestionSpec, QuizSpec, place
from quiz.repetition import sentences
from quiz.results import build_result
from quiz.versions import spec_for
from tests.reading import said_twice

REGIONS = ("IN", "US", "")


def answer_sets(spec: QuizSpec) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for question in spec.questions:
        keys = [option.key for option in question.options]
        if question.role == SKILLS:
            choice: st.SearchStrategy[Any] = st.lists(st.sampled_from(keys), unique=True)
        else:
            choice = st.sampled_from(keys)
        fields[question.key] = choice if question.required else st.none() | choice
    return st.fixed_dictionaries(fields)


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(html)).split())


def _names_a_rung(question: QuestionSpec, key: str) -> bool:
    option = question.option(key)
    return option is not None and option.rung is not None


def _rung_after_one_change(spec: QuizSpec, answers: dict[str, Any]) -> set[str]:
    """Every rung a single changed work answer would place the visitor on (brute force)."""
    rungs = set()
    for question in spec.questions:
        if question.role != EVIDENCE or answers.get(question.key) is None:
            continue
        for option in question.options:
            if option.rung and option.key != answers[question.key]:
                rungs.add(place(spec, answers | {question.key: option.key}).rung.slug)
    return rungs


def upcoming_skills(frozen: dict[str, Any], placement: Any) -> list[dict[str, Any]]:
    if placement.next_rung is None:
        return []
    return next(r for r in frozen["rungs"] if r["slug"] == placement.next_rung.slug)["skills"]


@pytest.fixture
def shipped(shipped_version: QuizVersion) -> QuizVersion:
    return shipped_version


@pytest.mark.django_db
def test_no_result_contradicts_the_answers_it_was_built_from(shipped):
    spec = spec_for(shipped)
    frozen = shipped.snapshot
    skill_of = {
        option.key: option.skill
        for question in spec.questions
        if question.role == SKILLS
        for option in question.options
    }

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(answers=answer_sets(spec), region=st.sampled_from(REGIONS))
    def check(answers: dict[str, Any], region: str) -> None:
        answers = {key: value for key, value in answers.items() if value is not None}
        placement = place(spec, answers)
        document = build_result(
            spec,
            placement,
            frozen=shipped.document,
            version_number=shipped.number,
            region=region,
            result_id="p",
            completed_at="",
        )
        result = document.to_json()
        facts = guidance.facts_for(spec, placement, region=region)

        # No advice for a skill ticked.
        ticked = {skill_of[key] for key in answers.get("skills", [])}
        for skill in (*result["skills_to_build"], *result["next_rung_skills"]):
            assert skill["name"] not in ticked

        # No text whose condition the answers contradict.
        rung = next(r for r in frozen["rungs"] if r["slug"] == placement.rung.slug)
        shown = {(s["kind"], s["title"]) for s in result["next_steps"]}
        for step in rung["next_steps"]:
            if (step["kind"], step["title"]) in shown:
                assert applies(step.get("when"), facts), step["title"]
        for note in frozen["notes"]:
            if note["kind"] == "track" and ("track", note["title"]) in shown:
                assert applies(note.get("when"), facts), note["title"]
        for band in result["salary"]:
            [stored] = [
                b
                for r in frozen["rungs"]
                if r["slug"] == band["rung"]
                for b in r["salary_bands"]
                if b["min"] == band["min"] and b["max"] == band["max"]
            ]
            assert applies(stored.get("when"), facts)
        for skill in (*result["skills_to_build"], *result["next_rung_skills"]):
            [stored] = [k for k in upcoming_skills(frozen, placement) if k["name"] == skill["name"]]
            assert applies(stored.get("when"), facts), skill["name"]
        # A rung's own texts: the variant that fits, never one written for someone else.
        for variant in rung.get("texts", ()):
            if variant["text"] and not applies(variant["when"], facts):
                assert variant["text"] != result["keeps_you_stuck"]
                assert variant["text"] not in {s["detail"] for s in result["next_steps"]}
        assert result["keeps_you_stuck"] == fitted_text(rung, "keeps_you_stuck", facts)[0]
        if result["track_note"] is not None:
            [note] = [n for n in frozen["notes"] if n.get("key") == result["track_note"]["key"]]
            assert note["kind"] == "track"
            assert applies(note["when"], facts)
        # An answer that names no rung (a track's, "not part of my role") is no evidence of one.
        no_rung = {
            q.key
            for q in spec.questions
            if q.role == EVIDENCE and q.key in answers and not _names_a_rung(q, answers[q.key])
        }
        for listed in (*result["held_back"], *result["shown_by"], *result["below_top"]):
            assert listed["question"] not in no_rung
        assert {a["question"] for a in result["not_counted"]} == no_rung
        if answers.get("certificates") == "several":
            assert "certification" not in {kind for kind, _ in shown}

        # Counts agree: the headline's answers are the answers listed, each once.
        context = presentation.result_context(document, version=shipped.document)
        html = render_to_string("quiz/_result.html", context)
        text = _words(html)
        evidence = [e.question.key for e in placement.evidence]
        assert evidence == [
            q.key
            for q in spec.questions
            if q.role == EVIDENCE and q.key in answers and _names_a_rung(q, answers[q.key])
        ]
        headline = re.search(r"(\d+) of your (\d+) work answers", text)
        assert headline is not None
        assert int(headline.group(2)) == len(evidence)
        listed = len(context["held_back"]) + len(context["below_top"])
        listed += len(context["reached"]) if context["next_rung"] else len(context["shown_by"])
        assert listed == len(evidence)
        for shown_count in re.findall(r"Your (\d+) answers? (?:below|at)", text):
            assert int(shown_count) <= len(evidence)

        # Each sentence of advice or explanation is said once on the page.
        assert said_twice(html) == []

        # Nothing shown is said to be left out, and every next step's words reach the page:
        # one shown as a first-screen move has the rest of its detail below.
        shown_titles = {s["title"] for s in result["next_steps"]}
        for group in context["step_groups"]:
            assert not set(group["left_out"]) & shown_titles, group["left_out"]
        listed_kinds = {kind for kind, _ in presentation.NEXT_STEP_GROUPS} | {"track"}
        for step in result["next_steps"]:
            if step["kind"] not in listed_kinds:  # an answer's advice: its reasons may go
                continue
            for sentence in sentences(step["detail"]):
                assert " ".join(sentence.split()) in text, (step["title"], sentence)

        # Never "high" within one answer of a boundary.
        if _rung_after_one_change(spec, answers) - {placement.rung.slug}:
            assert result["confidence_label"] != "high"
            assert "High confidence" not in text

    check()
