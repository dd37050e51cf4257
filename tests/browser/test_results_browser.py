"""The result page on a phone: what matters fits the first two screens."""

from __future__ import annotations

import pytest

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from quiz.attempts import place_and_record
from quiz.models import Quiz

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
TWO_SCREENS = 2 * PHONE["height"]

EVIDENCE_AT = {
    # Answers a person gives honestly, per persona, over the shipped quiz's evidence questions.
    "junior": {"*": 1, "ownership": 2},
    "mid": {"*": 2, "catch-mistakes": 1},
    "senior": {"*": 3, "raise-others": 2},
}


@pytest.fixture
def shipped(transactional_db) -> Quiz:
    import_content(load_file(SHIPPED_CONTENT))
    return Quiz.objects.get(slug="ml-engineer")


def answers_for(quiz: Quiz, rung: str, title: str) -> dict[str, object]:
    orders = {r.slug: r.order for r in quiz.ladder.rungs.all()}
    pattern = EVIDENCE_AT[rung]
    answers: dict[str, object] = {}
    for question in quiz.questions.filter(role="evidence"):
        order = pattern.get(question.key, pattern["*"])
        answers[question.key] = next(
            o.key
            for o in question.options.select_related("rung")
            if o.rung and orders[o.rung.slug] == order
        )
    return answers | {"title": title, "company": "services", "years": "5-to-7"}


@pytest.mark.parametrize(
    ("rung", "title"), [("junior", "senior"), ("mid", "senior-associate"), ("senior", "lead")]
)
def test_rung_gap_three_moves_and_pay_are_within_two_phone_screens(
    new_context, live_server, shipped, screenshots, rung, title
):
    assert shipped.live_version is not None
    attempt = place_and_record(shipped.live_version, answers_for(shipped, rung, title), region="IN")
    assert attempt.rung_slug == rung
    page = new_context(viewport=PHONE).new_page()

    page.goto(live_server.url + attempt.get_absolute_url())

    page.screenshot(path=screenshots / f"result-390px-{rung}.png", full_page=True)
    bottoms = page.evaluate(
        """() => {
            const bottom = el => el && Math.round(el.getBoundingClientRect().bottom + scrollY);
            return {
                rung: bottom(document.querySelector('#result-heading')),
                gap: bottom(document.querySelector('.title-gap')),
                moves: [...document.querySelectorAll('.move-list > li')].map(bottom),
                pay: bottom(document.querySelector('.salary .bands li')),
            };
        }"""
    )
    assert bottoms["gap"] is not None, "no title gap shown"
    assert len(bottoms["moves"]) == 3
    assert bottoms["pay"] is not None, "no pay shown"
    for what, where in [
        ("rung", bottoms["rung"]),
        ("gap", bottoms["gap"]),
        ("third move", bottoms["moves"][-1]),
        ("first pay band", bottoms["pay"]),
    ]:
        assert where <= TWO_SCREENS, f"{what} ends at {where}px, below two screens"
