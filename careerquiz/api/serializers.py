"""Output shapes shared by several endpoints, and the error body.

Some fields are named like attributes DRF's Field has (`source`, `required`,
`errors`, `context`): the body's field names are the API contract, and DRF reads
declared fields from the class, so mypy's complaint about them is silenced.

They only describe and copy data (the OpenAPI schema is generated from
them); what goes in them is decided in careerquiz.api.queries and quiz.results.
The view-specific input and output serializers live on the views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

STEP_KINDS = (
    "`moves_you_up` (what the next rung asks; on the top rung, the way on from it), `track` "
    "(at the top rung: a parallel track), "
    "`advice` (from an answer that held the visitor back), `caveat` (from a context answer), "
    "or a next step of the ladder: `project`, `certification`, `course`, `transition`, "
    "`mistake`, `learning_path`."
)


class SourcesField(serializers.ListField):
    child = serializers.CharField()


class SourceSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="What items cite in `source`.")
    title = serializers.CharField(help_text="The source's title, for people.")
    url = serializers.CharField(help_text="Where to check it, or empty.")


class ResponsibilitySerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    source = serializers.CharField(
        help_text="The key of the ladder source it comes from; may be empty."
    )  # type: ignore[assignment]


class JobTitleSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]


class SkillSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    category = serializers.CharField(
        help_text="A group of skills, e.g. communication, tools, leadership."
    )
    importance = serializers.CharField(help_text="high, medium-high, medium or low.")
    source = serializers.CharField()  # type: ignore[assignment]


class SalaryBandSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(help_text="ISO 3166 country code, e.g. IN.")
    currency = serializers.CharField(help_text="ISO 4217 currency code, e.g. INR.")
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    period = serializers.CharField(help_text="year, month or hour.")
    display = serializers.CharField(help_text='Ready to show, e.g. "₹10–22 LPA" or "$100K–$145K".')
    note = serializers.CharField(help_text="Who the band describes, may be empty.")
    source = serializers.CharField()  # type: ignore[assignment]
    # Fields added after placements were first stored have defaults, so older ones still read.
    context = serializers.CharField(  # type: ignore[assignment]
        default="", help_text="The context answer (e.g. product) this band describes, or empty."
    )


class NextStepSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text=STEP_KINDS)
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField(help_text="A link, or empty.")
    source = serializers.CharField()  # type: ignore[assignment]


class RungSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    order = serializers.IntegerField(help_text="1 is the lowest rung.")
    title = serializers.CharField()
    question = serializers.CharField(help_text="The one question that defines the rung.")
    summary = serializers.CharField()
    years_min = serializers.IntegerField(allow_null=True)
    years_max = serializers.IntegerField(allow_null=True, help_text="null: open-ended.")
    years_label = serializers.CharField(help_text='e.g. "2–5 years"; empty when unknown.')
    moves_you_up = serializers.CharField(help_text="What moves someone to the next rung.")
    keeps_you_stuck = serializers.CharField()
    sources = SourcesField()
    responsibilities = ResponsibilitySerializer(many=True)
    titles = JobTitleSerializer(many=True, help_text="Titles the rung appears under in job ads.")
    skills = SkillSerializer(many=True)
    salary_bands = SalaryBandSerializer(many=True)
    next_steps = NextStepSerializer(
        many=True, help_text="Next steps for someone placed on this rung."
    )


class AbsoluteUrlField(serializers.CharField):
    """A site path made absolute for the requesting host; empty while the page has no route."""

    def to_representation(self, value: str) -> str:
        return self.context["request"].build_absolute_uri(value) if value else ""


class LadderSummarySerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = AbsoluteUrlField(source="get_absolute_url", help_text="The public ladder page.")


class QuizSummarySerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    title = serializers.CharField()
    intro = serializers.CharField()
    ladder = serializers.SlugField(help_text="Slug of the ladder the quiz places on.")
    version = serializers.IntegerField(help_text="Number of the live published version.")
    published_at = serializers.DateTimeField()
    url = AbsoluteUrlField(help_text="The quiz page for people.")


class OptionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="What to send as the answer.")
    text = serializers.CharField()


class QuestionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="What to send the answer under in `answers`.")
    text = serializers.CharField()
    help = serializers.CharField()
    role = serializers.ChoiceField(
        choices=["evidence", "title", "context", "skills"],
        help_text=(
            "evidence places the visitor; title is the title held now (never places); "
            "context tailors next steps; skills informs next steps."
        ),
    )
    kind = serializers.ChoiceField(
        choices=["single", "multiple"],
        help_text="single: answer with one option key; multiple: a list of option keys.",
    )
    required = serializers.BooleanField()  # type: ignore[assignment]
    options = OptionSerializer(many=True)


class LadderNoteSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="faq, caveat, track or challenge.")
    key = serializers.CharField(help_text="A stable name, may be empty.")
    title = serializers.CharField()
    body = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]


# --- Placements: a result document (quiz.documents.Result), plus its URL. ---


class RungRefSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    question = serializers.CharField()


class TitleGapSerializer(serializers.Serializer[Any]):
    claimed = RungRefSerializer(help_text="The rung of the title the visitor holds.")
    placed = RungRefSerializer()
    steps = serializers.IntegerField(
        help_text="order(claimed) − order(placed): positive when the title runs ahead."
    )
    claimed_title = serializers.CharField(
        default="", help_text="The title answer, in the visitor's words."
    )


class QuizRefSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    title = serializers.CharField()
    version = serializers.IntegerField(help_text="The published version that placed.")


class EvidenceSerializer(serializers.Serializer[Any]):
    question = serializers.CharField(help_text="Question key.")
    question_text = serializers.CharField()
    option = serializers.CharField(help_text="Option key.")
    option_text = serializers.CharField()
    rung = serializers.SlugField(help_text="The rung this answer is evidence of.")


class TargetSerializer(serializers.Serializer[Any]):
    option = serializers.CharField(help_text="Option key of the answer one rung up.")
    option_text = serializers.CharField()
    rung = serializers.SlugField(help_text="The rung that answer is evidence of.")


class HeldBackSerializer(EvidenceSerializer):
    advice = serializers.CharField(
        help_text="How to get from this answer to the one a rung up; may be empty."
    )
    target = TargetSerializer(
        allow_null=True,
        default=None,
        help_text="What this question's answer looks like one rung up (never past the next "
        "rung); null when the question has no such answer.",
    )


class WhySerializer(serializers.Serializer[Any]):
    total = serializers.FloatField(help_text="Answered evidence weight.")
    here = serializers.FloatField(help_text="Of it, at the placed rung or above.")
    above = serializers.FloatField(help_text="Of it, at the next rung or above.")
    needed = serializers.FloatField(help_text="What the next rung needs (the threshold).")
    weighted = serializers.BooleanField(help_text="Some questions count more than once.")


class YearsSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    option = serializers.CharField()
    option_text = serializers.CharField()
    given = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    typical = serializers.ListField(
        child=serializers.IntegerField(allow_null=True),
        help_text="The placed rung's typical years [from, to); to is null when open-ended.",
    )
    comparison = serializers.ChoiceField(choices=["fewer", "within", "more"])


class PlacementNoteSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    option = serializers.CharField()
    text = serializers.CharField()


class PlacementSalarySerializer(SalaryBandSerializer):
    rung = serializers.SlugField(help_text="The rung the band belongs to.")


@extend_schema_serializer(component_name="Placement")
class PlacementSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="Unguessable; also the result page's permalink id.")
    result_url = serializers.URLField(help_text="The result page for people.")
    quiz = QuizRefSerializer()
    rung = RungRefSerializer(help_text="The rung the answers place the visitor on.")
    next_rung = RungRefSerializer(allow_null=True, help_text="null at the top of the ladder.")
    title_gap = TitleGapSerializer(
        allow_null=True,
        help_text="null unless the visitor's title names another rung than the placement.",
    )
    claimed = RungRefSerializer(
        allow_null=True,
        default=None,
        help_text="The rung the visitor's title names; null if not asked.",
    )
    claimed_title = serializers.CharField(
        default="", help_text="The title answer's words, or empty."
    )
    context = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(),
        default=dict,
        help_text="Context question key → the option answered.",
    )
    confidence = serializers.FloatField(help_text="0–1: agreement of answers × coverage.")
    confidence_label = serializers.CharField(help_text="high, medium or low.")
    support = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Per rung slug: share of evidence weight at or above that rung.",
    )
    why = WhySerializer(
        allow_null=True, default=None, help_text="The placement rule for these answers, in weights."
    )
    shown_by = EvidenceSerializer(many=True, help_text="Answers at or above the placed rung.")
    held_back = HeldBackSerializer(many=True, help_text="Answers below the next rung.")
    notes = PlacementNoteSerializer(
        many=True, help_text="Notes of the context answers given, chosen for this placement."
    )
    years = YearsSerializer(
        allow_null=True,
        default=None,
        help_text="Years of experience given, beside the rung's typical years.",
    )
    next_steps = NextStepSerializer(many=True)
    skills_to_build = SkillSerializer(
        many=True,
        help_text="Skills of the next rung the quiz offered and the visitor did not tick.",
    )
    next_rung_skills = SkillSerializer(
        many=True, default=list, help_text="Skills of the next rung the quiz did not ask about."
    )
    salary = PlacementSalarySerializer(
        many=True, help_text="Bands of the placed and next rung in `region`; empty without one."
    )
    region = serializers.CharField(help_text="The region asked for, or empty.")
    ref = serializers.CharField(
        help_text="The partner's own reference sent with the placement (or data-ref), or empty."
    )
    passthrough = serializers.DictField(
        child=serializers.CharField(),
        default=dict,
        help_text=(
            "The partner's context kept with the visit (e.g. utm_source), among the names "
            "the partner passes through; empty without."
        ),
    )
    rung_summary = serializers.CharField()
    keeps_you_stuck = serializers.CharField()
    completed_at = serializers.DateTimeField()


# --- Errors (see careerquiz.api.errors). ---


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(
        help_text=(
            "What is at fault: a dotted path into the JSON body (`answers`, "
            "`answers.<question key>`, `region`, an unknown field's name), `body`, "
            "`slug`, `id`, `path`, `method`, `Content-Type` or `partner`."
        )
    )
    message = serializers.CharField()


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(
        help_text="Stable machine name, e.g. invalid, parse_error, not_found, throttled."
    )
    detail = serializers.CharField(help_text="One sentence for people.")
    errors = FieldErrorSerializer(many=True, help_text="Empty only for 429.")  # type: ignore[assignment]


class ClosedSerializer(serializers.Serializer[Any]):
    """A request body that refuses fields it does not declare, and documents that."""

    default_error_messages = {"unknown_field": "is not a field of this request"}

    def to_internal_value(self, data: Any) -> Any:
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                str(name): [self.error_messages["unknown_field"]]
                for name in data
                if name not in self.fields
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class ClosedSerializerSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    target_class = ClosedSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        schema["additionalProperties"] = False
        return schema


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "nullable": True},
            {"type": "array", "items": {"type": "string"}},
        ],
        "description": (
            "An option key (single-choice question) or a list of option keys "
            "(multiple-choice question). An empty string, an empty list or null "
            "leaves an optional question unanswered."
        ),
    }
)
class AnswerField(serializers.Field[str | list[str], Any, object, Any]):
    default_error_messages = {
        "invalid": "expects an option key (a string) or a list of option keys",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> str | list[str]:
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        self.fail("invalid")

    def to_representation(self, value: object) -> object:
        return value


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "must be a string"}

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
