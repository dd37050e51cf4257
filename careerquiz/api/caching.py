"""HTTP caching for the content endpoints: a strong ETag, Cache-Control, and 304s.

The ETag is a hash of the body itself rather than of `updated_at` stamps:
a ladder's content lives in many tables (a skill edit does not touch the
ladder row), and the body is what a cache must not serve stale. A minute of
`max-age` keeps partner pages fast while an editor's fix shows up soon; after
that, revalidation with If-None-Match costs a 304 with no body.
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response

CONTENT_CACHE_CONTROL = "public, max-age=60"
# Placements hold one visitor's answers: no shared cache may keep them.
PLACEMENT_CACHE_CONTROL = "no-store"

_VALIDATOR_HEADERS = ("ETag", "Cache-Control", "Vary")


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def _weak_match(if_none_match: str, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison, `*` matches any current representation."""
    tags = parse_etags(if_none_match)
    if tags == ["*"]:
        return True
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in tags)


def conditional(request: Request, response: Response) -> HttpResponseBase:
    """Tag a successful content response; a matching If-None-Match gets 304 instead."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.render()
    response["ETag"] = etag_for(response.content)
    response["Cache-Control"] = CONTENT_CACHE_CONTROL
    # CORS headers depend on Origin, so shared caches must key on it.
    patch_vary_headers(response, ["Origin"])
    if_none_match = request.headers.get("If-None-Match", "")
    if if_none_match and _weak_match(if_none_match, response["ETag"]):
        not_modified = HttpResponseNotModified()
        for header in _VALIDATOR_HEADERS:
            not_modified[header] = response[header]
        return not_modified
    return response
