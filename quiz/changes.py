"""What changed between two versions of quiz or ladder content, field by field.

Both sides are plain nested dicts and lists: a quiz version's snapshot, or a
`careerquiz/1` content file. List items are matched by their natural identity
(a rung by slug, a question by key, a salary band by region, currency and
context, ...), never by row ids or position, so an edited salary band reads as
one changed band (`mid · US · max 210,000 → 215,000`) rather than one removed
and one created.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
REORDERED = "reordered"

SEPARATOR = " · "
EMPTY = "(empty)"
# A changed text longer than this shows only the part that differs, with some context.
SHORT_TEXT = 60
CONTEXT = 24


@dataclass(frozen=True, kw_only=True)
class ItemRule:
    """How the items of one kind of list are told apart and named."""

    kind: str
    key: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    label: Callable[[Mapping[str, Any]], str]


def _by(*names: str) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    return lambda item: tuple(item.get(name) for name in names)


def _field(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda item: _short(str(item.get(name) or ""), SHORT_TEXT)


def _band_label(band: Mapping[str, Any]) -> str:
    context = band.get("context") or ""
    return f"{band.get('region')} {context}".strip()


def _note_label(note: Mapping[str, Any]) -> str:
    return str(note.get("key") or _short(str(note.get("title", "")), SHORT_TEXT))


# Lists of objects, by the name they are held under. Lists of plain values (a rung's
# sources) and lists named in WHOLE_VALUES compare as one field.
LISTS: dict[str, ItemRule] = {
    "ladders": ItemRule(kind="ladder", key=_by("slug"), label=_field("slug")),
    "quizzes": ItemRule(kind="quiz", key=_by("slug"), label=_field("slug")),
    "rungs": ItemRule(kind="rung", key=_by("slug"), label=_field("slug")),
    "questions": ItemRule(kind="question", key=_by("key"), label=_field("key")),
    "options": ItemRule(kind="answer", key=_by("key"), label=_field("key")),
    "salary_bands": ItemRule(
        kind="salary band", key=_by("region", "currency", "context"), label=_band_label
    ),
    "skills": ItemRule(kind="skill", key=_by("name"), label=_field("name")),
    "titles": ItemRule(kind="job title", key=_by("name"), label=_field("name")),
    "responsibilities": ItemRule(kind="responsibility", key=_by("text"), label=_field("text")),
    "next_steps": ItemRule(kind="next step", key=_by("title"), label=_field("title")),
    "sources": ItemRule(kind="source", key=_by("key"), label=_field("key")),
    "notes": ItemRule(
        kind="note",
        key=lambda n: (n.get("kind"), n.get("key") or n.get("title")),
        label=_note_label,
    ),
}
WHOLE_VALUES = {("answer", "notes"), ("rung", "texts")}  # variants: each list one value
# Derived or internal values that would only repeat another change.
IGNORED = {"id", "display", "format", "position"}


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    name: str
    before: Any
    after: Any

    def __str__(self) -> str:
        before, after = shown_pair(self.before, self.after)
        return f"{self.name.replace('_', ' ')} {before} → {after}"


@dataclass(frozen=True, kw_only=True)
class Change:
    """One item added, removed, reordered within, or changed (with the fields that changed)."""

    kind: str
    where: tuple[str, ...]  # the item's name and its parents', from the top
    action: str
    fields: tuple[FieldChange, ...] = ()
    # For REORDERED: the kind of the items whose order changed (the item is their parent).
    items: str = ""

    def lines(self, *, skip: int = 0) -> list[str]:
        """How the change reads, one line per field; `skip` drops leading names."""
        where = SEPARATOR.join(self.where[skip:])
        if self.action == CHANGED:
            return [SEPARATOR.join(filter(None, [where, str(field)])) for field in self.fields]
        if self.action == REORDERED:
            return [SEPARATOR.join(filter(None, [where, f"{self.items}s reordered"]))]
        *parents, name = self.where[skip:] or ("",)
        return [SEPARATOR.join([*parents, f"{self.action} {self.kind} {name}".rstrip()])]


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, kind: str, where: tuple[str, ...] = ()
) -> list[Change]:
    """Every change from `before` to `after`, two versions of one object of `kind`."""
    changes: list[Change] = []
    fields: list[FieldChange] = []
    names = list(after) + [name for name in before if name not in after]
    for name in names:
        if name in IGNORED:
            continue
        old, new = before.get(name), after.get(name)
        rule = LISTS.get(name)
        if rule and (kind, name) not in WHOLE_VALUES and _objects(old) and _objects(new):
            changes += _diff_list(old or [], new or [], rule, where=where, parent=kind)
        elif old != new:
            fields.append(FieldChange(name=name, before=old, after=new))
    if fields:
        changes.insert(0, Change(kind=kind, where=where, action=CHANGED, fields=tuple(fields)))
    return changes


def _objects(value: Any) -> bool:
    """A list of objects (or nothing): matched item by item rather than as one value."""
    return value is None or (
        isinstance(value, list) and all(isinstance(item, Mapping) for item in value)
    )


def _keyed(
    items: Sequence[Mapping[str, Any]], rule: ItemRule
) -> dict[tuple[Any, ...], Mapping[str, Any]]:
    keyed: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for item in items:
        key = rule.key(item)
        repeat = 0
        while (*key, repeat) in keyed:  # two items alike: told apart by their turn
            repeat += 1
        keyed[(*key, repeat)] = item
    return keyed


def _diff_list(
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    rule: ItemRule,
    *,
    where: tuple[str, ...],
    parent: str,
) -> list[Change]:
    old, new = _keyed(before, rule), _keyed(after, rule)
    changes: list[Change] = []
    for key, item in new.items():
        place = (*where, rule.label(item))
        if key not in old:
            changes.append(Change(kind=rule.kind, where=place, action=ADDED))
        else:
            changes += diff(old[key], item, kind=rule.kind, where=place)
    changes += [
        Change(kind=rule.kind, where=(*where, rule.label(item)), action=REMOVED)
        for key, item in old.items()
        if key not in new
    ]
    kept_before = [key for key in old if key in new]
    kept_after = [key for key in new if key in old]
    if kept_before != kept_after:
        changes.append(Change(kind=parent, where=where, action=REORDERED, items=rule.kind))
    return changes


# --- Showing values -------------------------------------------------------------------------


def shown(value: Any) -> str:
    """A value as an editor reads it: 210,000, yes, (empty)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return ", ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def shown_pair(before: Any, after: Any) -> tuple[str, str]:
    """Both sides shown; of two long texts only the stretch that differs, with context."""
    if not (isinstance(before, str) and isinstance(after, str)):
        return _short(shown(before), 2 * SHORT_TEXT), _short(shown(after), 2 * SHORT_TEXT)
    if max(len(before), len(after)) <= SHORT_TEXT or not (before and after):
        return shown(before), shown(after)
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while (
        end < min(len(before), len(after)) - start
        and before[len(before) - 1 - end] == after[len(after) - 1 - end]
    ):
        end += 1
    return _window(before, start, len(before) - end), _window(after, start, len(after) - end)


def _window(text: str, start: int, end: int) -> str:
    low, high = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    middle = _short(text[low:high], 2 * SHORT_TEXT)
    return f"“{'…' if low else ''}{middle}{'…' if high < len(text) else ''}”"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- A draft against the live version ------------------------------------------------------

QUIZ_FIELDS_FROM_LADDER = {"ladder", "ladder_title"}
QUESTION_KINDS = ("question", "answer")


@dataclass(frozen=True, kw_only=True)
class VersionSummary:
    """What publishing a draft changes for visitors, as the publish confirmation lists it."""

    questions_added: tuple[str, ...]
    questions_removed: tuple[str, ...]
    questions_changed: tuple[str, ...]
    quiz: tuple[str, ...]  # lines about the quiz's own title, intro and threshold
    questions: tuple[str, ...]  # lines about questions and their answers
    content: tuple[str, ...]  # lines about the ladder content a result shows

    @property
    def changed(self) -> bool:
        return bool(self.quiz or self.questions or self.content)


def version_summary(live: Mapping[str, Any], draft: Mapping[str, Any]) -> VersionSummary:
    """The changes from a live version's snapshot to the draft's."""
    quiz: list[str] = []
    questions: list[str] = []
    content: list[str] = []
    added: list[str] = []
    removed: list[str] = []
    changed: list[str] = []
    for change in diff(live, draft, kind="quiz"):
        if change.kind == "quiz" and change.action == CHANGED:
            own = tuple(f for f in change.fields if f.name not in QUIZ_FIELDS_FROM_LADDER)
            from_ladder = tuple(f for f in change.fields if f.name in QUIZ_FIELDS_FROM_LADDER)
            quiz += [str(field) for field in own]
            content += [str(field) for field in from_ladder]
        elif change.kind in QUESTION_KINDS or change.items in QUESTION_KINDS:
            questions += change.lines()
            key = change.where[0] if change.where else ""
            if change.kind == "question" and change.action == ADDED:
                added.append(key)
            elif change.kind == "question" and change.action == REMOVED:
                removed.append(key)
            elif key and key not in changed:
                changed.append(key)
        else:
            content += change.lines()
    return VersionSummary(
        questions_added=tuple(added),
        questions_removed=tuple(removed),
        questions_changed=tuple(key for key in changed if key not in added + removed),
        quiz=tuple(quiz),
        questions=tuple(questions),
        content=tuple(content),
    )
