"""Conditional GET, one way for every page and endpoint that has an ETag.

A response carries a strong ETag, its Cache-Control (and Vary) on the 200 and on
the 304 alike; whether the request's If-None-Match matches is Django's
`get_conditional_response` (RFC 9110: weak comparison, `*`). The body is built
only when it is sent, so a revalidation that matches costs no rendering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers


def etag_of(data: bytes | str) -> str:
    """A strong ETag naming `data` (a body, or the key a body is cached under)."""
    raw = data.encode() if isinstance(data, str) else data
    return '"' + hashlib.sha256(raw).hexdigest()[:40] + '"'


def conditional_get(
    request: HttpRequest,
    *,
    etag: str,
    build: Callable[[], HttpResponseBase],
    vary: Sequence[str] = (),
    **cache_control: bool | int | str,
) -> HttpResponseBase:
    """A 304 when `etag` matches the request, else what `build` returns; both tagged.

    `cache_control` goes to patch_cache_control (`public=True, max_age=60`).
    """
    response = get_conditional_response(request, etag=etag) or build()
    response["ETag"] = etag
    patch_cache_control(response, **cache_control)
    if vary:
        patch_vary_headers(response, vary)
    return response
