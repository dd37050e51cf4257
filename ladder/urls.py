"""Public ladder pages."""

from __future__ import annotations

from django.urls import path

from ladder import views

app_name = "ladder"
urlpatterns = [
    path("<slug:slug>/", views.detail, name="detail"),
]
