"""OpenAPI pieces the operations share: error responses, headers, path parameters.

Only documentation: the behaviour they describe lives in careerquiz.api.errors,
careerquiz.api.caching and careerquiz.api.throttling.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from careerquiz.api import caching
from careerquiz.api.serializers import ErrorSerializer


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


def header(
    name: str, statuses: list[int], description: str, kind: Any = OpenApiTypes.STR
) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        kind,
        OpenApiParameter.HEADER,
        response=statuses,
        required=True,
        description=description,
    )


IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="An ETag from an earlier response; answered with 304 while it still matches.",
)
CONTENT_PARAMETERS = [
    IF_NONE_MATCH,
    header("ETag", [200, 304], "Strong validator of the body; send it back as If-None-Match."),
    header("Cache-Control", [200, 304], caching.CONTENT_CACHE_CONTROL),
    header("Retry-After", [429], "Seconds to wait before retrying.", OpenApiTypes.INT),
]
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=r"^[\x20-\x7e]{1,255}$",
    description=(
        "Optional; 1 to 255 printable ASCII characters of your choosing (a UUID, say). A "
        "retry with the same key and the same body, from the same partner key (or, with "
        "none, the same client address), answers with the first placement's body and 201, "
        "and the header `Idempotent-Replayed: true`, instead of recording a second "
        "placement. The same key with a different body is a 422 naming `Idempotency-Key`."
    ),
)
PLACEMENT_PARAMETERS = [
    header("Cache-Control", [200, 201], caching.PLACEMENT_CACHE_CONTROL),
    header("Location", [201], "The placement's API URL (GET it for the same body)."),
    header("Retry-After", [429], "Seconds to wait before retrying.", OpenApiTypes.INT),
]
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def path(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.PATH, pattern=SLUG_PATTERN, description=description
    )


LADDER_SLUG = path("slug", "The ladder's slug, e.g. ml-engineer.")
QUIZ_SLUG = path("slug", "The quiz's slug, e.g. ml-engineer.")
PLACEMENT_ID = path("id", "The placement's `id`.")
NOT_MODIFIED = OpenApiResponse(description="Not modified: the If-None-Match ETag still matches.")
FORBIDDEN = error(
    "The partner key is unknown or disabled (field `partner`), or a browser sent it from "
    "a page on an origin the partner has not registered (field `Origin`)."
)
THROTTLED = error("Too many requests from this client or partner; see Retry-After.")
