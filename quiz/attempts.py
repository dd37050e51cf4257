"""Recording attempts and turning a placement into the stored, shareable result.

The HTMX flow, the embed and the API all go through `complete_attempt` (or
`place_and_record`, which starts and completes in one step), so every channel
writes the same rows and the same result body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from ladder.models import Rung
from quiz.models import Attempt, QuizVersion
from quiz.placement import SKILLS, EvidenceAnswer, Placement, QuizSpec, RungSpec, place
from quiz.versions import spec_for


def start_attempt(
    version: QuizVersion,
    *,
    channel: str = Attempt.Channel.WEB,
    partner_id: int | None = None,
    region: str = "",
    ref: str = "",
) -> Attempt:
    return Attempt.objects.create(
        quiz_id=version.quiz_id,
        version=version,
        channel=channel,
        partner_id=partner_id,
        region=region,
        ref=ref,
    )


def complete_attempt(attempt: Attempt, answers: Mapping[str, Any], *, region: str = "") -> Attempt:
    """Place and store once. A repeated submission returns the first result unchanged.

    Raises placement.InvalidAnswers when the answers do not fit the version.
    """
    spec = spec_for(attempt.version)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("version").get(pk=attempt.pk)
        if locked.completed_at is not None:
            return locked
        placement = place(spec, answers)
        region = region or locked.region
        locked.answers = dict(answers)
        locked.region = region
        locked.rung_slug = placement.rung.slug
        locked.rung_order = placement.rung.order
        locked.completed_at = timezone.now()
        locked.result = build_result(
            spec, placement, version=locked.version, region=region, result_id=locked.result_id
        )
        locked.result["completed_at"] = locked.completed_at.isoformat()
        locked.save(
            update_fields=[
                "answers",
                "region",
                "rung_slug",
                "rung_order",
                "completed_at",
                "result",
            ]
        )
        return locked


def place_and_record(
    version: QuizVersion,
    answers: Mapping[str, Any],
    *,
    region: str = "",
    channel: str = Attempt.Channel.API,
    partner_id: int | None = None,
    ref: str = "",
) -> Attempt:
    """Start and complete an attempt at once (the API). Invalid answers write nothing."""
    place(spec_for(version), answers)  # validate before any row exists
    with transaction.atomic():
        attempt = start_attempt(
            version, channel=channel, partner_id=partner_id, region=region, ref=ref
        )
        return complete_attempt(attempt, answers, region=region)


def _rung_ref(rung: RungSpec | None) -> dict[str, Any] | None:
    if rung is None:
        return None
    return {"slug": rung.slug, "title": rung.title, "order": rung.order, "question": rung.question}


def _first_source(rung: Rung | None) -> str:
    return rung.sources[0] if rung is not None and rung.sources else ""


def build_result(
    spec: QuizSpec,
    placement: Placement,
    *,
    version: QuizVersion,
    region: str,
    result_id: str,
) -> dict[str, Any]:
    """The placement plus the ladder content shown beside it, frozen at completion time."""
    slugs = [placement.rung.slug] + ([placement.next_rung.slug] if placement.next_rung else [])
    rungs = {
        rung.slug: rung
        for rung in Rung.objects.with_content().filter(
            ladder__slug=version.snapshot["ladder"], slug__in=slugs
        )
    }
    placed = rungs.get(placement.rung.slug)
    upcoming = rungs.get(placement.next_rung.slug) if placement.next_rung else None

    gap = placement.title_gap
    return {
        "id": result_id,
        "quiz": {"slug": spec.slug, "title": version.snapshot["title"], "version": version.number},
        "rung": _rung_ref(placement.rung),
        "next_rung": _rung_ref(placement.next_rung),
        "title_gap": None
        if gap is None
        else {
            "claimed": _rung_ref(gap.claimed),
            "placed": _rung_ref(gap.placed),
            "steps": gap.steps,
        },
        "confidence": placement.confidence,
        "confidence_label": placement.confidence_label,
        "support": dict(placement.support),
        "shown_by": [_evidence(e) for e in placement.shown_by],
        "held_back": [_evidence(e) | {"advice": e.question.advice} for e in placement.held_back],
        "notes": [
            {"question": key, "option": option.key, "text": option.note}
            for key, option in placement.context.items()
            if option.note
        ],
        "next_steps": _next_steps(spec, placement, placed, upcoming),
        "skills_to_build": _skills_to_build(spec, placement, upcoming),
        "salary": _salary(region, [r for r in (placed, upcoming) if r is not None]),
        "region": region,
        "rung_summary": placed.summary if placed else "",
        "keeps_you_stuck": placed.keeps_you_stuck if placed else "",
    }


def _evidence(e: EvidenceAnswer) -> dict[str, Any]:
    return {
        "question": e.question.key,
        "question_text": e.question.text,
        "option": e.option.key,
        "option_text": e.option.text,
        "rung": e.rung.slug,
    }


def _next_steps(
    spec: QuizSpec, placement: Placement, placed: Rung | None, upcoming: Rung | None
) -> list[dict[str, str]]:
    steps: list[dict[str, str]] = []
    # A rung's moves_you_up says how to get from it to the rung above.
    if placed is not None and placed.moves_you_up:
        title = f"What moves you to {upcoming.title}" if upcoming else "What moves you further"
        steps.append(
            {
                "kind": "moves_you_up",
                "title": title,
                "detail": placed.moves_you_up,
                "url": "",
                "source": _first_source(placed),
            }
        )
    seen_questions: set[str] = set()
    for e in placement.held_back:
        if e.question.advice and e.question.key not in seen_questions:
            seen_questions.add(e.question.key)
            steps.append(
                {
                    "kind": "advice",
                    "title": e.question.text,
                    "detail": e.question.advice,
                    "url": "",
                    "source": "",
                }
            )
    for option in placement.context.values():
        if option.note:
            steps.append(
                {
                    "kind": "caveat",
                    "title": option.text,
                    "detail": option.note,
                    "url": "",
                    "source": "",
                }
            )
    if placed is not None:
        for item in placed.next_steps.all():
            steps.append(
                {
                    "kind": item.kind,
                    "title": item.title,
                    "detail": item.detail,
                    "url": item.url,
                    "source": item.source,
                }
            )
    return steps


def _asked_skills(spec: QuizSpec) -> bool:
    return any(q.role == SKILLS for q in spec.questions)


def _skills_to_build(
    spec: QuizSpec, placement: Placement, upcoming: Rung | None
) -> list[dict[str, str]]:
    """Next-rung skills the visitor did not tick (only when the quiz asked about skills)."""
    if upcoming is None or not _asked_skills(spec):
        return []
    return [
        {
            "name": skill.name,
            "category": skill.category,
            "importance": skill.importance,
            "source": skill.source,
        }
        for skill in upcoming.skills.all()
        if skill.name not in placement.skills_ticked
    ]


def _salary(region: str, rungs: list[Rung]) -> list[dict[str, Any]]:
    if not region:
        return []
    return [
        {
            "rung": rung.slug,
            "region": band.region,
            "currency": band.currency,
            "min": band.min,
            "max": band.max,
            "period": band.period,
            "display": band.display,
            "note": band.note,
            "source": band.source,
        }
        for rung in rungs
        for band in rung.salary_bands.all()
        if band.region == region
    ]
