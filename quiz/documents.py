"""The two documents the quiz stores and reads back: a published snapshot and a result.

A published version freezes its quiz and the ladder content it shows as a
`Snapshot` (QuizVersion.snapshot holds its JSON); a completed attempt's result
is a `Result`, built from its version and answers (quiz.results). Both are frozen
dataclasses with a `schema_version`, written as JSON by `to_json` and read by
`from_json`; everything else reads their typed fields, never the JSON.

A document stored under an older schema is upgraded in one place, `upgrade_snapshot`
and `upgrade_result`, before it is read: readers never guess at missing fields.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

# JSON as stored in a JSONField: only at the boundary of to_json/from_json.
JSON = dict[str, Any]

# Schema 1 is what was stored before documents were typed (no "schema_version" key).
SNAPSHOT_SCHEMA = 2
RESULT_SCHEMA = 2


class DocumentError(ValueError):
    """Stored JSON that does not fit its document's schema."""


class Document:
    """to_json and from_json for a frozen dataclass of documents, lists and plain values."""

    def to_json(self, *, only: Collection[str] | None = None) -> JSON:
        """The document as JSON; with `only`, just those of its fields (in their order)."""
        if only is None:
            return _json_of(self)  # type: ignore[no-any-return]
        cls: type = type(self)
        names = (name for name, _, _ in _hints(cls) if name in only)
        return {name: _json_of(getattr(self, name)) for name in names}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return _read(cls, data)  # type: ignore[no-any-return]


_PLAIN = (str, int, float, bool, type(None))


def _json_of(value: object) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (tuple, list, frozenset)):
        return [_json_of(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _json_of(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return _writer(type(value))(value)
    return value


@cache
def _writer(cls: type) -> Callable[[Any], JSON]:
    """A function writing a `cls` document's JSON, its fields in their order.

    Every placement writes its result (hundreds of values) and most are fields
    declared as plain values (str, int, bool, float, or None): those are taken
    as they are, and only the others are walked by _json_of.
    """
    parts = []
    for name, hint, _ in _hints(cls):
        read = f"value.{name}"
        parts.append(f"{name!r}: {read if _is_plain(hint) else f'walk({read})'}")
    source = f"def write(value):\n    return {{{', '.join(parts)}}}\n"
    namespace: dict[str, Any] = {"walk": _json_of}
    exec(compile(source, f"<{cls.__qualname__}.to_json>", "exec"), namespace)
    return namespace["write"]  # type: ignore[no-any-return]


def _is_plain(hint: Any) -> bool:
    """Whether a field declared `hint` holds a JSON value as it is."""
    if get_origin(hint) in (Union, types.UnionType):
        return all(_is_plain(arg) for arg in get_args(hint))
    return hint in _PLAIN


@cache
def _hints(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """Each field's name, type and whether it may be left out (it has a default)."""
    hints = get_type_hints(cls)
    return tuple(
        (f.name, hints[f.name], f.default is not MISSING or f.default_factory is not MISSING)
        for f in fields(cls)
    )


def _read(tp: Any, value: Any) -> Any:
    if isinstance(tp, type) and is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise DocumentError(f"{tp.__name__}: expected an object, got {value!r}")
        given = {}
        for name, hint, optional in _hints(tp):
            if name in value:
                given[name] = _read(hint, value[name])
            elif not optional:
                raise DocumentError(f"{tp.__name__}: no {name!r}")
        return tp(**given)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in get_args(tp):
            return None
        (inner,) = (arg for arg in get_args(tp) if arg is not type(None))
        return _read(inner, value)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], item) for item in value)
        return tuple(_read(arg, item) for arg, item in zip(args, value, strict=True))
    if origin is frozenset:
        return frozenset(value)
    if origin is Mapping or origin is dict:
        _, inner = get_args(tp)
        return {key: _read(inner, item) for key, item in value.items()}
    return value


# --- The published snapshot --------------------------------------------------------------

# A condition on a result item (ladder.conditions): which answers it is for.
When = Mapping[str, object]


@dataclass(frozen=True, kw_only=True)
class Source(Document):
    key: str
    title: str
    url: str


@dataclass(frozen=True, kw_only=True)
class LadderNote(Document):
    kind: str  # "caveat" or "track"
    key: str
    title: str
    body: str
    source: str
    when: When


@dataclass(frozen=True, kw_only=True)
class Skill(Document):
    name: str
    category: str
    importance: str
    source: str
    when: When  # whose result lists it among the skills to build


@dataclass(frozen=True, kw_only=True)
class RungText(Document):
    """A variant of a rung's own text (`field`: moves_you_up or keeps_you_stuck) for the
    visitors its `when` fits (ladder.conditions); an empty text shows them nothing."""

    field: str
    text: str
    when: When
    source: str


@dataclass(frozen=True, kw_only=True)
class SalaryBand(Document):
    region: str
    currency: str
    min: int
    max: int
    period: str
    display: str
    note: str
    source: str
    context: str
    when: When


@dataclass(frozen=True, kw_only=True)
class NextStep(Document):
    kind: str
    title: str
    detail: str
    url: str
    source: str
    when: When


@dataclass(frozen=True, kw_only=True)
class Rung(Document):
    id: int | None  # a stable identity for links, whatever the slug becomes
    slug: str
    order: int
    title: str
    question: str
    summary: str
    years_min: int | None
    years_max: int | None
    moves_you_up: str
    keeps_you_stuck: str
    texts: tuple[RungText, ...]
    sources: tuple[str, ...]
    # The items of a rung a result shows (quiz.models.FROZEN_RUNG_ITEMS): frozen with it.
    skills: tuple[Skill, ...]
    salary_bands: tuple[SalaryBand, ...]
    next_steps: tuple[NextStep, ...]


@dataclass(frozen=True, kw_only=True)
class OptionNote(Document):
    """A context answer's note for some placements only (Option.notes, quiz.rules)."""

    text: str
    placed: tuple[str, ...] = ()
    title: str | None = None  # "ahead", "level" or "behind": the title against the placement
    when: When = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Option(Document):
    key: str
    text: str
    rung: str | None
    skill: str | None
    note: str
    notes: tuple[OptionNote, ...]
    advice: str
    years: tuple[int, int | None] | None
    track: str


@dataclass(frozen=True, kw_only=True)
class Question(Document):
    key: str
    text: str
    help: str
    role: str
    weight: float
    required: bool
    shuffle: bool
    dimension: str
    advice: str
    options: tuple[Option, ...]


@dataclass(frozen=True, kw_only=True)
class Snapshot(Document):
    """A quiz as published, with everything its results show from the ladder."""

    schema_version: int
    slug: str
    title: str
    intro: str
    threshold: float
    ladder: str
    ladder_title: str  # empty in snapshots stored before it was kept
    sources: tuple[Source, ...]
    notes: tuple[LadderNote, ...]
    rungs: tuple[Rung, ...]
    questions: tuple[Question, ...]

    def rung(self, slug: str) -> Rung | None:
        return next((rung for rung in self.rungs if rung.slug == slug), None)

    @property
    def regions_with_pay(self) -> set[str]:
        return {band.region for rung in self.rungs for band in rung.salary_bands}


def upgrade_snapshot(data: Mapping[str, Any]) -> JSON:
    """Stored snapshot JSON of any schema, as the current schema writes it."""
    version = data.get("schema_version", 1)
    if version == SNAPSHOT_SCHEMA:
        return dict(data)
    if version != 1:
        raise DocumentError(f"snapshot schema {version} is newer than this code")
    return {
        **data,
        "schema_version": SNAPSHOT_SCHEMA,
        "intro": data.get("intro", ""),
        "ladder_title": data.get("ladder_title", ""),
        "sources": data.get("sources", []),
        "notes": [{"when": {}, "source": ""} | note for note in data.get("notes", [])],
        "rungs": [_rung_v1(rung) for rung in data["rungs"]],
        "questions": [_question_v1(question) for question in data["questions"]],
    }


def _rung_v1(rung: Mapping[str, Any]) -> JSON:
    defaults: JSON = {"id": None, "question": "", "summary": "", "years_min": None}
    defaults |= {"years_max": None, "moves_you_up": "", "keeps_you_stuck": "", "sources": []}
    return {
        **defaults,
        **rung,
        "texts": rung.get("texts", []),
        "skills": [{"when": {}} | skill for skill in rung.get("skills", [])],
        "salary_bands": [{"context": "", "when": {}} | band for band in rung["salary_bands"]],
        "next_steps": [{"when": {}, "url": ""} | step for step in rung.get("next_steps", [])],
    }


def _question_v1(question: Mapping[str, Any]) -> JSON:
    defaults: JSON = {"help": "", "shuffle": True, "dimension": "", "advice": ""}
    option_defaults: JSON = {"rung": None, "skill": None, "note": "", "notes": [], "advice": ""}
    option_defaults |= {"years": None, "track": ""}
    return {
        **defaults,
        **question,
        "options": [option_defaults | option for option in question["options"]],
    }


def load_questions(
    data: Sequence[Mapping[str, Any]], *, schema_version: int
) -> tuple[Question, ...]:
    """A stored snapshot's questions alone, upgraded like the whole (for readers that fetch
    only that part of a large snapshot, as analytics does)."""
    if schema_version not in (1, SNAPSHOT_SCHEMA):
        raise DocumentError(f"snapshot schema {schema_version} is newer than this code")
    upgrade = _question_v1 if schema_version == 1 else dict
    return tuple(Question.from_json(upgrade(question)) for question in data)


def load_snapshot(data: Mapping[str, Any]) -> Snapshot:
    """A stored snapshot (QuizVersion.snapshot) as a document, upgraded if it is older."""
    return Snapshot.from_json(upgrade_snapshot(data))


# --- The result ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RungRef(Document):
    slug: str
    title: str
    order: int
    question: str


@dataclass(frozen=True, kw_only=True)
class QuizRef(Document):
    slug: str
    title: str
    version: int


@dataclass(frozen=True, kw_only=True)
class TitleGap(Document):
    claimed: RungRef
    placed: RungRef
    steps: int  # order(claimed) - order(placed): positive when the title runs ahead
    claimed_title: str  # empty in results stored before the title's own words were kept


@dataclass(frozen=True, kw_only=True)
class Why(Document):
    """guidance.WhyInNumbers as stored. The counts of answers are None in results
    stored before answers were counted (then only the weights are known)."""

    total: float
    here: float
    above: float
    needed: float
    weighted: bool
    answers: int | None
    answers_here: int | None
    answers_above: int | None
    counted_more: tuple[tuple[str, float], ...]
    threshold: float

    @property
    def counts_answers(self) -> bool:
        return self.answers is not None


@dataclass(frozen=True, kw_only=True)
class Evidence(Document):
    question: str
    question_text: str
    option: str
    option_text: str
    rung: str


@dataclass(frozen=True, kw_only=True)
class Mover(Evidence):
    to_option: str
    to_option_text: str
    to_rung: RungRef | None


@dataclass(frozen=True, kw_only=True)
class Boundary(Document):
    up: tuple[Mover, ...]  # each alone would place the visitor on the next rung
    down: tuple[Mover, ...]  # each alone would place them lower


@dataclass(frozen=True, kw_only=True)
class ProfileRow(Document):
    dimension: str
    rung: RungRef | None  # None: every answer there counts for no rung ("Not measured")
    answers: int


@dataclass(frozen=True, kw_only=True)
class NotCounted(Document):
    question: str
    question_text: str
    option: str
    option_text: str
    track: str


@dataclass(frozen=True, kw_only=True)
class Target(Document):
    option: str
    option_text: str
    rung: str


@dataclass(frozen=True, kw_only=True)
class HeldBack(Evidence):
    advice: str
    target: Target | None


@dataclass(frozen=True, kw_only=True)
class ContextNote(Document):
    question: str
    option: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ResultNote(Document):
    key: str
    title: str
    body: str
    source: str


@dataclass(frozen=True, kw_only=True)
class SkillToBuild(Document):
    """A next-rung skill as a result lists it (the snapshot's Skill without its `when`)."""

    name: str
    category: str
    importance: str
    source: str


@dataclass(frozen=True, kw_only=True)
class Years(Document):
    question: str
    option: str
    option_text: str
    given: tuple[int | None, ...]
    typical: tuple[int | None, ...]
    comparison: str  # "fewer", "within" or "more"


@dataclass(frozen=True, kw_only=True)
class Step(Document):
    kind: str
    title: str
    detail: str
    url: str
    source: str


@dataclass(frozen=True, kw_only=True)
class Band(Document):
    region: str
    currency: str
    min: int
    max: int
    period: str
    display: str
    note: str
    source: str
    context: str
    rung: str


@dataclass(frozen=True, kw_only=True)
class Result(Document):
    """A placement and what its result page, API body and events show beside it."""

    schema_version: int
    id: str
    quiz: QuizRef
    rung: RungRef
    next_rung: RungRef | None
    title_gap: TitleGap | None
    claimed: RungRef | None
    claimed_title: str
    context: Mapping[str, str]
    confidence: float
    confidence_label: str
    support: Mapping[str, float]
    why: Why | None  # None in results stored before the rule was shown
    boundary: Boundary | None  # None in results stored before boundaries were found
    track: str
    # The ladder's note for the track the visitor is on, shown with the placement; None
    # off every track, and in results stored before it was kept.
    track_note: ResultNote | None
    profile: tuple[ProfileRow, ...]
    shown_by: tuple[Evidence, ...]
    not_counted: tuple[NotCounted, ...]
    below_top: tuple[HeldBack, ...]
    held_back: tuple[HeldBack, ...]
    notes: tuple[ContextNote, ...]
    ladder_notes: tuple[ResultNote, ...]
    years: Years | None
    next_steps: tuple[Step, ...]
    skills_to_build: tuple[SkillToBuild, ...]
    next_rung_skills: tuple[SkillToBuild, ...]
    salary: tuple[Band, ...]
    region: str
    rung_summary: str
    keeps_you_stuck: str
    completed_at: str  # ISO 8601; empty in results stored before it was kept


def upgrade_result(data: Mapping[str, Any], *, schema: int) -> JSON:
    """Result JSON written under `schema`, as the current schema writes it.

    Schema 1 is every result stored before results were typed: fields were added
    over time, so an old one lacks some, and is given what its page showed without them.
    """
    if schema == RESULT_SCHEMA:
        return dict(data)
    if schema != 1:
        raise DocumentError(f"result schema {schema} is newer than this code")
    why = data.get("why")
    gap = data.get("title_gap")
    return {
        **_RESULT_V1_DEFAULTS,
        **data,
        "schema_version": RESULT_SCHEMA,
        "title_gap": None if not gap else {"claimed_title": ""} | gap,
        "why": None if not why else _WHY_V1_DEFAULTS | why,
        "held_back": [{"target": None, "advice": ""} | item for item in data.get("held_back", [])],
        "below_top": [{"target": None, "advice": ""} | item for item in data.get("below_top", [])],
        "next_steps": [{"url": "", "source": ""} | step for step in data.get("next_steps", [])],
    }


_RESULT_V1_DEFAULTS: JSON = {
    "next_rung": None,
    "title_gap": None,
    "claimed": None,
    "claimed_title": "",
    "context": {},
    "support": {},
    "why": None,
    "boundary": None,
    "track": "",
    "track_note": None,
    "profile": [],
    "shown_by": [],
    "not_counted": [],
    "below_top": [],
    "notes": [],
    "ladder_notes": [],
    "years": None,
    "skills_to_build": [],
    "next_rung_skills": [],
    "salary": [],
    "region": "",
    "rung_summary": "",
    "keeps_you_stuck": "",
    "completed_at": "",
}
_WHY_V1_DEFAULTS: JSON = {
    "weighted": False,
    "answers": None,
    "answers_here": None,
    "answers_above": None,
    "counted_more": [],
    "threshold": 0.0,
}


# Results stored in Attempt.result are all of schema 1: since schema 2 no result is
# stored, each is built from its version and answers (quiz.results).
STORED_RESULT_SCHEMA = 1


def load_result(data: Mapping[str, Any], *, schema: int = STORED_RESULT_SCHEMA) -> Result:
    """Result JSON written under `schema` (by default: stored in a row) as a Result."""
    return Result.from_json(upgrade_result(data, schema=schema))
