"""The visitor's walk through a quiz, one question per step, with no session.

All state between steps travels in one signed form field (`state`): the
attempt's token id, the quiz slug, the version, the step and the answers so
far. Nothing is stored in a session or a cookie, so the flow works inside a
cross-site iframe where third-party cookies are blocked. The signature makes
the state tamper-proof; `max_age` makes it expire.

Plain Python: the views hand in the POST data and get back a `StepView` to
render or a finished outcome; every refusal is a `FlowError` whose message is
one of the constants below. What the result page shows is quiz.presentation's.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import QueryDict

from ladder.money import region_name
from quiz import attribution
from quiz.attempts import complete_attempt
from quiz.documents import Result, Snapshot
from quiz.models import Attempt, Quiz, QuizVersion
from quiz.placement import (
    EVIDENCE,
    MULTIPLE,
    InvalidAnswers,
    OptionSpec,
    QuestionSpec,
    QuizSpec,
    place,
)
from quiz.progress import total_steps as total_steps
from quiz.results import build_result
from quiz.snapshots import snapshot_document, spec_from_snapshot
from quiz.versions import publish_problems, spec_for, version_of

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
MSG_PREVIEW_IMPOSSIBLE = "This draft can't be previewed until it could be published: {problems}."
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
    furthest: int = 0  # the furthest step shown so far (quiz.progress records it)
    answers: Mapping[str, str | list[str]] = field(default_factory=dict)
    channel: str = Attempt.Channel.WEB
    partner: int | None = None  # Partner id
    preview: bool = False
    ref: str = ""  # the partner's reference (Attempt.ref), echoed to its page
    region: str = ""  # the region to preselect on the region step


def dump_state(state: State) -> str:
    payload = {
        "q": state.quiz,
        "v": state.version,
        "a": state.attempt,
        "s": state.step,
        "m": state.furthest,
        "ans": dict(state.answers),
        "c": state.channel,
        "p": state.partner,
        "pv": state.preview,
        "f": state.ref,
        "r": state.region,
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
        state = _state_from(data)
    except (KeyError, TypeError, ValueError) as error:
        raise FlowError(MSG_STATE_INVALID) from error
    if state.quiz != slug:
        raise FlowError(MSG_STATE_FOREIGN)
    if state.preview != preview:
        raise FlowError(MSG_STATE_PREVIEW if state.preview else MSG_STATE_INVALID)
    return state


def _state_from(data: Any) -> State:
    """The state a token carries, each value of the type it was signed with.

    The signature proves we made the token, but a token from an older release (or a
    leaked key) must still not reach the database with a value of the wrong type:
    anything else is a ValueError, which the visitor sees as an invalid state.
    """
    if not isinstance(data, dict):
        raise TypeError("a state is an object")
    answers = data["ans"]
    if not isinstance(answers, dict) or not all(
        isinstance(key, str) and _is_answer(value) for key, value in answers.items()
    ):
        raise ValueError("answers are option keys")
    attempt = _optional(data["a"], str)
    if attempt is not None:
        uuid.UUID(attempt)
    channel = _required(data["c"], str)
    if channel not in Attempt.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    step = _required(data["s"], int)
    furthest = _required(data.get("m", step), int)  # absent from older tokens
    if step < 0 or furthest < 0:
        raise ValueError("steps count from 0")
    return State(
        quiz=_required(data["q"], str),
        version=_optional(data["v"], int),
        attempt=attempt,
        step=step,
        furthest=furthest,
        answers=answers,
        channel=channel,
        partner=_optional(data["p"], int),
        preview=_required(data["pv"], bool),
        # Absent from tokens signed before they existed.
        ref=_required(data.get("f", ""), str),
        region=_required(data.get("r", ""), str),
    )


def _required[T](value: Any, kind: type[T]) -> T:
    # bool is an int to Python, never to a state.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _optional[T](value: Any, kind: type[T]) -> T | None:
    return None if value is None else _required(value, kind)


def _is_answer(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    )


def partner_for(public_key: str | None) -> int | None:
    """The id of the partner a `?partner=` key names, None without a key."""
    if not public_key:
        return None
    try:
        return attribution.partner_id_for_key(public_key)
    except LookupError as error:
        raise FlowError(MSG_UNKNOWN_PARTNER) from error


def state_for_attempt(attempt: Attempt, *, slug: str, region: str = "") -> State:
    return State(
        quiz=slug,
        version=attempt.version_id,
        attempt=str(attempt.token_id),
        channel=attempt.channel,
        partner=attempt.partner_id,
        ref=attempt.ref,
        region=region,
    )


def preview_state(slug: str) -> State:
    """The first step of an editor's preview: no version, no attempt."""
    return State(
        quiz=slug, version=None, attempt=None, channel=Attempt.Channel.PREVIEW, preview=True
    )


@dataclass(frozen=True, kw_only=True)
class Run:
    """A quiz being answered: a published version, or in an editor's preview the draft."""

    slug: str
    title: str
    intro: str
    ladder: str  # the ladder's slug
    spec: QuizSpec
    preview: bool = False
    version: QuizVersion | None = None  # None in a preview
    draft: Snapshot | None = None  # the previewed draft's snapshot

    @cached_property
    def regions(self) -> list[tuple[str, str]]:
        """(code, name) of each region with salary bands in what this run shows, by name.

        The bands the version froze (or the previewed draft's), not today's ladder:
        a region is offered only where the result will have pay to show.
        """
        frozen = self.version.document if self.version is not None else self.draft
        assert frozen is not None  # a run is of a version or of a draft
        codes = frozen.regions_with_pay
        return sorted(((code, region_name(code)) for code in codes), key=lambda r: r[1])


def published_run(version: QuizVersion) -> Run:
    return Run(
        slug=version.document.slug,
        title=version.document.title,
        intro=version.document.intro,
        ladder=version.document.ladder,
        spec=spec_for(version),
        version=version,
    )


def run_for(state: State) -> Run:
    """The version a state was started on: started on vN finishes on vN after a republish."""
    if state.version is None:
        raise FlowError(MSG_STATE_INVALID)
    version = version_of(state.version, slug=state.quiz)
    if version is None:
        raise FlowError(MSG_STATE_FOREIGN)
    return published_run(version)


def draft_run(quiz: Quiz) -> Run:
    """The editor's draft, ready to preview; FlowError saying what blocks it otherwise."""
    problems = publish_problems(quiz)
    if problems:
        raise FlowError(MSG_PREVIEW_IMPOSSIBLE.format(problems="; ".join(problems)))
    draft = snapshot_document(quiz)
    return Run(
        slug=quiz.slug,
        title=quiz.title,
        intro=quiz.intro,
        ladder=draft.ladder,
        spec=spec_from_snapshot(draft),
        preview=True,
        draft=draft,
    )


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
    reached: int | None = None  # a step shown for the first time (1-based), to record


def _current_question(spec: QuizSpec, state: State) -> QuestionSpec | None:
    """The question at the state's step; None on the final region step."""
    if not 0 <= state.step < total_steps(spec):
        raise FlowError(MSG_STATE_INVALID)
    return spec.questions[state.step] if state.step < len(spec.questions) else None


def _read_answer(question: QuestionSpec, post: QueryDict) -> str | list[str]:
    """The posted answer to `question`; an option key of another question is refused."""
    if question.kind == MULTIPLE:
        values = [v for v in post.getlist(question.key) if v]
        if len(set(values)) != len(values):
            raise FlowError(MSG_BAD_ANSWER)
    else:
        value = post.get(question.key, "")
        values = [value] if value else []
    if any(question.option(v) is None for v in values):
        raise FlowError(MSG_BAD_ANSWER)
    if question.kind == MULTIPLE:
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


def advance(run: Run, state: State, post: QueryDict) -> Outcome:
    """Apply one posted step (`action` next or back) to the state."""
    question = _current_question(run.spec, state)
    back = post.get("action") == "back"
    answers = dict(state.answers)
    if question is None:
        region = _read_region(post, run.regions)
        if back:
            return Outcome(state=replace(state, step=state.step - 1))
        if region is None:
            return Outcome(state=state, error=MSG_REGION_REQUIRED)
        return Outcome(state=state, finished=True, region=region)
    answer = _read_answer(question, post)
    if answer or question.kind == MULTIPLE:
        answers[question.key] = answer
    if back:
        return Outcome(state=replace(state, step=max(state.step - 1, 0), answers=answers))
    if question.required and not answer:
        return Outcome(state=state, error=MSG_REQUIRED)
    step = state.step + 1
    return Outcome(
        state=replace(state, step=step, furthest=max(step, state.furthest), answers=answers),
        reached=step + 1 if step > state.furthest else None,
    )


def step_view(run: Run, state: State, *, error: str = "") -> StepView:
    question = _current_question(run.spec, state)
    number, total = state.step + 1, total_steps(run.spec)
    if question is None:
        choices = [
            Choice(value=code, label=name, checked=code == state.region)
            for code, name in run.regions
        ]
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
        help=question.help or ("Tick all that apply." if question.kind == MULTIPLE else ""),
        multiple=question.kind == MULTIPLE,
        choices=[
            Choice(value=o.key, label=o.text, checked=o.key in chosen)
            for o in options_in_visitor_order(question, state.attempt)
        ],
        error=error,
    )


def options_in_visitor_order(question: QuestionSpec, attempt: str | None) -> list[OptionSpec]:
    """An evidence question's answers in this attempt's own order, so their order never
    tells which is the top one. Seeded by the attempt, so Back, a reload and a form posted
    with JavaScript off show the same order; a preview (no attempt) keeps the editor's."""
    options = list(question.options)
    if attempt and question.role == EVIDENCE and question.shuffle:
        random.Random(f"{attempt}:{question.key}").shuffle(options)
    return options


def finish(state: State, region: str) -> Attempt:
    """Complete the state's attempt on the version it started on (idempotent)."""
    if state.attempt is None:
        raise FlowError(MSG_STATE_INVALID)
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


def preview_result(run: Run, state: State, region: str) -> Result:
    """The result the draft would give these answers, built exactly as a real one; unsaved."""
    assert run.draft is not None  # a preview's run
    try:
        placement = place(run.spec, state.answers)
    except InvalidAnswers as error:
        raise FlowError(MSG_STATE_INVALID) from error
    return build_result(
        run.spec,
        placement,
        frozen=run.draft,
        version_number=0,
        region=region,
        result_id="preview",
        completed_at="",
    )
