"""One way to change the Content-Security-Policy of a single response.

Django's CSP middleware reads a per-response policy from the attribute its
`csp_override` decorator sets; a decorator fixes the policy when the view is
defined, but the embed's frame-ancestors are each partner's own origins. This
sets the same attribute from a view, starting from the site's policy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http.response import HttpResponseBase


def override_csp(response: HttpResponseBase, **directives: list[str]) -> HttpResponseBase:
    """The site's SECURE_CSP with these directives replaced (`frame_src` → frame-src)."""
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    if policy:
        policy.update({name.replace("_", "-"): value for name, value in directives.items()})
        response._csp_config = policy  # type: ignore[attr-defined]  # as csp_override sets it
    return response
