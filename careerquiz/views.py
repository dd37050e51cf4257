"""Site-wide pages that belong to no app."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sys
import threading
import time
from pathlib import Path

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from careerquiz.api.errors import error_body
from careerquiz.models import Heartbeat
from ladder.models import Ladder
from quiz.models import Quiz

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "quizzes": Quiz.objects.published().order_by("title"),
        "ladders": Ladder.objects.order_by("title"),
    }
    return TemplateResponse(request, "home.html", context)


# When this process last saw a write commit (see _database_answers).
_write_seen = 0.0
WRITE_PROBE_SECONDS = 5.0
# Below this much free space on an SQLite database's filesystem, writes are about to
# fail: the heartbeat's update in place can keep fitting in SQLite's reused WAL
# frames long after inserts (attempts) no longer find room.
SQLITE_MIN_FREE_BYTES = 2 * 1024 * 1024


def _sqlite_disk_has_room() -> None:
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return
    free = shutil.disk_usage(Path(name).resolve().parent).free
    if free < SQLITE_MIN_FREE_BYTES:
        raise OSError(f"the database's disk has {free} bytes free")


def _database_answers() -> None:
    # A real table: a database without our tables, or unreadable, fails here.
    Quiz.objects.exists()
    _sqlite_disk_has_room()
    global _write_seen
    if time.monotonic() - _write_seen < WRITE_PROBE_SECONDS:
        return
    # Reads go on while writes fail: a full disk, a read-only file, or on SQLite a
    # stuck writer holding the write lock. So commit one small write, at most every
    # few seconds per process while it succeeds (checks under load do not queue for
    # SQLite's write lock), and on every check while it fails.
    Heartbeat.beat()
    _write_seen = time.monotonic()


def _cache_answers() -> None:
    # One key per thread: another worker's write cannot fail this read-back.
    key = f"healthz:{os.getpid()}:{threading.get_ident()}"
    token = secrets.token_hex(8)
    cache.set(key, token, 30)
    # A fail-open cache (careerquiz.cache) swallows the outage; reading back shows it.
    if cache.get(key) != token:
        raise ConnectionError("the cache did not keep a value")


HEALTH_CHECKS = {"database": _database_answers, "cache": _cache_answers}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the cache both answer; 503 naming the one that does not."""
    checks: dict[str, str] = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as error:  # any failure is the answer, not a 500
            logger.warning("healthz: the %s check failed: %s", name, error)
            checks[name] = f"failed: {type(error).__name__}"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


MSG_SERVER_ERROR = "Something went wrong on our side; it has been logged. Please try again."
MSG_UNAVAILABLE = "The service is briefly unavailable. Please try again in a minute."
UNAVAILABLE_RETRY_AFTER_SECONDS = 10


MSG_NOT_FOUND = "There is no API endpoint at this path."


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API's JSON error shape under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        errors = [{"field": "path", "message": MSG_NOT_FOUND}]
        body = error_body(status_code=404, code="not_found", detail=MSG_NOT_FOUND, errors=errors)
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the API's JSON error shape under /api/, the site's page elsewhere.

    A database that cannot be reached (or cannot write) is a 503 with Retry-After,
    not a 500: the request was fine, the outage passes, and the client may retry.
    """
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        body = error_body(status_code=500, code="server_error", detail=MSG_SERVER_ERROR, errors=[])
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = error_body(
            status_code=503, code="service_unavailable", detail=MSG_UNAVAILABLE, errors=[]
        )
        response = JsonResponse(body, status=503)
    else:
        # Rendered without the request, like Django's 500 page: nothing on it may
        # need the database (no session, no user).
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response
