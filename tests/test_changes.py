"""Content diffs: items matched by what they are, changes read field by field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from quiz.changes import (
    ADDED,
    CHANGED,
    REMOVED,
    REORDERED,
    Change,
    diff,
    shown_pair,
    version_summary,
)


def band(region: str = "US", **values: Any) -> dict[str, Any]:
    base = {"region": region, "currency": "USD", "context": "", "min": 150_000, "max": 210_000}
    return base | values


def ladder(*bands: dict[str, Any]) -> dict[str, Any]:
    return {
        "slug": "ml",
        "title": "ML",
        "rungs": [
            {"slug": "junior", "order": 1, "salary_bands": []},
            {"slug": "mid", "order": 2, "sources": ["a.txt"], "salary_bands": list(bands)},
        ],
    }


def lines(changes: list[Change], skip: int = 0) -> list[str]:
    return [line for change in changes for line in change.lines(skip=skip)]


def test_an_edited_salary_band_reads_as_one_changed_band_with_before_and_after():
    before = ladder(band("US"), band("IN", currency="INR", max=2_200_000))
    after = copy.deepcopy(before)
    after["rungs"][1]["salary_bands"][0]["max"] = 215_000

    changes = diff(before, after, kind="ladder", where=("ml",))

    assert [(c.kind, c.action) for c in changes] == [("salary band", CHANGED)]
    assert lines(changes, skip=1) == ["mid · US · max 210,000 → 215,000"]


def test_bands_are_told_apart_by_region_currency_and_context_not_by_position():
    before = ladder(band("US"), band("US", context="product", max=250_000))
    after = ladder(band("US", context="product", max=260_000), band("US"))

    changes = diff(before, after, kind="ladder", where=("ml",))

    assert lines(changes, skip=1) == [
        "mid · US product · max 250,000 → 260,000",
        "mid · salary bands reordered",
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["rungs"].append({"slug": "senior", "order": 3}), ["added rung senior"]),
        (lambda d: d["rungs"].pop(0), ["removed rung junior"]),
        (lambda d: d["rungs"][1]["salary_bands"].clear(), ["mid · removed salary band US"]),
        (
            lambda d: d["rungs"][1].update(sources=["a.txt", "b.txt"]),
            ["mid · sources a.txt → a.txt, b.txt"],
        ),
        (lambda d: d.update(title="Machine learning"), ["title “ML” → “Machine learning”"]),
        (lambda d: d["rungs"].reverse(), ["rungs reordered"]),
    ],
)
def test_added_removed_and_changed_items_each_read_as_a_line(edit, expected):
    before = ladder(band())
    after = copy.deepcopy(before)
    edit(after)
    assert lines(diff(before, after, kind="ladder", where=("ml",)), skip=1) == expected


def test_identical_content_has_no_changes_and_ids_are_not_content():
    before = ladder(band())
    after = copy.deepcopy(before)
    after["rungs"][0]["id"] = 99
    assert diff(before, after, kind="ladder") == []


def test_a_long_text_shows_only_the_stretch_that_changed():
    start = "This quiz places you on the ladder by what you own and decide. "
    before, after = (
        start + "Nine questions about your work.",
        start + "Ten questions about your work.",
    )
    old, new = shown_pair(before, after)
    assert "Nine" in old
    assert "Ten" in new
    assert old.startswith("“…")
    assert len(old) < len(before)


def test_the_summary_against_the_live_version_names_questions_and_content():
    def question(key: str, text: str = "?") -> dict[str, Any]:
        return {"key": key, "text": text, "options": [{"key": "a", "text": "A", "rung": "mid"}]}

    live = {
        "title": "Quiz",
        "intro": "Hi",
        "ladder_title": "ML",
        "rungs": ladder(band())["rungs"],
        "questions": [question("q1"), question("q2"), question("q3")],
    }
    draft = copy.deepcopy(live)
    draft["intro"] = "Hello"
    draft["questions"] = [question("q1", "Reworded?"), question("q3"), question("q4")]
    draft["questions"][1]["options"][0]["text"] = "Answer A"
    draft["rungs"][1]["salary_bands"][0]["max"] = 215_000

    summary = version_summary(live, draft)

    assert summary.questions_added == ("q4",)
    assert summary.questions_removed == ("q2",)
    assert summary.questions_changed == ("q1", "q3")
    assert summary.quiz == ("intro “Hi” → “Hello”",)
    assert "q3 · a · text “A” → “Answer A”" in summary.questions
    assert summary.content == ("mid · US · max 210,000 → 215,000",)
    assert version_summary(live, live).changed is False


def test_kinds_of_change_are_named():
    assert {ADDED, REMOVED, CHANGED, REORDERED} == {"added", "removed", "changed", "reordered"}
