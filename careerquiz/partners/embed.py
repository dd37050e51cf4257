"""What an embedded quiz needs from its partner: who may frame it, and how it looks.

Plain functions over a Partner, used by the embed views, the partner admin and
the `partner` command, so the snippets a partner copies, the headers the frame
is served with and the theme it shows agree everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders
from django.utils.html import escape

from careerquiz.partners.cors import normalise_origin
from careerquiz.partners.models import Partner
from careerquiz.web.conditional import etag_of
from careerquiz.web.integrity import sri

# The light and dark card colours of the embedded quiz (static/css/embed.css);
# an accent is checked against them for readable links.
LIGHT_CARD = "#ffffff"
DARK_CARD = "#1b2130"
LIGHT_INK = "#1d2330"
DARK_INK = "#e8ecf4"
READABLE = 4.5  # WCAG AA contrast for body text
GENERIC_FONTS = frozenset(
    {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-sans-serif"}
)


def frame_ancestors(partner: Partner) -> list[str]:
    """The partner's origins, normalised: exactly who may frame its embed."""
    return sorted({o for origin in partner.origins if (o := normalise_origin(origin))})


@dataclass(frozen=True, kw_only=True)
class Theme:
    """A partner's theme as the embedded page's CSS custom properties need it."""

    accent: str
    accent_ink: str  # text on an accent background
    link_light: str  # the accent, or plain ink where the accent is too faint to read
    link_dark: str
    radius: int
    font: str
    scheme: str

    @property
    def color_scheme(self) -> str:
        return {"light": "light", "dark": "dark"}.get(self.scheme, "light dark")

    @property
    def font_css(self) -> str:
        """The font stack as a CSS value: each family quoted, generic names left bare.

        Safe inside <style>: the model allows only letters, digits, spaces,
        hyphens, commas and quotes, and quotes are dropped here.
        """
        names = [name.strip().strip("'\"").strip() for name in self.font.split(",")]
        return ", ".join(name if name in GENERIC_FONTS else f'"{name}"' for name in names if name)


def theme_of(partner: Partner) -> Theme:
    accent = _expand(partner.accent_color)
    on_white, on_black = _contrast(accent, "#ffffff"), _contrast(accent, "#000000")
    return Theme(
        accent=accent,
        accent_ink="#ffffff" if on_white >= on_black else "#111111",
        link_light=accent if _contrast(accent, LIGHT_CARD) >= READABLE else LIGHT_INK,
        link_dark=accent if _contrast(accent, DARK_CARD) >= READABLE else DARK_INK,
        radius=partner.corner_radius,
        font=partner.font_family,
        scheme=partner.color_scheme,
    )


def _expand(colour: str) -> str:
    """#abc -> #aabbcc; anything else as it is."""
    if len(colour) == 4:
        return "#" + "".join(c * 2 for c in colour[1:])
    return colour.lower()


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- What a partner pastes ----------------------------------------------------------------


LOADER = "embed/embed.js"


@dataclass(frozen=True)
class LoaderFile:
    body: bytes
    etag: str
    integrity: str  # what the snippet pins it with (Subresource Integrity)


@cache
def loader_file() -> LoaderFile:
    """/embed.js as served: the static file, read once per process."""
    path = finders.find(LOADER)
    if not path:
        raise LookupError(f"the loader {LOADER} is missing from the static files")
    with open(path, "rb") as source:
        body = source.read()
    return LoaderFile(
        body=body,
        etag=etag_of(body),
        integrity=sri(body),
    )


def script_snippet(partner: Partner, *, base_url: str, quiz: str) -> str:
    """The one-line script tag that embeds `quiz` for this partner.

    `integrity` makes the partner's browser refuse a loader that is not byte for
    byte the one we ship; a new loader means a new snippet (see the README).
    """
    names = " ".join(partner.pass_param_names)
    passed = f' data-pass-params="{escape(names)}"' if names else ""
    return (
        f'<script src="{escape(base_url)}/embed.js" '
        f'integrity="{loader_file().integrity}" crossorigin="anonymous" '
        f'data-quiz="{escape(quiz)}" data-partner="{escape(partner.public_key)}"{passed} '
        "async></script>"
    )


def iframe_snippet(partner: Partner, *, base_url: str, quiz: str, title: str) -> str:
    """The plain iframe alternative: no events, a fixed height the partner chooses."""
    src = f"{base_url}/embed/{quiz}/?partner={partner.public_key}"
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" loading="lazy" '
        'style="width:100%;height:720px;border:0"></iframe>'
    )
