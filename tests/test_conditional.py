"""Conditional GET (careerquiz.web.conditional), and every page that uses it."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from careerquiz.web.conditional import conditional_get, etag_of
from tests.factories import live_version


def test_a_matching_if_none_match_is_a_304_without_building_the_body():
    built: list[bool] = []

    def build() -> HttpResponse:
        built.append(True)
        return HttpResponse("body")

    etag = etag_of("key")
    for header in (etag, f"W/{etag}", "*", f'"other", {etag}'):
        request = RequestFactory().get("/", headers={"if-none-match": header})
        response = conditional_get(request, etag=etag, build=build, public=True, max_age=60)
        assert (response.status_code, response["ETag"]) == (304, etag)
        assert response["Cache-Control"] == "public, max-age=60"
    assert built == []

    fresh = conditional_get(RequestFactory().get("/"), etag=etag, build=build, vary=["Origin"])
    assert isinstance(fresh, HttpResponse)
    assert (fresh.status_code, fresh.content, fresh["ETag"]) == (200, b"body", etag)
    assert fresh["Vary"] == "Origin"
    assert built == [True]


def test_etags_are_strong_and_name_their_data():
    assert etag_of("a") == etag_of(b"a") != etag_of("b")
    assert etag_of("a").startswith('"')  # strong: no W/ in front


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["ladder", "api", "loader"])
def test_every_tagged_page_answers_a_revalidation_with_the_same_headers(quiz, page):
    live_version(quiz)
    url = {
        "ladder": reverse("ladder:detail", args=[quiz.ladder.slug]),
        "api": f"/api/v1/quizzes/{quiz.slug}/",
        "loader": "/embed.js",
    }[page]
    client = Client()
    first = client.get(url)
    assert first.status_code == 200
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    for header in ("ETag", "Cache-Control"):
        assert again[header] == first[header]
