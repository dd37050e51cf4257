"""The quiz pages: intro, one question per step (htmx or plain posts), result permalink.

The step logic lives in quiz.flow and what a result says in quiz.presentation;
these views read the request, call them and render. Every htmx request gets
the `#quiz-panel` fragment of the same template a plain post renders in full
(`for_htmx`), so the quiz works with JavaScript off.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from ladder.models import Ladder
from quiz import flow, presentation
from quiz.attempts import start_attempt
from quiz.htmx import HtmxHttpRequest, for_htmx
from quiz.models import Attempt, Quiz

QUIZ_TEMPLATE = "quiz/quiz.html"
PROBLEM_TEMPLATE = "quiz/problem.html"
RESULT_TEMPLATE = "quiz/result.html"
PANEL = "quiz-panel"

# Why the public flow needs no CSRF token (and sets no CSRF cookie): CSRF abuses
# ambient authority, a cookie or login the browser attaches to a forged
# cross-site request. The quiz has none: no session, no cookie, no account. A
# forged cross-site POST can do nothing an attacker could not do by posting to
# the URL directly, and the progress it carries is signed, so it cannot be
# altered either. A CSRF cookie would also break the quiz inside partners'
# cross-site iframes, where browsers block third-party cookies. The editor's
# preview is different: it runs on the staff session, so it keeps CSRF checks.

Finish = Callable[[HtmxHttpRequest, flow.Run, flow.Outcome], HttpResponse]


def _problem(
    request: HttpRequest, slug: str, error: flow.FlowError, *, preview: bool = False
) -> TemplateResponse:
    restart = reverse("quiz:preview" if preview else "quiz:start", args=[slug])
    context = {"message": error.message, "restart_url": restart, "preview": preview}
    return TemplateResponse(request, PROBLEM_TEMPLATE, context, status=400)


def _intro(request: HttpRequest, run: flow.Run, *, action: str, **extra: Any) -> TemplateResponse:
    context = {
        "title": run.title,
        "slug": run.slug,
        "intro": run.intro,
        "total": flow.total_steps(run.spec),
        "ladder_url": reverse("ladder:detail", args=[run.ladder]),
        "preview": run.preview,
        "action": action,
        **extra,
    }
    return TemplateResponse(request, QUIZ_TEMPLATE, context)


def _step_page(
    request: HttpRequest, run: flow.Run, state: flow.State, *, action: str, error: str = ""
) -> TemplateResponse:
    context = {
        "title": run.title,
        "slug": run.slug,
        "preview": run.preview,
        "action": action,
        "state": flow.dump_state(state),
        "step": flow.step_view(run, state, error=error),
    }
    return TemplateResponse(request, QUIZ_TEMPLATE, context)


def _advance(
    request: HtmxHttpRequest, run: flow.Run, state: flow.State, *, action: str, finish: Finish
) -> HttpResponse:
    """One posted step of `run`, for the public quiz and the preview alike."""
    try:
        outcome = flow.advance(run, state, request.POST)
        if outcome.finished:
            return finish(request, run, outcome)
    except flow.FlowError as error:
        return _problem(request, run.slug, error, preview=run.preview)
    return _step_page(request, run, outcome.state, action=action, error=outcome.error)


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "POST"])
@never_cache
@for_htmx(use_partial=PANEL)
def start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The intro (GET), or start an attempt and show the first question (POST)."""
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    assert quiz.live_version is not None  # published() guarantees it
    run = flow.published_run(quiz.live_version)
    key = request.POST.get("partner") if request.method == "POST" else request.GET.get("partner")
    try:
        partner = flow.partner_for(key)
    except flow.FlowError as error:
        return _problem(request, slug, error)
    if request.method == "GET":
        action = reverse("quiz:start", args=[slug])
        return _intro(request, run, action=action, partner_key=key if partner else "")
    channel = Attempt.Channel.EMBED if partner else Attempt.Channel.WEB
    attempt = start_attempt(quiz.live_version, channel=channel, partner_id=partner)
    state = flow.state_for_attempt(attempt, slug=slug)
    return _step_page(request, run, state, action=reverse("quiz:step", args=[slug]))


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "POST"])
@never_cache
@for_htmx(use_partial=PANEL)
def step(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Apply one step; after the last, complete the attempt and go to its permalink.

    A GET (a bookmarked or shared step address: the state is only ever posted)
    goes back to the intro rather than showing a bare "method not allowed".
    """
    if request.method == "GET":
        return redirect("quiz:start", slug=slug)
    try:
        state = flow.load_state(request.POST.get("state"), slug=slug)
        run = flow.run_for(state)
    except flow.FlowError as error:
        return _problem(request, slug, error)
    action = reverse("quiz:step", args=[slug])
    return _advance(request, run, state, action=action, finish=_complete)


def _complete(request: HtmxHttpRequest, run: flow.Run, outcome: flow.Outcome) -> HttpResponse:
    url = flow.finish(outcome.state, outcome.region).get_absolute_url()
    if request.htmx:
        # HX-Redirect (a full navigation) rather than swapping the result into the
        # panel with HX-Push-Url: the result is its own page with its own title,
        # Open Graph tags and permalink in the address bar, a reload shows it again
        # instead of resubmitting, and the same GET serves htmx and JS-off visitors.
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url, status=303)


@require_GET
@cache_control(public=True, max_age=300)
def result(request: HttpRequest, result_id: str) -> HttpResponse:
    attempt = get_object_or_404(
        Attempt.objects.completed().select_related("quiz__ladder", "version"),
        result_id=result_id,
    )
    version = attempt.version.snapshot
    context = presentation.result_context(
        attempt.result, rungs=version.get("rungs", ()), threshold=version.get("threshold")
    ) | {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "ladder": attempt.quiz.ladder,
        "permalink": request.build_absolute_uri(attempt.get_absolute_url()),
    }
    return TemplateResponse(request, RESULT_TEMPLATE, context)


# --- Editor preview of the draft ------------------------------------------------------


@staff_member_required
@require_http_methods(["GET", "POST"])
@never_cache
@for_htmx(use_partial=PANEL)
def preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The draft as a visitor would see it; records nothing; shows the result inline.

    Runs on the staff session, so unlike the public flow it keeps CSRF protection.
    """
    quiz = get_object_or_404(Quiz.objects.select_related("ladder"), slug=slug)
    action = reverse("quiz:preview", args=[slug])
    try:
        run = flow.draft_run(quiz)
        if request.method == "GET":
            return _intro(request, run, action=action)
        if "state" not in request.POST:
            return _step_page(request, run, flow.preview_state(slug), action=action)
        state = flow.load_state(request.POST.get("state"), slug=slug, preview=True)
    except flow.FlowError as error:
        return _problem(request, slug, error, preview=True)
    show = partial(_show_preview_result, ladder=quiz.ladder)
    return _advance(request, run, state, action=action, finish=show)


def _show_preview_result(
    request: HtmxHttpRequest, run: flow.Run, outcome: flow.Outcome, *, ladder: Ladder
) -> HttpResponse:
    shown = flow.preview_result(run, outcome.state, outcome.region)
    context = presentation.result_context(
        shown, rungs=run.draft["rungs"], threshold=run.draft["threshold"]
    ) | {
        "title": run.title,
        "slug": run.slug,
        "ladder": ladder,
        "preview": True,
        "finished": True,
    }
    return TemplateResponse(request, QUIZ_TEMPLATE, context)
