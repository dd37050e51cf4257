"""What a result page shows: a stored result (quiz.attempts.build_result) grouped and worded.

Plain functions over the stored JSON, so a permalink renders the same words
for as long as it exists, and the editor's preview renders an unsaved result
exactly as a real one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ladder.money import region_name

CONFIDENCE_WORDS = {
    "high": "High confidence: most of your answers point at this rung.",
    "medium": "Medium confidence: your answers lean this way but spread across neighbouring rungs.",
    "low": "Low confidence: your answers are spread across the ladder; read this as a "
    "starting point, not a verdict.",
}

NEXT_STEP_GROUPS = (
    ("project", "Projects to take on"),
    ("learning_path", "Learning path"),
    ("course", "Courses"),
    ("certification", "Certifications"),
    ("transition", "Related roles you could move into"),
    ("mistake", "Mistakes to avoid"),
)

IMPORTANCE_GROUPS = (
    ("high", "Most important"),
    ("medium-high", "Important"),
    ("medium", "Useful"),
    ("low", "Good to have"),
)

# The weakest answers' advice is shown in full; the rest sit behind a disclosure
# so a long quiz does not bury the next steps under ten blocks of advice.
ADVICE_SHOWN = 3


def title_gap_text(gap: Mapping[str, Any] | None) -> str:
    if not gap or not gap.get("steps"):
        return ""
    claimed, placed = gap["claimed"]["title"], gap["placed"]["title"]
    if gap["steps"] > 0:
        return f"Your title says {claimed}; your answers show {placed} ownership."
    return (
        f"Your title says {claimed}, but your answers show {placed} ownership: "
        "your title is behind your work."
    )


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def result_context(
    result: Mapping[str, Any],
    *,
    rungs: Sequence[Mapping[str, Any]] = (),
    threshold: float | None = None,
) -> dict[str, Any]:
    """Group a stored result (attempts.build_result) into what the result page shows.

    `rungs` and `threshold` come from the version the visitor answered; with
    them the page names the rung each answer shows and states the rule in numbers.
    """
    rung = result["rung"]
    next_rung = result.get("next_rung")
    steps = result.get("next_steps", [])
    salary = result.get("salary", [])
    region = result.get("region", "")
    support = result.get("support", {})
    titles = {r["slug"]: r["title"] for r in rungs}

    def labelled(answers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [dict(a, rung_title=titles.get(a["rung"], "")) for a in answers]

    held_back = labelled(result.get("held_back", []))
    groups = []
    for kind, label in NEXT_STEP_GROUPS:
        items = [s for s in steps if s["kind"] == kind]
        if items:
            groups.append({"kind": kind, "label": label, "items": items})
    skills = result.get("skills_to_build", [])
    skill_groups = []
    for importance, label in IMPORTANCE_GROUPS:
        names = [s for s in skills if s.get("importance") == importance]
        if names:
            skill_groups.append({"importance": importance, "label": label, "skills": names})
    ungrouped = [s for s in skills if s.get("importance") not in dict(IMPORTANCE_GROUPS)]
    if ungrouped:
        skill_groups.append({"importance": "", "label": "Also", "skills": ungrouped})
    return {
        "result": result,
        "rung": rung,
        "next_rung": next_rung,
        "title_gap_text": title_gap_text(result.get("title_gap")),
        "confidence_text": CONFIDENCE_WORDS.get(result.get("confidence_label", ""), ""),
        "support_here": _percent(support.get(rung["slug"])),
        "support_next": _percent(support.get(next_rung["slug"])) if next_rung else None,
        "threshold_percent": _percent(threshold),
        "shown_by": labelled(result.get("shown_by", [])),
        "held_back_first": held_back[:ADVICE_SHOWN],
        "held_back_more": held_back[ADVICE_SHOWN:],
        "moves_you_up": [s for s in steps if s["kind"] == "moves_you_up"],
        "step_groups": groups,
        "skill_groups": skill_groups,
        "region": region,
        "region_name": region_name(region) if region else "",
        "salary_here": [b for b in salary if b["rung"] == rung["slug"]],
        "salary_next": [b for b in salary if next_rung and b["rung"] == next_rung["slug"]],
    }
