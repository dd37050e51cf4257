"""How an embedded quiz sits in the partner's page, chosen by the page itself.

The loader forwards `data-background` and `data-heading` from the snippet as query
parameters (a plain iframe may add them to its address). They reach the frame's
markup only as one of a few fixed class names: any value not on the list below
is ignored, so nothing a page sends is ever written into the frame as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BACKGROUND = "background"
HEADING = "heading"
TRANSPARENT = "transparent"  # the frame's page has no background of its own
HIDDEN = "hidden"  # the quiz's title is left to screen readers (the page says it)
ALLOWED = {BACKGROUND: TRANSPARENT, HEADING: HIDDEN}


@dataclass(frozen=True, kw_only=True)
class Look:
    transparent: bool = False
    hide_heading: bool = False

    def as_params(self) -> dict[str, str]:
        """The query parameters that choose this look, for links and forms in the frame."""
        params = {}
        if self.transparent:
            params[BACKGROUND] = TRANSPARENT
        if self.hide_heading:
            params[HEADING] = HIDDEN
        return params

    @property
    def classes(self) -> str:
        """Class names for the frame's <html> element (static/css/embed.css)."""
        names = ["embed-transparent"] if self.transparent else []
        if self.hide_heading:
            names.append("embed-no-heading")
        return " ".join(names)


PLAIN = Look()  # the quiz's own background and title


def look_from(data: Mapping[str, str]) -> Look:
    """The look that `data` (a request's GET or POST) asks for; unknown values are ignored."""
    return Look(
        transparent=data.get(BACKGROUND) == ALLOWED[BACKGROUND],
        hide_heading=data.get(HEADING) == ALLOWED[HEADING],
    )
