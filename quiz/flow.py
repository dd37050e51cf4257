"""The visitor's walk through a quiz, one question per step, with no session.

All state between steps travels in one signed form field (`state`): the
attempt's token id, the quiz slug, the version, the step and the answers so
far. Nothing is stored in a session or a cookie, so the flow works inside a
cross-site iframe where third-party cookies are blocked. The signature makes
the state tamper-proof; `max_age` makes it expire.

Plain Python: the views hand in the POST data and get back a `StepView` to
render or a finished outcome; every refusal is a `FlowError` whose message is
one of the constants below. The last section turns a stored result into what
the result page shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import QueryDict

from ladder.models import SalaryBand
from ladder.money import region_name
from quiz.attempts import build_result, complete_attempt
from quiz.models import Attempt, Partner, Quiz, QuizVersion
from quiz.placement import InvalidAnswers, QuestionSpec, QuizSpec, place

STATE_SALT = "careerquiz.quiz-state"
ELSEWHERE = "elsewhere"

MSG_REQUIRED = "Choose an answer to continue."
MSG_REGION_REQUIRED = "Choose where you work, or “Somewhere else”."
MSG_STATE_MISSING = "This page was sent without the quiz's progress, so we can't continue it."
MSG_STATE_INVALID = "This quiz page was changed or damaged on the way, so we can't continue it."
MSG_STATE_EXPIRED = "This quiz page has expired. Quizzes must be finished within a day."
MSG_STATE_FOREIGN = "This progress belongs to a different quiz."
MSG_STATE_PREVIEW = "A preview of a draft can't be continued on the public quiz."
MSG_BAD_ANSWER = "That answer isn't one of the choices for this question."
MSG_PREVIEW_IMPOSSIBLE = "This draft can't be previewed yet: {problem}."
MSG_UNKNOWN_PARTNER = "This quiz link names a partner we don't know, or one that is disabled."


class FlowError(Exception):
    """A request the flow refuses; `message` is shown to the visitor on a 400 page."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, kw_only=True)
class State:
    quiz: str
    version: int | None  # None in an editor's preview of the draft
    attempt: str | None  # Attempt.token_id; None in a preview
    step: int = 0
    answers: Mapping[str, str | list[str]] = field(default_factory=dict)
    channel: str = Attempt.Channel.WEB
    partner: int | None = None
    preview: bool = False


def dump_state(state: State) -> str:
    payload = {
        "q": state.quiz,
        "v": state.version,
        "a": state.attempt,
        "s": state.step,
        "ans": dict(state.answers),
        "c": state.channel,
        "p": state.partner,
        "pv": state.preview,
    }
    return signing.dumps(payload, salt=STATE_SALT, compress=True)


def load_state(token: str | None, *, slug: str, preview: bool = False) -> State:
    """Read a state token posted to the quiz `slug`; refuse anything not made for it."""
    if not token:
        raise FlowError(MSG_STATE_MISSING)
    try:
        data = signing.loads(token, salt=STATE_SALT, max_age=settings.QUIZ_TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise FlowError(MSG_STATE_EXPIRED) from error
    except signing.BadSignature as error:
        raise FlowError(MSG_STATE_INVALID) from error
    try:
        state = State(
            quiz=str(data["q"]),
            version=data["v"],
            attempt=data["a"],
            step=int(data["s"]),
            answers=dict(data["ans"]),
            channel=str(data["c"]),
            partner=data["p"],
            preview=bool(data["pv"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FlowError(MSG_STATE_INVALID) from error
    if state.quiz != slug:
        raise FlowError(MSG_STATE_FOREIGN)
    if state.preview != preview:
        raise FlowError(MSG_STATE_PREVIEW if state.preview else MSG_STATE_INVALID)
    return state


def partner_for(public_key: str | None) -> Partner | None:
    if not public_key:
        return None
    partner = Partner.objects.filter(public_key=public_key, is_active=True).first()
    if partner is None:
        raise FlowError(MSG_UNKNOWN_PARTNER)
    return partner


def state_for_attempt(attempt: Attempt, *, slug: str) -> State:
    return State(
        quiz=slug,
        version=attempt.version_id,
        attempt=str(attempt.token_id),
        channel=attempt.channel,
        partner=attempt.partner_id,
    )


def preview_state(slug: str) -> State:
    """The first step of an editor's preview: no version, no attempt."""
    return State(
        quiz=slug, version=None, attempt=None, channel=Attempt.Channel.PREVIEW, preview=True
    )


def version_for(state: State) -> QuizVersion:
    version = QuizVersion.objects.filter(pk=state.version, quiz__slug=state.quiz).first()
    if version is None:
        raise FlowError(MSG_STATE_FOREIGN)
    return version


def regions_for(ladder_slug: str) -> list[tuple[str, str]]:
    """(code, name) of each region the ladder has salary bands for, by name."""
    codes = (
        SalaryBand.objects.filter(rung__ladder__slug=ladder_slug)
        .order_by()  # the model's ordering would make DISTINCT include position and id
        .values_list("region", flat=True)
        .distinct()
    )
    return sorted(((code, region_name(code)) for code in codes), key=lambda r: r[1])


@dataclass(frozen=True, kw_only=True)
class Choice:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True, kw_only=True)
class StepView:
    """What the template needs to draw one step."""

    number: int
    total: int
    name: str  # the input name
    text: str
    help: str
    multiple: bool
    choices: Sequence[Choice]
    error: str = ""

    @property
    def is_region(self) -> bool:
        return self.name == "region"


@dataclass(frozen=True, kw_only=True)
class Outcome:
    state: State
    error: str = ""
    finished: bool = False
    region: str = ""


def total_steps(spec: QuizSpec) -> int:
    return len(spec.questions) + 1  # every question, then the region


def on_region_step(spec: QuizSpec, state: State) -> bool:
    return state.step == len(spec.questions)


def _current_question(spec: QuizSpec, state: State) -> QuestionSpec | None:
    """The question at the state's step; None on the final region step."""
    if not 0 <= state.step < total_steps(spec):
        raise FlowError(MSG_STATE_INVALID)
    return spec.questions[state.step] if state.step < len(spec.questions) else None


def _read_answer(question: QuestionSpec, post: QueryDict) -> str | list[str]:
    """The posted answer to `question`; an option key of another question is refused."""
    if question.kind == "multiple":
        values = [v for v in post.getlist(question.key) if v]
        if len(set(values)) != len(values):
            raise FlowError(MSG_BAD_ANSWER)
    else:
        value = post.get(question.key, "")
        values = [value] if value else []
    if any(question.option(v) is None for v in values):
        raise FlowError(MSG_BAD_ANSWER)
    if question.kind == "multiple":
        return values
    return values[0] if values else ""


def _read_region(post: QueryDict, regions: Sequence[tuple[str, str]]) -> str | None:
    """A region code, "" for somewhere else, None when nothing was chosen."""
    value = post.get("region", "")
    if not value:
        return None
    if value == ELSEWHERE:
        return ""
    if value not in {code for code, _ in regions}:
        raise FlowError(MSG_BAD_ANSWER)
    return value


def advance(
    spec: QuizSpec, state: State, post: QueryDict, *, regions: Sequence[tuple[str, str]] = ()
) -> Outcome:
    """Apply one posted step (`action` next or back) to the state."""
    question = _current_question(spec, state)
    back = post.get("action") == "back"
    answers = dict(state.answers)
    if question is None:
        region = _read_region(post, regions)
        if back:
            return Outcome(state=replace(state, step=state.step - 1))
        if region is None:
            return Outcome(state=state, error=MSG_REGION_REQUIRED)
        return Outcome(state=state, finished=True, region=region)
    answer = _read_answer(question, post)
    if answer or question.kind == "multiple":
        answers[question.key] = answer
    if back:
        return Outcome(state=replace(state, step=max(state.step - 1, 0), answers=answers))
    if question.required and not answer:
        return Outcome(state=state, error=MSG_REQUIRED)
    return Outcome(state=replace(state, step=state.step + 1, answers=answers))


def step_view(
    spec: QuizSpec,
    state: State,
    *,
    error: str = "",
    regions: Sequence[tuple[str, str]] = (),
) -> StepView:
    question = _current_question(spec, state)
    number, total = state.step + 1, total_steps(spec)
    if question is None:
        choices = [Choice(value=code, label=name, checked=False) for code, name in regions]
        choices.append(Choice(value=ELSEWHERE, label="Somewhere else", checked=False))
        return StepView(
            number=number,
            total=total,
            name="region",
            text="Which country do you work in?",
            help="We use this only to show the salary bands for your rung in your region.",
            multiple=False,
            choices=choices,
            error=error,
        )
    given = state.answers.get(question.key)
    chosen = set(given) if isinstance(given, list) else {given}
    return StepView(
        number=number,
        total=total,
        name=question.key,
        text=question.text,
        help=question.help or ("Tick all that apply." if question.kind == "multiple" else ""),
        multiple=question.kind == "multiple",
        choices=[
            Choice(value=o.key, label=o.text, checked=o.key in chosen) for o in question.options
        ],
        error=error,
    )


def finish(state: State, region: str) -> Attempt:
    """Complete the state's attempt on the version it started on (idempotent)."""
    attempt = (
        Attempt.objects.select_related("version")
        .filter(token_id=state.attempt, quiz__slug=state.quiz, version_id=state.version)
        .first()
    )
    if attempt is None:
        raise FlowError(MSG_STATE_FOREIGN)
    try:
        return complete_attempt(attempt, state.answers, region=region)
    except InvalidAnswers as error:
        raise FlowError(MSG_STATE_INVALID) from error


def preview_result(
    quiz: Quiz, draft: dict[str, Any], spec: QuizSpec, state: State, region: str
) -> dict[str, Any]:
    """The result the draft would give these answers, built exactly as a real one; unsaved."""
    try:
        placement = place(spec, state.answers)
    except InvalidAnswers as error:
        raise FlowError(MSG_STATE_INVALID) from error
    unsaved = QuizVersion(quiz=quiz, number=0, snapshot=draft)
    return build_result(spec, placement, version=unsaved, region=region, result_id="preview")


# --- Presenting a stored result -------------------------------------------------------

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
