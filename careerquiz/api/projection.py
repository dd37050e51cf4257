"""A serializer's output for plain data, without DRF's per-call cost.

A placement body is a result document's JSON (quiz.documents.Result.to_json, upgraded
from older schemas when read) shown through PlacementSerializer, which documents the
shape (OpenAPI) and decides it: only declared fields. DRF
deep-copies every nested field for each serializer instance, which made the
serializer most of a placement's time. `projector` reads the serializer's
declared fields once and returns a function producing the same output;
tests/test_api.py checks the two agree on every persona's placement.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from rest_framework import fields, serializers

Project = Callable[[Any], Any]


@cache
def projector(serializer_class: type[serializers.Serializer[Any]]) -> Project:
    """The output of `serializer_class(data).data` for a dict `data`, as a plain function."""
    return _for_serializer(serializer_class())


def _for_serializer(serializer: serializers.Serializer[Any]) -> Project:
    plan = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if field.source != name:
            raise TypeError(f"projector: {name} reads {field.source}; only plain dicts are read")
        plan.append((name, _for_field(field), field))

    def project(data: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, project_field, field in plan:
            if name in data:
                value = data[name]
            elif field.default is not fields.empty:  # as Field.get_attribute decides
                value = field.get_default()
            elif field.allow_null:
                value = None
            elif not field.required:
                continue
            else:
                raise KeyError(name)
            out[name] = None if value is None else project_field(value)
        return out

    return project


def _for_field(field: fields.Field[Any, Any, Any, Any]) -> Project:
    if isinstance(field, serializers.ListSerializer):
        child = _for_serializer(field.child)  # type: ignore[arg-type]
        return lambda items: [child(item) for item in items]
    if isinstance(field, serializers.Serializer):
        return _for_serializer(field)
    if isinstance(field, fields.ListField):
        item = _for_field(field.child)
        return lambda items: [None if i is None else item(i) for i in items]
    if isinstance(field, fields.DictField):
        value = _for_field(field.child)
        return lambda mapping: {str(k): None if v is None else value(v) for k, v in mapping.items()}
    # A scalar: DRF's own conversion (an ISO date...) is cheap, and where it is exactly a
    # builtin's (str, int, float), that builtin is cheaper still: no Python call per value.
    for declared, builtin in EXACTLY_A_BUILTIN.items():
        if type(field).to_representation is declared.to_representation:
            return builtin
    return field.to_representation


EXACTLY_A_BUILTIN: dict[type[fields.Field[Any, Any, Any, Any]], Project] = {
    fields.CharField: str,
    fields.IntegerField: int,
    fields.FloatField: float,
}
