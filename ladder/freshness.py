"""When a ladder's public content last changed: the key its cached pages are kept under.

The ladder page and the API's ladder body are built from a dozen tables, and
are read far more often than an editor changes them. They are cached under
(ladder id, `Ladder.updated_at`), and every change to anything they show moves
`updated_at` forward: the ladder's own save (auto_now), and `touch()` from the
signals below for its sources, notes, rungs and rung items (and, from the quiz
app, for its quizzes being published, unpublished or renamed). A stale entry is
then never read again; it expires on its own. Time only moves forward, so a
history revert writes a new key too rather than bringing an old page back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from ladder.models import RUNG_ITEMS, Ladder, LadderNote, Rung, Source


def stamp(slug: str) -> tuple[int, datetime] | None:
    """The ladder's id and when its content last changed: what its cache keys are made of."""
    return Ladder.objects.filter(slug=slug).values_list("pk", "updated_at").first()


def touch(ladder_id: int | None) -> None:
    """Mark the ladder's pages as changed (an UPDATE of one column; no history row)."""
    if ladder_id is not None:
        Ladder.objects.filter(pk=ladder_id).update(updated_at=timezone.now())


def page_key(kind: str, ladder_id: int, updated_at: Any, *parts: object) -> str:
    """The cache key of one cached rendering of a ladder's content."""
    stamp = updated_at.isoformat() if updated_at else "never"
    return ":".join(str(part) for part in ("ladder", kind, ladder_id, stamp, *parts))


def _ladder_part_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    touch(instance.ladder_id)


def _rung_item_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if sender.rung.is_cached(instance):  # type: ignore[attr-defined]  # the FK's descriptor
        touch(instance.rung.ladder_id)
        return
    # A rung deleted with its items touches its ladder itself; its items find no rung.
    touch(Rung.objects.filter(pk=instance.rung_id).values_list("ladder_id", flat=True).first())


def connect() -> None:
    """Called from LadderConfig.ready()."""
    parts: tuple[type[Model], ...] = (Source, LadderNote, Rung)
    for signal in (post_save, post_delete):
        for part in parts:
            signal.connect(_ladder_part_changed, sender=part, dispatch_uid=f"fresh-{part}-{signal}")
        for item in RUNG_ITEMS.values():
            signal.connect(_rung_item_changed, sender=item, dispatch_uid=f"fresh-{item}-{signal}")
