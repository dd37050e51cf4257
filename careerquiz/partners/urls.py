"""The embed: the loader script and the quiz pages served inside partners' frames."""

from __future__ import annotations

from django.urls import path

import quiz.converters  # noqa: F401  (registers the <result_id:...> converter)
from careerquiz.partners import views

app_name = "partners"
urlpatterns = [
    path("embed.js", views.loader, name="loader"),
    path("embed/<slug:slug>/", views.start, name="embed"),
    path("embed/<slug:slug>/step/", views.step, name="embed-step"),
    path("embed/results/<result_id:result_id>/", views.result, name="embed-result"),
    path("embed/results/<result_id:result_id>/cta/", views.call_to_action, name="embed-cta"),
]
