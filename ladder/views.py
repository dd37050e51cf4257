"""The public ladder page: every rung with what it takes, pays and leads to."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from careerquiz.web.conditional import conditional_get, etag_of
from ladder.freshness import page_key, stamp
from ladder.models import Ladder, LadderNote, Rung, SalaryBand
from ladder.money import region_name
from ladder.picture import ladder_picture
from ladder.sources import Footnotes

NOTE_SECTIONS = (
    (LadderNote.Kind.FAQ, "Questions people ask"),
    (LadderNote.Kind.CAVEAT, "Caveats"),
    (LadderNote.Kind.TRACK, "Parallel tracks"),
    (LadderNote.Kind.CHALLENGE, "Challenges on the way"),
)


# Served from the cache until the ladder changes (ladder.freshness); browsers and
# shared caches may keep it a minute, then revalidate with the ETag.
PAGE_CACHE_SECONDS = 24 * 60 * 60
PAGE_MAX_AGE = 60


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The ladder page, rendered once per change of the ladder and served from the cache."""
    found = stamp(slug)
    if found is None:
        raise Http404("No ladder has this slug.")
    key = page_key("page", *found)

    def page() -> HttpResponse:
        content = cache.get(key)
        if content is None:
            content = _render(request, found[0])
            cache.set(key, content, PAGE_CACHE_SECONDS)
        return HttpResponse(content)

    return conditional_get(
        request, etag=etag_of(key), build=page, public=True, max_age=PAGE_MAX_AGE
    )


def _render(request: HttpRequest, ladder_id: int) -> bytes:
    ladder = get_object_or_404(Ladder.objects.with_rung_content(), pk=ladder_id)
    rungs = list(ladder.rungs.all())
    notes = list(ladder.notes.all())
    sections = [
        {"kind": kind, "label": label, "notes": [n for n in notes if n.kind == kind]}
        for kind, label in NOTE_SECTIONS
    ]
    context = {
        "ladder": ladder,
        "rungs": rungs,
        "rungs_with_pay": [(rung, _pay_by_region(rung)) for rung in rungs],
        "note_sections": [s for s in sections if s["notes"]],
        "quizzes": ladder.quizzes.published(),
        "picture": ladder_picture(rungs),
        "footnotes": Footnotes(
            {"key": s.key, "title": s.title, "url": s.url} for s in ladder.sources.all()
        ),
    }
    # Nothing of the request reaches the page (no nonce, no user): any visitor may get it.
    return render_to_string("ladder/detail.html", context).encode()


def _pay_by_region(rung: Rung) -> list[tuple[str, list[SalaryBand]]]:
    """The rung's bands grouped under a region name, in the prefetched order."""
    grouped: dict[str, list[SalaryBand]] = {}
    for band in rung.salary_bands.all():
        grouped.setdefault(region_name(band.region), []).append(band)
    return list(grouped.items())
