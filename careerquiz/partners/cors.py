"""CORS for the API: an Origin is allowed only if an active partner lists it.

django-cors-headers asks its `check_request_enabled` signal twice: whether
CORS applies to the request at all (URL regex OR signal), and whether the
origin is allowed. Because a True answer also switches CORS on for any URL,
the receiver itself checks CORS_URLS_REGEX, so partner origins never get CORS
headers on the admin or the quiz pages.

The set of allowed origins is cached briefly in Django's cache (shared by
all workers) and dropped whenever a partner is saved or deleted.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from careerquiz.partners.models import Partner

CACHE_KEY = "partners:cors:origins"
CACHE_SECONDS = 60

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(origin: str) -> str:
    """scheme://host[:port] in lower case, without a default port; "" if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return ""
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[parts.scheme]) else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}"


def partner_origins() -> frozenset[str]:
    origins: frozenset[str] | None = cache.get(CACHE_KEY)
    if origins is None:
        rows = Partner.objects.active().values_list("allowed_origins", flat=True)
        origins = frozenset(
            normalised
            for text in rows
            for origin in text.split()
            if (normalised := normalise_origin(origin))
        )
        cache.set(CACHE_KEY, origins, CACHE_SECONDS)
    return origins


def origin_allowed(origin: str) -> bool:
    normalised = normalise_origin(origin)
    return bool(normalised) and normalised in partner_origins()


def cors_allowed(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    if not re.match(settings.CORS_URLS_REGEX, request.path_info):
        return False
    return origin_allowed(request.headers.get("Origin", ""))


def forget_origins(**kwargs: Any) -> None:
    cache.delete(CACHE_KEY)
    # Again once the change is committed: a request between the save and the commit
    # reads the old rows and would put them back in the cache for CACHE_SECONDS.
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def connect() -> None:
    """Called from PartnersConfig.ready()."""
    from corsheaders.signals import check_request_enabled

    check_request_enabled.connect(cors_allowed, dispatch_uid="partners.cors.cors_allowed")
    post_save.connect(forget_origins, sender=Partner, dispatch_uid="partners.cors.forget_on_save")
    post_delete.connect(
        forget_origins, sender=Partner, dispatch_uid="partners.cors.forget_on_delete"
    )
