"""Recording attempts and turning a placement into the stored, shareable result.

The HTMX flow, the embed and the API all go through `complete_attempt` (or
`place_and_record`, which starts and completes in one step; `place_once` for an
API request with an Idempotency-Key), so every channel writes the same rows and
the same result body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from ladder.conditions import Facts, applies, fitted_text
from quiz import guidance
from quiz.models import Attempt, PlacementRequest, QuizVersion
from quiz.placement import (
    CONTEXT,
    EVIDENCE,
    SKILLS,
    EvidenceAnswer,
    Mover,
    Placement,
    QuizSpec,
    RungSpec,
    place,
)
from quiz.progress import total_steps
from quiz.signals import attempt_completed
from quiz.versions import spec_for


def start_attempt(
    version: QuizVersion,
    *,
    channel: str = Attempt.Channel.WEB,
    partner_id: int | None = None,
    region: str = "",
    ref: str = "",
    passthrough: Mapping[str, str] | None = None,
) -> Attempt:
    return Attempt.objects.create(
        quiz_id=version.quiz_id,
        version=version,
        channel=channel,
        partner_id=partner_id,
        region=region,
        ref=ref,
        passthrough=dict(passthrough or {}),
    )


def complete_attempt(attempt: Attempt, answers: Mapping[str, Any], *, region: str = "") -> Attempt:
    """Place and store once. A repeated submission returns the first result unchanged.

    Raises placement.InvalidAnswers when the answers do not fit the version.
    """
    spec = spec_for(attempt.version)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        locked.version = attempt.version  # the same row, already read: not read again
        if locked.completed_at is not None:
            return locked
        _record_placement(locked, spec, place(spec, answers), answers, region or locked.region)
        locked.save(update_fields=COMPLETION_FIELDS)
        attempt_completed.send(sender=Attempt, attempt=locked)
        return locked


# The columns analytics group by (careerquiz.analytics), copied from the placement.
ANALYTICS = [
    "rung_slug",
    "rung_order",
    "step_reached",
    "claimed_rung_order",
    "claimed_rung_slug",
    "claimed_title",
    "confidence_label",
    "context_answer",
    "held_back_mask",
    "below_placed_mask",
]


def analytics_columns(spec: QuizSpec, placement: Placement) -> dict[str, Any]:
    """The ANALYTICS columns of an attempt completed with this placement."""
    claimed = placement.claimed
    split = split_question(spec.questions)
    answered = placement.context.get(split.key) if split else None
    below = guidance.below_placement(placement)
    return {
        "rung_slug": placement.rung.slug,
        "rung_order": placement.rung.order,
        "step_reached": total_steps(spec),
        "claimed_rung_order": claimed.order if claimed else None,
        "claimed_rung_slug": claimed.slug if claimed else "",
        "claimed_title": placement.claimed_title,
        "confidence_label": placement.confidence_label,
        "context_answer": answered.key if answered else "",
        "held_back_mask": evidence_mask(spec, [a.question.key for a in placement.held_back]),
        "below_placed_mask": evidence_mask(spec, [a.question.key for a in below]),
    }


# What completing an attempt writes (_record_placement).
COMPLETION_FIELDS = ["answers", "region", "completed_at", "result", *ANALYTICS]

# A mask has 63 bits for the evidence questions; a quiz has never had more than a dozen.
MASK_BITS = 63


class _Question(Protocol):
    """A question as the engine's spec and analytics' published content both hold it."""

    @property
    def key(self) -> str: ...

    @property
    def role(self) -> str: ...


def evidence_keys(questions: Iterable[_Question]) -> list[str]:
    """The evidence questions' keys, in the order of the bits of an attempt's masks."""
    return [q.key for q in questions if q.role == EVIDENCE][:MASK_BITS]


def split_question[Q: _Question](questions: Iterable[Q]) -> Q | None:
    """The first context question (in the shipped quiz, where people work): analytics
    splits title gaps by its answer (Attempt.context_answer)."""
    return next((q for q in questions if q.role == CONTEXT), None)


def evidence_mask(spec: QuizSpec, keys: Collection[str]) -> int:
    """An integer with bit i set when the spec's i-th evidence question is among `keys`.

    One integer column per attempt lets analytics count, per question, the answers
    that held people back with a SUM over an index, instead of a row per answer.
    """
    evidence = evidence_keys(spec.questions)
    return sum(1 << bit for bit, key in enumerate(evidence) if key in keys)


def place_and_record(
    version: QuizVersion,
    answers: Mapping[str, Any],
    *,
    region: str = "",
    channel: str = Attempt.Channel.API,
    partner_id: int | None = None,
    ref: str = "",
    passthrough: Mapping[str, str] | None = None,
) -> Attempt:
    """Start and complete an attempt at once (the API): one INSERT of the finished row.

    Invalid answers raise placement.InvalidAnswers and write nothing.
    """
    spec = spec_for(version)
    placement = place(spec, answers)
    attempt = Attempt(
        quiz_id=version.quiz_id,
        version=version,
        channel=channel,
        partner_id=partner_id,
        ref=ref,
        passthrough=dict(passthrough or {}),
    )
    _record_placement(attempt, spec, placement, answers, region)
    # No savepoint when nested (place_once, a test): the caller's transaction is this one.
    with transaction.atomic(savepoint=False):
        attempt.save(force_insert=True)
        attempt_completed.send(sender=Attempt, attempt=attempt)
    return attempt


@dataclass(frozen=True, kw_only=True)
class Idempotency:
    """Who asked (`caller`: a partner or client address), with which key, for what body."""

    caller: str
    key: str
    body: Mapping[str, Any]

    @property
    def key_digest(self) -> str:
        return _digest({"caller": self.caller, "key": self.key})

    @property
    def body_digest(self) -> str:
        return _digest(self.body)


class IdempotencyKeyReused(Exception):
    """The key was used before for a different body."""


def place_once(
    version: QuizVersion,
    answers: Mapping[str, Any],
    *,
    idempotency: Idempotency,
    **record: Any,
) -> tuple[Attempt, bool]:
    """place_and_record, unless this caller's key already placed: (attempt, is_new).

    Raises IdempotencyKeyReused for the same key with another body.
    """
    existing = _placed_with(idempotency)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            attempt = place_and_record(version, answers, **record)
            PlacementRequest.objects.create(
                key_digest=idempotency.key_digest,
                body_digest=idempotency.body_digest,
                attempt=attempt,
            )
    except IntegrityError:
        # A simultaneous retry recorded the key first: this one's attempt rolled back.
        existing = _placed_with(idempotency)
        if existing is None:
            raise
        return existing, False
    return attempt, True


def _placed_with(idempotency: Idempotency) -> Attempt | None:
    found = (
        PlacementRequest.objects.filter(key_digest=idempotency.key_digest)
        .select_related("attempt")
        .first()
    )
    if found is None:
        return None
    if found.body_digest != idempotency.body_digest:
        raise IdempotencyKeyReused
    return found.attempt


def _digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _record_placement(
    attempt: Attempt,
    spec: QuizSpec,
    placement: Placement,
    answers: Mapping[str, Any],
    region: str,
) -> None:
    """Set what a completed attempt stores (COMPLETION_FIELDS); the caller saves it."""
    attempt.answers = dict(answers)
    attempt.region = region
    attempt.completed_at = timezone.now()
    attempt.result = build_result(
        spec, placement, version=attempt.version, region=region, result_id=attempt.result_id
    )
    attempt.result["completed_at"] = attempt.completed_at.isoformat()
    for name, value in analytics_columns(spec, placement).items():
        setattr(attempt, name, value)


def _rung_ref(rung: RungSpec | None) -> dict[str, Any] | None:
    if rung is None:
        return None
    return {"slug": rung.slug, "title": rung.title, "order": rung.order, "question": rung.question}


def build_result(
    spec: QuizSpec,
    placement: Placement,
    *,
    version: QuizVersion,
    region: str,
    result_id: str,
) -> dict[str, Any]:
    """The placement and what a result shows beside it, from the version's own content.

    Nothing is read from today's ladder: the version froze the rungs' pay,
    skills and next steps when it was published (quiz.versions.snapshot), so
    editing the draft changes no result until the quiz is published again.
    """
    frozen = version.snapshot
    rungs = {rung["slug"]: rung for rung in frozen["rungs"]}
    placed = rungs[placement.rung.slug]
    upcoming = rungs[placement.next_rung.slug] if placement.next_rung else None
    gap = placement.title_gap
    facts = guidance.facts_for(spec, placement, region=region)
    advice = guidance.advice_for(spec, placement, facts)
    notes = guidance.context_notes(placement, facts)
    return {
        "id": result_id,
        "quiz": {"slug": spec.slug, "title": frozen["title"], "version": version.number},
        "rung": _rung_ref(placement.rung),
        "next_rung": _rung_ref(placement.next_rung),
        "title_gap": None
        if gap is None
        else {
            "claimed": _rung_ref(gap.claimed),
            "placed": _rung_ref(gap.placed),
            "steps": gap.steps,
            "claimed_title": placement.claimed_title,
        },
        "claimed": _rung_ref(placement.claimed),
        "claimed_title": placement.claimed_title,
        "context": {key: option.key for key, option in placement.context.items()},
        "confidence": placement.confidence,
        "confidence_label": placement.confidence_label,
        "support": dict(placement.support),
        "why": _why(spec, placement),
        "boundary": {
            "up": [_mover(m) for m in placement.boundary.up],
            "down": [_mover(m) for m in placement.boundary.down],
        },
        "track": facts.track,
        "track_note": guidance.track_note(frozen.get("notes", ()), facts),
        "profile": [
            {"dimension": row.dimension, "rung": _rung_ref(row.rung), "answers": row.answers}
            for row in guidance.profile(spec, placement)
        ],
        "shown_by": [_evidence(e) for e in placement.shown_by],
        "not_counted": _not_counted(spec, placement),
        # At the top nothing is held back below a next rung; these are listed all the same.
        "below_top": []
        if placement.next_rung
        else [_evidence(e) for e in placement.evidence if e.rung.order < placement.rung.order],
        "held_back": [_evidence(a.answer) | _advice(a) for a in advice],
        "notes": [
            {"question": key, "option": placement.context[key].key, "text": text}
            for key, text in notes.items()
        ],
        "ladder_notes": [
            {"key": n["key"], "title": n["title"], "body": n["body"], "source": n["source"]}
            for n in frozen.get("notes", ())
            if n["kind"] == "caveat" and n.get("when") and applies(n["when"], facts)
        ],
        "years": _years(placement, placed),
        "next_steps": _next_steps(frozen, placement, placed, upcoming, advice, notes, facts),
        "skills_to_build": _skills_to_build(spec, placement, upcoming, facts, offered=True),
        "next_rung_skills": _skills_to_build(spec, placement, upcoming, facts, offered=False),
        "salary": _salary(
            region, [r for r in (placed, upcoming) if r is not None], placement, facts
        ),
        "region": region,
        "rung_summary": placed["summary"],
        "keeps_you_stuck": fitted_text(placed, "keeps_you_stuck", facts)[0],
    }


def _evidence(e: EvidenceAnswer) -> dict[str, Any]:
    return {
        "question": e.question.key,
        "question_text": e.question.text,
        "option": e.option.key,
        "option_text": e.option.text,
        "rung": e.rung.slug,
    }


def _why(spec: QuizSpec, placement: Placement) -> dict[str, Any]:
    why = asdict(guidance.why_in_numbers(spec, placement))
    # As stored JSON reads back: lists, not tuples.
    why["counted_more"] = [list(item) for item in why["counted_more"]]
    return why


def _not_counted(spec: QuizSpec, placement: Placement) -> list[dict[str, Any]]:
    """Work answers that name no rung (an answer for a track): listed, never counted."""
    answers = []
    for question in spec.questions:
        if question.role != EVIDENCE:
            continue
        for key in sorted(placement.answered.get(question.key, ())):
            option = question.option(key)
            if option is not None and not option.rung:
                answers.append(
                    {
                        "question": question.key,
                        "question_text": question.text,
                        "option": option.key,
                        "option_text": option.text,
                        "track": option.track,
                    }
                )
    return answers


def _mover(mover: Mover) -> dict[str, Any]:
    return _evidence(mover.answer) | {
        "to_option": mover.to.key,
        "to_option_text": mover.to.text,
        "to_rung": _rung_ref(mover.rung),
    }


def _advice(advice: guidance.Advice) -> dict[str, Any]:
    target = None
    if advice.target is not None and advice.target_rung is not None:
        target = {
            "option": advice.target.key,
            "option_text": advice.target.text,
            "rung": advice.target_rung.slug,
        }
    return {"advice": advice.text, "target": target}


def _years(placement: Placement, placed: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first years-of-experience answer, beside the placed rung's typical years."""
    for key, option in placement.context.items():
        if option.years is not None:
            beside = guidance.years_beside(option.years, placed["years_min"], placed["years_max"])
            return {
                "question": key,
                "option": option.key,
                "option_text": option.text,
                "given": list(beside.given),
                "typical": list(beside.typical),
                "comparison": beside.comparison,
            }
    return None


def _next_steps(
    frozen: Mapping[str, Any],
    placement: Placement,
    placed: Mapping[str, Any],
    upcoming: Mapping[str, Any] | None,
    advice: list[guidance.Advice],
    notes: Mapping[str, str],
    facts: Facts,
) -> list[dict[str, str]]:
    """What the visitor could do next, each step fitted to their answers (its `when`)."""
    moves_up, source = fitted_text(placed, "moves_you_up", facts)
    steps: list[dict[str, str]] = []
    if moves_up:
        # A rung's moves_you_up says how to get from it to the rung above; on the top rung,
        # where the way on is wider scope, not another rung.
        title = f"What moves you to {upcoming['title']}" if upcoming else "Wider scope from here"
        steps.append(_step("moves_you_up", title, moves_up) | {"source": source})
    # A track note without a condition is the way on from the top of the ladder (the
    # parallel track); one with a condition describes the track the visitor is on, and is
    # the result's `track_note`, not a move.
    steps += [
        _step("track", note["title"], note["body"]) | {"source": note["source"]}
        for note in frozen.get("notes", ())
        if note["kind"] == "track" and not note.get("when") and upcoming is None
    ]
    seen: set[str] = set()
    for item in advice:
        if item.text and item.answer.question.key not in seen:
            seen.add(item.answer.question.key)
            steps.append(_step("advice", item.answer.question.text, item.text))
    for key, text in notes.items():
        steps.append(_step("caveat", placement.context[key].text, text))
    steps += [
        {key: value for key, value in step.items() if key != "when"}
        for step in placed["next_steps"]
        if applies(step.get("when"), facts)
    ]
    return steps


def _step(kind: str, title: str, detail: str) -> dict[str, str]:
    return {"kind": kind, "title": title, "detail": detail, "url": "", "source": ""}


def _skills_to_build(
    spec: QuizSpec,
    placement: Placement,
    upcoming: Mapping[str, Any] | None,
    facts: Facts,
    *,
    offered: bool,
) -> list[dict[str, str]]:
    """Next-rung skills the visitor did not tick among those the quiz offered (offered=True),
    or the next rung's skills the quiz did not ask about (offered=False); each only where
    its `when` fits the visitor."""
    asked = {o.skill for q in spec.questions if q.role == SKILLS for o in q.options if o.skill}
    if upcoming is None or not asked:
        return []
    return [
        {key: value for key, value in skill.items() if key != "when"}
        for skill in upcoming["skills"]
        if (skill["name"] in asked) == offered
        and skill["name"] not in placement.skills_ticked
        and applies(skill.get("when"), facts)
    ]


def _salary(
    region: str, rungs: list[Mapping[str, Any]], placement: Placement, facts: Facts
) -> list[dict[str, Any]]:
    """The bands of these rungs in `region` that fit the visitor (a band's `when`); those
    describing the visitor's context first."""
    if not region:
        return []
    answered = {option.key for option in placement.context.values()}
    bands = [
        {key: value for key, value in band.items() if key != "when"} | {"rung": rung["slug"]}
        for rung in rungs
        for band in rung["salary_bands"]
        if band["region"] == region and applies(band.get("when"), facts)
    ]
    # A stable sort: within each group the rungs' own order is kept.
    return sorted(bands, key=lambda band: band["context"] not in answered)
