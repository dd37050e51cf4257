"""The quiz pages on our own site: intro, one question per step (htmx or plain
posts), result permalinks, and the editor's preview of the draft.

The pages themselves are quiz.pages (the embed in careerquiz.partners renders
through them too); these views read the URL and the request and call them.
Every htmx request gets the `#quiz-panel` fragment of the same template a
plain post renders in full (`for_htmx`), so the quiz works with JavaScript off.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from careerquiz.web.htmx import HtmxHttpRequest, for_htmx
from quiz import flow, pages
from quiz.models import Attempt, Quiz
from quiz.results import with_versions
from quiz.versions import live_version

# Why the public flow needs no CSRF token (and sets no CSRF cookie): CSRF abuses
# ambient authority, a cookie or login the browser attaches to a forged
# cross-site request. The quiz has none: no session, no cookie, no account. A
# forged cross-site POST can do nothing an attacker could not do by posting to
# the URL directly, and the progress it carries is signed, so it cannot be
# altered either. A CSRF cookie would also break the quiz inside partners'
# cross-site iframes, where browsers block third-party cookies. The editor's
# preview is different: it runs on the staff session, so it keeps CSRF checks.


# --- Our own pages ----------------------------------------------------------------------


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=pages.PANEL)
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
        return pages.problem(request, slug, error)
    if request.method in ("GET", "HEAD"):
        return pages.intro(request, run, hidden={"partner": key} if partner else {})
    channel = Attempt.Channel.EMBED if partner else Attempt.Channel.WEB
    return pages.begin(request, run, channel=channel, partner_id=partner)


@csrf_exempt  # see the note at the top of this module
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=pages.PANEL)
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
        return pages.problem(request, slug, error)
    return pages.advance(request, run, state)


# A result is one visitor's answers, and the page carries a per-response CSP nonce:
# their browser may keep it, a shared cache must not.
@require_safe
@cache_control(private=True, max_age=300)
def result(request: HttpRequest, result_id: str) -> HttpResponse:
    attempt = get_object_or_404(
        with_versions(Attempt.objects.completed()).select_related("quiz__ladder"),
        result_id=result_id,
    )
    return pages.render(request, pages.RESULT_TEMPLATE, pages.result_context(request, attempt))


# --- Editor preview of the draft ------------------------------------------------------


@staff_member_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=pages.PANEL)
def preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The draft as a visitor would see it; records nothing; shows the result inline.

    Runs on the staff session, so unlike the public flow it keeps CSRF protection.
    """
    quiz = get_object_or_404(Quiz.objects.select_related("ladder"), slug=slug)
    try:
        run = flow.draft_run(quiz)
        if request.method in ("GET", "HEAD"):
            return pages.intro(request, run)
        if "state" not in request.POST:
            return pages.step_page(request, run, flow.preview_state(slug))
        state = flow.load_state(request.POST.get("state"), slug=slug, preview=True)
    except flow.FlowError as error:
        return pages.problem(request, slug, error, preview=True)
    return pages.advance(request, run, state)
