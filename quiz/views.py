"""The quiz pages: intro, one question per step (htmx or plain posts), result permalink.

The step logic lives in quiz.flow; these views read the request, call it and
render. Every htmx request gets the `#quiz-panel` fragment of the same
template a plain post renders in full, so the quiz works with JavaScript off.
"""

from __future__ import annotations

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
from django_htmx.middleware import HtmxDetails

from quiz import flow
from quiz.attempts import start_attempt
from quiz.models import Attempt, Quiz
from quiz.placement import QuizSpec
from quiz.versions import snapshot, spec_for, spec_from_snapshot

QUIZ_TEMPLATE = "quiz/quiz.html"
PROBLEM_TEMPLATE = "quiz/problem.html"
RESULT_TEMPLATE = "quiz/result.html"

# Why the public flow needs no CSRF token (and sets no CSRF cookie): CSRF abuses
# ambient authority, a cookie or login the browser attaches to a forged
# cross-site request. The quiz has none: no session, no cookie, no account. A
# forged cross-site POST can do nothing an attacker could not do by posting to
# the URL directly, and the progress it carries is signed, so it cannot be
# altered either. A CSRF cookie would also break the quiz inside partners'
# cross-site iframes, where browsers block third-party cookies. The editor's
# preview is different: it runs on the staff session, so it keeps CSRF checks.


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _panel(request: HtmxHttpRequest, template: str) -> str:
    """The whole page, or only the swappable panel for htmx requests."""
    return f"{template}#quiz-panel" if request.htmx else template


def _problem(
    request: HtmxHttpRequest, slug: str, error: flow.FlowError, *, preview: bool = False
) -> TemplateResponse:
    restart = reverse("quiz:preview" if preview else "quiz:start", args=[slug])
    context = {"message": error.message, "restart_url": restart, "preview": preview}
    return TemplateResponse(request, _panel(request, PROBLEM_TEMPLATE), context, status=400)


def _intro(
    request: HtmxHttpRequest, quiz: Quiz, spec: QuizSpec, intro: str, **extra: Any
) -> TemplateResponse:
    context = {
        "title": quiz.title,
        "slug": quiz.slug,
        "intro": intro,
        "total": flow.total_steps(spec),
        "ladder_url": quiz.ladder.get_absolute_url(),
        **extra,
    }
    return TemplateResponse(request, _panel(request, QUIZ_TEMPLATE), context)


def _step_response(
    request: HtmxHttpRequest,
    *,
    title: str,
    slug: str,
    spec: QuizSpec,
    ladder: str,
    state: flow.State,
    action: str,
    error: str = "",
    regions: list[tuple[str, str]] | None = None,
) -> TemplateResponse:
    if regions is None and flow.on_region_step(spec, state):
        regions = flow.regions_for(ladder)
    context = {
        "title": title,
        "slug": slug,
        "preview": state.preview,
        "action": action,
        "state": flow.dump_state(state),
        "step": flow.step_view(spec, state, error=error, regions=regions or ()),
    }
    return TemplateResponse(request, _panel(request, QUIZ_TEMPLATE), context)


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "POST"])
@never_cache
def start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The intro (GET), or start an attempt and show the first question (POST)."""
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    version = quiz.live_version
    assert version is not None  # published() guarantees it
    key = request.POST.get("partner") if request.method == "POST" else request.GET.get("partner")
    try:
        partner = flow.partner_for(key)
    except flow.FlowError as error:
        return _problem(request, slug, error)
    spec = spec_for(version)
    if request.method == "GET":
        return _intro(
            request,
            quiz,
            spec,
            version.snapshot.get("intro", ""),
            partner_key=partner.public_key if partner else "",
            action=reverse("quiz:start", args=[slug]),
        )
    channel = Attempt.Channel.EMBED if partner else Attempt.Channel.WEB
    attempt = start_attempt(version, channel=channel, partner=partner)
    return _step_response(
        request,
        title=quiz.title,
        slug=slug,
        spec=spec,
        ladder=version.snapshot["ladder"],
        state=flow.state_for_attempt(attempt, slug=slug),
        action=reverse("quiz:step", args=[slug]),
    )


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "POST"])
@never_cache
def step(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Apply one step; after the last, complete the attempt and go to its permalink.

    A GET (a bookmarked or shared step address: the state is only ever posted)
    goes back to the intro rather than showing a bare "method not allowed".
    """
    if request.method == "GET":
        return redirect("quiz:start", slug=slug)
    try:
        state = flow.load_state(request.POST.get("state"), slug=slug)
        # Always the token's version: started on vN finishes on vN after a republish.
        version = flow.version_for(state)
        spec = spec_for(version)
        ladder = version.snapshot["ladder"]
        regions = flow.regions_for(ladder) if flow.on_region_step(spec, state) else None
        outcome = flow.advance(spec, state, request.POST, regions=regions or ())
        if outcome.finished:
            attempt = flow.finish(outcome.state, outcome.region)
            return _to_result(request, attempt.get_absolute_url())
    except flow.FlowError as error:
        return _problem(request, slug, error)
    return _step_response(
        request,
        title=version.snapshot["title"],
        slug=slug,
        spec=spec,
        ladder=ladder,
        state=outcome.state,
        action=reverse("quiz:step", args=[slug]),
        error=outcome.error,
        regions=regions if outcome.state.step == state.step else None,
    )


def _to_result(request: HtmxHttpRequest, url: str) -> HttpResponse:
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
    context = flow.result_context(
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
def preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The draft as a visitor would see it; records nothing; shows the result inline.

    Runs on the staff session, so unlike the public flow it keeps CSRF protection.
    """
    quiz = get_object_or_404(Quiz.objects.select_related("ladder"), slug=slug)
    draft = snapshot(quiz)
    try:
        spec = spec_from_snapshot(draft)
    except ValueError as error:  # e.g. a ladder without rungs: nothing to place on
        message = flow.MSG_PREVIEW_IMPOSSIBLE.format(problem=error)
        return _problem(request, slug, flow.FlowError(message), preview=True)
    action = reverse("quiz:preview", args=[slug])
    if request.method == "GET":
        return _intro(request, quiz, spec, quiz.intro, preview=True, action=action)
    steps = {"title": quiz.title, "slug": slug, "spec": spec, "ladder": draft["ladder"]}
    if "state" not in request.POST:
        return _step_response(request, **steps, state=flow.preview_state(slug), action=action)
    try:
        state = flow.load_state(request.POST.get("state"), slug=slug, preview=True)
        regions = flow.regions_for(draft["ladder"]) if flow.on_region_step(spec, state) else None
        outcome = flow.advance(spec, state, request.POST, regions=regions or ())
        if outcome.finished:
            shown = flow.preview_result(quiz, draft, spec, outcome.state, outcome.region)
            context = flow.result_context(
                shown, rungs=draft["rungs"], threshold=draft["threshold"]
            ) | {
                "title": quiz.title,
                "slug": slug,
                "ladder": quiz.ladder,
                "preview": True,
                "finished": True,
            }
            return TemplateResponse(request, _panel(request, QUIZ_TEMPLATE), context)
    except flow.FlowError as error:
        return _problem(request, slug, error, preview=True)
    return _step_response(
        request,
        **steps,
        state=outcome.state,
        action=action,
        error=outcome.error,
        regions=regions if outcome.state.step == state.step else None,
    )
