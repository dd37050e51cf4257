"""Quizzes (the editable draft), their frozen published versions, partners and attempts.

An editor edits `Quiz`/`Question`/`Option` freely: that is the draft. Publishing
freezes the draft into a `QuizVersion` snapshot; visitors and the API only ever
see versions, so an edit never changes a quiz under someone halfway through it.
"""

from __future__ import annotations

import re
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from simple_history.models import HistoricalRecords

from ladder.models import REGION_VALIDATOR, Ladder, Rung

MSG_OPTION_RUNG_OTHER_LADDER = "points at a rung of another ladder ({ladder})"
MSG_OPTION_NEEDS_RUNG = "an option of a {role} question must name a rung"
MSG_OPTION_NO_RUNG = "an option of a {role} question names no rung"
MSG_OPTION_NEEDS_SKILL = "an option of a skills question must name a skill"
MSG_OPTION_UNKNOWN_SKILL = "names a skill no rung of ladder {ladder} lists: {skill}"


class QuizQuerySet(models.QuerySet):
    def published(self) -> QuizQuerySet:
        return self.filter(live_version__isnull=False).select_related("live_version", "ladder")


class Quiz(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="quizzes")
    intro = models.TextField(blank=True)
    threshold = models.FloatField(
        default=0.6,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Share of evidence weight at or above a rung needed to place there (0–1).",
    )
    live_version = models.ForeignKey(
        "QuizVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version visitors get. Empty means the quiz is not published.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["live_version"])
    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        try:
            return reverse("quiz:start", args=[self.slug])
        except NoReverseMatch:
            return ""

    @property
    def is_published(self) -> bool:
        return self.live_version_id is not None


class Question(models.Model):
    class Role(models.TextChoices):
        EVIDENCE = "evidence", "Evidence (places the visitor)"
        TITLE = "title", "Current title (never places)"
        CONTEXT = "context", "Context (tailors next steps)"
        SKILLS = "skills", "Skills (multiple choice)"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=500)
    help = models.TextField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EVIDENCE)
    weight = models.FloatField(default=1, validators=[MinValueValidator(0.01)])
    required = models.BooleanField(default=True)
    advice = models.TextField(
        blank=True, help_text="Shown when this answer holds the visitor below the next rung."
    )
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "key"],
                name="unique_question_key_per_quiz",
                violation_error_message="This quiz already has a question with this key.",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def kind(self) -> str:
        return "multiple" if self.role == self.Role.SKILLS else "single"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=500)
    rung = models.ForeignKey(
        Rung,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Evidence and title questions: the rung this answer shows.",
    )
    skill = models.CharField(
        max_length=200, blank=True, help_text="Skills questions: a skill name of the ladder."
    )
    note = models.TextField(
        blank=True,
        help_text="Context questions: shown with the result when this answer is chosen.",
    )
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"],
                name="unique_option_key_per_question",
                violation_error_message="This question already has an option with this key.",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        question = getattr(self, "question", None)
        if question is None:
            return
        role = question.role
        ladder = question.quiz.ladder
        errors: dict[str, str] = {}
        if role in (Question.Role.EVIDENCE, Question.Role.TITLE):
            if self.rung_id is None:
                errors["rung"] = MSG_OPTION_NEEDS_RUNG.format(role=role).capitalize() + "."
            elif self.rung.ladder_id != ladder.pk:
                errors["rung"] = (
                    f"{self.rung} "
                    + MSG_OPTION_RUNG_OTHER_LADDER.format(ladder=self.rung.ladder.slug)
                    + f"; pick a rung of {ladder.slug}."
                )
        elif self.rung_id is not None:
            errors["rung"] = MSG_OPTION_NO_RUNG.format(role=role).capitalize() + "; clear it."
        if role == Question.Role.SKILLS:
            if not self.skill:
                errors["skill"] = MSG_OPTION_NEEDS_SKILL.capitalize() + "."
            elif not ladder.rungs.filter(skills__name=self.skill).exists():
                errors["skill"] = (
                    MSG_OPTION_UNKNOWN_SKILL.format(
                        ladder=ladder.slug, skill=self.skill
                    ).capitalize()
                    + "."
                )
        if errors:
            raise ValidationError(errors)


class QuizVersion(models.Model):
    """A frozen, published copy of a quiz: what visitors answer and placements cite."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField(help_text="The quiz and the rungs it needs, as published.")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["quiz", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["quiz", "number"], name="unique_version_per_quiz")
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug} v{self.number}"


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


ORIGIN_PATTERN = re.compile(
    r"^https?://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$"
)
MSG_BAD_ORIGIN = (
    "{origin!r} is not an origin: use scheme://host[:port] with no path, query or "
    "trailing slash, one per line, e.g. https://partner.example"
)


def validate_origins(value: str) -> None:
    # Origins end up in CORS and CSP frame-ancestors headers, so only a strict
    # scheme://host[:port] may pass: a ";" or a path would change those headers.
    for origin in value.split():
        if not ORIGIN_PATTERN.match(origin):
            raise ValidationError(MSG_BAD_ORIGIN.format(origin=origin))


class Partner(models.Model):
    """A site that embeds the quiz or calls the API with its public key."""

    name = models.CharField(max_length=200)
    public_key = models.CharField(max_length=64, unique=True, default=new_public_key)
    allowed_origins = models.TextField(
        blank=True,
        validators=[validate_origins],
        help_text="One origin per line, e.g. https://careers.example.com",
    )
    theme = models.JSONField(
        default=dict, blank=True, help_text='e.g. {"accent": "#0b5fff", "font": "system-ui"}'
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return self.allowed_origins.split()


def new_result_id() -> str:
    return secrets.token_urlsafe(16)


class AttemptQuerySet(models.QuerySet):
    def completed(self) -> AttemptQuerySet:
        return self.filter(completed_at__isnull=False)


class Attempt(models.Model):
    """One visitor's run through a quiz version: recorded at start, completed once."""

    class Channel(models.TextChoices):
        WEB = "web", "Quiz page"
        EMBED = "embed", "Embedded quiz"
        API = "api", "API"
        PREVIEW = "preview", "Editor preview"

    token_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    result_id = models.CharField(max_length=32, unique=True, default=new_result_id, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(QuizVersion, on_delete=models.PROTECT, related_name="attempts")
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    region = models.CharField(max_length=2, blank=True, validators=[REGION_VALIDATOR])
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rung_slug = models.SlugField(blank=True)
    rung_order = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.JSONField(
        default=dict, blank=True, help_text="The placement as computed on completion."
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["quiz", "started_at"])]

    def __str__(self) -> str:
        state = self.rung_slug if self.completed_at else "in progress"
        return f"{self.quiz.slug} v{self.version.number} — {state}"

    def get_absolute_url(self) -> str:
        return reverse("quiz:result", args=[self.result_id])

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
