"""How far visitors get through a quiz, recorded without a database write per step.

The step view is the hottest path of the site, so reaching a step costs one
cache write and no query: `mark_reached` stores the furthest step under the
attempt's token. `flush` copies the marks of unfinished attempts to
`Attempt.step_reached` in a few bulk statements; `manage.py flush_progress`
runs it (from cron) and the analytics page runs it when last done a while
ago. Completing an attempt sets every step at once (quiz.attempts), so marks
matter only for the attempts people abandon.

What can be lost: a mark the cache drops before a flush (the cache restarted,
evicted it, or was down) leaves that attempt at the step last flushed. Drop-off
figures then undercount how far people got; nothing else depends on marks,
and a cache failure never reaches the visitor: it is logged and the step
carries on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import batched

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from quiz import tallies
from quiz.models import Attempt
from quiz.placement import QuizSpec

logger = logging.getLogger(__name__)

# Flush looks at attempts started this recently: a quiz takes minutes, and the
# signed state of an untouched one expires after QUIZ_TOKEN_MAX_AGE (a day).
WINDOW = timedelta(days=7)
# Marks outlive the window by a day, so a daily flush still finds every one.
MARK_TIMEOUT = int((WINDOW + timedelta(days=1)).total_seconds())
BATCH = 1000
# The analytics page flushes when no flush has run for this long.
FLUSH_INTERVAL = 300
FLUSH_LOCK = "quiz:progress:flushed"


# After every question, the step that asks for the visitor's region.
REGION_STEPS = 1


def total_steps(spec: QuizSpec) -> int:
    return len(spec.questions) + REGION_STEPS


def mark_key(token: str) -> str:
    return f"quiz:reached:{token}"


def mark_reached(token: str, step: int) -> None:
    """Remember that the attempt with this token has shown step `step` (1-based)."""
    try:
        cache.set(mark_key(token), step, timeout=MARK_TIMEOUT)
    except Exception:  # whatever the cache backend raises, the visitor's step goes on
        logger.warning("Could not record quiz progress in the cache", exc_info=True)


def flush(*, now: datetime | None = None) -> int:
    """Write the cached marks of recent unfinished attempts to the database.

    Returns how many attempts moved on. Never lowers a step: an attempt that
    completed meanwhile keeps its total (GREATEST), and a repeated flush changes
    nothing.
    """
    since = (now or timezone.now()) - WINDOW
    # One read of a week's unfinished attempts, from their own index (Attempt.Meta);
    # a list, as their rows change while the batches go through them.
    open_attempts = list(
        Attempt.objects.filter(completed_at__isnull=True, started_at__gte=since)
        .order_by()
        .values_list("pk", "token_id", "step_reached")
    )
    moved = 0
    for batch in batched(open_attempts, BATCH):
        try:
            marks = cache.get_many([mark_key(str(token)) for _, token, _ in batch])
        except Exception:
            logger.warning("Could not read quiz progress from the cache", exc_info=True)
            break
        further = {
            pk: mark
            for pk, token, reached in batch
            if isinstance(mark := marks.get(mark_key(str(token))), int) and mark > reached
        }
        if further:
            moved += _move_on(further)
    return moved


# What quiz.tallies counts an unfinished attempt by.
TALLIED = ["started_at", "completed_at", "quiz_id", "version_id", "partner_id", "channel", "ref"]


def _move_on(further: dict[int, int]) -> int:
    """Set these attempts' furthest steps, and move them in the tallies: one transaction."""
    with transaction.atomic():
        # Locked and read again: a completion at the same moment has either finished
        # (the attempt is no longer open) or waits, so the tallies move each attempt
        # from the step it is at now.
        current = (
            Attempt.objects.select_for_update()
            .filter(pk__in=further, completed_at__isnull=True)
            .only(*TALLIED, "step_reached")
        )
        changes: tallies.Changes = {}
        steps: dict[int, int] = {}
        for attempt in current:
            if further[attempt.pk] > attempt.step_reached:
                before = tallies.counts_of(attempt)
                attempt.step_reached = steps[attempt.pk] = further[attempt.pk]
                for key, (n, also) in tallies.difference(
                    before, tallies.counts_of(attempt)
                ).items():
                    counted = changes.setdefault(key, [0, 0])
                    counted[0] += n
                    counted[1] += also
        if not steps:
            return 0
        whens = [When(pk=pk, then=Value(step)) for pk, step in steps.items()]
        Attempt.objects.filter(pk__in=steps).update(
            step_reached=Greatest("step_reached", Case(*whens, output_field=IntegerField()))
        )
        tallies.add(changes)
    return len(steps)


def flush_if_due() -> None:
    """Flush unless another flush ran in the last FLUSH_INTERVAL seconds."""
    try:
        due = cache.add(FLUSH_LOCK, True, timeout=FLUSH_INTERVAL)
    except Exception:
        logger.warning("Could not reach the cache to flush quiz progress", exc_info=True)
        return
    if due:
        flush()
