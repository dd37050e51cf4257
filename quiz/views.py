"""The quiz pages: intro, one question per step (htmx or plain posts), result permalink.

The step logic lives in quiz.flow; these views read the request, call it and
render. Every htmx request gets the `#quiz-panel` fragment of the same
template a plain post renders in full, so the quiz works with JavaScript off.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quiz import flow
from quiz.attempts import build_result, start_attempt
from quiz.models import Attempt, Quiz, QuizVersion
from quiz.placement import InvalidAnswers, QuizSpec, place
from quiz.versions import snapshot, spec_for, spec_from_snapshot

QUIZ_TEMPLATE = "quiz/quiz.html"
PROBLEM_TEMPLATE = "quiz/problem.html"

# Why the public flow needs no CSRF token (and sets no CSRF cookie): CSRF abuses
# ambient authority, a cookie or login the browser attaches to a forged
# cross-site request. The quiz has none: no session, no cookie, no account. A
# forged cross-site POST can do nothing an attacker could not do by posting to
# the URL directly, and the progress it carries is signed, so it cannot be
# altered either. A CSRF cookie would also break the quiz inside partners'
# cross-site iframes, where browsers block third-party cookies. The editor's
# preview is different: it runs on the staff session, so it keeps CSRF checks.


def _panel(request: HttpRequest, template: str) -> str:
    """The whole page, or only the swappable panel for htmx requests."""
    return f"{template}#quiz-panel" if getattr(request, "htmx", False) else template


def _problem(
    request: HttpRequest, slug: str, error: flow.FlowError, *, preview: bool = False
) -> TemplateResponse:
    restart = reverse("quiz:preview" if preview else "quiz:start", args=[slug])
    context = {"message": error.message, "restart_url": restart, "preview": preview}
    return TemplateResponse(request, _panel(request, PROBLEM_TEMPLATE), context, status=400)


def _step_response(
    request: HttpRequest,
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
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The intro (GET), or start an attempt and show the first question (POST)."""
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    version = quiz.live_version
    assert version is not None
    key = request.POST.get("partner") if request.method == "POST" else request.GET.get("partner")
    try:
        partner = flow.partner_for(key)
    except flow.FlowError as error:
        return _problem(request, slug, error)
    if request.method == "GET":
        context = {
            "title": quiz.title,
            "slug": slug,
            "quiz": quiz,
            "intro": version.snapshot.get("intro", ""),
            "total": flow.total_steps(spec_for(version)),
            "partner_key": partner.public_key if partner else "",
            "action": reverse("quiz:start", args=[slug]),
            "ladder_url": quiz.ladder.get_absolute_url(),
        }
        return TemplateResponse(request, _panel(request, QUIZ_TEMPLATE), context)
    channel = Attempt.Channel.EMBED if partner else Attempt.Channel.WEB
    attempt = start_attempt(version, channel=channel, partner=partner)
    return _step_response(
        request,
        title=quiz.title,
        slug=slug,
        spec=spec_for(version),
        ladder=version.snapshot["ladder"],
        state=flow.state_for_attempt(attempt, slug=slug),
        action=reverse("quiz:step", args=[slug]),
    )


@csrf_exempt  # see the note at the top of this module
@require_POST
@never_cache
def step(request: HttpRequest, slug: str) -> HttpResponse:
    """Apply one step; after the last, complete the attempt and go to its permalink."""
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


def _to_result(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        # HX-Redirect (a full navigation) rather than swapping the result into the
        # panel: the result is its own page with its own title, Open Graph tags and
        # permalink in the address bar, and a reload must not resubmit the form.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url, status=303)


@require_GET
@cache_control(public=True, max_age=300)
def result(request: HttpRequest, result_id: str) -> HttpResponse:
    attempt = get_object_or_404(
        Attempt.objects.completed().select_related("quiz__ladder"), result_id=result_id
    )
    context = flow.result_context(attempt.result) | {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "ladder": attempt.quiz.ladder,
        "permalink": request.build_absolute_uri(attempt.get_absolute_url()),
    }
    return TemplateResponse(request, "quiz/result.html", context)


# --- Editor preview of the draft ------------------------------------------------------


@staff_member_required
@require_http_methods(["GET", "POST"])
@never_cache
def preview(request: HttpRequest, slug: str) -> HttpResponse:
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
        context = {
            "title": quiz.title,
            "slug": slug,
            "quiz": quiz,
            "preview": True,
            "intro": quiz.intro,
            "total": flow.total_steps(spec),
            "action": action,
        }
        return TemplateResponse(request, _panel(request, QUIZ_TEMPLATE), context)
    if "state" not in request.POST:
        state = flow.State(
            quiz=slug, version=None, attempt=None, channel=Attempt.Channel.PREVIEW, preview=True
        )
        return _step_response(
            request,
            title=quiz.title,
            slug=slug,
            spec=spec,
            ladder=draft["ladder"],
            state=state,
            action=action,
        )
    try:
        state = flow.load_state(request.POST.get("state"), slug=slug, preview=True)
        regions = flow.regions_for(draft["ladder"]) if flow.on_region_step(spec, state) else None
        outcome = flow.advance(spec, state, request.POST, regions=regions or ())
        if outcome.finished:
            placement = place(spec, outcome.state.answers)
            unsaved = QuizVersion(quiz=quiz, number=0, snapshot=draft)
            outcome_result = build_result(
                spec, placement, version=unsaved, region=outcome.region, result_id="preview"
            )
            context = flow.result_context(outcome_result) | {
                "title": quiz.title,
                "slug": slug,
                "quiz": quiz,
                "ladder": quiz.ladder,
                "preview": True,
                "finished": True,
            }
            return TemplateResponse(request, _panel(request, QUIZ_TEMPLATE), context)
    except (flow.FlowError, InvalidAnswers) as error:
        if isinstance(error, InvalidAnswers):
            error = flow.FlowError(flow.MSG_STATE_INVALID)
        return _problem(request, slug, error, preview=True)
    return _step_response(
        request,
        title=quiz.title,
        slug=slug,
        spec=spec,
        ladder=draft["ladder"],
        state=outcome.state,
        action=action,
        error=outcome.error,
        regions=regions if outcome.state.step == state.step else None,
    )
