"""The embed through the test client: headers, partner, ref and theme on every page.

What only a browser can show (cross-origin frames, sizing, events) is in
tests/browser/test_embed_browser.py.
"""

from __future__ import annotations

import gzip
import json
import re
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from careerquiz.partners import views as embed
from careerquiz.partners.look import look_from
from careerquiz.partners.models import CallToActionClick, Partner
from quiz import flow
from quiz.models import Attempt
from tests.factories import answers_at, live_version

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
STATE_RE = re.compile(r'name="state" value="([^"]+)"')
ORIGINS = "https://careers.example\nhttps://jobs.example:8443"


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(
        name="Careers Inc",
        allowed_origins=ORIGINS,
        accent_color="#aa3300",
        font_family='"Source Sans 3", sans-serif',
        corner_radius=4,
        color_scheme=Partner.ColorScheme.DARK,
        cta_text="See our ML courses",
        cta_url="https://careers.example/courses",
        default_region="US",
    )


def embed_url(quiz, partner: Partner, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"partner": partner.public_key, **params}.items())
    return f"{reverse('partners:embed', args=[quiz.slug])}?{query}"


def start_url(quiz) -> str:
    return reverse("partners:embed", args=[quiz.slug])


def csp(response) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in response["Content-Security-Policy"].split("; ")
    }


def text(response) -> str:
    return unescape(response.content.decode())


def state_of(response) -> str:
    match = STATE_RE.search(response.content.decode())
    assert match, "no state field in the response"
    return unescape(match.group(1))


def assert_framed_by_partner_only(response) -> None:
    assert csp(response)["frame-ancestors"] == "https://careers.example https://jobs.example:8443"
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def walk(client: Client, quiz, start_response, answers: dict[str, Any], *, region: str = "IN"):
    """Answer every step of an embedded attempt; returns every response."""
    responses = [start_response]
    step = reverse("partners:embed-step", args=[quiz.slug])
    for question in live_version(quiz).snapshot["questions"]:
        data: dict[str, Any] = {"state": state_of(responses[-1]), "action": "next"}
        if question["key"] in answers:
            data[question["key"]] = answers[question["key"]]
        responses.append(client.post(step, data))
    data = {"state": state_of(responses[-1]), "action": "next", "region": region}
    responses.append(client.post(step, data))
    return responses


@pytest.mark.django_db
def test_the_embedded_intro_is_framed_by_the_partners_origins_only(quiz, partner):
    response = Client().get(embed_url(quiz, partner, ref="spring-2026"))

    assert response.status_code == 200
    assert_framed_by_partner_only(response)
    body = text(response)
    assert 'class="site-header"' not in body  # no site chrome
    assert 'data-careerquiz-origins="https://careers.example https://jobs.example:8443"' in body
    assert f'name="partner" value="{partner.public_key}"' in body
    assert 'name="ref" value="spring-2026"' in body
    assert "Start the quiz" in body


@pytest.mark.django_db
def test_the_theme_arrives_as_custom_properties_under_the_pages_nonce(quiz, partner):
    response = Client().get(embed_url(quiz, partner))

    nonce = re.search(r"'nonce-([^']+)'", csp(response)["style-src"])
    assert nonce
    style = re.search(r'<style nonce="([^"]+)">(.*?)</style>', text(response), re.S)
    assert style
    assert style.group(1) == nonce.group(1)
    css = style.group(2)
    assert "--accent:#aa3300" in css
    assert "--accent-ink:#ffffff" in css  # white reads on this accent
    assert "--radius:4px" in css
    assert "color-scheme:dark" in css
    assert 'font-family:"Source Sans 3", sans-serif,system-ui,sans-serif' in css
    assert 'data-scheme="dark"' in text(response)


@pytest.mark.django_db
def test_a_pale_accent_gets_dark_ink_and_readable_links(quiz, partner):
    partner.accent_color = "#ffe14d"
    partner.save()

    css = text(Client().get(embed_url(quiz, partner)))

    assert "--accent-ink:#111111" in css
    assert "--accent-text-light:#1d2330" in css  # yellow links on white would not read
    assert "--accent-text-dark:#ffe14d" in css  # on the dark card they do


@pytest.mark.django_db
def test_every_other_page_still_refuses_to_be_framed(quiz, partner, client):
    for url in (
        reverse("quiz:start", args=[quiz.slug]),
        reverse("quiz:start", args=[quiz.slug]) + f"?partner={partner.public_key}",
        reverse("ladder:detail", args=[quiz.ladder.slug]),
        "/",
    ):
        response = client.get(url)
        assert csp(response)["frame-ancestors"] == "'none'", url
        assert response["X-Frame-Options"] == "DENY", url


@pytest.mark.django_db
def test_an_embedded_attempt_records_partner_channel_and_ref_and_ends_in_the_frame(quiz, partner):
    client = Client()
    start = client.post(
        start_url(quiz),
        {"partner": partner.public_key, "ref": "spring-2026", "region": "IN"},
    )
    assert_framed_by_partner_only(start)
    attempt = Attempt.objects.get()
    assert (attempt.partner_id, attempt.channel, attempt.ref) == (
        partner.pk,
        Attempt.Channel.EMBED,
        "spring-2026",
    )

    responses = walk(client, quiz, start, answers_at(quiz, "mid"))

    for response in responses[1:-1]:
        assert response.status_code == 200
        assert_framed_by_partner_only(response)
        step = reverse("partners:embed-step", args=[quiz.slug])
        assert f'action="{step}?partner={partner.public_key}"' in text(response)
    final = responses[-1]
    attempt.refresh_from_db()
    assert final.status_code == 303
    assert final["Location"] == reverse("partners:embed-result", args=[attempt.result_id])
    assert attempt.completed_at is not None
    assert attempt.rung_slug == "mid"
    assert not client.cookies


@pytest.mark.django_db
def test_the_embedded_result_shows_the_call_to_action_and_tells_the_page(quiz, partner):
    client = Client()
    start = client.post(
        start_url(quiz),
        {"partner": partner.public_key, "ref": "spring-2026"},
    )
    final = walk(client, quiz, start, answers_at(quiz, "senior", title="lead"))[-1]

    result = client.get(final["Location"])

    assert result.status_code == 200
    assert_framed_by_partner_only(result)
    assert "no-store" in result["Cache-Control"]
    body = text(result)
    assert "data-careerquiz-result" in body
    assert re.search(r'<svg [^>]*role="img"', body)  # the ladder picture, in the frame too
    cta = reverse("partners:embed-cta", args=[Attempt.objects.get().result_id])
    assert f'href="{cta}" target="_top">See our ML courses' in body
    data = re.search(
        r'<script id="careerquiz-complete" type="application/json">(.*?)</script>', body
    )
    assert data
    attempt = Attempt.objects.get()
    assert json.loads(data.group(1)) == {
        "id": attempt.result_id,
        "rung": {"slug": "senior", "title": "Senior"},
        "next_rung": {"slug": "lead", "title": "Lead"},
        "result_url": f"http://testserver/results/{attempt.result_id}/",
        "ref": "spring-2026",
        "passthrough": {},
    }


@pytest.mark.django_db
def test_taking_the_embedded_quiz_again_keeps_the_widgets_ref_and_region(quiz, partner):
    client = Client()
    start = client.post(
        start_url(quiz), {"partner": partner.public_key, "ref": "spring-2026", "region": "IN"}
    )
    result = client.get(walk(client, quiz, start, answers_at(quiz, "mid"))[-1]["Location"])

    again = re.search(r'href="([^"]+)">Take the quiz again', text(result))
    assert again
    assert again.group(1) == embed_url(quiz, partner, ref="spring-2026", region="IN")
    intro = client.get(again.group(1))
    assert 'name="ref" value="spring-2026"' in text(intro)


@pytest.mark.django_db
def test_progress_that_expired_in_the_frame_offers_to_start_again_there(quiz, partner, settings):
    client = Client()
    start = client.post(start_url(quiz), {"partner": partner.public_key, "ref": "spring-2026"})
    step = re.search(r'action="([^"]+)"', text(start))
    assert step
    settings.QUIZ_TOKEN_MAX_AGE = -1  # a day later

    response = client.post(unescape(step.group(1)), {"state": state_of(start), "q1": "mid"})

    assert response.status_code == 400
    assert_framed_by_partner_only(response)
    body = text(response)
    assert "data-careerquiz-rejected" not in body  # the widget stays, with a way on
    assert f'href="{embed_url(quiz, partner)}">Start again' in body


@pytest.mark.django_db
def test_a_step_address_opened_in_the_frame_goes_back_to_the_embedded_intro(quiz, partner):
    step = reverse("partners:embed-step", args=[quiz.slug])

    response = Client().get(f"{step}?partner={partner.public_key}")

    assert response.status_code == 302
    assert response["Location"] == embed_url(quiz, partner)


@pytest.mark.django_db
def test_over_htmx_the_last_step_navigates_the_frame_to_the_embedded_result(quiz, partner):
    client = Client()
    start = client.post(start_url(quiz), {"partner": partner.public_key}, **HTMX)
    assert 'id="quiz-panel"' in text(start)
    assert "<html" not in text(start)
    step = reverse("partners:embed-step", args=[quiz.slug])
    response = start
    answers = answers_at(quiz, "junior")
    for question in live_version(quiz).snapshot["questions"]:
        data: dict[str, Any] = {"state": state_of(response), "action": "next"}
        data[question["key"]] = answers.get(question["key"], "")
        response = client.post(step, data, **HTMX)
        assert_framed_by_partner_only(response)
    final = client.post(step, {"state": state_of(response), "region": "IN"}, **HTMX)

    attempt = Attempt.objects.get()
    assert final["HX-Redirect"] == reverse("partners:embed-result", args=[attempt.result_id])


@pytest.mark.django_db
@pytest.mark.parametrize(("given", "checked"), [("", "US"), ("in", "IN"), ("zz9", "US")])
def test_the_region_step_preselects_data_region_or_the_partners_default(
    quiz, partner, given, checked
):
    client = Client()
    start = client.post(
        start_url(quiz),
        {"partner": partner.public_key, "region": given},
    )
    response = walk(client, quiz, start, answers_at(quiz, "mid"))[-2]  # the region step

    body = text(response)
    assert f'value="{checked}" checked' in body
    assert body.count(" checked") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["has space", "x" * 65, "semi;colon", "<b>"])
def test_a_malformed_ref_is_dropped_not_stored(quiz, partner, ref):
    Client().post(start_url(quiz), {"partner": partner.public_key, "ref": ref})
    assert Attempt.objects.get().ref == ""


@pytest.mark.django_db
def test_an_unknown_key_gets_a_clear_page_any_site_may_show(quiz):
    response = Client().get(start_url(quiz) + "?partner=pk_nope")

    assert response.status_code == 400
    assert csp(response)["frame-ancestors"] == "*"
    body = text(response)
    assert flow.MSG_UNKNOWN_PARTNER in body
    assert "data-careerquiz-rejected" in body
    assert f'href="{reverse("quiz:start", args=[quiz.slug])}"' in body  # the quiz on our site
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_a_disabled_partner_gets_a_clear_page_framed_by_its_own_origins(quiz, partner):
    partner.is_active = False
    partner.save()

    for response in (
        Client().get(embed_url(quiz, partner)),
        Client().post(start_url(quiz), {"partner": partner.public_key}),
    ):
        assert response.status_code == 400
        assert_framed_by_partner_only(response)
        assert embed.MSG_PARTNER_GONE in text(response)
    assert not Attempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?partner=", "?partner=pk_%00"])
def test_a_missing_or_malformed_key_is_a_clear_400(quiz, query):
    response = Client().get(start_url(quiz) + query)
    assert response.status_code == 400
    assert "data-careerquiz-rejected" in text(response)


@pytest.mark.django_db
def test_an_unknown_quiz_inside_the_frame_says_so(partner):
    response = Client().get(f"/embed/nothing-here/?partner={partner.public_key}")
    assert response.status_code == 404
    assert embed.MSG_UNKNOWN_QUIZ in text(response)
    assert_framed_by_partner_only(response)


@pytest.mark.django_db
def test_a_partner_disabled_halfway_stops_the_embedded_attempt_clearly(quiz, partner):
    client = Client()
    start = client.post(start_url(quiz), {"partner": partner.public_key})
    Partner.objects.filter(pk=partner.pk).update(is_active=False)

    response = client.post(
        reverse("partners:embed-step", args=[quiz.slug]),
        {"state": state_of(start), "action": "next", "q1": "mid"},
    )

    assert response.status_code == 400
    assert embed.MSG_PARTNER_GONE in text(response)


@pytest.mark.django_db
def test_the_sites_own_progress_cannot_continue_in_a_frame(quiz, partner):
    site = Client().post(reverse("quiz:start", args=[quiz.slug]))

    response = Client().post(
        reverse("partners:embed-step", args=[quiz.slug]), {"state": state_of(site), "q1": "mid"}
    )

    assert response.status_code == 400
    assert embed.MSG_NOT_EMBEDDED in text(response)


@pytest.mark.django_db
def test_a_site_result_has_no_embedded_page(quiz):
    from quiz.attempts import place_and_record

    attempt = place_and_record(live_version(quiz), answers_at(quiz, "mid"), channel="web")
    response = Client().get(reverse("partners:embed-result", args=[attempt.result_id]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_staff_preview_in_the_admin_is_recorded_as_a_preview(quiz, partner):
    staff = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)

    intro = client.get(embed_url(quiz, partner, preview="1"))
    assert (
        csp(intro)["frame-ancestors"] == "https://careers.example https://jobs.example:8443 'self'"
    )
    start = client.post(start_url(quiz), {"partner": partner.public_key, "preview": "1"})
    assert Attempt.objects.get().channel == Attempt.Channel.PREVIEW
    step = client.post(
        reverse("partners:embed-step", args=[quiz.slug]),
        {"state": state_of(start), "action": "next", "q1": "mid"},
    )
    assert "'self'" in csp(step)["frame-ancestors"]
    # A visitor asking for a preview gets the ordinary embed.
    anonymous = Client().get(embed_url(quiz, partner, preview="1"))
    assert "'self'" not in csp(anonymous)["frame-ancestors"]


def test_the_loader_is_served_at_a_stable_address_cached_briefly(client):
    response = client.get("/embed.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert f"max-age={embed.LOADER_MAX_AGE}" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert b"careerquiz:" in response.content
    again = client.get("/embed.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


LOADER_BUDGET = 3 * 1024  # gzipped bytes: the loader is on every partner page


def test_the_loader_stays_within_3_kb_gzipped(client):
    body = client.get("/embed.js").content
    assert len(gzip.compress(body, compresslevel=9)) <= LOADER_BUDGET


def test_an_unregistered_origin_is_told_so_at_once_in_a_page_any_site_may_frame(quiz, partner):
    response = Client().get(
        start_url(quiz), {"partner": partner.public_key, "origin": "https://other.example"}
    )
    assert response.status_code == 200  # a page the loader replaces with its link
    assert csp(response)["frame-ancestors"] == "*"
    body = text(response)
    assert embed.MSG_ORIGIN_NOT_ALLOWED in body
    console = embed.MSG_ORIGIN_CONSOLE.format(
        origin="https://other.example", key=partner.public_key
    )
    assert f'data-careerquiz-rejected="{console}"' in body
    assert "Start the quiz" not in body


def test_a_registered_origin_gets_the_quiz(quiz, partner):
    response = Client().get(
        start_url(quiz), {"partner": partner.public_key, "origin": "https://jobs.example:8443"}
    )
    assert response.status_code == 200
    assert_framed_by_partner_only(response)
    assert "data-careerquiz-rejected" not in text(response)
    assert "Start the quiz" in text(response)


def test_the_call_to_action_counts_one_click_per_placement_then_goes_to_the_partner(quiz, partner):
    client = Client()
    start = client.post(start_url(quiz), {"partner": partner.public_key})
    walk(client, quiz, start, answers_at(quiz, "mid"))
    attempt = Attempt.objects.get()
    cta = reverse("partners:embed-cta", args=[attempt.result_id])

    for _ in range(2):
        response = client.get(cta)
        assert response.status_code == 302
        assert response["Location"] == "https://careers.example/courses"
    assert CallToActionClick.objects.get().attempt == attempt  # one per placement
    assert not client.cookies
    partner.cta_url = partner.cta_text = ""
    partner.save()
    assert client.get(cta).status_code == 404


# --- The page's look: transparent background, no repeated title ---------------------------

LOOK = {"background": "transparent", "heading": "hidden"}
LOOK_QUERY = "background=transparent&amp;heading=hidden"


def html_classes(response) -> str:
    match = re.search(r'<html lang="en" class="([^"]*)"', response.content.decode())
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("data", "classes", "params"),
    [
        ({}, "", {}),
        (LOOK, "embed-transparent embed-no-heading", LOOK),
        ({"background": "transparent"}, "embed-transparent", {"background": "transparent"}),
        ({"heading": "hidden"}, "embed-no-heading", {"heading": "hidden"}),
        ({"background": "red", "heading": "none"}, "", {}),
        ({"background": "transparent;color:red", "heading": '"><script>'}, "", {}),
    ],
)
def test_only_the_listed_look_values_are_taken(data, classes, params):
    look = look_from(data)
    assert look.classes == classes
    assert look.as_params() == params


@pytest.mark.django_db
def test_the_look_a_page_asks_for_holds_from_the_intro_to_the_result_and_again(quiz, partner):
    client = Client()
    intro = client.get(embed_url(quiz, partner, **LOOK))
    assert html_classes(intro) == "embedded embed-transparent embed-no-heading"
    assert 'name="background" value="transparent"' in intro.content.decode()
    assert 'class="quiz-title"' in intro.content.decode()  # still there for screen readers

    response = client.post(start_url(quiz), {"partner": partner.public_key, **LOOK})
    answers = answers_at(quiz, "mid")
    for question in live_version(quiz).snapshot["questions"]:
        assert html_classes(response) == "embedded embed-transparent embed-no-heading"
        action = re.search(r'<form method="post" action="([^"]+)"', response.content.decode())
        assert action
        assert action.group(1).endswith(LOOK_QUERY)
        data: dict[str, Any] = {"state": state_of(response), "action": "next"}
        if question["key"] in answers:
            data[question["key"]] = answers[question["key"]]
        response = client.post(unescape(action.group(1)), data)
    action = re.search(r'<form method="post" action="([^"]+)"', response.content.decode())
    assert action
    final = client.post(unescape(action.group(1)), {"state": state_of(response), "region": "IN"})

    assert final.status_code == 303
    assert final["Location"].endswith("?background=transparent&heading=hidden")
    result = client.get(final["Location"])
    assert html_classes(result) == "embedded embed-transparent embed-no-heading"
    again = re.search(r'href="([^"]+)">Take the quiz again', text(result))
    assert again
    assert html_classes(client.get(again.group(1))) == (
        "embedded embed-transparent embed-no-heading"
    )


@pytest.mark.django_db
def test_a_look_value_not_on_the_list_is_ignored_not_echoed(quiz, partner):
    intro = Client().get(
        embed_url(quiz, partner, background="url(https://evil.example/x)", heading="%3Cb%3E")
    )

    assert intro.status_code == 200
    assert html_classes(intro) == "embedded"
    body = intro.content.decode()
    assert "evil.example" not in body
    assert 'name="background"' not in body
    assert 'name="heading"' not in body
