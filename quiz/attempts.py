"""Recording attempts, and the columns analytics read from them.

The HTMX flow, the embed and the API all go through `complete_attempt` (or
`place_and_record`, which starts and completes in one step; `place_once` for an
API request with an Idempotency-Key), so every channel writes the same rows and
the same result body. A row keeps the answers, not the result: quiz.results
builds that from the version and the answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from quiz import guidance, tallies
from quiz.documents import RESULT_SCHEMA
from quiz.inserts import insert_counted
from quiz.models import Attempt, PlacementRequest, QuizVersion
from quiz.placement import CONTEXT, EVIDENCE, Placement, QuizSpec, place
from quiz.progress import total_steps
from quiz.results import build_result, remember
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
    attempt = _unsaved(
        version,
        channel=channel,
        partner_id=partner_id,
        region=region,
        ref=ref,
        passthrough=passthrough,
    )
    # No savepoint when nested (a view's transaction, a test): the caller's is this one.
    with transaction.atomic(savepoint=False):
        insert_counted(attempt)
    return attempt


def _unsaved(
    version: QuizVersion,
    *,
    channel: str,
    partner_id: int | None,
    region: str,
    ref: str,
    passthrough: Mapping[str, str] | None,
) -> Attempt:
    """A new attempt of `version`, not yet written (quiz.inserts writes it)."""
    return Attempt(
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
            return locked  # its result is read (built) when asked for
        before = tallies.counts_of(locked)  # as the locked row stands: flush moves it too
        _record_placement(locked, spec, place(spec, answers), answers, region or locked.region)
        locked.save(update_fields=COMPLETION_FIELDS)
        attempt_completed.send(sender=Attempt, attempt=locked)
        # Last: every attempt of the day adds to the same tally rows, so their locks are
        # held only from here to the commit.
        tallies.add(tallies.difference(before, tallies.counts_of(locked)))
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


# What completing an attempt writes (_record_placement): never the result document.
COMPLETION_FIELDS = ["answers", "region", "completed_at", "result_schema", *ANALYTICS]

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
    attempt = _unsaved(
        version,
        channel=channel,
        partner_id=partner_id,
        region=region,
        ref=ref,
        passthrough=passthrough,
    )
    _record_placement(attempt, spec, placement, answers, region)
    # No savepoint when nested (place_once, a test): the caller's transaction is this one.
    with transaction.atomic(savepoint=False):
        insert_counted(attempt)
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
    """Set what a completed attempt stores (COMPLETION_FIELDS); the caller saves it.

    The result is built now too, for this request's readers (the page, the API body,
    the webhook): the same document a later read builds from the stored answers.
    """
    attempt.answers = dict(answers)
    attempt.region = region
    attempt.completed_at = timezone.now()
    attempt.result_schema = RESULT_SCHEMA
    result = build_result(
        spec,
        placement,
        frozen=attempt.version.document,
        version_number=attempt.version.number,
        region=region,
        result_id=attempt.result_id,
        completed_at=attempt.completed_at.isoformat(),
    )
    remember(attempt, result)
    for name, value in analytics_columns(spec, placement).items():
        setattr(attempt, name, value)
