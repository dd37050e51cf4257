"""A partner's context passed through: only listed names, bounded, stored with the
attempt and returned by the embed's complete event, the API, webhooks and the CSV.
(The loader's half, in a real browser: tests/browser/test_embed_browser.py.)"""

from __future__ import annotations

import csv
import io
import json
from html import unescape
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from careerquiz.partners.embed import script_snippet
from careerquiz.partners.models import (
    PLACEMENT_COMPLETED,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
)
from quiz import passthrough
from quiz.models import Attempt
from tests.factories import answers_at
from tests.test_embed import start_url, walk

LISTED = "utm_source utm_campaign, cohort"


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(
        name="Acme", allowed_origins="https://acme.example", pass_params=LISTED
    )


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ({}, {}),
        ({"utm_source": "mail"}, {"utm_source": "mail"}),
        ({"utm_source": "mail", "email": "a@b.example"}, {"utm_source": "mail"}),
        ({"utm_source": ""}, {}),
        ({"utm_source": "x" * 201}, {}),
        ({"utm_source": "x" * 200}, {"utm_source": "x" * 200}),
        ({"utm_source": 3}, {}),
        ({"cohort": "c", "utm_source": "s"}, {"utm_source": "s", "cohort": "c"}),
    ],
)
def test_only_listed_names_with_bounded_text_values_are_kept(given, kept):
    assert passthrough.keep(given, ["utm_source", "utm_campaign", "cohort"]) == kept


def test_at_most_ten_names_count_even_if_more_are_listed():
    names = [f"n{i}" for i in range(12)]
    assert len(passthrough.keep({name: "v" for name in names}, names)) == passthrough.MAX_PARAMS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("utm_source email?", "'email?' is not a parameter name"),
        (" ".join(f"n{i}" for i in range(11)), "At most 10 parameters."),
        ("x" * 41, "is not a parameter name"),
    ],
)
def test_a_partner_lists_sensible_names_only(value, message):
    partner = Partner(name="Acme", pass_params=value)
    with pytest.raises(ValidationError) as caught:
        partner.full_clean()
    assert message in caught.value.message_dict["pass_params"][0]


def test_the_snippet_names_the_partners_parameters(partner):
    snippet = script_snippet(partner, base_url="https://quiz.example", quiz="ml")
    assert 'data-pass-params="utm_source utm_campaign cohort"' in snippet
    partner.pass_params = ""
    assert "data-pass-params" not in script_snippet(partner, base_url="https://q", quiz="ml")


def test_the_embed_stores_listed_parameters_and_the_complete_event_returns_them(quiz, partner):
    client = Client()
    fields = {"partner": partner.public_key, "p.utm_source": "newsletter", "p.email": "a@b"}
    intro = client.get(start_url(quiz), fields)
    assert 'name="p.utm_source" value="newsletter"' in intro.content.decode()
    assert "p.email" not in intro.content.decode()

    started = client.post(start_url(quiz), fields | {"p.cohort": "spring-26"})
    final = walk(client, quiz, started, answers_at(quiz, "mid"))[-1]
    attempt = Attempt.objects.get()
    assert attempt.passthrough == {"utm_source": "newsletter", "cohort": "spring-26"}

    result = unescape(client.get(final["Location"]).content.decode())
    event = result.split('id="careerquiz-complete" type="application/json">', 1)[1]
    assert json.loads(event.split("</script>", 1)[0])["passthrough"] == attempt.passthrough
    # Taking the quiz again keeps the context.
    assert "p.utm_source=newsletter" in result


def post_placement(quiz, partner: Partner | None, passed: object):
    headers: dict[str, Any] = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key} if partner else {}
    body = {"answers": answers_at(quiz, "mid"), "passthrough": passed}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(
            reverse("api:placement-create", args=[quiz.slug]),
            json.dumps(body),
            content_type="application/json",
            **headers,
        )


def test_the_api_keeps_listed_names_returns_them_and_sends_them_in_the_webhook(quiz, partner):
    WebhookEndpoint.objects.create(
        partner=partner, url="https://hooks.acme.example/", events=[PLACEMENT_COMPLETED]
    )
    response = post_placement(quiz, partner, {"utm_source": "ads", "gclid": "abc"})

    assert response.status_code == 201
    assert response.json()["passthrough"] == {"utm_source": "ads"}
    assert Attempt.objects.get().passthrough == {"utm_source": "ads"}
    again = Client().get(reverse("api:placement-detail", args=[response.json()["id"]]))
    assert again.json()["passthrough"] == {"utm_source": "ads"}
    payload = WebhookDelivery.objects.get().payload
    assert payload["data"]["passthrough"] == {"utm_source": "ads"}


def test_the_api_keeps_nothing_without_a_partner(quiz):
    response = post_placement(quiz, None, {"utm_source": "ads"})
    assert response.status_code == 201
    assert response.json()["passthrough"] == {}


@pytest.mark.parametrize(
    "passed", [{"utm_source": "x" * 201}, {"utm_source": 5}, ["utm_source"], "utm_source"]
)
def test_the_api_refuses_malformed_context_naming_the_field(quiz, partner, passed):
    response = post_placement(quiz, partner, passed)
    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(field.startswith("passthrough") for field in fields), fields
    assert not Attempt.objects.exists()


def test_the_csv_export_has_the_context(quiz, partner, admin_client):
    post_placement(quiz, partner, {"cohort": "spring-26"})
    response = admin_client.get("/admin/analytics/placements.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert json.loads(rows[0]["passthrough"]) == {"cohort": "spring-26"}
