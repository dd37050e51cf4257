"""Top-level routes: the admin, the public quiz and ladder pages, and the REST API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from careerquiz import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("ladders/", include("ladder.urls")),
    path("", include("quiz.urls")),
    path("", include("careerquiz.partners.urls")),
    path("api/", include("careerquiz.api.urls")),
]
