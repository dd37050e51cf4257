"""`{% integrity "js/quiz.js" %}`: a file's Subresource Integrity value (careerquiz.web)."""

from __future__ import annotations

from django import template

from careerquiz.web.integrity import integrity as integrity_of

register = template.Library()


@register.simple_tag
def integrity(path: str) -> str:
    return integrity_of(path)
