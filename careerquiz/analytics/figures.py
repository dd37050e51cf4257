"""The figures: a few grouped rows in, small frozen dataclasses out.

Each function shapes the handful of rows one GROUP BY question returns (a row
per rung, per step, per day or per question, never per attempt), asked of a
`Counts` (careerquiz.analytics.counts): the tallies quiz.tallies keeps as
attempts change, or the attempts themselves, already filtered and limited to
what the user may see (careerquiz.analytics.filters). Both give the same rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform

from careerquiz.analytics.content import REGION, Published, Question, RungLabel, with_orders
from careerquiz.analytics.counts import AttemptCounts, Counts, Grouped, Placed, Reached
from quiz.models import AttemptQuerySet
from quiz.tallies import DURATION_LIMITS

COMPLETED = Q(completed_at__isnull=False)
CONFIDENCE_LABELS = (("high", "High"), ("medium", "Medium"), ("low", "Low"))
HELD_BACK_SHOWN = 10
NOT_ANSWERED = "Not answered"
NO_TITLE = "No title given"
BELOW_PLACED = "below the rung placed at"
ALL_ANSWERS = "Everyone"


def percent(count: int, of: int) -> str:
    return f"{count / of:.0%}" if of else "—"


@dataclass(frozen=True, kw_only=True)
class Share:
    """A count out of a whole: a bar of a chart and a row of its table."""

    label: str
    count: int
    of: int
    detail: str = ""  # a longer label (a question's text), for the table and tooltip

    @property
    def fraction(self) -> float:
        return self.count / self.of if self.of else 0.0

    @property
    def percent(self) -> str:
        return percent(self.count, self.of)


# --- Started, completed ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Totals:
    started: int
    completed: int

    @property
    def completion_rate(self) -> str:
        return percent(self.completed, self.started)


def totals(reached: Sequence[Reached]) -> Totals:
    return Totals(started=sum(row[2] for row in reached), completed=sum(row[3] for row in reached))


# --- How far people got -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StepReach:
    number: int  # its place in the funnel: the newest version's order
    key: str
    reached: Share  # of the attempts started
    lost: int  # reached the step before but not this one
    in_every_version: bool  # False: attempts of versions asking other steps are left out
    counted: int  # attempts started of the versions counted at this step


@dataclass(frozen=True, kw_only=True)
class DropOff:
    started: int
    steps: tuple[StepReach, ...]
    completed: Share  # of the versions counted at the last step
    left_out: int  # attempts of versions whose steps differ from the first one on


@dataclass(frozen=True, kw_only=True)
class StepCount:
    key: str
    reached: int
    lost: int
    counted: int  # attempts started of the versions counted here


def drop_off(reached: Sequence[Reached], published: Published) -> DropOff:
    """How many attempts reached each step, and completed: a funnel that only narrows."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    completed_in: dict[int, int] = defaultdict(int)
    for version_id, step, started, finished in reached:
        counts[version_id, step] += started
        completed_in[version_id] += finished
    steps_by_version = {v.pk: v.steps for v in published.versions}
    steps = reach_per_step(counts, steps_by_version)
    started = sum(counts.values())
    with_attempts = {version for version, _ in counts}
    counted_last = [
        v
        for v in with_attempts
        if steps and tuple(steps_by_version.get(v, ())) == tuple(s.key for s in steps)
    ]
    completed = sum(completed_in[v] for v in counted_last)
    reaches = [
        StepReach(
            number=number,
            key=step.key,
            reached=Share(
                label=f"{number}. {'country' if step.key == REGION else step.key}",
                detail=published.step_label(step.key),
                count=step.reached,
                of=started,
            ),
            lost=step.lost,
            in_every_version=step.counted == started,
            counted=step.counted,
        )
        for number, step in enumerate(steps, start=1)
    ]
    done = Share(label="Completed", detail="Saw their result", count=completed, of=started)
    left_out = started - (steps[0].counted if steps else 0)
    return DropOff(started=started, steps=tuple(reaches), completed=done, left_out=left_out)


def reach_per_step(
    counts: Mapping[tuple[int, int], int], steps_by_version: Mapping[int, Sequence[str]]
) -> list[StepCount]:
    """Per step of the newest version with attempts, how many attempts reached it.

    `counts` maps (version id, furthest step reached) to attempts; `steps_by_version`
    the versions' steps, newest first. An attempt of a version counts at a step
    while its version asked the same steps, in the same order, up to and
    including it: from where a version's steps differ (a question added, removed
    or moved), its attempts leave the funnel instead of being counted at steps
    their visitors never had. So each step counts a subset of the attempts the
    step before counted, each of those reached it only if they reached the one
    before, and no step ever shows more attempts than an earlier one.
    """
    with_attempts = [v for v in steps_by_version if any(ver == v for ver, _ in counts)]
    newest = with_attempts[0] if with_attempts else next(iter(steps_by_version), None)
    order = tuple(steps_by_version[newest]) if newest is not None else ()
    result = []
    for place, key in enumerate(order, start=1):
        same = {v for v in with_attempts if tuple(steps_by_version[v][:place]) == order[:place]}
        mine = [(furthest, n) for (v, furthest), n in counts.items() if v in same]
        reached = sum(n for furthest, n in mine if furthest >= place)
        before = sum(n for furthest, n in mine if furthest >= place - 1)
        counted = sum(n for _, n in mine)
        result.append(StepCount(key=key, reached=reached, lost=before - reached, counted=counted))
    return result


# --- Where people were placed, and how sure the placement is ----------------------------------


def placements(placed: Sequence[Placed], rungs: Sequence[RungLabel]) -> tuple[Share, ...]:
    """Completed attempts per rung placed at, every rung of the ladder shown."""
    rows: dict[int, int] = defaultdict(int)
    for _, _, order, _, count in placed:
        rows[order] += count
    total = sum(rows.values())
    return tuple(
        Share(label=rung.title, count=rows.get(rung.order, 0), of=total)
        for rung in with_orders(rungs, [o for o in rows if o is not None])
    )


def confidence(placed: Sequence[Placed]) -> tuple[Share, ...]:
    """Completed attempts per confidence label (quiz.placement: high, medium, low)."""
    rows: dict[str, int] = defaultdict(int)
    for _, _, _, label, count in placed:
        rows[label] += count
    total = sum(rows.values())
    return tuple(
        Share(label=label, count=rows.get(key, 0), of=total) for key, label in CONFIDENCE_LABELS
    )


# --- The title people hold against the rung their answers show ------------------------------

AHEAD, LEVEL, BEHIND, UNTITLED = "ahead", "level", "behind", "untitled"
RELATIONS = (
    (AHEAD, "Title above the rung"),
    (LEVEL, "Title at the rung"),
    (BEHIND, "Title below the rung"),
    (UNTITLED, NO_TITLE),
)
HEAT_LEVELS = 5


def relation(claimed: int | None, placed: int) -> str:
    if claimed is None:
        return UNTITLED
    if claimed > placed:
        return AHEAD
    return LEVEL if claimed == placed else BEHIND


@dataclass(frozen=True, kw_only=True)
class Cell:
    count: int
    relation: str
    heat: int  # 0 (none) to HEAT_LEVELS (the group's largest cell)


@dataclass(frozen=True, kw_only=True)
class MatrixRow:
    claimed: str  # the rung the title names, or NO_TITLE
    cells: tuple[Cell, ...]  # one per placed rung

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)


@dataclass(frozen=True, kw_only=True)
class GapGroup:
    """The matrix for the attempts giving one answer to the split question (or all)."""

    label: str
    rows: tuple[MatrixRow, ...]
    relations: tuple[Share, ...]  # ahead, level, behind, untitled, of the group

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def ahead(self) -> Share:
        return self.relations[0]


@dataclass(frozen=True, kw_only=True)
class TitleGaps:
    placed: tuple[RungLabel, ...]  # the columns
    split: Question | None
    groups: tuple[GapGroup, ...]  # everyone first, then one per answer with attempts


def title_gaps(
    placed_rows: Sequence[Placed], rungs: Sequence[RungLabel], split: Question | None
) -> TitleGaps:
    """Claimed rung × placed rung for the completed attempts, split by the answer to the
    first context question (`split`: the newest version's, e.g. where people work)."""
    cells: dict[str, dict[tuple[int | None, int], int]] = defaultdict(lambda: defaultdict(int))
    for given, claimed, placed, _, count in placed_rows:
        if placed is not None:
            cells[given or ""][claimed, placed] += count
    orders = {o for group in cells.values() for pair in group for o in pair if o is not None}
    columns = with_orders(rungs, sorted(orders))
    everyone: dict[tuple[int | None, int], int] = defaultdict(int)
    for group in cells.values():
        for pair, count in group.items():
            everyone[pair] += count
    labels = dict(split.options) if split else {}
    groups = [_gap_group(ALL_ANSWERS, everyone, columns)]
    if split:
        answers = [*labels, *sorted(set(cells) - set(labels) - {""}), ""]
        groups += [
            _gap_group(labels.get(key, key) if key else NOT_ANSWERED, cells[key], columns)
            for key in answers
            if key in cells
        ]
    return TitleGaps(placed=columns, split=split, groups=tuple(groups))


def _gap_group(
    label: str, counts: Mapping[tuple[int | None, int], int], columns: Sequence[RungLabel]
) -> GapGroup:
    largest = max(counts.values(), default=0)
    claims: list[tuple[int | None, str]] = [(rung.order, rung.title) for rung in columns]
    if any(claimed is None for claimed, _ in counts):
        claims.append((None, NO_TITLE))
    rows = tuple(
        MatrixRow(
            claimed=title,
            cells=tuple(
                Cell(
                    count=(count := counts.get((claimed, placed.order), 0)),
                    relation=relation(claimed, placed.order),
                    heat=math.ceil(count * HEAT_LEVELS / largest) if largest else 0,
                )
                for placed in columns
            ),
        )
        for claimed, title in claims
    )
    by_relation: dict[str, int] = defaultdict(int)
    for (claimed, placed), count in counts.items():
        by_relation[relation(claimed, placed)] += count
    total = sum(counts.values())
    return GapGroup(
        label=label,
        rows=rows,
        relations=tuple(
            Share(label=name, count=by_relation[key], of=total) for key, name in RELATIONS
        ),
    )


# --- What held people back ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class HeldBack:
    """How often a question was answered below the next rung, and below the placed one."""

    question: Share  # below the next rung: the result lists it, with its step up
    below_placed: Share  # of those, below the rung placed at too: it pulled the placement down


def held_back(counts: Counts, published: Published, *, completed: int) -> tuple[HeldBack, ...]:
    """The questions most often answered below the next rung, of `completed` placements.

    Counted per version and evidence question (the bits of quiz.attempts.evidence_mask),
    then added up per question key.
    """
    bits = max((len(version.evidence) for version in published.versions), default=0)
    if not bits:
        return ()
    evidence = {version.pk: version.evidence for version in published.versions}
    held: dict[str, int] = defaultdict(int)
    below: dict[str, int] = defaultdict(int)
    for version_id, bit, held_count, below_count in counts.held(bits):
        keys = evidence.get(version_id, ())
        if bit < len(keys):
            held[keys[bit]] += held_count
            below[keys[bit]] += below_count
    ranked = sorted((k for k in held if held[k]), key=lambda k: (-held[k], -below[k], k))
    return tuple(
        HeldBack(
            question=Share(
                label=key,
                detail=question.text if (question := published.question(key)) else key,
                count=held[key],
                of=completed,
            ),
            below_placed=Share(label=BELOW_PLACED, count=below[key], of=completed),
        )
        for key in ranked[:HELD_BACK_SHOWN]
    )


# --- Over time, and by the partner's reference ------------------------------------------------

# More days than this with attempts and the table counts weeks (starting Mondays) instead.
MAX_DAYS_SHOWN = 62
REFS_SHOWN = 20
NO_REF = "(no ref)"
NOT_PASSED = "(not passed)"


@dataclass(frozen=True, kw_only=True)
class Period:
    start: date
    started: int
    completed: Share  # of those started in the period


@dataclass(frozen=True, kw_only=True)
class OverTime:
    unit: str  # "day" or "week"
    periods: tuple[Period, ...]


def over_time(days: Sequence[Grouped]) -> OverTime:
    """Attempts started per day (per week over longer spans), and how many completed:
    days in the site's time zone, folded into weeks here when there are many."""
    by_day: dict[date, tuple[int, int]] = {day: (n, done) for day, n, done in days}
    unit = "day"
    if len(by_day) > MAX_DAYS_SHOWN:
        unit = "week"
        by_week: dict[date, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for day, (started, completed) in by_day.items():
            monday = day - timedelta(days=day.weekday())
            before = by_week[monday]
            by_week[monday] = (before[0] + started, before[1] + completed)
        by_day = by_week
    return OverTime(
        unit=unit,
        periods=tuple(
            Period(
                start=start,
                started=started,
                completed=Share(label=start.isoformat(), count=completed, of=started),
            )
            for start, (started, completed) in sorted(by_day.items())
        ),
    )


@dataclass(frozen=True, kw_only=True)
class GroupCount:
    label: str
    started: int
    completed: Share


def _groups(rows: Sequence[Grouped], *, empty: str) -> tuple[GroupCount, ...]:
    return tuple(
        GroupCount(
            label=group or empty,
            started=started,
            completed=Share(label=group or empty, count=completed, of=started),
        )
        for group, started, completed in rows
    )


def _grouped(attempts: AttemptQuerySet, value: Any, *, empty: str) -> tuple[GroupCount, ...]:
    """Started and completed per `value` (an expression), the most started first."""
    rows = (
        attempts.order_by()
        .annotate(group=value)
        .values_list("group")
        .annotate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
        .order_by("-started", "group")[:REFS_SHOWN]
    )
    return _groups(list(rows), empty=empty)


def by_ref(counts: Counts) -> tuple[GroupCount, ...]:
    """The partners' references (data-ref) with the most attempts, and their completions."""
    return _groups(counts.by_ref(REFS_SHOWN), empty=NO_REF)


@dataclass(frozen=True, kw_only=True)
class ParameterCounts:
    name: str
    values: tuple[GroupCount, ...]


def by_passthrough(attempts: AttemptQuerySet, names: Sequence[str]) -> tuple[ParameterCounts, ...]:
    """For each passed-through parameter (quiz.passthrough), attempts per value: one
    GROUP BY per name, at most quiz.passthrough.MAX_PARAMS of them."""
    return tuple(
        ParameterCounts(
            name=name,
            values=_grouped(attempts, KeyTextTransform(name, "passthrough"), empty=NOT_PASSED),
        )
        for name in names
    )


# --- The partner's call to action ---------------------------------------------------------------


def cta_clicks(clicked: int, *, completed: int) -> Share:
    """Placements whose visitor followed the partner's call to action (counted by the
    redirect it goes through, careerquiz.partners.views.call_to_action: no cookie)."""
    return Share(label="call-to-action clicks", count=clicked, of=completed)


# --- Time to complete ---------------------------------------------------------------------------

# Completed attempts are counted in the first band whose upper bound (quiz.tallies.
# DURATION_LIMITS) they are under.
DURATION_BANDS = (
    "under 1 minute",
    "1–2 minutes",
    "2–5 minutes",
    "5–10 minutes",
    "10–30 minutes",
    "30 minutes or more",
)
assert len(DURATION_BANDS) == len(DURATION_LIMITS) + 1


def time_to_complete(bands: Sequence[int]) -> tuple[Share, ...]:
    """Completed attempts by how long they took from start to result, in bands (a median
    would need a sort SQLite cannot do in SQL, and tallies cannot keep)."""
    total = sum(bands)
    return tuple(
        Share(label=label, count=count, of=total)
        for label, count in zip(DURATION_BANDS, bands, strict=True)
    )


# --- Everything on the page -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Dashboard:
    totals: Totals
    drop_off: DropOff
    placements: tuple[Share, ...]
    confidence: tuple[Share, ...]
    title_gaps: TitleGaps
    held_back: tuple[HeldBack, ...]
    over_time: OverTime
    by_ref: tuple[GroupCount, ...]
    by_passthrough: tuple[ParameterCounts, ...]
    time_to_complete: tuple[Share, ...]
    cta_clicks: Share


def dashboard(
    attempts: AttemptQuerySet,
    *,
    published: Published,
    rungs: Sequence[RungLabel],
    pass_params: Sequence[str] = (),
    counts: Counts | None = None,
) -> Dashboard:
    """Every figure for these attempts: counted by `counts` (the tallies of the same
    attempts, say), else from the attempts; passed-through parameters always are."""
    counts = counts or AttemptCounts(attempts)
    reached = counts.reached()
    placed = counts.placed()
    counted = totals(reached)
    return Dashboard(
        totals=counted,
        drop_off=drop_off(reached, published),
        placements=placements(placed, rungs),
        confidence=confidence(placed),
        title_gaps=title_gaps(placed, rungs, published.split_question()),
        held_back=held_back(counts, published, completed=counted.completed),
        over_time=over_time(counts.by_day()),
        by_ref=by_ref(counts),
        by_passthrough=by_passthrough(attempts, pass_params),
        time_to_complete=time_to_complete(counts.bands()),
        cta_clicks=cta_clicks(counts.clicks(), completed=counted.completed),
    )
