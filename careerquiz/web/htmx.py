"""Page or fragment: an htmx request gets only the swapped region of the same template.

Every htmx URL is also a normal page (it works with JavaScript off); the view
renders the whole page and `for_htmx` narrows it to one `{% partialdef %}`
when htmx asked, as in django-htmx-patterns' inline partials.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


View = Callable[..., HttpResponseBase]


def for_htmx(*, use_partial: str) -> Callable[[View], View]:
    """Render `template#use_partial` instead of the whole template for htmx requests."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if (
                request.htmx
                and isinstance(response, TemplateResponse)
                and isinstance(response.template_name, str)
                and not response.is_rendered
            ):
                response.template_name = f"{response.template_name}#{use_partial}"
            return response

        return wrapped

    return decorator
