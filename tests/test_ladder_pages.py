"""The public ladder page, the home page and the site's own error pages."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from ladder.models import JobTitle, LadderNote, NextStep, Responsibility, Rung
from quiz.versions import publish, unpublish
from tests.factories import make_ladder, make_quiz


def _get(url: str) -> tuple[Any, str]:
    response = Client().get(url)
    return response, unescape(response.content.decode())


def _add_content(ladder) -> None:
    for rung in ladder.rungs.all():
        Responsibility.objects.create(rung=rung, text=f"Own {rung.slug} problems", source="r.txt")
        JobTitle.objects.create(rung=rung, name=f"{rung.title} ML Engineer", source="t.txt")
        NextStep.objects.create(
            rung=rung, kind=NextStep.Kind.COURSE, title=f"Course for {rung.slug}", source="n.txt"
        )
    LadderNote.objects.create(
        ladder=ladder,
        kind=LadderNote.Kind.CAVEAT,
        key="services-vs-product",
        title="Services and product companies differ",
        body="Titles run ahead in services firms.",
        source="000.txt",
    )


@pytest.mark.django_db
def test_ladder_page_shows_every_rung_with_its_content(ladder):
    _add_content(ladder)
    Rung.objects.filter(ladder=ladder, slug="junior").update(years_min=0, years_max=2)

    response, body = _get(reverse("ladder:detail", args=[ladder.slug]))

    assert response.status_code == 200
    for slug in ("junior", "mid", "senior", "lead"):
        assert f'id="rung-{slug}"' in body
        assert f"Can you do {slug} work?" in body
        assert f"Own {slug} problems" in body
        assert f"Course for {slug}" in body
    assert "0–2 years" in body
    assert "Senior ML Engineer" in body
    assert "Skill 2" in body
    assert "Do mid+1 work." in body


@pytest.mark.django_db
def test_ladder_page_formats_salary_bands_and_names_sources(ladder):
    _add_content(ladder)

    _, body = _get(reverse("ladder:detail", args=[ladder.slug]))

    assert "₹10–20 LPA" in body  # junior, India
    assert "$100K–$150K" in body  # junior, US
    assert "<dt>India</dt>" in body
    assert "<dt>United States</dt>" in body
    assert "Caveats" in body
    assert "Services and product companies differ" in body
    assert "Titles run ahead in services firms." in body
    # Sources are numbered where facts stand and listed once, by title, at the end.
    listed = re.findall(r'<li id="source-(\d+)">(.*?)</li>', body)
    titles = dict(listed)
    assert "The test source" in titles.values()  # t.txt, titled by the ladder
    assert {"r.txt", "n.txt", "000.txt"} <= set(titles.values())  # no title given: the key
    cited = set(re.findall(r'<a href="#source-(\d+)"', body))
    assert cited == set(titles)


@pytest.mark.django_db
def test_the_ladder_page_pictures_every_rung_accessibly(ladder):
    _, body = _get(reverse("ladder:detail", args=[ladder.slug]))

    svg = re.search(r"<svg[^>]*>(.*?)</svg>", body, re.S)
    assert svg
    assert 'role="img"' in svg.group(0)
    assert "<title id=" in svg.group(1)
    # Described once, by the visible-to-screen-readers caption (no second <desc> to read).
    assert 'aria-describedby="ladder-picture-text"' in svg.group(0)
    assert "<desc" not in svg.group(1)
    assert [t for t in re.findall(r'class="pic-title">(.*?)<', svg.group(1))] == [
        "Lead",
        "Senior",
        "Mid",
        "Junior",
    ]
    assert "The rungs from the top: Lead, Senior, Mid, Junior." in body  # the text equivalent


@pytest.mark.django_db
def test_ladder_page_links_to_its_published_quiz(ladder):
    quiz = make_quiz(ladder)

    _, body = _get(reverse("ladder:detail", args=[ladder.slug]))

    assert f'href="{quiz.get_absolute_url()}"' in body


@pytest.mark.django_db
def test_unknown_ladder_is_404(db):
    response, _ = _get(reverse("ladder:detail", args=["nope"]))

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("rungs", [2, 8])
def test_ladder_page_queries_do_not_grow_with_rungs(
    django_assert_max_num_queries, django_assert_num_queries, rungs
):
    ladder = make_ladder(slug=f"l{rungs}", rungs=[f"r{n}" for n in range(rungs)])
    _add_content(ladder)
    url = reverse("ladder:detail", args=[ladder.slug])

    # When it last changed; then the ladder, its rungs, each kind of rung item, its
    # notes, sources and quizzes.
    with django_assert_max_num_queries(11):
        first = Client().get(url)
    # Until it changes again, only when it last changed.
    with django_assert_num_queries(1):
        again = Client().get(url)

    assert first.status_code == again.status_code == 200
    assert again.content == first.content


@pytest.mark.django_db
def test_every_kind_of_edit_shows_on_the_cached_ladder_page_at_once(ladder):
    _add_content(ladder)
    url = reverse("ladder:detail", args=[ladder.slug])
    junior = ladder.rungs.get(slug="junior")
    step = junior.next_steps.get()
    _get(url)  # cached now

    title = JobTitle.objects.get(rung=junior)
    title.name = "Apprentice ML Engineer"
    title.save()
    assert "Apprentice ML Engineer" in _get(url)[1]
    step.delete()
    assert "Course for junior" not in _get(url)[1]
    junior.title = "Beginner"
    junior.save()
    assert "Beginner" in _get(url)[1]
    LadderNote.objects.filter(ladder=ladder).get().delete()
    assert "Services and product companies differ" not in _get(url)[1]
    quiz = make_quiz(ladder, slug="fresh")
    assert reverse("quiz:start", args=[quiz.slug]) in _get(url)[1]
    quiz.live_version = None
    quiz.save()
    assert reverse("quiz:start", args=[quiz.slug]) not in _get(url)[1]


@pytest.mark.django_db
def test_publishing_and_unpublishing_show_on_the_cached_ladder_page_at_once(ladder):
    quiz = make_quiz(ladder, slug="fresh", published=False)
    url = reverse("ladder:detail", args=[ladder.slug])
    start = reverse("quiz:start", args=[quiz.slug])
    assert start not in _get(url)[1]  # cached now

    publish(quiz)
    assert start in _get(url)[1]
    unpublish(quiz)
    assert start not in _get(url)[1]


@pytest.mark.django_db
def test_the_ladder_page_revalidates_with_its_etag(ladder):
    url = reverse("ladder:detail", args=[ladder.slug])
    first = Client().get(url)

    unchanged = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    ladder.summary = "A new summary."
    ladder.save()
    changed = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "public, max-age=60"
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert "A new summary." in changed.content.decode()


@pytest.mark.django_db
def test_home_lists_published_quizzes_and_ladders(ladder):
    make_quiz(ladder, slug="live")
    make_quiz(ladder, slug="hidden", published=False)

    response, body = _get(reverse("home"))

    assert response.status_code == 200
    assert "live quiz" in body
    assert "hidden quiz" not in body
    assert ladder.title in body
    assert "Set-Cookie" not in response.headers


def test_server_error_page_is_friendly_and_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    body = unescape(response.content.decode())
    assert "Something broke on our side" in body
    assert 'href="/"' in body
