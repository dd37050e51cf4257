"""One error shape for every API failure, and the exceptions that produce it.

Every 4xx the API sends (and DRF's own ones: parse errors, wrong content type,
wrong method, throttling) has this body, so partners need one error path:

    {"status": 400, "code": "invalid", "detail": "The request is not valid; see errors.",
     "errors": [{"field": "answers.scope", "message": "this question is required"}]}

`field` names the part of the request at fault: a dotted path into the JSON
body (`answers`, `answers.<question key>`, `region`, or an unknown top-level
name), the path parameters `slug` and `id`, the request as a whole (`body`,
`path`, `method`), the `Content-Type`, `Origin` or `Idempotency-Key` header, or
the `partner` key. `errors` is
empty only when no single field is to blame (429).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from quiz.placement import InvalidAnswers

MSG_INVALID = "The request is not valid; see errors."
MSG_BODY_TOO_LARGE = "The body is larger than {limit} bytes."
MSG_UNSUPPORTED_MEDIA_TYPE = "Send the body as application/json."
MSG_NOT_FOUND_PATH = "There is no API endpoint at this path."
MSG_MISSING_SLASH = "There is no API endpoint at this path; did you mean {path}?"
MSG_THROTTLED = "Too many requests; retry after {wait} seconds."

# The field DRF reports a whole-body problem under (e.g. a JSON array, not an object).
BODY = "body"


class FieldError(exceptions.APIException):
    """An APIException that names the request field it is about."""

    field = ""

    def __init__(self, detail: str | None = None, *, field: str | None = None) -> None:
        super().__init__(detail)
        if field is not None:
            self.field = field


class NotFound(FieldError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found."
    default_code = "not_found"
    field = "path"


class PayloadTooLarge(FieldError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is too large."
    default_code = "payload_too_large"
    field = BODY


def invalid_answers(exc: InvalidAnswers) -> exceptions.ValidationError:
    """The engine's answer problems as a validation error under `answers.<question key>`."""
    by_key: dict[str, list[str]] = {}
    for problem in exc.problems:
        by_key.setdefault(problem.field, []).append(problem.message)
    return exceptions.ValidationError({"answers": by_key})


def error_body(
    *, status_code: int, code: str, detail: str, errors: list[dict[str, str]]
) -> dict[str, Any]:
    return {"status": status_code, "code": code, "detail": detail, "errors": errors}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: DRF's own handling, then the body reshaped into ours."""
    if isinstance(exc, Http404):
        exc = NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    response.data = error_body(
        status_code=response.status_code,
        code=_code(exc),
        detail=_detail(exc),
        errors=_errors(exc),
    )
    return response


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return getattr(exc.detail, "code", None) or exc.default_code


def _detail(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return MSG_INVALID
    if isinstance(exc, exceptions.Throttled):
        wait: float | None = getattr(exc, "wait", None)  # set by Throttled.__init__
        return MSG_THROTTLED.format(wait=wait or 1)
    return str(exc.detail)


def _errors(exc: exceptions.APIException) -> list[dict[str, str]]:
    if isinstance(exc, exceptions.ValidationError):
        return list(_flatten(exc.detail, ""))
    if isinstance(exc, FieldError):
        return [{"field": exc.field, "message": str(exc.detail)}]
    if isinstance(exc, exceptions.ParseError):
        return [{"field": BODY, "message": str(exc.detail)}]
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return [{"field": "Content-Type", "message": f"{exc.detail} {MSG_UNSUPPORTED_MEDIA_TYPE}"}]
    if isinstance(exc, exceptions.MethodNotAllowed):
        return [{"field": "method", "message": str(exc.detail)}]
    if isinstance(exc, exceptions.NotFound):
        return [{"field": "path", "message": str(exc.detail)}]
    return []


def _flatten(detail: Any, prefix: str) -> Iterator[dict[str, str]]:
    """DRF's nested error detail as (dotted field, message) pairs, whole-body errors as `body`."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            yield from _flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name)
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, prefix)
    else:
        yield {"field": prefix or BODY, "message": str(detail)}
