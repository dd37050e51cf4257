"""The partner key: which partner a request comes from, as DRF authentication.

A partner key (`pk_...`) is public, it sits in partners' page source, so it
grants nothing: it attributes placements to the partner and counts the
request against the partner's throttle. A key that is sent must be known and
active, so a partner with a typo or a disabled account learns it at once.
The key travels in the `X-Careerquiz-Partner` header, or as `?partner=` where
a header is awkward; the header wins when both are present.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from careerquiz.api.errors import FieldError
from careerquiz.partners.lookup import MSG_UNKNOWN_PARTNER, PartnerRejected, find_partner
from careerquiz.partners.models import Partner

PARTNER_HEADER = "X-Careerquiz-Partner"
PARTNER_PARAM = "partner"


class PartnerKeyRejected(FieldError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = MSG_UNKNOWN_PARTNER
    default_code = "partner_rejected"
    field = PARTNER_PARAM


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
            return None, find_partner(key)
        except PartnerRejected as rejected:
            raise PartnerKeyRejected(rejected.message) from rejected


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
