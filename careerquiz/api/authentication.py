"""The partner key: which partner a request comes from, as DRF authentication.

A partner key (`pk_...`) is public, it sits in partners' page source, so it
grants nothing: it attributes placements to the partner and counts the
request against the partner's throttle. A key that is sent must be known and
active, so a partner with a typo or a disabled account learns it at once.
The key travels in the `X-Careerquiz-Partner` header, or as `?partner=` where
a header is awkward; the header wins when both are present.

A browser names the page that makes a request in its `Origin` header, which
the page cannot forge. A key sent from a page on an origin its partner has
not registered is refused, as the embed refuses to be framed there; calls
from a server send no Origin and are not affected.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from careerquiz.api.errors import FieldError
from careerquiz.partners.cors import normalise_origin
from careerquiz.partners.embed import frame_ancestors
from careerquiz.partners.lookup import MSG_UNKNOWN_PARTNER, PartnerRejected, find_partner
from careerquiz.partners.models import Partner

MSG_ORIGIN_NOT_REGISTERED = (
    "This partner key is not registered for pages on {origin}: add that origin to the "
    "partner's allowed origins (admin → Partners), or call the API from your server."
)
PARTNER_HEADER = "X-Careerquiz-Partner"
PARTNER_PARAM = "partner"


class PartnerKeyRejected(FieldError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = MSG_UNKNOWN_PARTNER
    default_code = "partner_rejected"
    field = PARTNER_PARAM


class OriginRejected(FieldError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "origin_not_registered"
    field = "Origin"


def partner_key(request: Request) -> str:
    return (
        request.headers.get(PARTNER_HEADER, "").strip()
        or request.query_params.get(PARTNER_PARAM, "").strip()
    )


class PartnerKeyAuthentication(BaseAuthentication):
    """Sets `request.auth` to the Partner (or None); `request.user` stays None."""

    def authenticate(self, request: Request) -> tuple[None, Partner] | None:
        key = partner_key(request)
        if not key:
            return None
        try:
            partner = find_partner(key)
        except PartnerRejected as rejected:
            raise PartnerKeyRejected(rejected.message) from rejected
        origin = request.headers.get("Origin")
        if origin is not None and not _may_call_from(partner, request, origin):
            raise OriginRejected(MSG_ORIGIN_NOT_REGISTERED.format(origin=origin[:200]))
        return None, partner


def _may_call_from(partner: Partner, request: Request, origin: str) -> bool:
    normalised = normalise_origin(origin)
    own = normalise_origin(request.build_absolute_uri("/").rstrip("/"))
    # Our own pages (the API docs' "Try it out") may use any key.
    return bool(normalised) and (normalised == own or normalised in frame_ancestors(partner))


class PartnerKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = PartnerKeyAuthentication
    name = ["partnerKey", "partnerKeyQuery"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        # Either place works; neither is required (the view also allows no key).
        return [{"partnerKey": []}, {"partnerKeyQuery": []}]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, str]]:
        description = (
            "A partner's public key (pk_...). Optional: it attributes placements to the "
            "partner and applies the partner's rate limit. An unknown or disabled key is "
            "a 403 naming `partner`."
        )
        return [
            {"type": "apiKey", "in": "header", "name": PARTNER_HEADER, "description": description},
            {"type": "apiKey", "in": "query", "name": PARTNER_PARAM, "description": description},
        ]
