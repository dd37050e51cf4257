"""django-simple-history's history and revert pages, held to the admin they belong to.

The library looks an object up by primary key in its history table, so an
admin's `get_queryset` (a partner manager's own partners, say) never applies,
and it saves a posted revert form for anyone who may merely view the object.
`GuardedHistoryAdmin` finds the object through `get_object` (the admin's own
queryset, and a clean 404-style redirect for ids that are not ids at all),
asks view permission to read an old version and change permission to revert
to it. The history of an object this user cannot see is not shown, deleted
objects included: whose they were can no longer be checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model


class GuardedHistoryAdmin[M: models.Model](SimpleHistoryAdmin[M]):
    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._missing(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self._is_version_of(obj, version_id):
            return self._missing(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(super().revert_disabled(request, obj)) or not self.has_change_permission(
            request, obj
        )

    def _missing(self, request: HttpRequest, object_id: str) -> HttpResponse:
        # What the change page answers for an object this user's admin does not find.
        redirect: HttpResponse = self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
            request, self.opts, object_id
        )
        return redirect

    def _is_version_of(self, obj: M, version_id: str) -> bool:
        history = get_history_model_for_model(self.model)
        try:
            history_id = history._meta.pk.to_python(unquote(version_id))
        except ValidationError:
            return False
        versions = history._default_manager.filter(history_id=history_id)
        return bool(versions.filter(**{self.opts.pk.attname: obj.pk}).exists())
