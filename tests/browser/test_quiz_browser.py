"""The quiz in a real browser: keyboard only with htmx, and with JavaScript off."""

from __future__ import annotations

import pytest

from quiz import flow
from quiz.models import Attempt
from tests.browser.conftest import PageProblems
from tests.factories import make_ladder, make_quiz

pytestmark = [pytest.mark.browser]

MAX_TABS = 40


@pytest.fixture
def quiz_url(transactional_db, live_server) -> str:
    quiz = make_quiz(make_ladder())
    return f"{live_server.url}/quiz/{quiz.slug}/"


def _tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _progress(page) -> str:
    return page.locator(".progress-label").inner_text()


def test_keyboard_only_with_htmx_swaps_only_the_panel(new_context, quiz_url, screenshots):
    context = new_context()
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(quiz_url)
    page.evaluate("window.careerquizMarker = 'still here'")

    _tab_to(page, "#quiz-panel button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".progress-label")
    total = int(_progress(page).rsplit(" ", 1)[1])
    assert _progress(page) == f"Question 1 of {total}"
    page.screenshot(path=screenshots / "quiz-step-1.png", full_page=True)

    for number in range(1, total + 1):
        assert _progress(page) == f"Question {number} of {total}"
        # Focus moves to the new question once htmx has settled the swap.
        page.wait_for_function("() => document.activeElement.id === 'quiz-heading'", timeout=3000)
        _tab_to(page, "#quiz-panel .choice input")
        page.keyboard.press("ArrowDown" if number == 2 else "Space")
        if number == total - 1:
            page.screenshot(path=screenshots / "quiz-skills-step.png", full_page=True)
        if number == total:
            page.screenshot(path=screenshots / "quiz-region-step.png", full_page=True)
        _tab_to(page, "#quiz-panel button[value=next]")
        page.keyboard.press("Enter")
        if number < total:
            page.wait_for_function(
                "(n) => document.querySelector('.progress-label')?.textContent.startsWith(n)",
                arg=f"Question {number + 1} of",
            )
            # htmx replaced only the panel: the page and its JavaScript state survive,
            # the address stays the quiz's, and the tab title follows the question.
            assert page.evaluate("window.careerquizMarker") == "still here"
            assert page.url == quiz_url
            assert page.title().startswith(f"Question {number + 1} of {total} · ")

    page.wait_for_url("**/results/**")
    page.wait_for_selector("[data-careerquiz-result]")
    page.screenshot(path=screenshots / "quiz-result.png", full_page=True)
    attempt = Attempt.objects.get()
    assert attempt.completed_at is not None
    assert page.url.endswith(attempt.get_absolute_url())
    assert context.cookies() == []
    assert problems.messages == []


def test_back_with_keyboard_keeps_the_answer(new_context, quiz_url):
    context = new_context()
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(quiz_url)
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Senior answer").check()
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => document.querySelector('.progress-label').textContent[9] === '2'")

    _tab_to(page, "#quiz-panel button[value=back]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.progress-label').textContent[9] === '1'")

    assert page.get_by_label("Senior answer").is_checked()
    assert context.cookies() == []
    assert problems.messages == []


def test_a_refused_answer_moves_focus_to_the_error(new_context, quiz_url):
    page = new_context().new_page()
    problems = PageProblems(page)
    page.goto(quiz_url)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_function("() => document.activeElement.id === 'quiz-heading'")

    _tab_to(page, "#quiz-panel button[value=next]")
    page.keyboard.press("Enter")

    page.wait_for_function("() => document.activeElement.classList.contains('field-error')")
    assert page.evaluate("document.activeElement.textContent").endswith(flow.MSG_REQUIRED)
    assert problems.messages == []


def test_javascript_off_completes_with_plain_posts(new_context, quiz_url, screenshots):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(quiz_url)
    page.get_by_role("button", name="Start the quiz").click()

    page.get_by_role("button", name="Next").click()  # nothing chosen: the error shows
    assert flow.MSG_REQUIRED in page.locator("#quiz-panel").inner_text()
    page.screenshot(path=screenshots / "quiz-nojs-error.png", full_page=True)
    while page.locator("input[name=region]").count() == 0:
        page.locator("#quiz-panel .choice input").first.check()
        page.get_by_role("button", name="Next").click()
    page.get_by_label("India").check()
    page.get_by_role("button", name="See my result").click()

    page.wait_for_url("**/results/**")
    assert page.locator("[data-careerquiz-result]").count() == 1
    assert Attempt.objects.completed().count() == 1
    assert context.cookies() == []


def test_pages_load_without_console_errors_or_csp_violations(
    new_context, quiz_url, live_server, screenshots
):
    context = new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems = PageProblems(page)
    pages = {
        "home": "/",
        "intro": quiz_url[len(live_server.url) :],
        "ladder": "/ladders/test-ladder/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=screenshots / f"mobile-{name}.png", full_page=True)

    assert problems.messages == []
    assert context.cookies() == []


def test_a_tampered_state_over_htmx_shows_the_problem_in_the_panel(new_context, quiz_url):
    page = new_context().new_page()
    page.goto(quiz_url)
    page.evaluate("window.careerquizMarker = 'still here'")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector(".progress-label")
    page.evaluate("document.querySelector('input[name=state]').value = 'tampered'")

    page.get_by_label("Mid answer").check()
    page.get_by_role("button", name="Next").click()

    page.wait_for_selector("#quiz-panel.problem")
    assert page.evaluate("window.careerquizMarker") == "still here"
    assert page.get_by_role("link", name="Start again").is_visible()
    page.get_by_role("link", name="Start again").click()
    page.wait_for_selector("text=Start the quiz")


SHUFFLED_OPTIONS = 8  # answers on the first work question: two attempts differ almost surely


@pytest.fixture
def shuffled_quiz_url(transactional_db, live_server) -> str:
    from quiz.versions import publish

    ladder = make_ladder()
    quiz = make_quiz(ladder, evidence_questions=2)
    q1 = quiz.questions.get(key="q1")
    for index in range(SHUFFLED_OPTIONS - q1.options.count()):
        q1.options.create(key=f"more-{index}", text=f"More {index}", rung=ladder.rungs.first())
    publish(quiz)
    return f"{live_server.url}/quiz/{quiz.slug}/"


def _first_question_order(page) -> list[str]:
    return page.locator("#quiz-panel .choice input").evaluate_all("els => els.map(e => e.value)")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_answer_order_differs_between_attempts_and_stays_on_back(
    new_context, shuffled_quiz_url, javascript
):
    orders = []
    for _ in range(3):
        page = new_context(java_script_enabled=javascript).new_page()
        page.goto(shuffled_quiz_url)
        page.get_by_role("button", name="Start the quiz").click()
        page.wait_for_selector(".progress-label")
        orders.append(_first_question_order(page))
    assert len({tuple(order) for order in orders}) > 1, orders

    first = orders[-1]
    page.locator("#quiz-panel .choice input").first.check()
    page.get_by_role("button", name="Next").click()
    page.wait_for_function(
        "() => document.querySelector('.progress-label').textContent.startsWith('Question 2 ')"
    )
    page.get_by_role("button", name="Back").click()
    page.wait_for_function(
        "() => document.querySelector('.progress-label').textContent.startsWith('Question 1 ')"
    )
    assert _first_question_order(page) == first
    assert page.locator("#quiz-panel .choice input").first.is_checked()
