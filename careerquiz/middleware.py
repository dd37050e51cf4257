"""Guards that answer before any view, form or parser reads the request.

- On the admin site's own pages, a NUL character in the path or query string is
  refused with a 400: no list filter or search takes one, and PostgreSQL cannot
  even compare text with one (`?region=%00` was a 500). Our own pages (public
  ones, the API, analytics) answer each such parameter with their own message.
- A body longer than the site takes is refused with a 413 from its declared
  length, before a byte is read, whatever its content type. Django's own
  DATA_UPLOAD_MAX_MEMORY_SIZE counts only a form's fields, never its files,
  so a 500 MB multipart post used to be spooled to disk before any refusal.
- Outside the admin (whose content import takes a file), a multipart body's
  file parts are refused with a 400 at the first one, never stored.

Under /api/ the refusals speak the API's JSON error shape. On the way out,
every response says `Cross-Origin-Resource-Policy: same-origin` unless its view
chose otherwise (the embed and its loader: `cross-origin`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse

from careerquiz.api.errors import error_body
from careerquiz.api.parsers import declared_length

MSG_NUL = "The address contains a NUL character (%00), which nothing here takes."
MSG_BODY_TOO_LARGE = "The request body is {length:,} bytes; the most this site takes is {limit:,}."
MSG_NO_FILES = "This form takes no files."
# Room for a multipart body's boundaries and part headers around the largest form field.
MULTIPART_SLACK_BYTES = 64 * 1024


def body_limit() -> int:
    """The largest body of any kind: the form limit, plus a multipart body's framing."""
    limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return limit + MULTIPART_SLACK_BYTES


class FilesRefused(BadRequest):
    pass


class RefuseFileParts(FileUploadHandler):
    """An upload handler that takes no file: the first file part ends the request."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.request is not None:
            # Whatever renders the 400 then sees an empty form rather than reading on.
            self.request._mark_post_parse_error()  # type: ignore[attr-defined]  # Django's
        raise FilesRefused(MSG_NO_FILES)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return None  # pragma: no cover - new_file never lets a file start

    def file_complete(self, file_size: int) -> None:
        return None  # pragma: no cover


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length, limit = declared_length(request.META), body_limit()
        if length > limit:
            message = MSG_BODY_TOO_LARGE.format(length=length, limit=limit)
            return _refuse(request, 413, "body_too_large", message, field="body")
        if not request.path.startswith(self.admin_prefix):
            request.upload_handlers = [RefuseFileParts(request)]
        response = self.get_response(request)
        # Other sites may not load our pages or API answers as subresources (no-cors
        # reads such as <img> or <script> side channels); the embed and its loader,
        # made to be used by other sites, say cross-origin themselves.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        in_admin_site = match is not None and match.namespace == "admin"
        if in_admin_site and ("\x00" in request.path or _nul_in_query(request)):
            return _refuse(request, 400, "nul_character", MSG_NUL, field="path")
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, FilesRefused):
            return _refuse(request, 400, "files_refused", MSG_NO_FILES, field="body")
        return None


def _nul_in_query(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def _refuse(
    request: HttpRequest, status: int, code: str, message: str, *, field: str
) -> HttpResponse:
    if request.path.startswith("/api/"):
        errors = [{"field": field, "message": message}]
        body = error_body(status_code=status, code=code, detail=message, errors=errors)
        return JsonResponse(body, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
