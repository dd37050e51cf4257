"""Rate limits: per client address, per partner, and a tighter one on placements.

The counters live in Django's cache (Redis in production; one atomic round trip a
request, see careerquiz.web.counters), so every worker
process shares them. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
("client", "partner", "placements"); they are read per request rather than
once at import, so a settings override (tests, a reloaded config) applies.

A partner key is public, so it never lifts the per-client limit: the partner
limit caps one partner's traffic from all its visitors together, on top.
"""

from __future__ import annotations

from typing import cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from careerquiz.partners.models import Partner
from careerquiz.web.clients import client_address
from careerquiz.web.counters import hit


class _SettingsRateThrottle(SimpleRateThrottle):
    """DRF's throttle, counted in fixed windows with one atomic round trip per request
    (careerquiz.web.counters) instead of DRF's read-then-write list of timestamps."""

    scope: str

    def get_rate(self) -> str | None:
        # Rates are "N/period" strings; the stubs type them as numbers.
        return cast("str | None", api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def allow_request(self, request: Request, view: APIView) -> bool:
        # DRF's __init__ parsed the rate into these; the stubs do not declare them.
        limit: int | None = getattr(self, "num_requests", None)
        seconds: int | None = getattr(self, "duration", None)
        key = self.get_cache_key(request, view)
        if limit is None or seconds is None or key is None:
            return True
        counted = hit(key, limit_seconds=seconds)
        self._wait = counted.retry_after
        return counted.used <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)

    def get_ident(self, request: Request) -> str:
        return client_address(request)


class ClientRateThrottle(_SettingsRateThrottle):
    """Every API request, keyed by the client's address (see NUM_PROXIES)."""

    scope = "client"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PartnerRateThrottle(_SettingsRateThrottle):
    """Requests carrying a partner key, keyed by the partner."""

    scope = "partner"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, Partner):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PlacementRateThrottle(ClientRateThrottle):
    """Placements write a row each, so a client gets fewer of them than reads."""

    scope = "placements"
