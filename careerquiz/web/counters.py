"""Fixed-window hit counters for rate limits: one atomic cache round trip per hit.

Counting with a read, then a write (DRF's own throttles keep a list of
timestamps that way) lets simultaneous requests all read the same count and
all get in: 300 placements at once against a limit of 30 admitted 47. Here a
hit is one increment that also sets the window's expiry: a small Lua script
on Redis (one round trip, atomic on the server), `add` then `incr` on any
other cache (local memory does both under its lock).

A cache that cannot answer (careerquiz.cache fails open) counts every hit as
the window's first: limits are off during an outage rather than the site.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

# INCR, and give a new key its expiry: atomic, since Redis runs a script alone.
HIT_SCRIPT = """
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return used
"""


@dataclass(frozen=True, kw_only=True)
class Hit:
    used: int
    retry_after: int  # seconds until the window ends


def hit(key: str, *, limit_seconds: int, now: float | None = None) -> Hit:
    """Count one hit of `key` in the current window of `limit_seconds`."""
    moment = int(time.time() if now is None else now)
    window = moment - moment % limit_seconds
    window_key = f"{key}:{window}"
    expiry = limit_seconds + 1
    count_in_window = getattr(cache, "count_in_window", None)
    if count_in_window is not None:
        used = int(count_in_window(window_key, expiry, HIT_SCRIPT))
    else:
        cache.add(window_key, 0, expiry)
        try:
            used = cache.incr(window_key)
        except ValueError:  # expired between add and incr: the next window's first hit
            used = 1
    return Hit(used=used, retry_after=window + limit_seconds - moment)
