"""Site-wide pages that belong to no app."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from ladder.models import Ladder
from quiz.models import Quiz


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "quizzes": Quiz.objects.published().order_by("title"),
        "ladders": Ladder.objects.order_by("title"),
    }
    return TemplateResponse(request, "home.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
