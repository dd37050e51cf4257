"""The public ladder page: every rung with what it takes, pays and leads to."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from ladder.models import Ladder, LadderNote, Rung

NOTE_SECTIONS = (
    (LadderNote.Kind.FAQ, "Questions people ask"),
    (LadderNote.Kind.CAVEAT, "Caveats"),
    (LadderNote.Kind.TRACK, "Parallel tracks"),
    (LadderNote.Kind.CHALLENGE, "Challenges on the way"),
)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    # One query per kind of rung content, however many rungs the ladder has.
    ladder = get_object_or_404(
        Ladder.objects.prefetch_related(
            Prefetch("rungs", queryset=Rung.objects.with_content().order_by("order")), "notes"
        ),
        slug=slug,
    )
    notes = list(ladder.notes.all())
    sections = [
        {"kind": kind, "label": label, "notes": [n for n in notes if n.kind == kind]}
        for kind, label in NOTE_SECTIONS
    ]
    context = {
        "ladder": ladder,
        "rungs": list(ladder.rungs.all()),
        "note_sections": [s for s in sections if s["notes"]],
        "quizzes": ladder.quizzes.filter(live_version__isnull=False),
    }
    return TemplateResponse(request, "ladder/detail.html", context)
