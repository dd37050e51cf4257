"""Quizzes (the editable draft), their frozen published versions, and attempts.

An editor edits `Quiz`/`Question`/`Option` freely: that is the draft. Publishing
freezes the draft into a `QuizVersion` snapshot; visitors and the API only ever
see versions, so an edit never changes a quiz under someone halfway through it.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Container
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ladder.models import REGION_VALIDATOR, RUNG_ITEMS, Ladder, Rung, Skill
from quiz import placement, rules
from quiz.documents import RESULT_SCHEMA, Result, Snapshot, load_snapshot


def validate_notes(value: object) -> None:
    problem = rules.notes_problem(value)
    if problem:
        raise ValidationError(rules.as_sentence(problem))


# The items of a rung (ladder.models.RUNG_ITEMS) a published version freezes with it
# (quiz.documents.Rung): those a result shows.
FROZEN_RUNG_ITEMS = ("skills", "salary_bands", "next_steps")
assert set(FROZEN_RUNG_ITEMS) <= set(RUNG_ITEMS)

# What a draft is made of, fetched in one query per kind (quiz.versions.snapshot): the
# questions, and the ladder content a published version freezes beside them.
DRAFT_CONTENT = (
    "ladder__sources",
    "ladder__notes",
    *(f"ladder__rungs__{items}" for items in FROZEN_RUNG_ITEMS),
    "questions__options__rung__ladder",
)


class QuizQuerySet(models.QuerySet["Quiz"]):
    def published(self) -> QuizQuerySet:
        return self.filter(live_version__isnull=False).select_related("live_version", "ladder")

    def with_draft(self) -> QuizQuerySet:
        """Quizzes with their whole draft, for snapshots of many quizzes at once."""
        return self.select_related("ladder", "live_version").prefetch_related(*DRAFT_CONTENT)


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
        return reverse("quiz:start", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.live_version_id is not None


class Question(models.Model):
    class Role(models.TextChoices):
        EVIDENCE = placement.EVIDENCE, "Evidence (places the visitor)"
        TITLE = placement.TITLE, "Current title (never places)"
        CONTEXT = placement.CONTEXT, "Context (tailors next steps)"
        SKILLS = placement.SKILLS, "Skills (multiple choice)"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=500)
    help = models.TextField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EVIDENCE)
    weight = models.FloatField(default=1, validators=[MinValueValidator(0.01)])
    required = models.BooleanField(default=True)
    dimension = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "Evidence questions: the part of the ladder this question reads, e.g. “owning a "
            "problem”. A result shows, per dimension, the rung its answers reach by the same rule."
        ),
    )
    shuffle = models.BooleanField(
        default=True,
        help_text=(
            "Evidence questions: show the answers in an order of each visitor's own (the same "
            "for the whole attempt), so their order never tells which answer is the top one. "
            "Untick to always show them in the order below."
        ),
    )
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
        return placement.kind_of(self.role)


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
    advice = models.TextField(
        blank=True,
        help_text=(
            "Evidence questions: how someone who gives this answer gets to the answer one "
            "rung up (never what this answer already says)."
        ),
    )
    note = models.TextField(
        blank=True,
        help_text="Context questions: shown with the result when this answer is chosen.",
    )
    notes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_notes],
        help_text=(
            'Context questions: notes for some placements only, e.g. [{"text": "...", '
            '"placed": ["junior"], "title": "ahead"}]; the first that fits is shown, else the '
            "note above."
        ),
    )
    track = models.SlugField(
        max_length=60,
        blank=True,
        help_text=(
            "Evidence questions: the track this answer describes (e.g. people-leadership for "
            '"I manage the people who do this", staff for deep individual work), or "none" for '
            "an honest answer that is evidence of nothing. Without a rung it counts for no rung."
        ),
    )
    years_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Context questions about experience: years from."
    )
    years_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="…to (empty: or more)."
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
        ladder = question.quiz.ladder
        skills = None
        if question.role == Question.Role.SKILLS and self.skill:
            skills = set(Skill.objects.filter(rung__ladder=ladder).values_list("name", flat=True))
        problems = self.target_problems(question=question, ladder=ladder, ladder_skills=skills)
        errors = {p.field: rules.as_sentence(p.message) for p in problems}
        if self.years_max is not None or self.years_min is not None:
            problem = rules.years_problem(self.years_min, self.years_max)
            if problem:
                errors["years_max"] = rules.as_sentence(problem)
        if errors:
            raise ValidationError(errors)

    def target_problems(
        self, *, question: Question, ladder: Ladder, ladder_skills: Container[str] | None
    ) -> list[rules.Problem]:
        """quiz.rules' option rule, asked about this option of `question` on `ladder`."""
        rung = self.rung if self.rung_id is not None else None
        note_rungs = rules.placed_rungs(self.notes)
        return rules.option_target_problems(
            role=question.role,
            ladder=ladder.slug,
            rung=rung.slug if rung else None,
            rung_ladder=rung.ladder.slug if rung else None,
            skill=self.skill,
            ladder_skills=ladder_skills,
            note_rungs=note_rungs,
            ladder_rungs=[r.slug for r in ladder.rungs.all()] if note_rungs else None,
            track=self.track,
        )


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

    @cached_property
    def document(self) -> Snapshot:
        """The snapshot as a typed document (upgraded if it was stored under an older schema)."""
        return load_snapshot(self.snapshot)


REF_MAX_LENGTH = 64
REF_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
MSG_BAD_REF = "A ref is at most 64 letters, digits, dots, hyphens and underscores."
REF_VALIDATOR = RegexValidator(REF_PATTERN, MSG_BAD_REF)


def clean_ref(value: str | None) -> str:
    """A partner's reference as stored: itself if it has the allowed shape, else ""."""
    return value if value and re.fullmatch(REF_PATTERN, value) else ""


# Who may read attempts (careerquiz.partners.attempts.visible_to); careerquiz.roles grants them.
VIEW_ATTEMPT = "quiz.view_attempt"
VIEW_EVERY_ATTEMPT = "quiz.view_every_attempt"


def new_result_id() -> str:
    # Never starting with "-": a spreadsheet would read the id as a formula, and the
    # CSV export would have to change it to stop that.
    while (result_id := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return result_id


class _ResultAttribute(DeferredAttribute):
    """`attempt.result`: the result document's JSON, as stored or else built.

    A completed attempt stores its whole result only if it was completed before
    lean attempts (or the column was written since); otherwise reading the
    attribute builds it from the version and answers (quiz.results.result_of).
    """

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        stored = super().__get__(instance, cls)
        if stored or instance.completed_at is None:
            return stored if stored is not None else {}
        from quiz.results import result_of  # it builds on this module

        return result_of(instance).to_json()

    def __set__(self, instance: Any, value: Any) -> None:
        # A data descriptor, so reading goes through __get__ even once the column is loaded.
        instance.__dict__[self.field.attname] = value


class ResultField(models.JSONField):
    descriptor_class = _ResultAttribute

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # What the column holds, never a document built for reading.
        return model_instance.__dict__.get(self.attname)


class AttemptQuerySet(models.QuerySet["Attempt"]):
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
    # Quiz and partner lead the indexes with the start date (Meta) instead of one each.
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    version = models.ForeignKey(QuizVersion, on_delete=models.PROTECT, related_name="attempts")
    # The id of the partner that brought the visitor: a plain column, not a foreign key.
    # Partners live in an app above this one (careerquiz.partners, which keeps the id
    # honest: careerquiz.partners.attempts), and a key to it would tie this app's schema
    # and migrations to that one. On the row itself, analytics filter and group by it
    # from the indexes below, with no join.
    partner_id = models.BigIntegerField(
        null=True, blank=True, help_text="The partner that brought the visitor (its id)."
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    ref = models.CharField(
        max_length=REF_MAX_LENGTH,
        blank=True,
        validators=[REF_VALIDATOR],
        help_text="The partner's own reference for this visit, e.g. a campaign (data-ref).",
    )
    region = models.CharField(max_length=2, blank=True, validators=[REGION_VALIDATOR])
    passthrough = models.JSONField(
        default=dict,
        blank=True,
        help_text="The partner's context kept with the visit, e.g. utm_source (quiz.passthrough).",
    )
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Nothing looks attempts up by rung (analytics counts rung orders in quiz.tallies; the
    # admin's search is a LIKE no index serves): no index for every INSERT to write.
    rung_slug = models.SlugField(blank=True, db_index=False)
    rung_order = models.PositiveSmallIntegerField(null=True, blank=True)
    # Only attempts completed before lean attempts store their result document here;
    # the others' is built from the version and answers when read (quiz.results).
    result = ResultField(
        null=True,
        blank=True,
        default=None,
        help_text="The result document, for attempts completed before results were built on "
        "reading; empty for later ones.",
    )
    # In the database, 1: a row written by code from before lean attempts (still running
    # for a moment after `migrate`) stores its schema-1 document in `result`.
    result_schema = models.PositiveSmallIntegerField(
        default=RESULT_SCHEMA,
        db_default=1,
        help_text="The result schema the attempt was completed under: its result is built "
        "by that schema's builder (quiz.results.BUILDERS).",
    )
    # How far the visitor got: the furthest step shown, 1 being the first question. A
    # step marks the cache, never this row (quiz.progress); `flush_progress` copies the
    # marks here in bulk, and completion sets every step at once.
    step_reached = models.PositiveSmallIntegerField(
        default=1, help_text="The furthest step shown (1: the first question)."
    )
    # Copied from the placement on completion, so analytics group by plain columns.
    claimed_rung_order = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The order of the rung the title answer names."
    )
    claimed_rung_slug = models.SlugField(blank=True, db_index=False)
    claimed_title = models.CharField(
        max_length=500, blank=True, help_text="The title answer's own words."
    )
    confidence_label = models.CharField(max_length=10, blank=True)
    context_answer = models.SlugField(
        max_length=60,
        blank=True,
        db_index=False,
        help_text="The answer to the version's first context question (e.g. services company).",
    )
    # Bit i stands for the version's i-th evidence question (quiz.attempts.evidence_mask).
    held_back_mask = models.BigIntegerField(
        default=0, help_text="The evidence answers below the next rung: held back."
    )
    below_placed_mask = models.BigIntegerField(
        default=0, help_text="The evidence answers below the rung placed at, too."
    )

    objects = AttemptQuerySet.as_manager()

    # The result document once read or built, for this instance (quiz.results.result_of).
    built_result: Result | None = None

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # Analytics counts from Tally (quiz.tallies), not from here: these narrow
            # indexes serve the CSV export, the admin's list and a partner's own attempts.
            models.Index(fields=["quiz", "started_at"], name="quiz_attempt_quiz_started"),
            models.Index(fields=["partner_id", "started_at"], name="quiz_attempt_partner_day"),
            # Only unfinished attempts can still move: quiz.progress.flush reads this index
            # alone (completed_at is in it for SQLite to see that).
            models.Index(
                fields=["started_at", "token_id", "step_reached", "completed_at"],
                condition=models.Q(completed_at__isnull=True),
                name="quiz_attempt_open_started",
            ),
        ]
        permissions = [
            ("view_every_attempt", "Can view every attempt, not only its managed partners'")
        ]

    def __str__(self) -> str:
        state = self.rung_slug if self.completed_at else "in progress"
        return f"{self.quiz.slug} v{self.version.number} — {state}"

    def get_absolute_url(self) -> str:
        return reverse("quiz:result", args=[self.result_id])

    @property
    def stored_result(self) -> Any:
        """The result column as stored: a schema-1 document (completed before lean attempts)
        or None."""
        if "result" not in self.__dict__:
            self.refresh_from_db(fields=["result"])
        return self.__dict__["result"]


class PlacementRequest(models.Model):
    """A placement asked for with an Idempotency-Key: a retry finds the first placement.

    `key_digest` hashes who asked (a partner, or a client address) with their key,
    so keys of different callers never meet; `body_digest` hashes what they asked,
    so the same key with another body can be refused rather than answered wrongly.
    The unique key makes two simultaneous retries one placement: the second INSERT
    fails, and its request returns the first's attempt.
    """

    key_digest = models.CharField(max_length=64, unique=True)
    body_digest = models.CharField(max_length=64)
    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"placement request {self.key_digest[:12]}…"


# What makes a Tally row one: its day, what filters select it and what it counts by.
# Quiz and kind first: every figure reads one kind of one quiz, most over a range of days.
TALLY_KEY = [
    "quiz_id",
    "kind",
    "day",
    "version_id",
    "partner_id",
    "channel",
    "ref",
    "step_reached",
    "rung_order",
    "claimed_rung_order",
    "confidence_label",
    "context_answer",
    "bit",
    "band",
]


class Tally(models.Model):
    """Attempts counted by the day they started and what analytics filters and groups by.

    quiz.tallies keeps these up to date in the transaction that starts, moves on,
    completes or deletes an attempt, with one upsert that adds to the counts, so
    the analytics page sums a few thousand of these rows instead of reading a
    million attempts. Each kind uses some of the key columns, the rest keep their
    defaults (quiz.tallies.Kind says which, and what `n` and `also` count).

    Keys are plain numbers, not foreign keys: a tally outlives nothing it counts
    (quiz.tallies removes counts with their attempts), and "no partner" is 0, not
    NULL, because a unique key never matches NULLs and the upsert needs it to.
    """

    day = models.DateField(help_text="The day the attempts started, in TallyState.zone.")
    quiz_id = models.IntegerField()
    version_id = models.IntegerField()
    partner_id = models.IntegerField(help_text="0: no partner.")
    channel = models.CharField(max_length=10)
    ref = models.CharField(max_length=REF_MAX_LENGTH)
    kind = models.PositiveSmallIntegerField()
    step_reached = models.SmallIntegerField(default=0)
    rung_order = models.SmallIntegerField(default=0)
    claimed_rung_order = models.SmallIntegerField(default=-1, help_text="-1: no title rung.")
    confidence_label = models.CharField(max_length=10, default="")
    context_answer = models.CharField(max_length=60, default="")
    bit = models.SmallIntegerField(default=0, help_text="An evidence question's mask bit.")
    band = models.SmallIntegerField(default=0, help_text="A time-to-complete band.")
    n = models.BigIntegerField(default=0)
    also = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=TALLY_KEY, name="quiz_tally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} quiz {self.quiz_id} kind {self.kind}: {self.n}"


class TallyState(models.Model):
    """One row: the time zone the tallies' days are in (quiz.tallies.rebuild writes it)."""

    zone = models.CharField(max_length=64)
    rebuilt_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tallies in {self.zone}"
