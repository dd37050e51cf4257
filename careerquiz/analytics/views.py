"""The analytics page and its CSV export, both in the admin.

careerquiz.urls wraps them in `admin.site.admin_view`: anyone not logged in as
staff is sent to the admin's login, and nothing is cached. Staff without
`quiz.view_attempt` get a 403; the rest see what `careerquiz.partners.attempts.visible_to`
lets them (careerquiz.analytics.access).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from careerquiz.analytics import access, export, figures
from careerquiz.analytics.charts import charts_for
from careerquiz.analytics.content import rungs_of
from careerquiz.analytics.counts import AttemptCounts, Counts, TallyCounts
from careerquiz.analytics.filters import read_filters
from careerquiz.partners.attempts import tallies_visible_to, visible_to
from quiz import progress, tallies

TEMPLATE = "analytics/dashboard.html"


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures for the filters in the query string, or what is wrong with them."""
    if not access.may_view(request.user):
        raise PermissionDenied
    progress.flush_if_due()  # so the drop-off includes recent steps
    form = read_filters(request.GET, request.user)
    context = {
        **admin.site.each_context(request),
        "title": "Analytics",
        "form": form,
        "sees_every_partner": access.sees_every_partner(request.user),
    }
    if form.is_valid():
        filters = form.filters()
        attempts = filters.apply(visible_to(request.user))
        counts: Counts = AttemptCounts(attempts)
        if tallies.fit_current_zone():  # else TIME_ZONE changed: rebuild_tallies
            visible = tallies_visible_to(request.user)
            together = None
            if access.sees_every_partner(request.user):
                together = filters.tallies_together(visible)
            counts = TallyCounts(filters.apply_to_tallies(visible), together=together)
        shown = figures.dashboard(
            attempts,
            counts=counts,
            published=form.published,
            rungs=rungs_of(filters.quiz),
            # One partner's numbers: broken down by the parameters it passes through.
            pass_params=filters.partner.pass_param_names if filters.partner else (),
        )
        context |= {
            "filters": filters,
            "figures": shown,
            "charts": charts_for(shown),
            "export_url": f"{reverse('analytics-export')}?{form.query_string()}",
        }
    return TemplateResponse(request, TEMPLATE, context)


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    """The attempts the page's filters select, as CSV; bad filters go back to the page."""
    if not access.may_view(request.user):
        raise PermissionDenied
    form = read_filters(request.GET, request.user)
    if not form.is_valid():
        return HttpResponseRedirect(f"{reverse('analytics')}?{request.GET.urlencode()}")
    progress.flush_if_due()
    filters = form.filters()
    attempts = filters.apply(visible_to(request.user))
    response = StreamingHttpResponse(export.lines(attempts), content_type="text/csv; charset=utf-8")
    name = export.filename(filters.quiz.slug, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
