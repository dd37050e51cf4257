"""Who a request comes from, and how rates are written: DRF's rules, used everywhere.

The API's throttles, the quiz-start limit and the admin lockout (django-axes)
all key clients by `client_address` and read rates by `Rate.parse` (DRF's own
grammar), so one setting means the same thing in each: NUM_PROXIES says how
many reverse proxies to trust, and "30/min", "30/minute" and "30/m" are the
same rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


class _DrfRules(SimpleRateThrottle):
    """DRF's throttle base, held only for its parse_rate."""

    rate = "1/s"


_DRF = _DrfRules()


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        # "30/Min" and "30 / min" mean what they say, as "30/min" does.
        count, seconds = _DRF.parse_rate("/".join(part.strip() for part in text.lower().split("/")))
        if count is None or seconds is None:
            raise ValueError(f"not a rate: {text!r}")
        return cls(count, seconds)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the NUM_PROXIES trusted proxies saw (as DRF's get_ident,
    which the API's throttles are made to call this instead of)."""
    proxies: int = settings.NUM_PROXIES
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return str(request.META.get("REMOTE_ADDR", ""))
