"""Subresource Integrity: the digest a browser checks a script or stylesheet against.

Every script and stylesheet our pages (and the partner snippet) load carries
`integrity="sha384-…"`, so a file altered on its way (a CDN, a proxy, a
compromised static host) is refused by the browser instead of run. The digest
is of the bytes actually served: the collected file in production (the
manifest storage rewrites CSS `url()`s), the source file in development.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from django.contrib.staticfiles import finders
from django.core.files.storage import storages


@cache
def integrity(path: str) -> str:
    """`sha384-<base64>` of the static file `path` (e.g. "js/quiz.js"), as served."""
    return sri(served_bytes(path))


def sri(body: bytes) -> str:
    """The `integrity` value of these bytes."""
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


def served_bytes(path: str) -> bytes:
    storage = storages["staticfiles"]
    stored = getattr(storage, "stored_name", None)
    name = stored(path) if stored else path
    try:
        with storage.open(name) as collected:
            return bytes(collected.read())
    except (FileNotFoundError, NotADirectoryError):
        found = finders.find(path)  # development: served from the finders
        if not found:
            raise ValueError(f"no static file {path!r} to take the integrity of") from None
        with open(found, "rb") as source:
            return source.read()
