"""{% cite key %} and {% footnotes %}: a page's sources as numbered notes (ladder.sources).

The view puts a `Footnotes` in the context as `footnotes`; `cite` numbers a
source where a fact stands, `footnotes` lists the cited ones, by title, where
the page ends.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from ladder.sources import Footnotes

register = template.Library()


@register.simple_tag(takes_context=True)
def cite(context: template.Context, key: str) -> str:
    footnotes: Footnotes | None = context.get("footnotes")
    if not key or footnotes is None:
        return ""
    number = footnotes.number(key)
    return format_html(
        '<sup class="cite"><a href="#source-{}" aria-label="Source {}">{}</a></sup>',
        number,
        number,
        number,
    )


@register.inclusion_tag("ladder/_footnotes.html", takes_context=True)
def footnotes(context: template.Context) -> dict[str, Any]:
    found: Footnotes | None = context.get("footnotes")
    return {"notes": found.cited if found else []}
