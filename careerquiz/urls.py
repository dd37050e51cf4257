"""Top-level routes: the admin, the public quiz and ladder pages, and the REST API."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from careerquiz import views
from careerquiz.analytics import views as analytics
from careerquiz.content import admin_views as content_admin
from careerquiz.web.view_on_site import view_on_site

handler404 = "careerquiz.views.page_not_found"
handler500 = "careerquiz.views.server_error"

admin.site.site_header = "careerquiz"
admin.site.site_title = "careerquiz admin"
admin.site.index_title = "Ladders, quizzes and partners"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # Before the admin's own URLs, which would take every admin/ path.
    path(
        f"{settings.ADMIN_URL}content/import/",
        admin.site.admin_view(content_admin.import_file),
        name="content-import",
    ),
    path(
        f"{settings.ADMIN_URL}content/export/<str:kind>/<slug:slug>/",
        admin.site.admin_view(content_admin.export_file),
        name="content-export",
    ),
    path(
        f"{settings.ADMIN_URL}analytics/",
        admin.site.admin_view(analytics.dashboard),
        name="analytics",
    ),
    path(
        f"{settings.ADMIN_URL}analytics/placements.csv",
        admin.site.admin_view(analytics.export_csv),
        name="analytics-export",
    ),
    # In place of the admin's own "View on site" shortcut, which asks no admin's leave.
    path(
        f"{settings.ADMIN_URL}r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view-on-site",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("ladders/", include("ladder.urls")),
    path("", include("quiz.urls")),
    path("", include("careerquiz.partners.urls")),
    path("api/", include("careerquiz.api.urls")),
]
