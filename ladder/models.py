"""The career ladder: rungs and everything shown beside a placement.

Every substantive item keeps the seed/source file it came from (`source` on
items, `sources` on ladders and rungs), so editors can trace each fact.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ladder.conditions import validate_texts, validate_when
from ladder.money import (
    MSG_REGION,
    REGION_CODE,
    currency_fits_region,
    format_range,
    out_of_order,
)

REGION_VALIDATOR = RegexValidator(rf"^{REGION_CODE.pattern}\Z", MSG_REGION)
CURRENCY_VALIDATOR = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code in capitals, e.g. INR or USD."
)

MSG_MIN_GT_MAX = "must be >= min"
MSG_YEARS = "must be >= years_min"
WHEN_HELP = (
    'Who this is for, e.g. {"region": ["IN"]}, {"answers": {"company": ["services"]}}, '
    '{"placed": ["junior"]}, {"not_answers": {"certificates": ["none"]}}, {"track": '
    '["staff"]}; empty: everyone. Keys are listed in the README ("Fitting result text").'
)
MSG_CURRENCY_REGION = "{currency} is not a currency salaries in {region} are quoted in"


def validate_sources(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
        raise ValidationError("Sources must be a list of file names.")


class LadderQuerySet(models.QuerySet["Ladder"]):
    def with_rung_content(self) -> LadderQuerySet:
        """Ladders with everything their page shows: rungs in order with all their items,
        and notes; one query per kind of item, however many rungs there are."""
        rungs = models.Prefetch("rungs", queryset=Rung.objects.with_content().order_by("order"))
        return self.prefetch_related(rungs, "notes", "sources")


class Ladder(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = LadderQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ladder:detail", args=[self.slug])

    @property
    def source_keys(self) -> list[str]:
        return [source.key for source in self.sources.all()]


class Source(models.Model):
    """A text the ladder's facts come from: `key` is what items cite, `title` what people read."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="sources")
    key = models.CharField(
        max_length=200, help_text="What items cite in their source field, e.g. survey-2025."
    )
    title = models.CharField(max_length=300, help_text="Shown to readers, e.g. the text's title.")
    url = models.URLField(blank=True, help_text="Where readers can check it, if public.")
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ladder", "key"],
                name="unique_source_key_per_ladder",
                violation_error_message="This ladder already has a source with this key.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class LadderNote(models.Model):
    """Ladder-wide facts: FAQs, caveats, parallel tracks, challenges of the path."""

    class Kind(models.TextChoices):
        FAQ = "faq", "FAQ"
        CAVEAT = "caveat", "Caveat"
        TRACK = "track", "Parallel track"
        CHALLENGE = "challenge", "Challenge"

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.SlugField(
        blank=True, help_text="Optional stable name, e.g. services-vs-product, for quiz notes."
    )
    title = models.CharField(max_length=300)
    body = models.TextField()
    source = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    when = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_when],
        help_text=WHEN_HELP,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class RungQuerySet(models.QuerySet["Rung"]):
    def with_content(self) -> RungQuerySet:
        return self.prefetch_related(*RUNG_ITEMS)


class Rung(models.Model):
    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="rungs")
    slug = models.SlugField()
    order = models.PositiveSmallIntegerField(
        help_text="Position on the ladder, 1 = lowest. Unique within a ladder."
    )
    title = models.CharField(max_length=200)
    question = models.CharField(
        max_length=300, help_text="The one question that defines this rung."
    )
    summary = models.TextField(blank=True)
    years_min = models.PositiveSmallIntegerField(null=True, blank=True)
    years_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    moves_you_up = models.TextField(blank=True, help_text="What moves you to the next rung.")
    keeps_you_stuck = models.TextField(blank=True, help_text="What keeps people on this rung.")
    texts = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_texts],
        help_text=(
            "Variants of the two texts above for some visitors, shown on their result instead: "
            '[{"field": "moves_you_up", "text": "...", "when": {"track": ["staff"]}, '
            '"source": "..."}]; an empty text shows nothing to them.'
        ),
    )
    sources = models.JSONField(default=list, blank=True, validators=[validate_sources])

    history = HistoricalRecords()
    objects = RungQuerySet.as_manager()

    class Meta:
        ordering = ["ladder", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["ladder", "slug"],
                name="unique_rung_slug_per_ladder",
                violation_error_message="This ladder already has a rung with this slug.",
            ),
            models.UniqueConstraint(
                fields=["ladder", "order"],
                name="unique_rung_order_per_ladder",
                violation_error_message="This ladder already has a rung at this order.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    def clean(self) -> None:
        if out_of_order(self.years_min, self.years_max):
            raise ValidationError({"years_max": f"Years max {MSG_YEARS}."})

    def get_absolute_url(self) -> str:
        return reverse("ladder:detail", args=[self.ladder.slug]) + f"#rung-{self.slug}"

    @property
    def years_label(self) -> str:
        if self.years_min is None and self.years_max is None:
            return ""
        if self.years_max is None:
            return f"{self.years_min}+ years"
        return f"{self.years_min or 0}–{self.years_max} years"


def make_room_for_orders[K](existing: Mapping[K, Rung], targets: Mapping[K, int]) -> None:
    """Park rungs that must move on free orders, so no step breaks unique (ladder, order).

    `existing` are a ladder's rungs and `targets` the orders wanted, by the same
    keys (a key `existing` lacks is a new rung). Swapping two rungs' orders in
    place would collide on the first save: every rung that moves (or is being
    dropped while holding a wanted order) first goes to an order nobody holds
    or wants; saving each rung afterwards sets its real order. The importer and
    the ladder admin both save rungs this way.
    """
    wanted_orders = set(targets.values())
    to_park = [
        rung
        for key, rung in existing.items()
        if targets.get(key) != rung.order and (key in targets or rung.order in wanted_orders)
    ]
    parked = {rung.pk for rung in to_park}
    taken = wanted_orders | {rung.order for rung in existing.values() if rung.pk not in parked}
    free = (order for order in range(len(taken) + len(to_park) + 1) if order not in taken)
    for rung in to_park:
        # A queryset update: this in-between order is not a change worth a history row.
        Rung.objects.filter(pk=rung.pk).update(order=next(free))


class RungItem(models.Model):
    """What every item listed on a rung has; each kind adds its own `rung` foreign key,
    named for how the rung lists it (rung.skills, rung.salary_bands, ...)."""

    source = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Responsibility(RungItem):
    rung = models.ForeignKey(Rung, on_delete=models.CASCADE, related_name="responsibilities")
    text = models.TextField()

    history = HistoricalRecords()

    class Meta(RungItem.Meta):
        verbose_name_plural = "responsibilities"

    def __str__(self) -> str:
        return self.text[:80]


class JobTitle(RungItem):
    """A title this rung appears under in job listings."""

    rung = models.ForeignKey(Rung, on_delete=models.CASCADE, related_name="titles")
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class Skill(RungItem):
    class Importance(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM_HIGH = "medium-high", "Medium-high"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    rung = models.ForeignKey(Rung, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=200)
    category = models.SlugField(
        max_length=60, help_text="A group of skills, e.g. communication, tools, leadership."
    )
    importance = models.CharField(
        max_length=20, choices=Importance.choices, default=Importance.HIGH
    )
    when = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_when],
        help_text="Whose result lists it among the skills to build. " + WHEN_HELP,
    )

    history = HistoricalRecords()

    class Meta(RungItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["rung", "name"],
                name="unique_skill_per_rung",
                violation_error_message="This rung already lists this skill.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SalaryBand(RungItem):
    class Period(models.TextChoices):
        YEAR = "year", "per year"
        MONTH = "month", "per month"
        HOUR = "hour", "per hour"

    rung = models.ForeignKey(Rung, on_delete=models.CASCADE, related_name="salary_bands")
    region = models.CharField(max_length=2, validators=[REGION_VALIDATOR])
    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    context = models.SlugField(
        blank=True,
        help_text=(
            "The answer to a quiz's context question this band describes (e.g. product): "
            "visitors who gave it see this band first."
        ),
    )
    min = models.PositiveBigIntegerField()
    max = models.PositiveBigIntegerField()
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.YEAR)
    note = models.CharField(
        max_length=300, blank=True, help_text="Who this band describes, e.g. product companies."
    )
    when = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_when],
        help_text=WHEN_HELP,
    )

    history = HistoricalRecords()

    class Meta(RungItem.Meta):
        ordering = ["region", "position", "id"]

    def __str__(self) -> str:
        return f"{self.region} {self.display}"

    def clean(self) -> None:
        errors = {}
        if out_of_order(self.min, self.max):
            errors["max"] = f"Max {MSG_MIN_GT_MAX} ({self.min:,})."
        if self.region and self.currency and not currency_fits_region(self.region, self.currency):
            errors["currency"] = (
                MSG_CURRENCY_REGION.format(currency=self.currency, region=self.region) + "."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def display(self) -> str:
        # An unsaved band (an empty row in the admin) has neither yet.
        if self.min is None or self.max is None:
            return ""  # type: ignore[unreachable]
        return format_range(self.min, self.max, self.currency, self.period)


class NextStep(RungItem):
    class Kind(models.TextChoices):
        PROJECT = "project", "Project"
        CERTIFICATION = "certification", "Certification"
        COURSE = "course", "Course"
        TRANSITION = "transition", "Transition to a related role"
        MISTAKE = "mistake", "Common mistake to avoid"
        LEARNING_PATH = "learning_path", "Learning-path step"

    rung = models.ForeignKey(Rung, on_delete=models.CASCADE, related_name="next_steps")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    url = models.URLField(blank=True)
    when = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_when],
        help_text=WHEN_HELP,
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.title


# What hangs off a rung, by the name the rung lists each kind under (rung.skills, ...), in
# the order content files list them: the one list the ladder page, ladder.freshness, the
# content files (careerquiz.content.schema) and published snapshots (quiz) go by.
RUNG_ITEMS: dict[str, type[RungItem]] = {
    "responsibilities": Responsibility,
    "titles": JobTitle,
    "skills": Skill,
    "salary_bands": SalaryBand,
    "next_steps": NextStep,
}
