"""A partner's page for the demo and the browser tests: another origin that embeds the quiz.

Browsers treat `localhost` and `127.0.0.1` as different sites, so a page served
on 127.0.0.1 that loads the app from localhost is truly cross-site: the embed
meets third-party-cookie blocking and CSP frame-ancestors as on a real
partner's site. Plain Python's http.server is enough to serve one page.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.template.loader import render_to_string

from careerquiz.partners.embed import loader_file
from careerquiz.partners.models import Partner

DEMO_PARTNER = "Demo partner (careerquiz demo)"
PAGE_TEMPLATE = "partners/demo_partner_page.html"


def demo_partner(origin: str) -> Partner:
    """The demo's partner, allowed to embed from `origin`; editors' changes are kept."""
    partner = Partner.objects.filter(name=DEMO_PARTNER).first()
    if partner is None:
        return Partner.objects.create(
            name=DEMO_PARTNER,
            allowed_origins=origin,
            cta_text="Browse Acme's ML courses (a demo link)",
            cta_url="https://example.com/",
        )
    if origin not in partner.origins:
        partner.allowed_origins = "\n".join([*partner.origins, origin])
        partner.save(update_fields=["allowed_origins"])
    return partner


def partner_page(*, app_url: str, quiz: str, key: str, widgets: int = 1, **extra: Any) -> str:
    """The HTML of a partner's page embedding `quiz` from the app at `app_url`, with the
    snippet the partner admin hands out (the loader pinned by its integrity)."""
    context = {
        "app_url": app_url,
        "quiz": quiz,
        "key": key,
        "widgets": range(widgets),
        "integrity": loader_file().integrity,
        **extra,
    }
    return render_to_string(PAGE_TEMPLATE, context)


def serve_pages(
    pages: Mapping[str, str], *, host: str = "127.0.0.1", port: int = 0
) -> ThreadingHTTPServer:
    """Serve pages by path ("/": html) on host:port (0: any free port) from a daemon thread.

    `pages` is read on every request, so a caller may add pages once it knows the
    server's port. Stop it with .shutdown().
    """

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            html = pages.get(self.path.split("?")[0])
            if html is None:
                self.send_error(404)
                return
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the app's own server logs what matters

    server = ThreadingHTTPServer((host, port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
