"""A per-client limit on starting quizzes: each start writes an attempt row.

A fixed window per client address, counted in Django's cache (Redis in
production, so every process and every instance shares the count). With the
cache unreachable the count reads as zero: the limit fails open rather than
turning visitors away (careerquiz.cache logs the outage).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from careerquiz.web.clients import Rate, client_address
from careerquiz.web.counters import hit


def retry_after(scope: str, request: HttpRequest, rate: Rate) -> int:
    """0 if the request is within the limit (and counts it), else seconds until it is."""
    counted = hit(f"limit:{scope}:{client_address(request)}", limit_seconds=rate.seconds)
    return 0 if counted.used <= rate.count else counted.retry_after


def quiz_start_retry_after(request: HttpRequest) -> int:
    return retry_after("quiz-start", request, Rate.parse(settings.QUIZ_START_THROTTLE))
