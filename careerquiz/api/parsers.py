"""The API's only request parser: JSON, size-capped, never a server error.

The size cap is checked twice: against Content-Length before a byte is read,
and while reading, so a body that arrives without a length (chunked) or
longer than it claimed can never make the parser hold more than the cap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from careerquiz.api.errors import MSG_BODY_TOO_LARGE, PayloadTooLarge

MSG_NOT_UTF8 = "The body is not UTF-8 text."
MSG_LENGTH_REQUIRED = "Send the body with a Content-Length header; chunked bodies are not read."
MSG_BAD_JSON = "The body is not valid JSON: {error}"
MSG_TOO_DEEP = "The body is not valid JSON: it is nested too deeply."
MSG_LONE_SURROGATE = (
    "The body is not valid JSON text: it has a lone surrogate escape (e.g. \\ud800 "
    "without its pair), which is no character."
)


def max_body_bytes() -> int:
    limit: int = settings.API_MAX_BODY_BYTES
    return limit


def declared_length(meta: Mapping[str, Any]) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def check_declared_length(meta: Mapping[str, Any]) -> None:
    """Refuse an over-long body before reading it, and a chunked one we would not read."""
    limit = max_body_bytes()
    length = declared_length(meta)
    if length > limit:
        raise PayloadTooLarge(MSG_BODY_TOO_LARGE.format(limit=limit))
    # Django's WSGI request reads Content-Length bytes, so a chunked body with no
    # length would silently arrive empty; say so rather than report missing fields.
    if not length and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        raise ParseError(MSG_LENGTH_REQUIRED)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class CappedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        request = (parser_context or {}).get("request")
        if request is not None:
            check_declared_length(request.META)
        limit = max_body_bytes()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(MSG_BODY_TOO_LARGE.format(limit=limit))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(MSG_NOT_UTF8) from exc
        try:
            data = json.loads(text, parse_constant=_reject_constant)
            # Every key and value may be echoed back in an error or stored: each must
            # be text that UTF-8 can carry, which a lone "\ud800" escape is not.
            if "\\u" in text and not encodable(data):
                raise ParseError(MSG_LONE_SURROGATE)
        except RecursionError as exc:
            raise ParseError(MSG_TOO_DEEP) from exc
        except ValueError as exc:  # JSONDecodeError, NaN/Infinity, over-long integers
            raise ParseError(MSG_BAD_JSON.format(error=exc)) from exc
        return data


def encodable(value: Any) -> bool:
    """Whether every string in a parsed JSON value, keys included, is valid Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(encodable(key) and encodable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(encodable(item) for item in value)
    return True
