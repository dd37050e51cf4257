"""SVG chart geometry, worked out here so templates only place numbers.

A chart is a viewBox and rows of rectangles and text positions; the
templates (templates/analytics/_bars.html and _stacked.html) draw them with
classes from static/css/admin-analytics.css, so colours follow the admin's
light and dark themes and the page needs no inline style under the CSP. The
viewBox scales down with a narrow page and never up past its own width, so the
13px text stays 13px wherever there is room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from careerquiz.analytics.figures import RELATIONS, Dashboard, GapGroup, Share

WIDE, NARROW = 640, 400  # a chart across the page, or one of two side by side
VALUES = 120  # room right of the bars for their numbers
ROW = 46  # a label line above a bar
LABEL_Y, BAR_Y, BAR_HEIGHT = 15, 21, 16
LEGEND = 30
CHARACTER = 7  # about how wide a 13px character is, to space the legend
MAX_LABEL = 80  # characters: SVG text does not wrap, the table below has the rest


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, kw_only=True)
class _Row:
    """A chart row: a label line, then a bar with its number right of it."""

    label: str
    value: str
    y: int  # the row's top

    @property
    def label_y(self) -> int:
        return self.y + LABEL_Y

    @property
    def bar_y(self) -> int:
        return self.y + BAR_Y

    @property
    def value_y(self) -> int:
        return self.y + BAR_Y + BAR_HEIGHT - 3


@dataclass(frozen=True, kw_only=True)
class Bar(_Row):
    title: str  # the whole label and numbers, as a tooltip
    width: float
    inner: float | None = None  # a solid part from the left, when the bar has one


@dataclass(frozen=True, kw_only=True)
class BarChart:
    id: str
    title: str
    description: str  # every number in words, for screen readers
    rows: tuple[Bar, ...]
    width: int = WIDE
    bar_height: int = BAR_HEIGHT

    @property
    def track(self) -> int:
        """The longest bar."""
        return self.width - VALUES

    @property
    def value_x(self) -> int:
        return self.track + 8

    @property
    def height(self) -> int:
        return max(len(self.rows), 1) * ROW + 4


def bar_chart(
    id: str,
    title: str,
    shares: Sequence[Share],
    *,
    to_whole: bool = False,
    width: int = WIDE,
    inner: Sequence[Share] = (),
) -> BarChart:
    """Horizontal bars, the longest the largest count (or, `to_whole`, the whole).

    `inner`, one share per bar, draws part of each bar solid (a subset of it; the rest is lighter).
    """
    longest = max((s.of if to_whole else s.count for s in shares), default=0)
    track = width - VALUES

    def length(count: int) -> float:
        return round(track * count / longest, 1) if longest else 0

    def words(share: Share) -> str:
        return f"{share.detail or share.label}: {share.count} ({share.percent})"

    parts: Sequence[Share | None] = inner or [None] * len(shares)
    rows = tuple(
        Bar(
            label=shorten(f"{share.label} — {share.detail}" if share.detail else share.label),
            title=words(share) + (f", {part.count} ({part.percent}) {part.label}" if part else ""),
            value=f"{share.count} · {share.percent}",
            y=index * ROW,
            width=length(share.count),
            inner=length(part.count) if part else None,
        )
        for index, (share, part) in enumerate(zip(shares, parts, strict=True))
    )
    description = "; ".join(row.title for row in rows) or "No attempts."
    return BarChart(id=id, title=title, description=description, rows=rows, width=width)


@dataclass(frozen=True, kw_only=True)
class Segment:
    relation: str
    x: float
    width: float
    title: str


@dataclass(frozen=True, kw_only=True)
class StackedBar(_Row):
    segments: tuple[Segment, ...]


@dataclass(frozen=True, kw_only=True)
class LegendKey:
    relation: str
    label: str
    x: int

    @property
    def text_x(self) -> int:
        return self.x + 18


@dataclass(frozen=True, kw_only=True)
class StackedChart:
    id: str
    title: str
    description: str
    legend: tuple[LegendKey, ...]
    rows: tuple[StackedBar, ...]
    width: int = WIDE
    bar_height: int = BAR_HEIGHT
    value_x: int = WIDE - VALUES + 8

    @property
    def height(self) -> int:
        return LEGEND + max(len(self.rows), 1) * ROW + 4


def title_gap_chart(id: str, title: str, groups: Sequence[GapGroup]) -> StackedChart:
    """One 100% bar per group: how many hold a title above, at or below their rung."""
    track = WIDE - VALUES
    rows = []
    for index, group in enumerate(groups):
        x, segments = 0.0, []
        for (relation, _), share in zip(RELATIONS, group.relations, strict=True):
            width = round(track * share.fraction, 1)
            if width:
                title = f"{share.label}: {share.count} ({share.percent})"
                segments.append(Segment(relation=relation, x=x, width=width, title=title))
            x = round(x + width, 1)
        rows.append(
            StackedBar(
                label=f"{shorten(group.label, MAX_LABEL - 10)} ({group.total})",
                value=f"{group.ahead.percent} above",
                y=LEGEND + index * ROW,
                segments=tuple(segments),
            )
        )
    legend, x = [], 0
    for relation, label in RELATIONS:
        legend.append(LegendKey(relation=relation, label=label, x=x))
        x += 18 + len(label) * CHARACTER + 22
    description = "; ".join(
        f"{group.label}, {group.total} placed: "
        + ", ".join(f"{share.label.lower()} {share.percent}" for share in group.relations)
        for group in groups
    )
    return StackedChart(
        id=id,
        title=title,
        description=description or "No attempts.",
        legend=tuple(legend),
        rows=tuple(rows),
    )


@dataclass(frozen=True, kw_only=True)
class Charts:
    drop_off: BarChart
    placements: BarChart
    confidence: BarChart
    title_gaps: StackedChart
    held_back: BarChart


def charts_for(figures: Dashboard) -> Charts:
    split = figures.title_gaps.split
    gaps_title = "Title against rung" + (f", by “{split.text}”" if split else "")
    return Charts(
        drop_off=bar_chart(
            "chart-drop-off",
            "How many reached each step, of those who started",
            [*(step.reached for step in figures.drop_off.steps), figures.drop_off.completed],
            to_whole=True,
        ),
        placements=bar_chart(
            "chart-placements", "Placements by rung", figures.placements, width=NARROW
        ),
        confidence=bar_chart(
            "chart-confidence", "Placements by confidence", figures.confidence, width=NARROW
        ),
        title_gaps=title_gap_chart("chart-title-gaps", gaps_title, figures.title_gaps.groups),
        held_back=bar_chart(
            "chart-held-back",
            "Questions most often answered below the next rung, of all placements",
            [row.question for row in figures.held_back],
            inner=[row.below_placed for row in figures.held_back],
            to_whole=True,
        ),
    )
