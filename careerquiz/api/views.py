"""The partner REST API (/api/v1/): one APIView per operation.

Each view reads the request, calls a plain function (careerquiz.api.queries for
reads, quiz.attempts.place_and_record for placements: the same engine and
storage as the quiz pages) and serializes the result. Failures are
exceptions that careerquiz.api.errors.exception_handler turns into one JSON shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from careerquiz.api import caching, queries
from careerquiz.api.authentication import PartnerKeyAuthentication
from careerquiz.api.errors import (
    MSG_MISSING_SLASH,
    MSG_NOT_FOUND_PATH,
    FieldError,
    NotFound,
    invalid_answers,
)
from careerquiz.api.openapi import (
    CONTENT_PARAMETERS,
    FORBIDDEN,
    IDEMPOTENCY_KEY,
    LADDER_SLUG,
    NOT_MODIFIED,
    PLACEMENT_ID,
    PLACEMENT_PARAMETERS,
    QUIZ_SLUG,
    THROTTLED,
    error,
)
from careerquiz.api.parsers import CappedJSONParser, check_declared_length
from careerquiz.api.projection import projector
from careerquiz.api.serializers import (
    AnswerField,
    ClosedSerializer,
    LadderNoteSerializer,
    LadderSummarySerializer,
    PlacementSerializer,
    QuestionSerializer,
    QuizSummarySerializer,
    RungSerializer,
    SourceSerializer,
    SourcesField,
    StrictCharField,
)
from careerquiz.api.throttling import (
    ClientRateThrottle,
    CountedTogether,
    PartnerRateThrottle,
    PlacementRateThrottle,
)
from careerquiz.web.clients import client_address
from ladder.freshness import page_key
from ladder.money import MSG_REGION, REGION_INPUT
from quiz import passthrough
from quiz.attempts import Idempotency, IdempotencyKeyReused, place_and_record, place_once
from quiz.models import MSG_BAD_REF, REF_PATTERN, Attempt
from quiz.passthrough import MAX_VALUE_LENGTH
from quiz.placement import InvalidAnswers
from quiz.results import result_of
from quiz.versions import version_of

# How long a serialized ladder is kept; a change to the ladder makes a new key at once.
CONTENT_CACHE_SECONDS = 24 * 60 * 60


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """The API speaks JSON only: it answers JSON whatever Accept says, never 406."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


class ApiView(CountedTogether):
    """What every /api/v1/ endpoint shares: partner key, throttles, JSON in and out."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle, PartnerRateThrottle]
    parser_classes = [CappedJSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnlyNegotiation


class ContentApiView(ApiView):
    """Read-only content: cacheable, with an ETag, and 304 for a matching If-None-Match."""

    # A match is answered with a plain HttpResponseNotModified, not a DRF Response.
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        return caching.conditional(request, response)


# --- Ladders. ---


class LadderListApi(ContentApiView):
    @extend_schema_serializer(component_name="LadderList")
    class OutputSerializer(serializers.Serializer[Any]):
        results = LadderSummarySerializer(many=True)

    @extend_schema(
        operation_id="ladders_list",
        summary="All career ladders",
        description="Every ladder, by title. Cacheable: see ETag and Cache-Control.",
        tags=["ladders"],
        parameters=CONTENT_PARAMETERS,
        responses={200: OutputSerializer, 304: NOT_MODIFIED, 403: FORBIDDEN, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        body = {"results": queries.ladders()}
        return Response(self.OutputSerializer(body, context={"request": request}).data)


class LadderDetailApi(ContentApiView):
    @extend_schema_serializer(component_name="Ladder")
    class OutputSerializer(LadderSummarySerializer):
        sources = SourcesField(source="source_keys", help_text="Keys the items' `source` cite.")
        source_titles = SourceSerializer(
            many=True, source="sources", help_text="Each source's key, readable title and link."
        )
        notes = LadderNoteSerializer(many=True, help_text="FAQs, caveats, parallel tracks.")
        rungs = RungSerializer(many=True, help_text="Lowest rung first.")

    @extend_schema(
        operation_id="ladders_retrieve",
        summary="One ladder: its rungs in order, with skills, salary bands and next steps",
        description=(
            "The ladder with its notes and its rungs, lowest first; each rung with its "
            "responsibilities, job titles, skills, salary bands (with a display string and "
            "source) and next steps."
        ),
        tags=["ladders"],
        parameters=[LADDER_SLUG, *CONTENT_PARAMETERS],
        responses={
            200: OutputSerializer,
            304: NOT_MODIFIED,
            403: FORBIDDEN,
            404: error("No ladder has this slug (field `slug`)."),
            429: THROTTLED,
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        # Serialized once per change of the ladder (ladder.freshness) and host.
        ladder_id, updated_at = queries.ladder_stamp(slug)
        key = page_key("api", ladder_id, updated_at, request.build_absolute_uri("/"))
        body = cache.get(key)
        if body is None:
            ladder = queries.ladder(slug)
            body = dict(self.OutputSerializer(ladder, context={"request": request}).data)
            cache.set(key, body, CONTENT_CACHE_SECONDS)
        return Response(body)


# --- Quizzes. ---


class QuizListApi(ContentApiView):
    @extend_schema_serializer(component_name="QuizList")
    class OutputSerializer(serializers.Serializer[Any]):
        results = QuizSummarySerializer(many=True)

    @extend_schema(
        operation_id="quizzes_list",
        summary="Published quizzes",
        description="Published quizzes only, each at its live version.",
        tags=["quizzes"],
        parameters=CONTENT_PARAMETERS,
        responses={200: OutputSerializer, 304: NOT_MODIFIED, 403: FORBIDDEN, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        body = {
            "results": [
                queries.quiz_summary(quiz.slug, quiz.live_version)
                for quiz in queries.published_quizzes()
                if quiz.live_version is not None
            ]
        }
        return Response(self.OutputSerializer(body, context={"request": request}).data)


class QuizDetailApi(ContentApiView):
    @extend_schema_serializer(component_name="Quiz")
    class OutputSerializer(QuizSummarySerializer):
        regions = serializers.ListField(
            child=serializers.CharField(),
            help_text="Regions with salary bands on the ladder: useful values of `region`.",
        )
        questions = QuestionSerializer(many=True, help_text="In the order to ask them.")

    @extend_schema(
        operation_id="quizzes_retrieve",
        summary="One published quiz, as its live version asks it",
        description=(
            "The questions in order, each with its options, from the live published "
            "version (never the editor's draft), and the regions that have salary bands."
        ),
        tags=["quizzes"],
        parameters=[QUIZ_SLUG, *CONTENT_PARAMETERS],
        responses={
            200: OutputSerializer,
            304: NOT_MODIFIED,
            403: FORBIDDEN,
            404: error("No published quiz has this slug (field `slug`)."),
            429: THROTTLED,
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        version = queries.published_quiz(slug)
        base = request.build_absolute_uri("/")
        return Response(_quiz_detail_body(slug, version.pk, version.published_at, base))


@dataclass(frozen=True)
class _Site:
    """What AbsoluteUrlField needs of a request: its scheme and host, as a base URL."""

    base: str

    def build_absolute_uri(self, path: str) -> str:
        return urljoin(self.base, path)


@lru_cache(maxsize=64)
def _quiz_detail_body(slug: str, pk: int, published_at: datetime, base: str) -> dict[str, Any]:
    """A live version's body, serialized once per process and host: versions never change."""
    version = version_of(pk, slug=slug)
    assert version is not None  # the caller just read it
    detail = queries.quiz_detail(slug, version)
    return dict(QuizDetailApi.OutputSerializer(detail, context={"request": _Site(base)}).data)


# --- Placements. ---


def placement_body(request: Request | _Site, attempt: Attempt) -> dict[str, Any]:
    result_url = request.build_absolute_uri(attempt.get_absolute_url())
    # Only what the body shows: a result also holds what only its page reads (a profile...).
    shown = PlacementSerializer._declared_fields
    body = result_of(attempt).to_json(only=shown) | {
        "result_url": result_url,
        "ref": attempt.ref,
        "passthrough": attempt.passthrough,
    }
    # PlacementSerializer's output (its shape is the contract), without DRF's per-call copying.
    project: Callable[[Any], dict[str, Any]] = projector(PlacementSerializer)
    return project(body)


def placement_event_data(attempt: Attempt) -> dict[str, Any]:
    """The placement body a webhook carries: no request, so result_url is on SITE_URL."""
    return placement_body(_Site(settings.SITE_URL.rstrip("/") + "/"), attempt)


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
MSG_NUL = "Null characters are not allowed."
MSG_BAD_KEY = "must be 1 to 255 printable ASCII characters"
MSG_KEY_REUSED = (
    "This Idempotency-Key was used before with a different body; use a new key for a new placement."
)


class InvalidIdempotencyKey(FieldError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    field = IDEMPOTENCY_HEADER


class IdempotencyConflict(FieldError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    field = IDEMPOTENCY_HEADER


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        raise InvalidIdempotencyKey(MSG_BAD_KEY)
    return key


class PlacementCreateApi(ApiView):
    throttle_classes = [*ApiView.throttle_classes, PlacementRateThrottle]

    @extend_schema_serializer(
        component_name="PlacementRequest",
        examples=[
            OpenApiExample(
                "The shipped ml-engineer quiz, with a region",
                value={
                    "answers": {
                        "initiative": "spot-own-area",
                        "ownership": "end-to-end",
                        "unclear-work": "plan-with-help",
                        "risky-work": "with-review",
                        "ai-review": "check-my-own",
                        "track-record": "own-problem-trusted",
                        "raise-others": "answer-questions",
                        "catch-mistakes": "own-project",
                        "direction": "plan-my-problem",
                        "depth": "bounded-piece",
                        "title": "senior-associate",
                        "company": "services",
                        "years": "5-to-7",
                        "certificates": "one",
                        "skills": ["python", "sql", "docker"],
                    },
                    "region": "IN",
                },
            )
        ],
    )
    class InputSerializer(ClosedSerializer):
        answers = serializers.DictField(
            child=AnswerField(),
            help_text="Question key → option key (→ a list of option keys: multiple questions).",
        )
        region = StrictCharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            trim_whitespace=False,
            default="",
            validators=[RegexValidator(REGION_INPUT, MSG_REGION)],
            help_text=(
                "Two-letter country code for salary bands (case-insensitive; stored in "
                "capitals). Any code is accepted; `salary` is empty without bands there."
            ),
        )

        passthrough = serializers.DictField(
            child=StrictCharField(
                trim_whitespace=False,
                allow_blank=True,
                max_length=MAX_VALUE_LENGTH,
                # Refused anyway ("Null characters are not allowed."); the pattern says so
                # in the schema, which otherwise promised any string.
                validators=[RegexValidator(r"^[^\x00]*$", MSG_NUL)],
            ),
            required=False,
            default=dict,
            help_text='Your context for this placement, e.g. {"utm_source": "newsletter"}: '
            "the names your partner account passes through are kept (others are ignored), "
            f"values up to {MAX_VALUE_LENGTH} characters. Stored, and returned with the "
            "placement and its webhook.",
        )
        ref = StrictCharField(
            required=False,
            allow_blank=True,
            default="",
            trim_whitespace=False,
            validators=[RegexValidator(REF_PATTERN, MSG_BAD_REF)],
            help_text="Your own reference for this placement, e.g. a campaign: "
            "1 to 64 of A-Z a-z 0-9 . _ -. Stored, and returned with the placement.",
        )

        def validate_region(self, value: str | None) -> str:
            return (value or "").upper()

        def validate_passthrough(self, value: dict[str, Any]) -> dict[str, str]:
            # Only the names the partner passes through are kept; others are ignored.
            partner = self.context.get("partner")
            return passthrough.keep(value, partner.pass_param_names if partner else [])

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        check_declared_length(request.META)  # 413 before anything reads the body
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="placements_create",
        summary="Place a visitor from their answers",
        description=(
            "Scores the answers against the quiz's live version with the same engine "
            "and storage as the quiz pages, and records the placement (attributed to "
            "the partner when a partner key is sent). Never cached."
        ),
        tags=["placements"],
        request=InputSerializer,
        parameters=[QUIZ_SLUG, IDEMPOTENCY_KEY, *PLACEMENT_PARAMETERS],
        responses={
            201: PlacementSerializer,
            400: error(
                "Invalid body: malformed JSON (`body`), a wrong type, an unknown field, "
                "question or option (`answers.<question key>`), a missing required answer, "
                "or a bad `region`."
            ),
            403: FORBIDDEN,
            404: error("No published quiz has this slug (field `slug`)."),
            413: error("The body is larger than the limit (field `body`)."),
            415: error("The body is not application/json (field `Content-Type`)."),
            422: error("The Idempotency-Key was used before with another body."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        key = idempotency_key(request)
        version = queries.published_quiz(slug)
        serializer = self.InputSerializer(data=request.data, context={"partner": request.auth})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = {
            "region": data["region"],
            "channel": Attempt.Channel.API,
            "partner_id": request.auth.pk if request.auth else None,
            "ref": data["ref"],
            "passthrough": data["passthrough"],
        }
        replayed = False
        try:
            if key is None:
                attempt = place_and_record(version, data["answers"], **record)
            else:
                caller = f"partner:{request.auth.pk}" if request.auth else client_address(request)
                body = {"quiz": slug, "answers": data["answers"], "region": data["region"]}
                extra = {"ref": data["ref"]}
                if data["passthrough"]:  # absent when empty: keys stored before it still match
                    extra["passthrough"] = data["passthrough"]
                once = Idempotency(caller=caller, key=key, body=body | extra)
                attempt, is_new = place_once(version, data["answers"], idempotency=once, **record)
                replayed = not is_new
        except InvalidAnswers as exc:
            raise invalid_answers(exc) from exc
        except IdempotencyKeyReused as exc:
            raise IdempotencyConflict(MSG_KEY_REUSED) from exc
        location = reverse("api:placement-detail", args=[attempt.result_id], request=request)
        headers = {"Location": location, "Cache-Control": caching.PLACEMENT_CACHE_CONTROL}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            placement_body(request, attempt), status=status.HTTP_201_CREATED, headers=headers
        )


class PlacementDetailApi(ApiView):
    @extend_schema(
        operation_id="placements_retrieve",
        summary="A placement made earlier, by its id",
        description="The same body the POST returned. Never cached.",
        tags=["placements"],
        parameters=[PLACEMENT_ID, *PLACEMENT_PARAMETERS],
        responses={
            200: PlacementSerializer,
            403: FORBIDDEN,
            404: error("No placement has this id (field `id`)."),
            429: THROTTLED,
        },
    )
    def get(self, request: Request, id: str) -> Response:
        attempt = queries.placement(id)
        return Response(
            placement_body(request, attempt),
            headers={"Cache-Control": caching.PLACEMENT_CACHE_CONTROL},
        )


@extend_schema(exclude=True)
class UnknownEndpointApi(CountedTogether):
    """Any other /api/v1/ path: a JSON 404 in the error shape, whatever the method."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnlyNegotiation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        message = MSG_NOT_FOUND_PATH
        if not request.path_info.endswith("/"):
            try:
                match = resolve(request.path_info + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not type(self):
                message = MSG_MISSING_SLASH.format(path=request.path + "/")
        raise NotFound(message, field="path")
