"""The analytics filters: a GET form, so every view of the figures is a bookmarkable URL.

`read_filters` builds the form for a request's query string; when it is valid,
`FilterForm.filters()` gives the `Filters` that narrow the attempts. A bad value
is reported by the form and counts nothing: the page shows the message and no
figures rather than figures for something other than what was asked. No value
typed into the URL reaches a query: quizzes, versions and partners are chosen
from lists read beforehand.

Dates are whole days in the site's time zone (TIME_ZONE), both ends included,
and select attempts by when they started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from careerquiz.analytics.access import User, partners_for, sees_every_partner
from careerquiz.analytics.content import Published, Version
from careerquiz.partners.models import Partner
from quiz.models import (
    REF_MAX_LENGTH,
    REF_VALIDATOR,
    Attempt,
    AttemptQuerySet,
    Quiz,
    Tally,
)
from quiz.tallies import EVERY_PARTNER
from quiz.tallies import NO_PARTNER as NO_PARTNER_TALLIED

MSG_DATES_REVERSED = "The “from” date is after the “to” date: swap them, or change one."
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
MSG_DATE_OUT_OF_RANGE = "Choose a date from 1 January 2000 to 31 December 2999."
MSG_NO_SUCH_QUIZ = "There is no quiz with that name: choose one from the list."
MSG_NO_SUCH_VERSION = "This quiz has no version %(value)s: choose one from the list."
MSG_NO_SUCH_PARTNER = "Choose one of the partners listed."
MSG_NO_SUCH_CHANNEL = "Choose one of the channels listed."

NO_PARTNER = "none"
# The channels attempts are recorded from (an editor's preview records none).
CHANNELS = [
    ("", "All channels"),
    (Attempt.Channel.WEB.value, "Quiz page (our site)"),
    (Attempt.Channel.EMBED.value, "Embedded quiz"),
    (Attempt.Channel.API.value, "API"),
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@dataclass(frozen=True, kw_only=True)
class Filters:
    quiz: Quiz
    version: Version | None = None
    partner: Partner | None = None
    without_partner: bool = False  # only attempts that came with no partner
    channel: str = ""
    ref: str = ""
    start: date | None = None
    end: date | None = None

    def apply(self, attempts: AttemptQuerySet) -> AttemptQuerySet:
        attempts = attempts.filter(quiz_id=self.quiz.pk)
        if self.version is not None:
            attempts = attempts.filter(version_id=self.version.pk)
        if self.partner is not None:
            attempts = attempts.filter(partner_id=self.partner.pk)
        if self.without_partner:
            attempts = attempts.filter(partner_id__isnull=True)
        if self.channel:
            attempts = attempts.filter(channel=self.channel)
        if self.ref:
            attempts = attempts.filter(ref=self.ref)
        if self.start is not None:
            attempts = attempts.filter(started_at__gte=start_of(self.start))
        if self.end is not None:
            attempts = attempts.filter(started_at__lt=start_of(self.end + timedelta(days=1)))
        return attempts

    def apply_to_tallies(self, tallies: QuerySet[Tally]) -> QuerySet[Tally]:
        """The tallies of the attempts `apply` selects (days in the tallies' zone), by
        partner, channel and ref."""
        tallies = self._days(tallies.exclude(partner_id=EVERY_PARTNER))
        if self.partner is not None:
            tallies = tallies.filter(partner_id=self.partner.pk)
        if self.without_partner:
            tallies = tallies.filter(partner_id=NO_PARTNER_TALLIED)
        if self.channel:
            tallies = tallies.filter(channel=self.channel)
        if self.ref:
            tallies = tallies.filter(ref=self.ref)
        return tallies

    def tallies_together(self, tallies: QuerySet[Tally]) -> QuerySet[Tally] | None:
        """The same counted for every partner, channel and ref together
        (quiz.tallies.EVERY_PARTNER: a fraction of the rows), unless the filters
        narrow by one of those. `tallies` must hold every partner's."""
        if self.partner or self.without_partner or self.channel or self.ref:
            return None
        return self._days(tallies.filter(partner_id=EVERY_PARTNER))

    def _days(self, tallies: QuerySet[Tally]) -> QuerySet[Tally]:
        tallies = tallies.filter(quiz_id=self.quiz.pk)
        if self.version is not None:
            tallies = tallies.filter(version_id=self.version.pk)
        if self.start is not None:
            tallies = tallies.filter(day__gte=self.start)
        if self.end is not None:
            tallies = tallies.filter(day__lte=self.end)
        return tallies

    def describe(self) -> list[str]:
        """What is counted, in words, for the page's heading."""
        parts = [self.quiz.title]
        if self.version is not None:
            parts.append(f"version {self.version.number}")
        if self.partner is not None:
            parts.append(f"partner {self.partner.name}")
        if self.without_partner:
            parts.append("no partner")
        if self.channel:
            parts.append(dict(CHANNELS)[self.channel].lower())
        if self.ref:
            parts.append(f"ref {self.ref}")
        if self.start is not None:
            parts.append(f"from {day(self.start)}")
        if self.end is not None:
            parts.append(f"to {day(self.end)}")
        return parts


def start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


class FilterForm(forms.Form):
    quiz = forms.ChoiceField(error_messages={"invalid_choice": MSG_NO_SUCH_QUIZ})
    version = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": MSG_NO_SUCH_VERSION},
    )
    partner = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": MSG_NO_SUCH_PARTNER}
    )
    channel = forms.ChoiceField(
        required=False, choices=CHANNELS, error_messages={"invalid_choice": MSG_NO_SUCH_CHANNEL}
    )
    ref = forms.CharField(
        required=False,
        max_length=REF_MAX_LENGTH,
        validators=[REF_VALIDATOR],
        help_text="The partner's own reference (data-ref), exactly.",
    )
    start = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    end = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def __init__(
        self,
        data: QueryDict,
        *,
        quizzes: Sequence[Quiz],
        published: Published,
        partners: Sequence[Partner],
        every_partner: bool,
    ) -> None:
        super().__init__(data)
        self.quizzes = {quiz.slug: quiz for quiz in quizzes}
        self.published = published
        self.partners = {str(partner.pk): partner for partner in partners}
        versions = [(str(v.number), f"v{v.number}") for v in published.versions]
        everyone = [("", "All partners"), (NO_PARTNER, "No partner (our site, API without key)")]
        partner_choices = [(key, partner.name) for key, partner in self.partners.items()]
        self._choose("quiz", [(quiz.slug, quiz.title) for quiz in quizzes])
        self._choose("version", [("", "All versions"), *versions])
        self._choose(
            "partner", (everyone if every_partner else [("", "All yours")]) + partner_choices
        )

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_start(self) -> date | None:
        return _in_range(self.cleaned_data["start"])

    def clean_end(self) -> date | None:
        return _in_range(self.cleaned_data["end"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(MSG_DATES_REVERSED, code="dates_reversed")
        return cleaned

    def filters(self) -> Filters:
        """The filters the valid form describes."""
        data = self.cleaned_data
        version = self.published.version(data["version"]) if data["version"] else None
        return Filters(
            quiz=self.quizzes[data["quiz"]],
            version=version,
            partner=self.partners.get(data["partner"]),
            without_partner=data["partner"] == NO_PARTNER,
            channel=data["channel"],
            ref=data["ref"],
            start=data["start"],
            end=data["end"],
        )

    def query_string(self) -> str:
        """The form's values as a URL query, e.g. for the CSV link beside the figures."""
        return urlencode([(name, self.data[name]) for name in self.fields if self.data.get(name)])


def _in_range(day: date | None) -> date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise forms.ValidationError(MSG_DATE_OUT_OF_RANGE, code="date_out_of_range")
    return day


def default_quiz(quizzes: Sequence[Quiz]) -> Quiz | None:
    """The quiz shown when none is asked for: the first published one, else the first."""
    return next((quiz for quiz in quizzes if quiz.is_published), quizzes[0] if quizzes else None)


def read_filters(query: QueryDict, user: User) -> FilterForm:
    """The filter form for a request's query string, on the quiz it names or the default."""
    quizzes = list(Quiz.objects.order_by("title"))
    data = query.copy()
    if not data.get("quiz") and (fallback := default_quiz(quizzes)) is not None:
        data["quiz"] = fallback.slug
    quiz = next((quiz for quiz in quizzes if quiz.slug == data.get("quiz")), None)
    return FilterForm(
        data,
        quizzes=quizzes,
        published=Published.of(quiz) if quiz else Published(versions=()),
        partners=list(partners_for(user)),
        every_partner=sees_every_partner(user),
    )
