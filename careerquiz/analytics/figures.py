"""The figures: one aggregate query each, small frozen dataclasses out.

Each function takes the attempts to count, already filtered and limited to
what the user may see (careerquiz.analytics.filters), asks the database one
GROUP BY question, and shapes the handful of rows that come back: a row per
rung, per step or per question, never per attempt. They rely on the columns
quiz.attempts copies from the placement on completion (rung, claimed rung,
confidence, context answer, held-back masks, step reached), all of them in one
index (Attempt.Meta), so no figure reads a row or a result's JSON.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDate

from careerquiz.analytics.content import REGION, Published, Question, RungLabel, with_orders
from quiz.models import AttemptQuerySet

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


def totals(attempts: AttemptQuerySet) -> Totals:
    counts = attempts.aggregate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
    return Totals(started=counts["started"], completed=counts["completed"])


# --- How far people got -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StepReach:
    number: int  # its place on the chart: the newest version's order
    key: str
    reached: Share  # of the attempts started
    lost: int  # reached the step before but not this one
    in_every_version: bool  # False: some versions counted here never asked it


@dataclass(frozen=True, kw_only=True)
class DropOff:
    started: int
    steps: tuple[StepReach, ...]
    completed: Share


def drop_off(attempts: AttemptQuerySet, published: Published) -> DropOff:
    """How many attempts reached each step, and completed.

    An attempt that reached step n of its version reached every question up to
    it; versions may order or word their questions differently, so each
    question is counted at its own place in each attempt's version.
    """
    rows = (
        attempts.order_by()
        .values_list("version_id", "step_reached")
        .annotate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
    )
    counts: dict[tuple[int, int], int] = {}
    completed = 0
    for version_id, step, started, done in rows:
        counts[version_id, step] = started
        completed += done
    steps = reach_per_step(counts, {v.pk: v.steps for v in published.versions})
    started = sum(counts.values())
    reaches, before = [], started
    for number, (key, reached, everywhere) in enumerate(steps, start=1):
        reaches.append(
            StepReach(
                number=number,
                key=key,
                reached=Share(
                    label=f"{number}. {'country' if key == REGION else key}",
                    detail=published.step_label(key),
                    count=reached,
                    of=started,
                ),
                lost=max(before - reached, 0),
                in_every_version=everywhere,
            )
        )
        before = reached
    done = Share(label="Completed", detail="Saw their result", count=completed, of=started)
    return DropOff(started=started, steps=tuple(reaches), completed=done)


def reach_per_step(
    counts: Mapping[tuple[int, int], int], steps_by_version: Mapping[int, Sequence[str]]
) -> list[tuple[str, int, bool]]:
    """(step key, attempts that reached it, asked by every version counted) per step.

    `counts` maps (version id, furthest step reached) to attempts. Steps come in
    the order of the newest version (the first in `steps_by_version`); steps
    only older versions asked follow, before the last step (the region), which
    every version ends with.
    """
    counted = {version for version, _ in counts if version in steps_by_version}
    order: list[str] = []
    for steps in steps_by_version.values():
        order += [key for key in steps if key not in order]
    order.sort(key=lambda key: key == REGION)  # stable: only moves the region to the end
    reached: dict[str, int] = defaultdict(int)
    for (version, furthest), attempts in counts.items():
        for place, key in enumerate(steps_by_version.get(version, ()), start=1):
            if furthest >= place:
                reached[key] += attempts
    return [(key, reached[key], all(key in steps_by_version[v] for v in counted)) for key in order]


# --- Where people were placed, and how sure the placement is ----------------------------------


def placements(attempts: AttemptQuerySet, rungs: Sequence[RungLabel]) -> tuple[Share, ...]:
    """Completed attempts per rung placed at, every rung of the ladder shown."""
    rows = dict(
        attempts.filter(COMPLETED).order_by().values_list("rung_order").annotate(Count("pk"))
    )
    total = sum(rows.values())
    return tuple(
        Share(label=rung.title, count=rows.get(rung.order, 0), of=total)
        for rung in with_orders(rungs, [o for o in rows if o is not None])
    )


def confidence(attempts: AttemptQuerySet) -> tuple[Share, ...]:
    """Completed attempts per confidence label (quiz.placement: high, medium, low)."""
    rows = dict(
        attempts.filter(COMPLETED).order_by().values_list("confidence_label").annotate(Count("pk"))
    )
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
    attempts: AttemptQuerySet, rungs: Sequence[RungLabel], split: Question | None
) -> TitleGaps:
    """Claimed rung × placed rung for the completed attempts, split by the answer to the
    first context question (`split`: the newest version's, e.g. where people work)."""
    rows = (
        attempts.filter(COMPLETED)
        .order_by()
        .values_list("context_answer", "claimed_rung_order", "rung_order")
        .annotate(Count("pk"))
    )
    cells: dict[str, dict[tuple[int | None, int], int]] = defaultdict(dict)
    for given, claimed, placed, count in rows:
        if placed is not None:
            cells[given or ""][claimed, placed] = count
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


def _bit(mask: str, bit: int) -> Combinable:
    return F(mask).bitrightshift(bit).bitand(1)


def held_back(
    attempts: AttemptQuerySet, published: Published, *, completed: int
) -> tuple[HeldBack, ...]:
    """The questions most often answered below the next rung, of `completed` placements.

    Counted from each attempt's masks (quiz.attempts.evidence_mask): per version, one
    SUM per bit, that is per evidence question, then added up per question key.
    """
    bits = max((len(version.evidence) for version in published.versions), default=0)
    if not bits:
        return ()
    sums = {
        **{f"held_{b}": Sum(_bit("held_back_mask", b)) for b in range(bits)},
        **{f"below_{b}": Sum(_bit("below_placed_mask", b)) for b in range(bits)},
    }
    rows = attempts.filter(COMPLETED).order_by().values("version_id").annotate(**sums)
    evidence = {version.pk: version.evidence for version in published.versions}
    held: dict[str, int] = defaultdict(int)
    below: dict[str, int] = defaultdict(int)
    for row in rows:
        counts: Mapping[str, Any] = row
        for b, key in enumerate(evidence.get(counts["version_id"], ())):
            held[key] += int(counts[f"held_{b}"] or 0)  # PostgreSQL sums bigints as numeric
            below[key] += int(counts[f"below_{b}"] or 0)
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


def over_time(attempts: AttemptQuerySet) -> OverTime:
    """Attempts started per day (per week over longer spans), and how many completed:
    one GROUP BY day in the site's time zone, folded into weeks here when there are many."""
    rows = (
        attempts.order_by()
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
    )
    by_day = {row["day"]: (row["started"], row["completed"]) for row in rows}
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


def _grouped(attempts: AttemptQuerySet, value: Any, *, empty: str) -> tuple[GroupCount, ...]:
    """Started and completed per `value` (an expression), the most started first."""
    rows = (
        attempts.order_by()
        .annotate(group=value)
        .values("group")
        .annotate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
        .order_by("-started", "group")[:REFS_SHOWN]
    )
    return tuple(
        GroupCount(
            label=row["group"] or empty,
            started=row["started"],
            completed=Share(label=row["group"] or empty, count=row["completed"], of=row["started"]),
        )
        for row in rows
    )


def by_ref(attempts: AttemptQuerySet) -> tuple[GroupCount, ...]:
    """The partners' references (data-ref) with the most attempts, and their completions."""
    return _grouped(attempts, F("ref"), empty=NO_REF)


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


def cta_clicks(attempts: AttemptQuerySet) -> Share:
    """Placements whose visitor followed the partner's call to action (counted by the
    redirect it goes through, careerquiz.partners.views.call_to_action: no cookie)."""
    row = (
        attempts.filter(COMPLETED)
        .order_by()
        .aggregate(completed=Count("pk"), clicked=Count("pk", filter=Q(cta_click__isnull=False)))
    )
    return Share(label="call-to-action clicks", count=row["clicked"], of=row["completed"])


# --- Time to complete ---------------------------------------------------------------------------

# (label, upper bound): completed attempts are counted in the first band they fit.
DURATION_BANDS = (
    ("under 1 minute", timedelta(minutes=1)),
    ("1–2 minutes", timedelta(minutes=2)),
    ("2–5 minutes", timedelta(minutes=5)),
    ("5–10 minutes", timedelta(minutes=10)),
    ("10–30 minutes", timedelta(minutes=30)),
    ("30 minutes or more", None),
)


def time_to_complete(attempts: AttemptQuerySet) -> tuple[Share, ...]:
    """Completed attempts by how long they took from start to result, in bands: one query
    of conditional counts (a median would need a sort SQLite cannot do in SQL)."""
    took = ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())
    counts: dict[str, Any] = {}
    lower: timedelta | None = None
    for index, (_, upper) in enumerate(DURATION_BANDS):
        within = Q(took__lt=upper) if upper is not None else Q()
        if lower is not None:
            within &= Q(took__gte=lower)
        counts[f"band_{index}"] = Count("pk", filter=within)
        lower = upper
    row = attempts.filter(COMPLETED).order_by().annotate(took=took).aggregate(**counts)
    total = sum(row.values())
    return tuple(
        Share(label=label, count=row[f"band_{index}"], of=total)
        for index, (label, _) in enumerate(DURATION_BANDS)
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
) -> Dashboard:
    counted = totals(attempts)
    return Dashboard(
        totals=counted,
        drop_off=drop_off(attempts, published),
        placements=placements(attempts, rungs),
        confidence=confidence(attempts),
        title_gaps=title_gaps(attempts, rungs, published.split_question()),
        held_back=held_back(attempts, published, completed=counted.completed),
        over_time=over_time(attempts),
        by_ref=by_ref(attempts),
        by_passthrough=by_passthrough(attempts, pass_params),
        time_to_complete=time_to_complete(attempts),
        cta_clicks=cta_clicks(attempts),
    )
