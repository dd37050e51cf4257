"""Fixed-window hit counters for rate limits: one atomic cache round trip per request.

Counting with a read, then a write (DRF's own throttles keep a list of
timestamps that way) lets simultaneous requests all read the same count and
all get in: 300 placements at once against a limit of 30 admitted 47. Here a
hit is one increment that also sets the window's expiry, and every limit a
request is under is counted together (`hit_many`): a small Lua script on Redis
increments them all in one round trip, atomically on the server (a placement's
three limits cost one round trip, not three); on any other cache `add` then
`incr` per limit, which local memory does atomically under its lock. A cache
whose `incr` is a read then a write (Django's database and file caches) would
count like DRF again: settings use Redis or local memory only.

A cache that cannot answer (careerquiz.cache fails open) counts every hit as
the window's first: limits are off during an outage rather than the site.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache

# INCR each key, and give a new one its expiry (ARGV, in order): atomic, since Redis
# runs a script alone. Returns the counts in the order of the keys.
HIT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local used = redis.call('INCR', key)
  if used == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = used
end
return counts
"""


@dataclass(frozen=True, kw_only=True)
class Hit:
    used: int
    retry_after: int  # seconds until the window ends


@dataclass(frozen=True)
class Window:
    """One limit a request counts against: its key and the length of its windows."""

    key: str
    seconds: int


def hit_many(windows: Sequence[Window], *, now: float | None = None) -> list[Hit]:
    """Count one hit against each of `windows` (in their current window), all at once."""
    if not windows:
        return []
    moment = int(time.time() if now is None else now)
    starts = [moment - moment % window.seconds for window in windows]
    keys = [f"{window.key}:{start}" for window, start in zip(windows, starts, strict=True)]
    expiries = [window.seconds + 1 for window in windows]
    count_in_windows = getattr(cache, "count_in_windows", None)
    if count_in_windows is not None:
        counts = [int(used) for used in count_in_windows(keys, expiries, HIT_SCRIPT)]
    else:
        counts = [_add_then_incr(key, expiry) for key, expiry in zip(keys, expiries, strict=True)]
    return [
        Hit(used=used, retry_after=start + window.seconds - moment)
        for used, start, window in zip(counts, starts, windows, strict=True)
    ]


def hit(key: str, *, limit_seconds: int, now: float | None = None) -> Hit:
    """Count one hit of `key` in the current window of `limit_seconds`."""
    return hit_many([Window(key, limit_seconds)], now=now)[0]


def _add_then_incr(key: str, expiry: int) -> int:
    cache.add(key, 0, expiry)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: the next window's first hit
        return 1
