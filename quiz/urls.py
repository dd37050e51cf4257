"""Public quiz pages: intro and steps, the editor's preview, and result permalinks."""

from __future__ import annotations

from django.urls import path

import quiz.converters  # noqa: F401  (registers the <result_id:...> converter)
from quiz import views

app_name = "quiz"
urlpatterns = [
    path("quiz/<slug:slug>/", views.start, name="start"),
    path("quiz/<slug:slug>/step/", views.step, name="step"),
    path("quiz/<slug:slug>/preview/", views.preview, name="preview"),
    path("results/<result_id:result_id>/", views.result, name="result"),
]
