"""Swagger UI at /api/docs/: offline (sidecar files under /static/) and under the strict CSP.

drf-spectacular's split view already loads every script from our origin (the
init script is the same URL with `?script`), so script-src 'self' holds. Its
page template carries one small inline <style> block; rather than allow
'unsafe-inline', this one view adds that block's sha256 to style-src. The
hash is computed from the installed template, so an upgrade cannot silently
break it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularSwaggerSplitView

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_sources(template_name: str) -> list[str]:
    """CSP hash sources for each inline <style> block of a template."""
    # The Django backend's template wraps the engine's, which keeps the source text.
    source: str = get_template(template_name).template.source  # type: ignore[attr-defined]
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in _STYLE_BLOCK.findall(source)
    ]


def docs_csp() -> dict[str, Any]:
    """The site's policy, with the Swagger UI template's inline styles allowed by hash."""
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    if policy:
        styles = inline_style_sources(SpectacularSwaggerSplitView.template_name)
        policy["style-src"] = [*policy.get("style-src", []), *styles]
    return policy


swagger_ui = csp_override(docs_csp())(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
