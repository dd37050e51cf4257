"""A per-client limit on starting quizzes: each start writes an attempt row.

A fixed window per client address, counted in Django's cache (Redis in
production, so every process and every instance shares the count). With the
cache unreachable the count reads as zero: the limit fails open rather than
turning visitors away (careerquiz.cache logs the outage).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from careerquiz.web.counters import hit


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "30/min" → 30 per 60 s, read by DRF's own rule, so the quiz-start limit and
        the API's throttles take the same settings ("30/m", "30/min", "30/minute")."""
        count, seconds = _DRF_RATE.parse_rate(text)
        if count is None or seconds is None:
            raise ValueError(f"not a rate: {text!r}")
        return cls(count, seconds)


class _RateGrammar(SimpleRateThrottle):
    rate = "1/s"  # never used to throttle: an instance only for parse_rate


_DRF_RATE = _RateGrammar()


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
    counted = hit(f"limit:{scope}:{client_address(request)}", limit_seconds=rate.seconds)
    return 0 if counted.used <= rate.count else counted.retry_after


def quiz_start_retry_after(request: HttpRequest) -> int:
    return retry_after("quiz-start", request, Rate.parse(settings.QUIZ_START_THROTTLE))
