"""URL converters for the quiz's public ids."""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import StringConverter


class ResultIdConverter(StringConverter):
    """A result id as quiz.models.new_result_id makes them: URL-safe base64, at most 32 long.

    Anything else is a 404 before it reaches the database, which matters for a
    NUL byte: PostgreSQL refuses a query that carries one.
    """

    regex = r"[A-Za-z0-9_-]{1,32}"


register_converter(ResultIdConverter, "result_id")
