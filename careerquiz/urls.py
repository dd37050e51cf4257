"""Top-level routes: the admin, the public quiz and ladder pages, and the REST API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from careerquiz import views
from careerquiz.analytics import views as analytics
from careerquiz.content import admin_views as content_admin

admin.site.site_header = "careerquiz"
admin.site.site_title = "careerquiz admin"
admin.site.index_title = "Ladders, quizzes and partners"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # Before the admin's own URLs, which would take every admin/ path.
    path(
        "admin/content/import/",
        admin.site.admin_view(content_admin.import_file),
        name="content-import",
    ),
    path(
        "admin/content/export/<str:kind>/<slug:slug>/",
        admin.site.admin_view(content_admin.export_file),
        name="content-export",
    ),
    path("admin/analytics/", admin.site.admin_view(analytics.dashboard), name="analytics"),
    path(
        "admin/analytics/placements.csv",
        admin.site.admin_view(analytics.export_csv),
        name="analytics-export",
    ),
    path("admin/", admin.site.urls),
    path("ladders/", include("ladder.urls")),
    path("", include("quiz.urls")),
    path("", include("careerquiz.partners.urls")),
    path("api/", include("careerquiz.api.urls")),
]
