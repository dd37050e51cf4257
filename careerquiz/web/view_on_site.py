"""The admin's "View on site" shortcut, showing only what the user's admin would show.

Django's own shortcut (`<admin>/r/<content type>/<pk>/`) redirects any staff
user to any object's public page. For attempts that page is a result, whose
address is meant to be unguessable: walking sequential primary keys through
the shortcut would hand every result to every staff user, whatever their
admin lets them read. Here the object must be one its admin finds for this
user (`get_object`, so the admin's own `get_queryset` scoping applies) and
may view; anything else is a 404, whether it exists or not.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpRequest, HttpResponse


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ValueError, ContentType.DoesNotExist) as error:
        raise Http404 from error
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    if not model_admin.view_on_site:
        raise Http404
    return shortcut(request, content_type_id, object_id)
