"""HTTP caching for the content endpoints: a strong ETag, Cache-Control, and 304s.

The ETag is a hash of the body itself rather than of `updated_at` stamps:
a ladder's content lives in many tables (a skill edit does not touch the
ladder row), and the body is what a cache must not serve stale. A minute of
`max-age` keeps partner pages fast while an editor's fix shows up soon; after
that, revalidation with If-None-Match costs a 304 with no body.
"""

from __future__ import annotations

from django.http.response import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from careerquiz.web.conditional import conditional_get, etag_of

CONTENT_MAX_AGE = 60
CONTENT_CACHE_CONTROL = f"public, max-age={CONTENT_MAX_AGE}"
# Placements hold one visitor's answers: no shared cache may keep them.
PLACEMENT_CACHE_CONTROL = "no-store"


def conditional(request: Request, response: Response) -> HttpResponseBase:
    """Tag a successful content response; a matching If-None-Match gets 304 instead."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.render()
    return conditional_get(
        request,
        etag=etag_of(response.content),
        build=lambda: response,
        # CORS headers depend on Origin, so shared caches must key on it.
        vary=["Origin"],
        public=True,
        max_age=CONTENT_MAX_AGE,
    )
