"""API routes, mounted at /api/: the versioned endpoints, the OpenAPI schema and the docs."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from careerquiz.api import docs, views

app_name = "api"

urlpatterns = [
    path("v1/ladders/", views.LadderListApi.as_view(), name="ladder-list"),
    path("v1/ladders/<slug:slug>/", views.LadderDetailApi.as_view(), name="ladder-detail"),
    path("v1/quizzes/", views.QuizListApi.as_view(), name="quiz-list"),
    path("v1/quizzes/<slug:slug>/", views.QuizDetailApi.as_view(), name="quiz-detail"),
    path(
        "v1/quizzes/<slug:slug>/placements/",
        views.PlacementCreateApi.as_view(),
        name="placement-create",
    ),
    path("v1/placements/<slug:id>/", views.PlacementDetailApi.as_view(), name="placement-detail"),
    # Last: every other /api/v1 path is a JSON 404 (and no APPEND_SLASH redirect, which
    # would drop a POST body).
    # [\s\S], not ".": a newline in the path (%0A) is a character like any other.
    re_path(r"^v1(?:/[\s\S]*)?$", views.UnknownEndpointApi.as_view(), name="unknown"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.swagger_ui, name="docs"),
]
