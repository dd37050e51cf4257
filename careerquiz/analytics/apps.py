from __future__ import annotations

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "careerquiz.analytics"
    label = "analytics"
    verbose_name = "Analytics"
