"""Words an editor or visitor meets on every ladder belong to no ladder in particular.

The first ladder is about machine learning; a nursing or sales ladder shares the
site's templates, footer and the admin's help texts, so none of those may speak
of ML, of ML's stance on certificates, or of the ML ladder's seed files. The ladder's own words come
from its content.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_ladder

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# ML's own vocabulary, its stance on certificates (a nurse's certificates do count), and
# the seed files it was written from (e.g. 000_d7195fff7a5e005f.txt).
ONE_LADDERS_WORDS = re.compile(
    r"\bML\b|machine learning|\bmlops\b|certificates or years|\b\d{3}_[0-9a-f]{16}\.txt",
    re.IGNORECASE,
)
PROJECT_APPS = ("ladder", "quiz", "partners", "careerquiz")


def one_ladders_words(text: str) -> list[str]:
    return [match.group(0) for match in ONE_LADDERS_WORDS.finditer(text)]


@pytest.mark.parametrize(
    "template",
    sorted(TEMPLATES.rglob("*.html")),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_no_template_speaks_of_one_ladder(template):
    assert one_ladders_words(template.read_text(encoding="utf-8")) == []


def test_no_model_help_text_speaks_of_one_ladder():
    found = {
        f"{model._meta.label}.{field.name}": str(getattr(field, "help_text", ""))
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if one_ladders_words(str(getattr(field, "help_text", "")))
    }
    assert found == {}


REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS),
    key=lambda model: model._meta.label,
)


@pytest.mark.parametrize("model", REGISTERED, ids=[model._meta.label for model in REGISTERED])
def test_no_admin_form_speaks_of_one_ladder(admin_client, model):
    """The help texts an editor reads on each admin form (an empty site: no content's words)."""
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    if response.status_code == 403:  # records nobody adds (versions, attempts)
        return
    assert response.status_code == 200
    assert one_ladders_words(response.content.decode()) == []


def test_the_footer_of_another_ladders_page_says_nothing_of_ml(db, client):
    ladder = make_ladder(slug="nursing")
    for url in ("/", reverse("ladder:detail", args=[ladder.slug])):
        page = client.get(url).content.decode()
        footer = page[page.index('<footer class="site-footer">') :]
        assert "answers about the work you do" in footer
        assert one_ladders_words(footer) == []
