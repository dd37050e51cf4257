"""The embed: the loader script, and the quiz's pages as they run inside a partner's frame.

`/embed/<quiz>/?partner=KEY` is the quiz (quiz.pages, on an embed `Surface`)
without site chrome, in the partner's theme. Every embed response names the
partner's origins, and only those, in `Content-Security-Policy: frame-ancestors`
(the site's other pages keep `frame-ancestors 'none'` and X-Frame-Options
DENY). Nothing in the embedded flow sets or needs a cookie: the quiz's state
travels in signed form fields, as on the site.

Staff may preview a partner's embed inside the admin: their own origin is then
allowed to frame it too, and attempts they start are recorded as previews.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from careerquiz.partners.attempts import partner_of
from careerquiz.partners.embed import frame_ancestors, loader_file, theme_of
from careerquiz.partners.look import PLAIN, Look, look_from
from careerquiz.partners.lookup import PartnerRejected, find_partner
from careerquiz.partners.models import CallToActionClick, Partner
from careerquiz.web.conditional import conditional_get
from careerquiz.web.csp import override_csp
from careerquiz.web.htmx import HtmxHttpRequest, for_htmx
from ladder.money import is_region_code
from quiz import flow, pages, passthrough
from quiz.documents import RungRef
from quiz.models import Attempt, clean_ref
from quiz.results import result_of, with_versions
from quiz.versions import live_version

EMBED_LAYOUT = "partners/embed_base.html"
RESULT_TEMPLATE = "partners/embed_result.html"
# The loader's URL never changes, so partners' pages pick up a new version
# within this many seconds; what it loads has hashed, immutable names.
LOADER_MAX_AGE = 300

MSG_NO_KEY = "This embedded quiz was set up without a partner key, so it can't start."
MSG_UNKNOWN_QUIZ = "There is no published quiz at this address."
MSG_PARTNER_GONE = "This quiz is no longer available here."
MSG_ORIGIN_NOT_ALLOWED = "This site may not show this quiz: it is not one of the partner's sites."
MSG_ORIGIN_CONSOLE = (
    "{origin} is not an allowed origin for the partner key {key}: add it to the partner's "
    "allowed origins in the careerquiz admin (Partners), or with "
    "`manage.py partner`, then reload."
)
MSG_NOT_EMBEDDED = "This progress belongs to the quiz on our own site, not to an embedded one."


@dataclass(frozen=True, kw_only=True)
class EmbedSurface(pages.Surface):
    result_query: str = ""  # the result's address keeps the widget's look

    def result_url(self, attempt: Attempt) -> str:
        return super().result_url(attempt) + self.result_query


def embed_surface(
    partner: Partner,
    *,
    ref: str = "",
    region: str = "",
    preview: bool = False,
    passed: Mapping[str, str] | None = None,
    look: Look = PLAIN,
) -> pages.Surface:
    """The embed's pages for this partner; starting again keeps the widget's ref, region,
    look and passed-through context (and an admin preview stays a preview)."""
    origins = frame_ancestors(partner)
    restart = _start_params(
        partner, ref=ref, region=region, preview=preview, passed=passed, look=look
    )
    return EmbedSurface(
        layout=EMBED_LAYOUT,
        start="partners:embed",
        step="partners:embed-step",
        result="partners:embed-result",
        query="?" + urlencode(restart),
        # The key in the step's address, so a step whose progress cannot be read (it
        # expired) still knows whose frame it is in and can offer to start again.
        step_query="?" + urlencode({"partner": partner.public_key} | look.as_params()),
        result_query="?" + urlencode(look.as_params()) if look.as_params() else "",
        context={
            "look": look,
            "partner": partner,
            "theme": theme_of(partner),
            "embedded": True,
            # Where the frame may post its messages (static/js/embed-frame.js).
            "message_origins": " ".join(origins),
        },
    )


def _start_params(
    partner: Partner,
    *,
    ref: str,
    region: str,
    preview: bool,
    passed: Mapping[str, str] | None = None,
    look: Look = PLAIN,
) -> dict[str, str]:
    """What starting the embedded quiz carries: in links back to the start, and as the
    intro's hidden fields."""
    params = {"partner": partner.public_key, "ref": ref, "region": region}
    params |= passthrough.as_fields(passed or {}) | look.as_params()
    if preview:
        params["preview"] = "1"
    return {name: value for name, value in params.items() if value}


def _framed_by(
    response: HttpResponseBase, request: HttpRequest, origins: list[str], *, preview: bool
) -> HttpResponseBase:
    """Let exactly these origins (and staff previewing, our own) frame the response."""
    ancestors: list[str] = list(origins)
    if preview and request.user.is_staff:
        ancestors.append(CSP.SELF)
    override_csp(response, frame_ancestors=ancestors or [CSP.NONE])
    response.xframe_options_exempt = True  # type: ignore[attr-defined]  # CSP decides
    # A partner page isolated with COEP may frame it (CSP still says which pages may).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _rejected(
    request: HttpRequest,
    slug: str,
    message: str,
    partner: Partner | None,
    *,
    status: int = 400,
    console_message: str = "",
) -> HttpResponseBase:
    """A clear page inside the frame instead of a blank box, which tells the loader too
    (with `console_message` for the page's developer, when there is more to say)."""
    context = {
        "message": message,
        "console_message": console_message,
        "restart_url": "",
        "own_site_url": reverse("quiz:start", args=[slug]),
        "embedded": True,
        # An unknown key's page holds nothing private: any page may show (and hear) it.
        "message_origins": " ".join(frame_ancestors(partner)) if partner else "*",
        "rejected": True,
        "look": look_from(request.POST if request.method == "POST" else request.GET),
    }
    response = pages.render(
        request, pages.PROBLEM_TEMPLATE, context, pages.Surface(layout=EMBED_LAYOUT), status=status
    )
    origins = frame_ancestors(partner) if partner else ["*"]
    return _framed_by(response, request, origins, preview=True)


def _partner_or_reason(key: str | None) -> tuple[Partner | None, str]:
    """The active partner a key names, or why not (with the partner, if it is disabled)."""
    if not key:
        return None, MSG_NO_KEY
    try:
        return find_partner(key), ""
    except PartnerRejected as rejected:
        reason = MSG_PARTNER_GONE if rejected.partner else flow.MSG_UNKNOWN_PARTNER
        return rejected.partner, reason


def _region_hint(value: str | None, partner: Partner) -> str:
    """The region to preselect: data-region if it is a region code, else the partner's."""
    region = (value or "").upper()
    return region if is_region_code(region) else partner.default_region


@csrf_exempt  # no cookie, no session: see quiz.views
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=pages.PANEL)
def start(request: HtmxHttpRequest, slug: str) -> HttpResponseBase:
    """The embedded intro (GET), or start an attempt for the partner (POST)."""
    data = request.POST if request.method == "POST" else request.GET
    partner, reason = _partner_or_reason(data.get("partner"))
    if partner is None or reason:
        return _rejected(request, slug, reason, partner)
    version = live_version(slug)
    if version is None:
        return _rejected(request, slug, MSG_UNKNOWN_QUIZ, partner, status=404)
    run = flow.published_run(version)
    preview = data.get("preview") == "1" and request.user.is_staff
    claimed = data.get("origin", "")
    if claimed and not preview and claimed not in frame_ancestors(partner):
        # The loader says where it runs. A page that lies is still refused by the browser
        # (frame-ancestors); this only spares an honest one a blank frame.
        # A 200: a 4xx would add the browser's own "Failed to load resource" line to the
        # page's console beside the one message the loader logs.
        console = MSG_ORIGIN_CONSOLE.format(origin=claimed[:200], key=partner.public_key)
        return _rejected(
            request, slug, MSG_ORIGIN_NOT_ALLOWED, None, status=200, console_message=console
        )
    ref, region = clean_ref(data.get("ref")), _region_hint(data.get("region"), partner)
    passed = passthrough.from_fields(data, partner.pass_param_names)
    look = look_from(data)
    surface = embed_surface(
        partner, ref=ref, region=region, preview=preview, passed=passed, look=look
    )
    if request.method in ("GET", "HEAD"):
        hidden = _start_params(
            partner, ref=ref, region=region, preview=preview, passed=passed, look=look
        )
        response: HttpResponseBase = pages.intro(request, run, surface, hidden=hidden)
    else:
        channel = Attempt.Channel.PREVIEW if preview else Attempt.Channel.EMBED
        response = pages.begin(
            request,
            run,
            surface,
            channel=channel,
            partner_id=partner.pk,
            ref=ref,
            region=region,
            passthrough=passed,
        )
    return _framed_by(response, request, frame_ancestors(partner), preview=preview)


@csrf_exempt  # no cookie, no session: see quiz.views
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@for_htmx(use_partial=pages.PANEL)
def step(request: HtmxHttpRequest, slug: str) -> HttpResponseBase:
    """One step of an embedded attempt; the last one goes to the embedded result.

    A GET (history navigation in a frame without JavaScript) goes back to the intro
    in the frame, as on the site, rather than to a page the frame may not show.
    """
    look = look_from(request.GET)  # the step's address carries it, as it does the key
    if request.method in ("GET", "HEAD"):
        query = urlencode({"partner": request.GET.get("partner", "")} | look.as_params())
        return HttpResponseRedirect(reverse("partners:embed", args=[slug]) + "?" + query)
    try:
        state = flow.load_state(request.POST.get("state"), slug=slug)
        if state.partner is None:
            raise flow.FlowError(MSG_NOT_EMBEDDED)
        run = flow.run_for(state)
    except flow.FlowError as error:
        return _cannot_continue(request, slug, error)
    partner = Partner.objects.active().filter(pk=state.partner).first()
    if partner is None:
        return _rejected(request, slug, MSG_PARTNER_GONE, None)
    preview = state.channel == Attempt.Channel.PREVIEW
    surface = embed_surface(partner, ref=state.ref, region=state.region, preview=preview, look=look)
    response = pages.advance(request, run, state, surface)
    return _framed_by(response, request, frame_ancestors(partner), preview=preview)


def _cannot_continue(request: HttpRequest, slug: str, error: flow.FlowError) -> HttpResponseBase:
    """Progress that cannot be read (expired, say): start again in the partner's frame."""
    partner, reason = _partner_or_reason(request.GET.get("partner"))
    if partner is None or reason:
        return _rejected(request, slug, error.message, None)
    surface = embed_surface(partner, look=look_from(request.GET))
    response = pages.problem(request, slug, error, surface)
    # Whether it was an admin preview is in the progress that could not be read.
    return _framed_by(response, request, frame_ancestors(partner), preview=True)


@xframe_options_exempt
@require_safe
@never_cache
def result(request: HttpRequest, result_id: str) -> HttpResponseBase:
    """The result inside the frame, with the partner's call to action; tells the loader."""
    attempt = get_object_or_404(
        with_versions(Attempt.objects.completed()).select_related("quiz__ladder"),
        result_id=result_id,
    )
    partner = partner_of(attempt)
    if partner is None:
        raise Http404("This result was not reached through a partner's embed.")
    preview = attempt.channel == Attempt.Channel.PREVIEW
    surface = embed_surface(
        partner,
        ref=attempt.ref,
        region=attempt.region,
        preview=preview,
        passed=attempt.passthrough,
        look=look_from(request.GET),
    )
    context = pages.result_context(request, attempt) | {
        "event": _complete_event(request, attempt),
        "restart_url": surface.start_url(attempt.quiz.slug),
    }
    response = pages.render(request, RESULT_TEMPLATE, context, surface)
    return _framed_by(response, request, frame_ancestors(partner), preview=preview)


@require_safe
@never_cache
def call_to_action(request: HttpRequest, result_id: str) -> HttpResponseBase:
    """The partner's call to action, by way of here: the first click per attempt is
    counted (CallToActionClick), then the visitor goes on to the partner's link."""
    attempt = get_object_or_404(Attempt.objects.completed(), result_id=result_id)
    partner = partner_of(attempt)
    if partner is None or not partner.cta_url:
        raise Http404("This partner has no call to action.")
    if request.method == "GET" and attempt.channel != Attempt.Channel.PREVIEW:
        CallToActionClick.objects.get_or_create(attempt=attempt, defaults={"partner": partner})
    return HttpResponseRedirect(partner.cta_url)


def _complete_event(request: HttpRequest, attempt: Attempt) -> dict[str, Any]:
    """The detail of the `careerquiz:complete` event the host page receives."""
    result = result_of(attempt)

    def rung(ref: RungRef | None) -> dict[str, str] | None:
        return {"slug": ref.slug, "title": ref.title} if ref else None

    return {
        "id": attempt.result_id,
        "rung": rung(result.rung),
        "next_rung": rung(result.next_rung),
        "result_url": request.build_absolute_uri(attempt.get_absolute_url()),
        "ref": attempt.ref,
        "passthrough": attempt.passthrough,
    }


# --- The loader -------------------------------------------------------------------------


@require_safe
def loader(request: HttpRequest) -> HttpResponseBase:
    """/embed.js: a stable address partners paste, cached briefly, revalidated by ETag."""
    loader = loader_file()
    response = conditional_get(
        request,
        etag=loader.etag,
        build=lambda: HttpResponse(loader.body, content_type="text/javascript; charset=utf-8"),
        public=True,
        max_age=LOADER_MAX_AGE,
    )
    # The snippet pins the loader with integrity + crossorigin="anonymous", which needs
    # CORS; any page may load it (it is public), and pages isolated with COEP may too.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
