"""Start-up checks an operator needs before the first request, not after it 500s."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

MSG_NO_MANIFEST = (
    "Static files are not collected: {path} is missing, so every page would fail. "
    "Run `manage.py collectstatic --noinput` (with the same DJANGO_STATIC_ROOT) before "
    "starting the server."
)


def missing_static_manifest() -> str | None:
    """Why pages cannot render their static file URLs, or None if they can."""
    storage = storages["staticfiles"]
    manifest: str | None = getattr(storage, "manifest_name", None)  # manifest storages only
    if manifest is None or storage.exists(manifest):
        return None
    return MSG_NO_MANIFEST.format(path=storage.path(manifest))


def require_static_manifest() -> None:
    """Called as the WSGI application loads: refuse to start rather than serve 500s."""
    problem = missing_static_manifest()
    if problem:
        raise ImproperlyConfigured(problem)


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_manifest_check(**kwargs: Any) -> list[checks.CheckMessage]:
    problem = missing_static_manifest()
    return [checks.Error(problem, id="careerquiz.E001")] if problem else []
