"""The result permalink and the editor's preview of a draft."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from ladder.models import Ladder, LadderNote, NextStep, Rung, Source
from quiz import flow, presentation
from quiz.attempts import place_and_record, start_attempt
from quiz.models import Attempt, Quiz
from quiz.rules import MSG_FOREIGN_RUNG, MSG_NO_EVIDENCE, MSG_NO_RUNGS
from quiz.versions import AT_OPTION, publish
from tests.factories import answers_at, live_version, make_ladder, make_quiz

STATE_RE = re.compile(r'name="state" value="([^"]+)"')


def _page(attempt: Attempt) -> tuple[Any, str]:
    response = Client().get(reverse("quiz:result", args=[attempt.result_id]))
    return response, unescape(response.content.decode())


def _words(body: str) -> str:
    """The page's text as a reader sees it: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", "", body).split())


@pytest.fixture
def placed(quiz) -> Attempt:
    mid = Rung.objects.get(ladder=quiz.ladder, slug="mid")
    NextStep.objects.create(
        rung=mid,
        kind=NextStep.Kind.PROJECT,
        title="Own one model end to end",
        detail="Ship it and measure it.",
        source="seed-000.txt",
    )
    Source.objects.create(ladder=quiz.ladder, key="seed-000.txt", title="The honest ladder")
    publish(quiz)  # results show what their version froze
    answers = answers_at(quiz, "mid", title="senior", company="services", skills=["s0"])
    return place_and_record(live_version(quiz), answers, region="IN", channel="web")


@pytest.mark.django_db
def test_result_page_leads_with_the_rung_why_and_title_gap(placed):
    response, body = _page(placed)

    assert response.status_code == 200
    assert "data-careerquiz-result" in body
    assert "Mid</h1>" in body
    assert "Can you do mid work?" in body
    # The rule in counts a person can check: 3 work answers, the threshold needs 2 of 3.
    assert (
        "3 of your 3 work answers are at Mid or above. Senior needs 2; 0 of yours are there."
        in (_words(body))
    )
    assert "You said your title is “Senior”, a Senior title; your answers show Mid ownership." in (
        body
    )
    assert "Services caveat." in body
    # Every evidence answer at Mid, and no single answer would change the rung.
    assert presentation.MSG_CONFIDENCE_HIGH.format(at=3, total=3) in body
    start = body.index('class="result-head"')
    headline = body[start : body.index("</header>", start)]
    assert "High confidence" in headline  # the confidence line sits in the headline card


@pytest.mark.django_db
def test_the_top_three_moves_lead_to_the_next_rung_and_the_rest_fold_below(ladder):
    quiz = make_quiz(ladder, evidence_questions=5)
    answers = answers_at(quiz, "mid", q2="junior")
    attempt = place_and_record(live_version(quiz), answers, region="IN")

    _, body = _page(attempt)

    # Placed Mid, the moves toward Senior are the Mid answers' steps up (q1, q3, q4 in
    # question order): q2's step up, from Junior, would only reach Mid.
    first = body[body.index('class="first-move"') : body.index("</p>", body.index("first-move"))]
    assert "Your next move toward Senior" in first
    assert "Advice for q1." in first
    moves = body[body.index('class="move-list"') : body.index("</ol>", body.index("move-list"))]
    titles = re.findall(r"<strong>(.*?)</strong>", moves)
    assert titles == ["Senior answer", "Senior answer"]
    assert moves.index("Advice for q3.") < moves.index("Advice for q4.")
    assert "Advice for q2." not in body[: body.index("<details")]
    folded = _words(body[body.index("<details") :])
    assert "Your 5 answers below Senior, each with its step up" in folded
    # Each step up is said once: with its answer, or pointed to where the card says it.
    assert "Its step up is your next move, at the top." in folded
    assert "Its step up is move 2, above." in folded
    assert "Its step up is move 3, above." in folded
    for number in (1, 3, 4):
        assert f"Advice for q{number}." not in folded
    for number in (2, 5):
        assert folded.count(f"Advice for q{number}.") == 1
    assert folded.index("Advice for q5.") < folded.index("Advice for q2.")
    assert "One rung up, this answer reads: Mid answer" in folded


@pytest.mark.django_db
def test_result_page_shows_pay_skills_and_next_steps_with_titled_sources(placed):
    _, body = _page(placed)

    assert "Pay in India" in body
    assert "₹20–40 LPA" in body  # Mid, in India
    assert "₹30–60 LPA" in body  # Senior, the next rung
    assert "$200K" not in body  # US bands are not shown to a visitor in India
    assert "Own one model end to end" in body
    assert "Offered in the quiz, not ticked by you: Skill 3" in _words(body)
    assert "Skill 1" not in body  # a junior skill, not the next rung's
    sources = dict(re.findall(r'<li id="source-(\d+)">(.*?)</li>', body))
    assert set(sources.values()) == {"The test source", "The honest ladder"}
    assert "seed-000.txt" not in body
    assert "t.txt" not in body


@pytest.mark.django_db
def test_result_page_pictures_the_ladder_with_where_the_person_stands(placed):
    _, body = _page(placed)

    svg = re.search(r"<svg[^>]*>(.*?)</svg>", body, re.S)
    assert svg
    assert 'role="img"' in svg.group(0)
    labels = dict(re.findall(r'pic-title">(.*?)</text>\s*(?:<text[^>]*>(.*?)</text>)?', body))
    assert labels == {"Lead": "", "Senior": "next · your title", "Mid": "you", "Junior": ""}
    assert (
        "The rungs from the top: Lead, Senior (the next rung; what your title claims), "
        "Mid (where your answers place you), Junior."
    ) in body


@pytest.mark.django_db
def test_result_page_links_on_and_has_open_graph_tags(placed):
    response, body = _page(placed)

    assert '<meta property="og:title" content="Placed at Mid">' in body
    assert (
        '<meta property="og:description" content="Placed at Mid on the Test-Ladder ladder '
        'ladder, the rung that asks “Can you do mid work?”. See what moves them up to Senior.">'
    ) in body
    permalink = f"http://testserver/results/{placed.result_id}/"
    assert f'<meta property="og:url" content="{permalink}">' in body
    assert '<meta name="twitter:card" content="summary">' in body
    mid = Rung.objects.get(ladder=placed.quiz.ladder, slug="mid")
    # The anchor is the rung's id, so it survives a renamed slug.
    assert f'href="/ladders/{placed.quiz.ladder.slug}/#r{mid.pk}"' in body
    assert "Take the quiz again" in body
    assert response["Cache-Control"] == "private, max-age=300"  # never in a shared cache
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.django_db
def test_draft_edits_leave_a_stored_result_byte_identical_until_publish(placed):
    ladder = placed.quiz.ladder
    answers = dict(placed.answers)
    before = Client().get(reverse("quiz:result", args=[placed.result_id])).content
    api_url = reverse("api:placement-detail", args=[placed.result_id])
    before_api = Client().get(api_url)
    assert before_api.status_code == 200
    mid = Rung.objects.get(ladder=ladder, slug="mid")
    mid.slug = "middle"
    mid.save()
    NextStep.objects.filter(rung=mid, title="Own one model end to end").delete()
    ladder.title = "Renamed"
    ladder.save()
    Rung.objects.filter(ladder=ladder, slug="lead").update(order=9)
    Rung.objects.filter(ladder=ladder, slug="senior").update(order=4)
    Rung.objects.filter(ladder=ladder, slug="lead").update(order=3)

    after = Client().get(reverse("quiz:result", args=[placed.result_id])).content
    next_one = place_and_record(live_version(placed.quiz), answers, region="IN")

    assert after == before
    assert Client().get(api_url).content == before_api.content
    assert (next_one.rung_slug, next_one.result["rung"]["title"]) == ("mid", "Mid")
    steps = [step["title"] for step in next_one.result["next_steps"]]
    assert "Own one model end to end" in steps
    # The anchor the stored result links to still lands on the renamed rung.
    ladder_page = Client().get(reverse("ladder:detail", args=[ladder.slug])).content.decode()
    assert f'id="r{mid.pk}"' in ladder_page
    assert f"#r{mid.pk}" in before.decode()

    publish(placed.quiz)
    republished = place_and_record(live_version(placed.quiz), answers, region="IN")
    assert republished.rung_slug == "middle"
    assert "Own one model end to end" not in [s["title"] for s in republished.result["next_steps"]]
    assert Client().get(reverse("quiz:result", args=[placed.result_id])).content == before


@pytest.mark.django_db
def test_title_behind_the_work_is_worded_that_way(quiz):
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "senior", title="junior"))

    _, body = _page(attempt)

    assert (
        "You said your title is “Junior”, a Junior title, but your answers show Senior "
        "ownership: your title is behind your work."
    ) in body


@pytest.mark.django_db
def test_the_top_rung_offers_the_parallel_track_and_elsewhere_shows_no_pay(quiz):
    LadderNote.objects.create(
        ladder=quiz.ladder,
        kind=LadderNote.Kind.TRACK,
        title="The parallel staff track",
        body="Go deep instead of wide.",
        source="t.txt",
    )
    publish(quiz)
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "lead"), region="")

    _, body = _page(attempt)

    assert "Where to go from the top rung" in body
    assert "What moves you up" not in body
    assert "The parallel staff track" in body
    assert "You chose somewhere else, so we show no salary bands" in body
    assert "LPA" not in body


@pytest.mark.django_db
def test_region_without_bands_says_so(quiz):
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "mid"), region="GB")

    _, body = _page(attempt)

    assert "We have no salary bands for United Kingdom at these rungs yet." in body


@pytest.mark.django_db
def test_unknown_or_unfinished_result_is_404(quiz):
    unfinished = start_attempt(live_version(quiz))

    assert Client().get(reverse("quiz:result", args=["no-such-id"])).status_code == 404
    assert Client().get(reverse("quiz:result", args=[unfinished.result_id])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("result_id", ["ab%00cd", "ab%20cd", "a" * 33, "%C3%A9t%C3%A9"])
def test_a_result_id_outside_the_id_alphabet_is_a_404_without_a_query(
    result_id, django_assert_num_queries
):
    # A NUL reached PostgreSQL, which refuses it (a 500); no id has any of these.
    with django_assert_num_queries(0):
        response = Client().get(f"/results/{result_id}/")
    assert response.status_code == 404


# --- Preview -----------------------------------------------------------------------------


@pytest.fixture
def staff_client(db) -> Client:
    user = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_preview_needs_staff(quiz):
    url = reverse("quiz:preview", args=[quiz.slug])

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    user = get_user_model().objects.create_user("visitor", password="pw")
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 302
    assert client.post(url).status_code == 302


def _state(response) -> str:
    match = STATE_RE.search(response.content.decode())
    assert match, "no state field in the response"
    return unescape(match.group(1))


@pytest.mark.django_db
def test_preview_runs_the_draft_records_nothing_and_shows_the_result_inline(quiz, staff_client):
    quiz.questions.filter(key="q1").update(text="Draft wording of question one?")
    url = reverse("quiz:preview", args=[quiz.slug])

    intro = staff_client.get(url)
    assert "Preview of unpublished draft" in intro.content.decode()
    response = staff_client.post(url)
    assert "Draft wording of question one?" in response.content.decode()
    answers = answers_at(quiz, "senior", title="lead", company="services")
    for question in quiz.questions.order_by("position", "id"):
        data: dict[str, Any] = {"state": _state(response), "action": "next"}
        if question.key in answers:
            data[question.key] = answers[question.key]
        response = staff_client.post(url, data)
    response = staff_client.post(
        url, {"state": _state(response), "region": "US"}, HTTP_HX_REQUEST="true"
    )

    body = unescape(response.content.decode())
    assert response.status_code == 200
    assert "data-careerquiz-result" in body
    assert "Senior</h2>" in body
    assert (
        "You said your title is “Lead”, a Lead title; your answers show Senior ownership." in body
    )
    assert "$300K–$450K" in body
    assert not Attempt.objects.exists()
    # The public quiz still shows the published wording.
    public = Client().post(reverse("quiz:start", args=[quiz.slug]))
    assert "Evidence question 1?" in public.content.decode()


@pytest.mark.django_db
def test_preview_token_cannot_be_used_on_the_public_step(quiz, staff_client):
    first = staff_client.post(reverse("quiz:preview", args=[quiz.slug]))

    response = Client().post(
        reverse("quiz:step", args=[quiz.slug]),
        {"state": _state(first), "action": "next", "q1": "mid"},
    )

    assert response.status_code == 400
    assert flow.MSG_STATE_PREVIEW in unescape(response.content.decode())
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_preview_keeps_csrf_protection(quiz):
    user = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(reverse("quiz:preview", args=[quiz.slug])).status_code == 403


@pytest.mark.django_db
def test_preview_of_a_quiz_whose_ladder_has_no_rungs_explains_why(staff_client):
    empty = Ladder.objects.create(slug="empty", title="Empty")
    Quiz.objects.create(slug="no-rungs", title="No rungs", ladder=empty)

    response = staff_client.get(reverse("quiz:preview", args=["no-rungs"]))

    problems = [MSG_NO_RUNGS.format(ladder="empty"), MSG_NO_EVIDENCE]
    assert response.status_code == 400
    assert flow.MSG_PREVIEW_IMPOSSIBLE.format(problems="; ".join(problems)) in _text(response)
    assert "Start again" in response.content.decode()


@pytest.mark.django_db
def test_finishing_a_preview_after_the_ladder_changed_says_what_blocks_the_draft(
    quiz, staff_client
):
    url = reverse("quiz:preview", args=[quiz.slug])
    response = staff_client.post(url)
    for question in quiz.questions.order_by("position", "id"):
        data: dict[str, Any] = {"state": _state(response), "action": "next"}
        data[question.key] = answers_at(quiz, "mid").get(question.key, "")
        response = staff_client.post(url, data)
    # The editor moves the quiz to another ladder: its options still name the old rungs.
    make_ladder(slug="data-eng", rungs=("apprentice", "engineer"))
    Quiz.objects.filter(pk=quiz.pk).update(ladder=Ladder.objects.get(slug="data-eng"))

    response = staff_client.post(url, {"state": _state(response), "region": "IN"})

    assert response.status_code == 400  # it was a StopIteration: a 500
    problem = MSG_FOREIGN_RUNG.format(rung="junior", other="test-ladder", ladder="data-eng")
    assert AT_OPTION.format(key="q1", option="junior", problem=problem) in _text(response)
    assert not Attempt.objects.exists()


def _text(response) -> str:
    return unescape(response.content.decode())


# Keys a result gained with issue 18; a result stored before then has none of them.
ADDED_FOR_FITTED_RESULTS = (
    "boundary",
    "track",
    "track_note",
    "not_counted",
    "below_top",
    "ladder_notes",
)
WHY_ADDED = ("answers", "answers_here", "answers_above", "counted_more", "threshold")


@pytest.mark.django_db
def test_a_result_stored_before_fitted_results_still_renders_in_its_old_words(placed):
    old = dict(placed.result)
    for key in ADDED_FOR_FITTED_RESULTS:
        del old[key]
    old["why"] = {k: v for k, v in old["why"].items() if k not in WHY_ADDED}
    Attempt.objects.filter(pk=placed.pk).update(result=old)

    response, body = _page(placed)

    assert response.status_code == 200
    assert "3 of your 3 work answers are at Mid or above." in _words(body)
    assert presentation.CONFIDENCE_WORDS["high"] in body
    assert "One answer short" not in body
    embed_partner = placed.partner_id
    assert embed_partner is None  # a web result: the API reads it too
    api = Client().get(f"/api/v1/placements/{placed.result_id}/")
    assert api.status_code == 200


@pytest.mark.parametrize(
    ("title", "expected"),
    [("ML Engineer (mid-level)", "an"), ("Senior ML Engineer", "a"), ("Intern", "an")],
)
def test_the_title_gap_reads_an_ml_engineer_not_a_ml_engineer(title, expected):
    assert presentation.article(title) == expected
