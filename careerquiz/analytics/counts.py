"""Where the figures' numbers come from: the tallies, or the attempts themselves.

careerquiz.analytics.figures shapes a handful of grouped rows into charts; a
`Counts` gives it those rows. `TallyCounts` sums the tallies quiz.tallies keeps
as attempts change (what the page uses: a few thousand rows for a million
attempts). `AttemptCounts` counts the attempts with the same GROUP BYs: what
the tallies must always equal (the tests hold them to it), and what the page
falls back to when the tallies' days are not the current time zone's.
Each method is one query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from quiz.models import AttemptQuerySet, Tally
from quiz.tallies import DURATION_LIMITS, MASK_BITS, NO_CLAIM, Kind

COMPLETED = Q(completed_at__isnull=False)

# (version id, furthest step reached, started, completed)
Reached = tuple[int, int, int, int]
# (context answer, claimed rung order or None, rung order, confidence label, completed)
Placed = tuple[str, int | None, int, str, int]
# (version id, evidence bit, held back, below the rung placed too)
Held = tuple[int, int, int, int]
# (day or group, started, completed)
Grouped = tuple[Any, int, int]


class Counts(Protocol):
    def reached(self) -> list[Reached]: ...

    def placed(self) -> list[Placed]: ...

    def held(self, bits: int) -> list[Held]: ...

    def by_day(self) -> list[Grouped]: ...

    def by_ref(self, shown: int) -> list[Grouped]: ...

    def bands(self) -> list[int]: ...  # completed per DURATION_LIMITS band, and one beyond

    def clicks(self) -> int: ...


def _int(value: Any) -> int:
    return int(value or 0)  # PostgreSQL sums bigints as numeric


class AttemptCounts:
    """The figures' rows counted from the attempts (already filtered)."""

    def __init__(self, attempts: AttemptQuerySet) -> None:
        self.attempts = attempts.order_by()

    def reached(self) -> list[Reached]:
        rows = self.attempts.values_list("version_id", "step_reached").annotate(
            started=Count("pk"), completed=Count("pk", filter=COMPLETED)
        )
        return [(v, s, n, c) for v, s, n, c in rows]

    def placed(self) -> list[Placed]:
        rows = (
            self.attempts.filter(COMPLETED)
            .values_list("context_answer", "claimed_rung_order", "rung_order", "confidence_label")
            .annotate(Count("pk"))
        )
        return [
            (given or "", claimed, placed, label, n) for given, claimed, placed, label, n in rows
        ]

    def held(self, bits: int) -> list[Held]:
        if not bits:
            return []
        sums = {}
        for bit in range(min(bits, MASK_BITS)):
            sums[f"held_{bit}"] = Sum(F("held_back_mask").bitrightshift(bit).bitand(1))
            sums[f"below_{bit}"] = Sum(F("below_placed_mask").bitrightshift(bit).bitand(1))
        rows: list[Mapping[str, Any]] = list(
            self.attempts.filter(COMPLETED).values("version_id").annotate(**sums)
        )
        return [
            (row["version_id"], bit, _int(row[f"held_{bit}"]), _int(row[f"below_{bit}"]))
            for row in rows
            for bit in range(min(bits, MASK_BITS))
        ]

    def by_day(self) -> list[Grouped]:
        rows = (
            self.attempts.annotate(day=TruncDate("started_at"))
            .values_list("day")
            .annotate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
        )
        return list(rows)

    def by_ref(self, shown: int) -> list[Grouped]:
        rows = (
            self.attempts.values_list("ref")
            .annotate(started=Count("pk"), completed=Count("pk", filter=COMPLETED))
            .order_by("-started", "ref")[:shown]
        )
        return list(rows)

    def bands(self) -> list[int]:
        took = ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())
        counts: dict[str, Any] = {}
        lower = None
        for band, upper in enumerate((*DURATION_LIMITS, None)):
            within = Q(took__lt=upper) if upper is not None else Q()
            if lower is not None:
                within &= Q(took__gte=lower)
            counts[f"band_{band}"] = Count("pk", filter=within)
            lower = upper
        row = self.attempts.filter(COMPLETED).annotate(took=took).aggregate(**counts)
        return [row[f"band_{band}"] for band in range(len(DURATION_LIMITS) + 1)]

    def clicks(self) -> int:
        return self.attempts.filter(COMPLETED, cta_click__isnull=False).count()


class TallyCounts:
    """The same rows summed from the tallies (already filtered, quiz.tallies)."""

    def __init__(
        self, tallies: QuerySet[Tally], *, together: QuerySet[Tally] | None = None
    ) -> None:
        """`tallies` by partner, channel and ref; `together`, when given, the same for
        all of those together, which every figure but the one by ref reads instead."""
        self.tallies = tallies.order_by()
        self.together = together.order_by() if together is not None else self.tallies

    def _of(self, kind: Kind) -> QuerySet[Tally]:
        return self.together.filter(kind=kind)

    def reached(self) -> list[Reached]:
        rows = (
            self._of(Kind.REACHED)
            .values_list("version_id", "step_reached")
            .annotate(started=Sum("n"), completed=Sum("also"))
        )
        return [(v, s, _int(n), _int(c)) for v, s, n, c in rows if n]

    def placed(self) -> list[Placed]:
        rows = (
            self._of(Kind.PLACED)
            .values_list("context_answer", "claimed_rung_order", "rung_order", "confidence_label")
            .annotate(Sum("n"))
        )
        return [
            (given, None if claimed == NO_CLAIM else claimed, placed, label, _int(n))
            for given, claimed, placed, label, n in rows
            if n
        ]

    def held(self, bits: int) -> list[Held]:
        rows = (
            self._of(Kind.HELD)
            .filter(bit__lt=bits)
            .values_list("version_id", "bit")
            .annotate(held=Sum("n"), below=Sum("also"))
        )
        return [(v, bit, _int(held), _int(below)) for v, bit, held, below in rows]

    def by_day(self) -> list[Grouped]:
        rows = (
            self._of(Kind.REACHED)
            .values_list("day")
            .annotate(started=Sum("n"), completed=Sum("also"))
        )
        return [(day, _int(n), _int(c)) for day, n, c in rows if n]

    def by_ref(self, shown: int) -> list[Grouped]:
        rows = (
            self.tallies.filter(kind=Kind.REACHED)
            .values_list("ref")
            .annotate(started=Sum("n"), completed=Sum("also"))
            .filter(started__gt=0)
            .order_by("-started", "ref")[:shown]
        )
        return [(ref, _int(n), _int(c)) for ref, n, c in rows]

    def bands(self) -> list[int]:
        rows = dict(self._of(Kind.TOOK).values_list("band").annotate(Sum("n")))
        return [_int(rows.get(band)) for band in range(len(DURATION_LIMITS) + 1)]

    def clicks(self) -> int:
        return _int(self._of(Kind.CLICKED).aggregate(clicked=Sum("n"))["clicked"])
