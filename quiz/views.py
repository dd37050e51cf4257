"""The quiz pages: intro, one question per step (htmx or plain posts), result permalink.

The step logic lives in quiz.flow and what a result says in quiz.presentation;
these views read the request, call them and render. Every htmx request gets
the `#quiz-panel` fragment of the same template a plain post renders in full
(`for_htmx`), so the quiz works with JavaScript off.

The same pages are served on our own site and, through careerquiz.partners,
inside partners' frames: a `Surface` says which layout and which URLs a page
uses, and the functions below the site's views take one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from ladder.models import Ladder
from quiz import flow, limits, presentation, progress
from quiz.attempts import start_attempt
from quiz.htmx import HtmxHttpRequest, for_htmx
from quiz.models import Attempt, Quiz
from quiz.results import result_of, version_for, with_versions
from quiz.versions import live_version

QUIZ_TEMPLATE = "quiz/quiz.html"
PROBLEM_TEMPLATE = "quiz/problem.html"
RESULT_TEMPLATE = "quiz/result.html"
PANEL = "quiz-panel"
MSG_TOO_MANY_STARTS = (
    "Too many quizzes were started from your network just now. Please try again in {wait} seconds."
)

# Why the public flow needs no CSRF token (and sets no CSRF cookie): CSRF abuses
# ambient authority, a cookie or login the browser attaches to a forged
# cross-site request. The quiz has none: no session, no cookie, no account. A
# forged cross-site POST can do nothing an attacker could not do by posting to
# the URL directly, and the progress it carries is signed, so it cannot be
# altered either. A CSRF cookie would also break the quiz inside partners'
# cross-site iframes, where browsers block third-party cookies. The editor's
# preview is different: it runs on the staff session, so it keeps CSRF checks.


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

Finish = Callable[[HtmxHttpRequest, flow.Run, flow.Outcome], HttpResponse]


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
    request: HtmxHttpRequest,
    run: flow.Run,
    state: flow.State,
    surface: Surface = SITE,
    *,
    finish: Finish,
) -> HttpResponse:
    """One posted step of `run`, for the public quiz, the embed and the preview alike."""
    try:
        outcome = flow.advance(run, state, request.POST)
        if outcome.finished:
            return finish(request, run, outcome)
    except flow.FlowError as error:
        return problem(request, run.slug, error, surface, preview=run.preview)
    if outcome.reached and state.attempt:
        progress.mark_reached(state.attempt, outcome.reached)
    return step_page(request, run, outcome.state, surface, error=outcome.error)


def complete(
    request: HtmxHttpRequest, run: flow.Run, outcome: flow.Outcome, *, surface: Surface = SITE
) -> HttpResponse:
    """Finish the attempt and go to its result page on `surface`."""
    url = surface.result_url(flow.finish(outcome.state, outcome.region))
    if request.htmx:
        # HX-Redirect (a full navigation) rather than swapping the result into the
        # panel with HX-Push-Url: the result is its own page with its own title,
        # Open Graph tags and permalink in the address bar, a reload shows it again
        # instead of resubmitting, and the same GET serves htmx and JS-off visitors.
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url, status=303)


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


# --- Our own pages ----------------------------------------------------------------------


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=PANEL)
def start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The intro (GET), or start an attempt and show the first question (POST)."""
    version = live_version(slug)
    if version is None:
        raise Http404("No published quiz has this slug.")
    run = flow.published_run(version)
    key = request.POST.get("partner") if request.method == "POST" else request.GET.get("partner")
    try:
        partner = flow.partner_for(key)
    except flow.FlowError as error:
        return problem(request, slug, error)
    if request.method in ("GET", "HEAD"):
        return intro(request, run, hidden={"partner": key} if partner else {})
    channel = Attempt.Channel.EMBED if partner else Attempt.Channel.WEB
    return begin(request, run, channel=channel, partner_id=partner)


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=PANEL)
def step(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Apply one step; after the last, complete the attempt and go to its permalink.

    A GET (a bookmarked or shared step address: the state is only ever posted)
    goes back to the intro rather than showing a bare "method not allowed".
    """
    if request.method in ("GET", "HEAD"):
        return redirect("quiz:start", slug=slug)
    try:
        state = flow.load_state(request.POST.get("state"), slug=slug)
        run = flow.run_for(state)
    except flow.FlowError as error:
        return problem(request, slug, error)
    return advance(request, run, state, finish=complete)


# A result is one visitor's answers, and the page carries a per-response CSP nonce:
# their browser may keep it, a shared cache must not.
@require_safe
@cache_control(private=True, max_age=300)
def result(request: HttpRequest, result_id: str) -> HttpResponse:
    attempt = get_object_or_404(
        with_versions(Attempt.objects.completed()).select_related("quiz__ladder"),
        result_id=result_id,
    )
    return render(request, RESULT_TEMPLATE, result_context(request, attempt))


# --- Editor preview of the draft ------------------------------------------------------


@staff_member_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=PANEL)
def preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The draft as a visitor would see it; records nothing; shows the result inline.

    Runs on the staff session, so unlike the public flow it keeps CSRF protection.
    """
    quiz = get_object_or_404(Quiz.objects.select_related("ladder"), slug=slug)
    try:
        run = flow.draft_run(quiz)
        if request.method in ("GET", "HEAD"):
            return intro(request, run)
        if "state" not in request.POST:
            return step_page(request, run, flow.preview_state(slug))
        state = flow.load_state(request.POST.get("state"), slug=slug, preview=True)
    except flow.FlowError as error:
        return problem(request, slug, error, preview=True)
    return advance(request, run, state, finish=partial(_show_preview, ladder=quiz.ladder))


def _show_preview(
    request: HtmxHttpRequest, run: flow.Run, outcome: flow.Outcome, *, ladder: Ladder
) -> HttpResponse:
    shown = flow.preview_result(run, outcome.state, outcome.region)
    assert run.draft is not None  # a preview's run
    context = presentation.result_context(shown, version=run.draft) | {
        "title": run.title,
        "slug": run.slug,
        "ladder": ladder,
        "ladder_title": ladder.title,
        "preview": True,
        "finished": True,
    }
    return render(request, QUIZ_TEMPLATE, context)
