"""The quiz's pages as a small service: the site (quiz.views) and the embed
(careerquiz.partners.views) both render through these functions.

A `Surface` says where the pages are shown, our own site or a partner's frame:
which layout, which URLs and what more the templates get. The functions read
the request, call quiz.flow and quiz.presentation and return the response;
how a run finishes (a recorded attempt's result page, or an editor's preview
shown in place) follows from the run itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from careerquiz.web.htmx import HtmxHttpRequest
from ladder.models import Ladder
from quiz import flow, limits, presentation, progress
from quiz.attempts import start_attempt
from quiz.models import Attempt
from quiz.results import result_of, version_for

QUIZ_TEMPLATE = "quiz/quiz.html"
PROBLEM_TEMPLATE = "quiz/problem.html"
RESULT_TEMPLATE = "quiz/result.html"
PANEL = "quiz-panel"
MSG_TOO_MANY_STARTS = (
    "Too many quizzes were started from your network just now. Please try again in {wait} seconds."
)


@dataclass(frozen=True, kw_only=True)
class Surface:
    """Where a quiz is taken: our own pages, or a partner's frame (careerquiz.partners)."""

    layout: str = "base.html"
    start: str = "quiz:start"  # URL names: start and step take the quiz slug,
    step: str = "quiz:step"
    result: str = "quiz:result"  # and result the result id
    query: str = ""  # appended to links back to the start, e.g. "?partner=pk_..."
    step_query: str = ""  # appended to the step form's address
    context: Mapping[str, Any] = field(default_factory=dict)  # more for the templates

    def start_url(self, slug: str) -> str:
        return reverse(self.start, args=[slug]) + self.query

    def step_url(self, slug: str) -> str:
        return reverse(self.step, args=[slug]) + self.step_query

    def result_url(self, attempt: Attempt) -> str:
        return reverse(self.result, args=[attempt.result_id])


SITE = Surface()


def render(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    surface: Surface = SITE,
    *,
    status: int = 200,
) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {"layout": surface.layout, **surface.context, **context},
        status=status,
    )


def problem(
    request: HttpRequest,
    slug: str,
    error: flow.FlowError,
    surface: Surface = SITE,
    *,
    preview: bool = False,
    status: int = 400,
) -> TemplateResponse:
    restart = reverse("quiz:preview", args=[slug]) if preview else surface.start_url(slug)
    context = {"message": error.message, "restart_url": restart, "preview": preview}
    return render(request, PROBLEM_TEMPLATE, context, surface, status=status)


def intro(
    request: HttpRequest, run: flow.Run, surface: Surface = SITE, **extra: Any
) -> TemplateResponse:
    """The page before the first question; `extra` goes to the template (hidden fields)."""
    context = {
        "title": run.title,
        "slug": run.slug,
        "intro": run.intro,
        "total": flow.total_steps(run.spec),
        "ladder_url": reverse("ladder:detail", args=[run.ladder]),
        "preview": run.preview,
        "action": reverse("quiz:preview", args=[run.slug])
        if run.preview
        else reverse(surface.start, args=[run.slug]),
        **extra,
    }
    return render(request, QUIZ_TEMPLATE, context, surface)


def step_page(
    request: HttpRequest,
    run: flow.Run,
    state: flow.State,
    surface: Surface = SITE,
    *,
    error: str = "",
) -> TemplateResponse:
    action = reverse("quiz:preview", args=[run.slug]) if run.preview else surface.step_url(run.slug)
    context = {
        "title": run.title,
        "slug": run.slug,
        "preview": run.preview,
        "action": action,
        "state": flow.dump_state(state),
        "step": flow.step_view(run, state, error=error),
    }
    return render(request, QUIZ_TEMPLATE, context, surface)


def begin(
    request: HttpRequest,
    run: flow.Run,
    surface: Surface = SITE,
    *,
    channel: str,
    partner_id: int | None = None,
    ref: str = "",
    region: str = "",
    passthrough: Mapping[str, str] | None = None,
) -> TemplateResponse:
    """Record a started attempt and show the first question."""
    assert run.version is not None  # only published quizzes are started
    wait = limits.quiz_start_retry_after(request)
    if wait:
        response = problem(
            request,
            run.slug,
            flow.FlowError(MSG_TOO_MANY_STARTS.format(wait=wait)),
            surface,
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    attempt = start_attempt(
        run.version, channel=channel, partner_id=partner_id, ref=ref, passthrough=passthrough
    )
    state = flow.state_for_attempt(attempt, slug=run.slug, region=region)
    return step_page(request, run, state, surface)


def advance(
    request: HtmxHttpRequest, run: flow.Run, state: flow.State, surface: Surface = SITE
) -> HttpResponse:
    """One posted step of `run`, for the public quiz, the embed and the preview alike.

    After the last step a published run's attempt completes and the visitor goes to
    its result on `surface`; an editor's preview records nothing and shows the
    result in place.
    """
    try:
        outcome = flow.advance(run, state, request.POST)
        if outcome.finished:
            if run.preview:
                return preview_result(request, run, outcome)
            return complete(request, outcome, surface)
    except flow.FlowError as error:
        return problem(request, run.slug, error, surface, preview=run.preview)
    if outcome.reached and state.attempt:
        progress.mark_reached(state.attempt, outcome.reached)
    return step_page(request, run, outcome.state, surface, error=outcome.error)


def complete(request: HtmxHttpRequest, outcome: flow.Outcome, surface: Surface) -> HttpResponse:
    """Finish the attempt and go to its result page on `surface`."""
    url = surface.result_url(flow.finish(outcome.state, outcome.region))
    if request.htmx:
        # HX-Redirect (a full navigation) rather than swapping the result into the
        # panel with HX-Push-Url: the result is its own page with its own title,
        # Open Graph tags and permalink in the address bar, a reload shows it again
        # instead of resubmitting, and the same GET serves htmx and JS-off visitors.
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url, status=303)


def preview_result(request: HttpRequest, run: flow.Run, outcome: flow.Outcome) -> HttpResponse:
    """The previewed draft's result, in the quiz page (nothing is recorded)."""
    shown = flow.preview_result(run, outcome.state, outcome.region)
    assert run.draft is not None  # a preview's run
    ladder = Ladder.objects.get(slug=run.ladder)
    context = presentation.result_context(shown, version=run.draft) | {
        "title": run.title,
        "slug": run.slug,
        "ladder": ladder,
        "ladder_title": ladder.title,
        "preview": True,
        "finished": True,
    }
    return render(request, QUIZ_TEMPLATE, context)


def result_context(request: HttpRequest, attempt: Attempt) -> dict[str, Any]:
    """What a stored result's page shows, worded by quiz.presentation."""
    frozen = version_for(attempt).document
    ladder = attempt.quiz.ladder
    return presentation.result_context(result_of(attempt), version=frozen) | {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "ladder": ladder,  # the live ladder, whose page the result links to
        # As published; snapshots stored before the title was kept show today's.
        "ladder_title": frozen.ladder_title or ladder.title,
        "permalink": request.build_absolute_uri(attempt.get_absolute_url()),
    }
