"""Rate limits: per client address, per partner, and a tighter one on placements.

The counters live in Django's cache (Redis in production), so every worker process
shares them. A request's limits are counted together, atomically, in one round trip
(`CountedTogether`, careerquiz.web.counters): a placement's three cost one. Rates come
from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("client", "partner", "placements"); they
are read per request rather than once at import, so a settings override (tests, a
reloaded config) applies.

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
from careerquiz.web.counters import Window, hit_many


class _SettingsRateThrottle(SimpleRateThrottle):
    """DRF's throttle, counted in fixed windows with one atomic round trip per request
    (careerquiz.web.counters) instead of DRF's read-then-write list of timestamps."""

    scope: str

    def get_rate(self) -> str | None:
        # Rates are "N/period" strings; the stubs type them as numbers.
        return cast("str | None", api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def window(self, request: Request, view: APIView) -> tuple[Window, int] | None:
        """The window this request counts in and the hits it allows; None: not limited."""
        # DRF's __init__ parsed the rate into these; the stubs do not declare them.
        limit: int | None = getattr(self, "num_requests", None)
        seconds: int | None = getattr(self, "duration", None)
        key = self.get_cache_key(request, view)
        if limit is None or seconds is None or key is None:
            return None
        return Window(key, seconds), limit

    def allow_request(self, request: Request, view: APIView) -> bool:
        # DRF's one-throttle interface; views count all theirs at once (CountedTogether).
        limited = self.window(request, view)
        if limited is None:
            return True
        counted = hit_many([limited[0]])[0]
        self._wait = counted.retry_after
        return counted.used <= limited[1]

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


class CountedTogether(APIView):
    """An APIView whose throttles are counted in one cache round trip, not one each.

    DRF asks each throttle in turn and counts against all of them even once one has
    refused (so a refused request still counts); so does this, in one `hit_many`.
    """

    def check_throttles(self, request: Request) -> None:
        ours: list[tuple[Window, int]] = []
        waits: list[float] = []
        for throttle in self.get_throttles():
            if isinstance(throttle, _SettingsRateThrottle):
                if (limited := throttle.window(request, self)) is not None:
                    ours.append(limited)
            elif not throttle.allow_request(request, self):
                waits.append(throttle.wait() or 0)
        hits = hit_many([window for window, _ in ours])
        waits += [
            counted.retry_after
            for counted, (_, limit) in zip(hits, ours, strict=True)
            if counted.used > limit
        ]
        if waits:
            self.throttled(request, max(waits))
