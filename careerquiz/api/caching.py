"""HTTP caching for the content endpoints: a strong ETag, Cache-Control, and 304s.

The ETag is a hash of the body itself rather than of `updated_at` stamps:
a ladder's content lives in many tables (a skill edit does not touch the
ladder row), and the body is what a cache must not serve stale. A minute of
`max-age` keeps partner pages fast while an editor's fix shows up soon; after
that, revalidation with If-None-Match costs a 304 with no body.
"""

from __future__ import annotations

import hashlib

from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

CONTENT_CACHE_CONTROL = "public, max-age=60"
# Placements hold one visitor's answers: no shared cache may keep them.
PLACEMENT_CACHE_CONTROL = "no-store"

_VALIDATOR_HEADERS = ("ETag", "Cache-Control", "Vary")


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def conditional(request: Request, response: Response) -> HttpResponseBase:
    """Tag a successful content response; a matching If-None-Match gets 304 instead."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.render()
    response["ETag"] = etag_for(response.content)
    response["Cache-Control"] = CONTENT_CACHE_CONTROL
    # CORS headers depend on Origin, so shared caches must key on it.
    patch_vary_headers(response, ["Origin"])
    # Django's own RFC 9110 rules (weak comparison, `*`), as every conditional GET here.
    not_modified = get_conditional_response(request, etag=response["ETag"])
    if not_modified is None:
        return response
    for header in _VALIDATOR_HEADERS:
        not_modified[header] = response[header]
    return not_modified
