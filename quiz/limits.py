"""A per-client limit on starting quizzes: each start writes an attempt row.

A fixed window per client address, counted in Django's cache (Redis in
production, so every process and every instance shares the count). With the
cache unreachable the count reads as zero: the limit fails open rather than
turning visitors away (careerquiz.cache logs the outage).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "30/min" → 30 per 60 s; the units DRF's throttles read, so one format for both."""
        count, _, period = text.partition("/")
        return cls(int(count), PERIODS[period.strip().lower()])


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one NUM_PROXIES trusted proxies saw."""
    proxies: int = settings.NUM_PROXIES
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return str(request.META.get("REMOTE_ADDR", ""))


def retry_after(scope: str, request: HttpRequest, rate: Rate) -> int:
    """0 if the request is within the limit (and counts it), else seconds until it is."""
    now = int(time.time())
    window = now - now % rate.seconds
    key = f"limit:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, rate.seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        return 0
    return 0 if used <= rate.count else window + rate.seconds - now


def quiz_start_retry_after(request: HttpRequest) -> int:
    return retry_after("quiz-start", request, Rate.parse(settings.QUIZ_START_THROTTLE))
