"""Answers kept in this process for a second: lookups every request makes, cheap to repeat.

Which version of a quiz is live and which partner a public key names are asked by
nearly every request, and change only when someone publishes or edits a partner.
Each process keeps the answer for `seconds` (one by default): a change made anywhere
(another process, another instance, a shell) takes effect within that time, and the
process that makes the change forgets at once (`forget`, called on save and on
publish), so an editor sees their own change immediately.

The database is then asked at most once a second per key and process, whatever the
traffic. A value is shared by every thread of the process: read it, never change it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from weakref import WeakSet

# Read through this name so tests can move time on without sleeping.
clock: Callable[[], float] = time.monotonic

_EVERY: WeakSet[Recent[object, object]] = WeakSet()


class Recent[K: Hashable, V]:
    """Values by key, each kept for `seconds` after it was loaded."""

    def __init__(self, *, seconds: float = 1.0, max_entries: int = 1024) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._forgotten = 0  # how many times forget() ran: a load it overlapped is not kept
        _EVERY.add(self)  # type: ignore[arg-type]

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The kept value for `key`, or `load()`'s if none is kept or it is too old.

        Two threads that miss at once both load: a duplicate query, never a wrong answer.
        A value loaded while another thread forgot is returned but not kept: it may be
        from before the change that made the thread forget.
        """
        now = clock()
        kept = self._entries.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        forgotten = self._forgotten
        value = load()
        if forgotten != self._forgotten:
            return value
        if len(self._entries) >= self.max_entries:  # many keys (bad ones, say): start over
            self._entries.clear()
        self._entries[key] = (now + self.seconds, value)
        return value

    def forget(self) -> None:
        """Load every value again on its next use (something they depend on changed)."""
        self._forgotten += 1
        self._entries.clear()


def forget_all() -> None:
    """Empty every Recent of the process (tests: each starts from a new database)."""
    for recent in list(_EVERY):
        recent.forget()
