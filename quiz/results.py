"""Building a result document from a version and answers, and reading an attempt's result.

An attempt row keeps its answers, region and when it completed, not its result:
the result is built again from the immutable published version (the engine is
pure), once per cache lifetime, by the builder of the schema the attempt was
completed under (Attempt.result_schema). A row from before lean attempts still
holds its whole document (Attempt.result, schema 1), which is read as stored.
See docs/performance.md ("Lean attempts").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from django.core.cache import cache

from ladder.conditions import Facts, applies
from quiz import guidance
from quiz.documents import (
    RESULT_SCHEMA,
    Band,
    Boundary,
    ContextNote,
    DocumentError,
    Evidence,
    HeldBack,
    Mover,
    NotCounted,
    ProfileRow,
    QuizRef,
    Result,
    ResultNote,
    RungRef,
    SkillToBuild,
    Snapshot,
    Step,
    Target,
    TitleGap,
    Why,
    Years,
    load_result,
)
from quiz.documents import (
    Rung as FrozenRung,
)
from quiz.models import Attempt, AttemptQuerySet, QuizVersion
from quiz.placement import EVIDENCE, SKILLS, EvidenceAnswer, Placement, QuizSpec, RungSpec, place
from quiz.placement import Mover as PlacementMover
from quiz.versions import shared_version, spec_for

# How long a built result stays cached: rebuilding costs a few milliseconds.
CACHE_SECONDS: Final = 24 * 60 * 60


def build_result(
    spec: QuizSpec,
    placement: Placement,
    *,
    frozen: Snapshot,
    version_number: int,
    region: str,
    result_id: str,
    completed_at: str,
) -> Result:
    """The placement and what a result shows beside it, from the version's own content.

    Nothing is read from today's ladder: the version froze the rungs' pay,
    skills and next steps when it was published (quiz.versions.snapshot), so
    editing the draft changes no result until the quiz is published again.
    """
    placed = _frozen_rung(frozen, placement.rung)
    upcoming = _frozen_rung(frozen, placement.next_rung) if placement.next_rung else None
    gap = placement.title_gap
    facts = guidance.facts_for(spec, placement, region=region)
    advice = guidance.advice_for(spec, placement, facts)
    notes = guidance.context_notes(placement, facts)
    return Result(
        schema_version=RESULT_SCHEMA,
        id=result_id,
        quiz=QuizRef(slug=spec.slug, title=frozen.title, version=version_number),
        rung=_rung_ref(placement.rung),
        next_rung=_rung_ref(placement.next_rung) if placement.next_rung else None,
        title_gap=None
        if gap is None
        else TitleGap(
            claimed=_rung_ref(gap.claimed),
            placed=_rung_ref(gap.placed),
            steps=gap.steps,
            claimed_title=placement.claimed_title,
        ),
        claimed=_rung_ref(placement.claimed) if placement.claimed else None,
        claimed_title=placement.claimed_title,
        context={key: option.key for key, option in placement.context.items()},
        confidence=placement.confidence,
        confidence_label=placement.confidence_label,
        support=dict(placement.support),
        why=_why(spec, placement),
        boundary=Boundary(
            up=tuple(_mover(m, track=facts.track) for m in placement.boundary.up),
            down=tuple(_mover(m) for m in placement.boundary.down),
        ),
        track=facts.track,
        track_note=guidance.track_note(frozen.notes, facts),
        profile=tuple(
            ProfileRow(
                dimension=row.dimension,
                rung=_rung_ref(row.rung) if row.rung is not None else None,
                answers=row.answers,
            )
            for row in guidance.profile(spec, placement)
        ),
        shown_by=tuple(_evidence(e) for e in placement.shown_by),
        not_counted=_not_counted(spec, placement),
        # At the top nothing is held back below a next rung; these are listed all the same,
        # each with its step one rung up.
        below_top=tuple(_held_back(a) for a in guidance.below_top_advice(spec, placement, facts)),
        held_back=tuple(_held_back(a) for a in advice),
        notes=tuple(
            ContextNote(question=key, option=placement.context[key].key, text=text)
            for key, text in notes.items()
        ),
        ladder_notes=tuple(
            ResultNote(key=n.key, title=n.title, body=n.body, source=n.source)
            for n in frozen.notes
            if n.kind == "caveat" and n.when and applies(n.when, facts)
        ),
        years=_years(placement, placed),
        next_steps=_next_steps(frozen, placement, placed, upcoming, advice, notes, facts),
        skills_to_build=_skills_to_build(spec, placement, upcoming, facts, offered=True),
        next_rung_skills=_skills_to_build(spec, placement, upcoming, facts, offered=False),
        salary=_salary(region, [r for r in (placed, upcoming) if r is not None], placement, facts),
        region=region,
        rung_summary=placed.summary,
        keeps_you_stuck=fitted_text(placed, "keeps_you_stuck", facts)[0],
        completed_at=completed_at,
    )


def fitted_text(rung: FrozenRung, name: str, facts: Facts) -> tuple[str, str]:
    """A rung's own text `name` (moves_you_up or keeps_you_stuck) for these facts, and the
    source it cites: the first of the rung's `texts` for that field whose `when` holds (its
    text may be empty: nothing is shown), else the rung's text with the rung's first source.
    The same rule as ladder.conditions.fitted_text, over the snapshot's typed rung."""
    for variant in rung.texts:
        if variant.field == name and applies(variant.when, facts):
            return variant.text, variant.source
    own = {"moves_you_up": rung.moves_you_up, "keeps_you_stuck": rung.keeps_you_stuck}[name]
    return own, rung.sources[0] if rung.sources else ""


def _frozen_rung(frozen: Snapshot, rung: RungSpec) -> FrozenRung:
    found = frozen.rung(rung.slug)
    assert found is not None  # the spec is compiled from the same snapshot
    return found


def _rung_ref(rung: RungSpec) -> RungRef:
    return RungRef(slug=rung.slug, title=rung.title, order=rung.order, question=rung.question)


def _evidence(e: EvidenceAnswer) -> Evidence:
    return Evidence(
        question=e.question.key,
        question_text=e.question.text,
        option=e.option.key,
        option_text=e.option.text,
        rung=e.rung.slug,
    )


def _why(spec: QuizSpec, placement: Placement) -> Why:
    numbers = guidance.why_in_numbers(spec, placement)
    return Why(
        total=numbers.total,
        here=numbers.here,
        above=numbers.above,
        needed=numbers.needed,
        weighted=numbers.weighted,
        answers=numbers.answers,
        answers_here=numbers.answers_here,
        answers_above=numbers.answers_above,
        counted_more=numbers.counted_more,
        threshold=numbers.threshold,
    )


def _not_counted(spec: QuizSpec, placement: Placement) -> tuple[NotCounted, ...]:
    """Work answers that name no rung (an answer for a track): listed, never counted."""
    answers = []
    for question in spec.questions:
        if question.role != EVIDENCE:
            continue
        for key in sorted(placement.answered.get(question.key, ())):
            option = question.option(key)
            if option is not None and not option.rung:
                answers.append(
                    NotCounted(
                        question=question.key,
                        question_text=question.text,
                        option=option.key,
                        option_text=option.text,
                        track=option.track,
                    )
                )
    return tuple(answers)


def _mover(mover: PlacementMover, *, track: str = "") -> Mover:
    """A single-answer change, named by the answer a visitor on `track` would give at that
    rung (a staff-track engineer is shown the staff answer, as in their advice)."""
    e = mover.answer
    to = guidance.answer_at(e.question, str(mover.to.rung), track) or mover.to
    return Mover(
        question=e.question.key,
        question_text=e.question.text,
        option=e.option.key,
        option_text=e.option.text,
        rung=e.rung.slug,
        to_option=to.key,
        to_option_text=to.text,
        to_rung=_rung_ref(mover.rung),
    )


def _held_back(advice: guidance.Advice) -> HeldBack:
    target = None
    if advice.target is not None and advice.target_rung is not None:
        target = Target(
            option=advice.target.key,
            option_text=advice.target.text,
            rung=advice.target_rung.slug,
        )
    e = advice.answer
    return HeldBack(
        question=e.question.key,
        question_text=e.question.text,
        option=e.option.key,
        option_text=e.option.text,
        rung=e.rung.slug,
        advice=advice.text,
        target=target,
    )


def _years(placement: Placement, placed: FrozenRung) -> Years | None:
    """The first years-of-experience answer, beside the placed rung's typical years."""
    for key, option in placement.context.items():
        if option.years is not None:
            beside = guidance.years_beside(option.years, placed.years_min, placed.years_max)
            return Years(
                question=key,
                option=option.key,
                option_text=option.text,
                given=beside.given,
                typical=beside.typical,
                comparison=beside.comparison,
            )
    return None


def _next_steps(
    frozen: Snapshot,
    placement: Placement,
    placed: FrozenRung,
    upcoming: FrozenRung | None,
    advice: list[guidance.Advice],
    notes: Mapping[str, str],
    facts: Facts,
) -> tuple[Step, ...]:
    """What the visitor could do next, each step fitted to their answers (its `when`)."""
    moves_up, source = fitted_text(placed, "moves_you_up", facts)
    steps: list[Step] = []
    if moves_up:
        # A rung's moves_you_up says how to get from it to the rung above; on the top rung,
        # where the way on is wider scope, not another rung.
        title = f"What moves you to {upcoming.title}" if upcoming else "Wider scope from here"
        steps.append(_step("moves_you_up", title, moves_up, source=source))
    # A track note without a condition is the way on from the top of the ladder (the
    # parallel track); one with a condition describes the track the visitor is on, and is
    # the result's `track_note`, not a move.
    steps += [
        _step("track", note.title, note.body, source=note.source)
        for note in frozen.notes
        if note.kind == "track" and not note.when and upcoming is None
    ]
    seen: set[str] = set()
    for item in advice:
        if item.text and item.answer.question.key not in seen:
            seen.add(item.answer.question.key)
            steps.append(_step("advice", item.answer.question.text, item.text))
    for key, text in notes.items():
        steps.append(_step("caveat", placement.context[key].text, text))
    steps += [
        Step(kind=s.kind, title=s.title, detail=s.detail, url=s.url, source=s.source)
        for s in placed.next_steps
        if applies(s.when, facts)
    ]
    return tuple(steps)


def _step(kind: str, title: str, detail: str, *, source: str = "") -> Step:
    return Step(kind=kind, title=title, detail=detail, url="", source=source)


def _skills_to_build(
    spec: QuizSpec,
    placement: Placement,
    upcoming: FrozenRung | None,
    facts: Facts,
    *,
    offered: bool,
) -> tuple[SkillToBuild, ...]:
    """Next-rung skills the visitor did not tick among those the quiz offered (offered=True),
    or the next rung's skills the quiz did not ask about (offered=False); each only where
    its `when` fits the visitor."""
    asked = {o.skill for q in spec.questions if q.role == SKILLS for o in q.options if o.skill}
    if upcoming is None or not asked:
        return ()
    return tuple(
        SkillToBuild(
            name=skill.name,
            category=skill.category,
            importance=skill.importance,
            source=skill.source,
        )
        for skill in upcoming.skills
        if (skill.name in asked) == offered
        and skill.name not in placement.skills_ticked
        and applies(skill.when, facts)
    )


def _salary(
    region: str, rungs: list[FrozenRung], placement: Placement, facts: Facts
) -> tuple[Band, ...]:
    """The bands of these rungs in `region` that fit the visitor (a band's `when`); those
    describing the visitor's context first."""
    if not region:
        return ()
    answered = {option.key for option in placement.context.values()}
    bands = [
        Band(
            region=band.region,
            currency=band.currency,
            min=band.min,
            max=band.max,
            period=band.period,
            display=band.display,
            note=band.note,
            source=band.source,
            context=band.context,
            rung=rung.slug,
        )
        for rung in rungs
        for band in rung.salary_bands
        if band.region == region and applies(band.when, facts)
    ]
    # A stable sort: within each group the rungs' own order is kept.
    return tuple(sorted(bands, key=lambda band: band.context not in answered))


# --- An attempt's result ---------------------------------------------------------------


def with_versions(attempts: AttemptQuerySet) -> AttemptQuerySet:
    """These attempts with their version's row but not its snapshot, which a result reads
    from the process's shared version (version_for): parsed once, not per request."""
    return attempts.select_related("version").defer("version__snapshot")


def version_for(attempt: Attempt) -> QuizVersion:
    """The attempt's version as the process shares it (quiz.versions.shared_version)."""
    return shared_version(attempt.version_id, attempt.version.published_at)


def _build_current(attempt: Attempt) -> Result:
    version = version_for(attempt)
    spec = spec_for(version)
    assert attempt.completed_at is not None
    return build_result(
        spec,
        place(spec, attempt.answers),
        frozen=version.document,
        version_number=version.number,
        region=attempt.region,
        result_id=attempt.result_id,
        completed_at=attempt.completed_at.isoformat(),
    )


# The builder of each result schema a lean attempt may have been completed under. A
# change to what the builder produces is a new schema: the old one's builder stays
# here, so a result reads the same for as long as it exists (docs/performance.md).
BUILDERS: Final[Mapping[int, Callable[[Attempt], Result]]] = {RESULT_SCHEMA: _build_current}


def cache_key(result_id: str, schema: int) -> str:
    return f"result:{schema}:{result_id}"


def result_of(attempt: Attempt) -> Result:
    """The completed attempt's result: as stored (rows from before lean attempts), or built
    from its version and answers by the builder of its schema, cached."""
    if attempt.built_result is not None:
        return attempt.built_result
    if attempt.completed_at is None:
        raise ValueError("an attempt has a result only once completed")
    stored = attempt.stored_result
    doc: Result | None
    if stored:
        doc = load_result(stored)
    else:
        # JSON, not the pickled document: a cached value outlives a deploy of this code.
        key = cache_key(attempt.result_id, attempt.result_schema)
        doc = _cached(key, attempt.result_schema)
        if doc is None:
            doc = BUILDERS[attempt.result_schema](attempt)
            cache.set(key, doc.to_json(), CACHE_SECONDS)
    attempt.built_result = doc
    return doc


def _cached(key: str, schema: int) -> Result | None:
    cached = cache.get(key)
    if cached is None:
        return None
    try:
        return load_result(cached, schema=schema)
    except DocumentError:
        # Cached by a deploy whose document read differently: built again, never a 500.
        return None


def remember(attempt: Attempt, result: Result) -> None:
    """Keep a result just built for this attempt, for its readers in this request."""
    attempt.built_result = result
