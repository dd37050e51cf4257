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
                moves: [...document.querySelectorAll('.first-move, .move-list > li')].map(bottom),
                pay: bottom(document.querySelector('.salary > summary')),
            };
        }"""
    )
    assert bottoms["gap"] is not None, "no title gap shown"
    assert len(bottoms["moves"]) == 3  # the headline card's next move, then two more
    assert bottoms["pay"] is not None, "no pay shown"
    for what, where in [
        ("rung", bottoms["rung"]),
        ("gap", bottoms["gap"]),
        ("third move", bottoms["moves"][-1]),
        ("the pay fold", bottoms["pay"]),
    ]:
        assert where <= TWO_SCREENS, f"{what} ends at {where}px, below two screens"


DESKTOP = {"width": 1280, "height": 800}
HEADLINE_BOTTOM = """() => {
    const card = document.querySelector('.result-head');
    return Math.round(card.getBoundingClientRect().bottom + scrollY);
}"""
LABEL_BOXES = """() => [...document.querySelectorAll('.ladder-pic svg text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
})"""
# Answers that put someone one answer short of Senior, with a title ahead of them: the
# longest headline card the shipped quiz makes (rule, weights, boundary, gap, confidence).
ONE_SHORT = {
    "initiative": "spot-risks",
    "ownership": "end-to-end",
    "unclear-work": "no-clean-answer",
    "risky-work": "handed-to-me",
    "ai-review": "review-others",
    "track-record": "own-problem-trusted",
    "raise-others": "answer-questions",
    "catch-mistakes": "own-project",
    "direction": "plan-my-problem",
    "depth": "key-calls",
    "title": "lead",
    "company": "product",
}


def _overlapping(boxes: list[dict[str, object]]) -> list[tuple[object, object]]:
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["right"] <= b["left"]  # type: ignore[operator]
                or b["right"] <= a["left"]  # type: ignore[operator]
                or a["bottom"] <= b["top"]  # type: ignore[operator]
                or b["bottom"] <= a["top"]  # type: ignore[operator]
            )
            if not apart:
                pairs.append((a["text"], b["text"]))
    return pairs


# A manager of six: the track line and what this ladder measures join the headline card.
MANAGER = {
    **{
        key: "i-manage"
        for key in ("unclear-work", "risky-work", "ai-review", "track-record", "catch-mistakes")
    },
    "depth": "i-manage",
    "initiative": "shape-team",
    "ownership": "through-others",
    "raise-others": "raise-the-level",
    "direction": "direct-teams",
    "title": "manager",
    "company": "product",
    "years": "8-plus",
}
FOLDED = """() => ({
    open: [...document.querySelectorAll('.result details')].filter(d => d.open).length,
    sections: [...document.querySelectorAll('.result > section:not(.footnotes)')]
        .map(s => s.className),
})"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390px"])
@pytest.mark.parametrize("channel", ["web", "embed"])
@pytest.mark.parametrize("person", ["one-short", "manager"])
def test_the_headline_card_is_on_the_first_screen_and_the_ladder_labels_do_not_overlap(
    new_context, live_server, shipped, screenshots, viewport, channel, person
):
    from careerquiz.partners.models import Partner

    assert shipped.live_version is not None
    partner = Partner.objects.create(name="Acme", allowed_origins=live_server.url)
    attempt = place_and_record(
        shipped.live_version,
        ONE_SHORT if person == "one-short" else MANAGER,
        region="IN",
        channel=channel,
        partner_id=partner.pk if channel == "embed" else None,
    )
    if person == "one-short":
        assert attempt.result["boundary"]["up"], "the person is meant to be one answer short"
    else:
        assert attempt.result["track"] == "people-leadership"
    url = attempt.get_absolute_url()
    if channel == "embed":
        url = f"/embed/results/{attempt.result_id}/"
    page = new_context(viewport=viewport).new_page()

    page.goto(live_server.url + url)

    name = f"result-headline-{person}-{channel}-{viewport['width']}.png"
    page.screenshot(path=screenshots / name, full_page=True)
    card = page.locator(".result-head")
    parts = [".confidence", ".first-move", ".why-text"]
    parts += (
        [".boundary-up", ".title-gap"] if person == "one-short" else [".track-line", ".measures"]
    )
    for part in parts:
        assert card.locator(part).count() == 1, f"{part} is not in the headline card"
    assert page.evaluate(HEADLINE_BOTTOM) <= viewport["height"]
    assert _overlapping(page.evaluate(LABEL_BOXES)) == []
    # Everything else is folded below (closed disclosures; the moves and the sources stay).
    folded = page.evaluate(FOLDED)
    assert folded["open"] == 0
    assert folded["sections"] in ([], ["moves"])
