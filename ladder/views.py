"""The public ladder page: every rung with what it takes, pays and leads to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

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


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    ladder = get_object_or_404(Ladder.objects.with_rung_content(), slug=slug)
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
    return TemplateResponse(request, "ladder/detail.html", context)


def _pay_by_region(rung: Rung) -> list[tuple[str, list[SalaryBand]]]:
    """The rung's bands grouped under a region name, in the prefetched order."""
    grouped: dict[str, list[SalaryBand]] = {}
    for band in rung.salary_bands.all():
        grouped.setdefault(region_name(band.region), []).append(band)
    return list(grouped.items())
