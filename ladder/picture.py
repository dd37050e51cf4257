"""A picture of a ladder: every rung, top first, with where a person stands marked.

Plain data for the `ladder/_picture.html` SVG: coordinates, labels and a text
equivalent, so the picture and its description always say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ROW = 44  # each rung's height in the picture, gap included
BAR = 36


@dataclass(frozen=True, kw_only=True)
class PictureRung:
    title: str
    y: int
    placed: bool
    claimed: bool
    next: bool

    @property
    def label(self) -> str:
        marks = [
            mark
            for mark, on in (
                ("you", self.placed),
                ("next", self.next),
                ("your title", self.claimed),
            )
            if on
        ]
        return " · ".join(marks)

    @property
    def text_y(self) -> int:
        """The title's baseline: centred, or on the upper line when a label shares the bar
        (a long title and "YOU · YOUR TITLE" side by side would overlap)."""
        return self.y + (15 if self.label else BAR // 2 + 5)

    @property
    def label_y(self) -> int:
        return self.y + 31


@dataclass(frozen=True, kw_only=True)
class Picture:
    rungs: Sequence[PictureRung]
    height: int
    description: str
    marked: bool  # anything marked: a result's picture rather than the plain ladder


def ladder_picture(
    rungs: Sequence[Any],
    *,
    placed: str | None = None,
    claimed: str | None = None,
    next_rung: str | None = None,
) -> Picture:
    """`rungs` (dicts or objects with slug, title, order), lowest first or not; slugs to mark."""
    ordered = sorted(rungs, key=lambda rung: _get(rung, "order"), reverse=True)
    pictured = [
        PictureRung(
            title=_get(rung, "title"),
            y=index * ROW + 4,
            placed=_get(rung, "slug") == placed,
            claimed=_get(rung, "slug") == claimed,
            next=_get(rung, "slug") == next_rung,
        )
        for index, rung in enumerate(ordered)
    ]
    return Picture(
        rungs=pictured,
        height=len(pictured) * ROW + 4,
        description=_describe(pictured),
        marked=any(r.placed or r.claimed or r.next for r in pictured),
    )


def _get(rung: Mapping[str, Any] | Any, name: str) -> Any:
    return rung[name] if isinstance(rung, Mapping) else getattr(rung, name)


def _describe(rungs: Sequence[PictureRung]) -> str:
    said = {
        "you": "where your answers place you",
        "next": "the next rung",
        "your title": "what your title claims",
    }
    parts = []
    for rung in rungs:
        marks = [said[mark] for mark in rung.label.split(" · ") if mark]
        parts.append(f"{rung.title} ({'; '.join(marks)})" if marks else rung.title)
    return "The rungs from the top: " + ", ".join(parts) + "."
