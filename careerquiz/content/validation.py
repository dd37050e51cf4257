"""Whole-file validation of `careerquiz/1` content, before anything is written.

Every error is collected (not just the first), each naming its field path.
Field-level checks come from the tables in `schema`; the rules here are the
ones that span fields or objects: min <= max, unique orders and keys, options
that point at rungs and skills of their quiz's ladder, and rungs an import
would remove while a quiz outside the file still uses them.

References are resolved against the file first and the database second: a
ladder in the file replaces the stored one, a quiz may name a stored ladder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from careerquiz.content import schema
from careerquiz.content.errors import ROOT, ContentError, field_path, item_path
from ladder.models import MSG_CURRENCY_REGION, MSG_MIN_GT_MAX, MSG_YEARS, Ladder, Rung, Skill
from ladder.money import currency_fits_region, out_of_order
from quiz import rules
from quiz.models import Option, Question

MSG_UNKNOWN_FIELD = "unknown field (allowed: {allowed})"
MSG_MISSING = "required field is missing"
MSG_DUPLICATE = "duplicate {what} {value!r}, also at {first}"
MSG_RESPONSIBILITY = "must be a string or an object with text and source"
MSG_UNKNOWN_SOURCE = "cites {source!r}, which is not one of this ladder's sources ({known})"
MSG_UNKNOWN_LADDER = "no ladder {ladder!r} in this file or the database"
MSG_RUNG_IN_USE = (
    "would remove rung {rung!r}, but option {option!r} of question {question!r} "
    "in quiz {quiz!r} (not in this file) points at it"
)


@dataclass
class LadderFacts:
    """What quizzes may point at on one ladder."""

    rungs: set[str] = field(default_factory=set)
    skills: set[str] = field(default_factory=set)
    # False when the ladder in the file has errors of its own: its rungs and
    # skills are then not known for sure, and checks against them would only
    # add confusing errors to the real ones.
    complete: bool = True


def validate(data: Any) -> list[ContentError]:
    """Every problem in a `careerquiz/1` document; an empty list means it can be imported."""
    return _Validation().run(data)


def stored_ladders() -> dict[str, LadderFacts]:
    facts = {slug: LadderFacts() for slug in Ladder.objects.values_list("slug", flat=True)}
    for ladder, rung in Rung.objects.values_list("ladder__slug", "slug"):
        facts[ladder].rungs.add(rung)
    for ladder, skill in Skill.objects.values_list("rung__ladder__slug", "name"):
        facts[ladder].skills.add(skill)
    return facts


class _Validation:
    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(ContentError(path, message))

    def run(self, data: Any) -> list[ContentError]:
        top = self.fields(data, ROOT, schema.TOP)
        if top is None:
            return self.errors
        in_file: dict[str, tuple[str, LadderFacts]] = {}
        for index, item in enumerate(top.get("ladders", [])):
            path = item_path("ladders", index)
            ladder_slug, facts = self.ladder(item, path)
            if ladder_slug is not None:
                in_file.setdefault(ladder_slug, (path, facts))
        self.unique("slug", self.values_at("ladders", top.get("ladders", []), "slug"))

        ladders = stored_ladders()
        ladders.update({slug: facts for slug, (_, facts) in in_file.items()})
        quizzes = top.get("quizzes", [])
        for index, item in enumerate(quizzes):
            self.quiz(item, item_path("quizzes", index), ladders)
        quiz_slugs = self.values_at("quizzes", quizzes, "slug")
        self.unique("slug", quiz_slugs)
        self.removed_rungs_in_use(in_file, {slug for _, slug in quiz_slugs})
        return self.errors

    # Generic checks

    def fields(
        self, value: Any, path: str, table: dict[str, schema.Field]
    ) -> dict[str, Any] | None:
        """Check one object against its table; return its fields that passed."""
        if not isinstance(value, dict):
            self.error(path, schema.MSG_OBJECT)
            return None
        for name in value:
            if name not in table:
                allowed = ", ".join(table)
                self.error(field_path(path, name), MSG_UNKNOWN_FIELD.format(allowed=allowed))
        good: dict[str, Any] = {}
        for name, spec in table.items():
            if name not in value:
                if spec.required:
                    self.error(field_path(path, name), MSG_MISSING)
                continue
            problem = spec.check(value[name])
            if problem:
                self.error(field_path(path, name), problem)
            else:
                good[name] = value[name]
        return good

    def unique(self, what: str, values: Iterable[tuple[str, Any]]) -> None:
        first: dict[Any, str] = {}
        for path, value in values:
            if value in first:
                self.error(path, MSG_DUPLICATE.format(what=what, value=value, first=first[value]))
            else:
                first[value] = path

    @staticmethod
    def values_at(parent: str, items: list[Any], name: str) -> list[tuple[str, Any]]:
        """(path, value) of one field across a list, where it is a string or an integer."""
        return [
            (field_path(item_path(parent, index), name), item[name])
            for index, item in enumerate(items)
            if isinstance(item, dict)
            and isinstance(item.get(name), str | int)
            and not isinstance(item.get(name), bool)
        ]

    def each(self, values: dict[str, Any], name: str, path: str) -> Iterable[tuple[str, Any]]:
        for index, item in enumerate(values.get(name, [])):
            yield item_path(field_path(path, name), index), item

    # Ladders

    def ladder(self, item: Any, path: str) -> tuple[str | None, LadderFacts]:
        errors_before = len(self.errors)
        facts = LadderFacts()
        values = self.fields(item, path, schema.LADDER)
        if values is None:
            return None, facts
        for note_path, note in self.each(values, "notes", path):
            self.fields(note, note_path, schema.NOTE)
        # A note's key is how a quiz answer names it: two notes may not share one.
        notes_path = field_path(path, "notes")
        note_keys = self.values_at(notes_path, values.get("notes", []), "key")
        self.unique("note key", [(at, key) for at, key in note_keys if key])
        keys = []
        for source_path, source in self.each(values, "sources", path):
            if isinstance(source, str):
                problem = schema.SOURCE["key"].check(source)
                if problem:
                    self.error(source_path, problem)
                keys.append((source_path, source))
            elif (checked := self.fields(source, source_path, schema.SOURCE)) and "key" in checked:
                keys.append((field_path(source_path, "key"), checked["key"]))
        self.unique("source", keys)
        if keys:
            # A ladder that lists its sources is cited by them alone: a typo in a
            # citation would otherwise show a fact with no source to trace it to.
            self.citations(values, path, {key for _, key in keys if isinstance(key, str)})

        rungs = values.get("rungs", [])
        for rung_path, rung in self.each(values, "rungs", path):
            rung_slug = self.rung(rung, rung_path, facts)
            if rung_slug is not None:
                facts.rungs.add(rung_slug)
        rungs_path = field_path(path, "rungs")
        self.unique("slug", self.values_at(rungs_path, rungs, "slug"))
        self.unique("order", self.values_at(rungs_path, rungs, "order"))
        facts.complete = len(self.errors) == errors_before
        return values.get("slug"), facts

    def citations(self, ladder: dict[str, Any], path: str, known: set[str]) -> None:
        listed = ", ".join(sorted(known))

        def check(at: str, cited: Any) -> None:
            if isinstance(cited, str) and cited and cited not in known:
                self.error(at, MSG_UNKNOWN_SOURCE.format(source=cited, known=listed))

        for note_path, note in self.each(ladder, "notes", path):
            if isinstance(note, dict):
                check(field_path(note_path, "source"), note.get("source"))
        for rung_path, rung in self.each(ladder, "rungs", path):
            if not isinstance(rung, dict):
                continue
            for at, cited in self.each(rung, "sources", rung_path):
                check(at, cited)
            for at, variant in self.each(rung, "texts", rung_path):
                if isinstance(variant, dict):
                    check(field_path(at, "source"), variant.get("source"))
            for part in schema.RUNG_ITEMS:
                for at, item in self.each(rung, part, rung_path):
                    if isinstance(item, dict):
                        check(field_path(at, "source"), item.get("source"))

    def rung(self, item: Any, path: str, facts: LadderFacts) -> str | None:
        values = self.fields(item, path, schema.RUNG)
        if values is None:
            return None
        low, high = values.get("years_min"), values.get("years_max")
        if out_of_order(low, high):
            self.error(field_path(path, "years_max"), MSG_YEARS)
        for item_at, responsibility in self.each(values, "responsibilities", path):
            self.responsibility(responsibility, item_at)
        for item_at, title in self.each(values, "titles", path):
            self.fields(title, item_at, schema.TITLE)
        for item_at, skill in self.each(values, "skills", path):
            checked = self.fields(skill, item_at, schema.SKILL)
            if checked and "name" in checked:
                facts.skills.add(checked["name"])
        skills_path = field_path(path, "skills")
        self.unique("skill", self.values_at(skills_path, values.get("skills", []), "name"))
        for item_at, band in self.each(values, "salary_bands", path):
            self.salary_band(band, item_at)
        for item_at, step in self.each(values, "next_steps", path):
            self.fields(step, item_at, schema.NEXT_STEP)
        return values.get("slug")

    def responsibility(self, item: Any, path: str) -> None:
        if isinstance(item, str):
            problem = schema.RESPONSIBILITY["text"].check(item)
            if problem:
                self.error(path, problem)
        elif isinstance(item, dict):
            self.fields(item, path, schema.RESPONSIBILITY)
        else:
            self.error(path, MSG_RESPONSIBILITY)

    def salary_band(self, item: Any, path: str) -> None:
        values = self.fields(item, path, schema.SALARY_BAND)
        if values is None:
            return
        if out_of_order(values.get("min"), values.get("max")):
            self.error(field_path(path, "max"), MSG_MIN_GT_MAX)
        region, currency = values.get("region"), values.get("currency")
        if region and currency and not currency_fits_region(region, currency):
            message = MSG_CURRENCY_REGION.format(currency=currency, region=region)
            self.error(field_path(path, "currency"), message)

    def removed_rungs_in_use(
        self, in_file: dict[str, tuple[str, LadderFacts]], quizzes_in_file: set[str]
    ) -> None:
        """A rung missing from the file is removed; refuse while another quiz uses it."""
        for ladder_slug, (path, facts) in in_file.items():
            if not facts.complete:
                continue
            in_use = (
                Option.objects.filter(rung__ladder__slug=ladder_slug, rung__isnull=False)
                .exclude(rung__slug__in=facts.rungs)
                .exclude(question__quiz__slug__in=quizzes_in_file)
                .select_related("rung", "question__quiz")
                .order_by("question__quiz__slug", "question__position", "position")
            )
            for option in in_use:
                assert option.rung is not None  # filtered above
                message = MSG_RUNG_IN_USE.format(
                    rung=option.rung.slug,
                    option=option.key,
                    question=option.question.key,
                    quiz=option.question.quiz.slug,
                )
                self.error(field_path(path, "rungs"), message)

    # Quizzes

    def quiz(self, item: Any, path: str, ladders: dict[str, LadderFacts]) -> None:
        values = self.fields(item, path, schema.QUIZ)
        if values is None:
            return
        ladder_slug = values.get("ladder")
        facts = ladders.get(ladder_slug) if ladder_slug else None
        if ladder_slug and facts is None:
            self.error(field_path(path, "ladder"), MSG_UNKNOWN_LADDER.format(ladder=ladder_slug))
        roles = []
        for question_path, question in self.each(values, "questions", path):
            roles.append(self.question(question, question_path, ladder_slug, facts, ladders))
        questions = values.get("questions", [])
        self.unique("key", self.values_at(field_path(path, "questions"), questions, "key"))
        if values.get("published") is True:
            published_path = field_path(path, "published")
            if facts is not None and facts.complete and not facts.rungs:
                self.error(published_path, rules.MSG_NO_RUNGS.format(ladder=ladder_slug))
            if "questions" in values and Question.Role.EVIDENCE not in roles:
                self.error(published_path, rules.MSG_NO_EVIDENCE)

    def question(
        self,
        item: Any,
        path: str,
        ladder_slug: str | None,
        facts: LadderFacts | None,
        ladders: dict[str, LadderFacts],
    ) -> str | None:
        values = self.fields(item, path, schema.QUESTION)
        if values is None:
            return None
        # An absent role is the default (evidence); a wrong one is already reported.
        role = values.get("role") if "role" in item else schema.QUESTION["role"].default
        if values.get("options") == []:
            self.error(field_path(path, "options"), rules.MSG_NO_OPTIONS)
        for option_path, option in self.each(values, "options", path):
            checked = self.fields(option, option_path, schema.OPTION)
            if checked is not None and role is not None:
                self.option_target(option, checked, option_path, role, ladder_slug, facts, ladders)
        options = values.get("options", [])
        self.unique("key", self.values_at(field_path(path, "options"), options, "key"))
        return role

    def option_target(
        self,
        raw: dict[str, Any],
        values: dict[str, Any],
        path: str,
        role: str,
        ladder_slug: str | None,
        facts: LadderFacts | None,
        ladders: dict[str, LadderFacts],
    ) -> None:
        """The rung or skill an option points at must suit its question's role and ladder."""
        if any(name in raw and name not in values for name in (rules.RUNG, rules.SKILL)):
            return  # a rung or skill of the wrong type is reported already
        rung = values.get("rung")
        ladder = ladder_slug or ""
        # A ladder with errors of its own has no reliable list of rungs and skills.
        known = facts if facts is not None and facts.complete else None
        rung_ladder = ladder if known is None else self.ladder_of(rung, ladder, ladders)
        for problem in rules.option_target_problems(
            role=role,
            ladder=ladder,
            rung=rung,
            rung_ladder=rung_ladder,
            skill=values.get("skill", ""),
            ladder_skills=known.skills if known is not None else None,
            note_rungs=rules.placed_rungs(values.get("notes")),
            ladder_rungs=known.rungs if known is not None else None,
            track=values.get("track", ""),
        ):
            self.error(field_path(path, problem.field), problem.message)

    @staticmethod
    def ladder_of(rung: str | None, ladder: str, ladders: dict[str, LadderFacts]) -> str | None:
        """The ladder a rung slug belongs to: the quiz's own first, else the first other."""
        if rung is None or rung in ladders[ladder].rungs:
            return ladder
        others = sorted(slug for slug, facts in ladders.items() if rung in facts.rungs)
        return others[0] if others else None
