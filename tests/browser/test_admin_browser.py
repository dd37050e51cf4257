"""An editor in a real browser: reorder by dragging, edit an answer in place, publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from careerquiz import roles
from careerquiz.content import import_content
from quiz.models import Attempt, Option, Quiz
from tests.browser.conftest import PageProblems
from tests.factories import make_ladder, make_quiz

pytestmark = [pytest.mark.browser]

PASSWORD = "a long editor passphrase"


@pytest.fixture
def editor(transactional_db) -> str:
    user = get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    return user.get_username()


@pytest.fixture
def quiz(transactional_db) -> Quiz:
    return make_quiz(make_ladder(), with_extras=False)


def question_order(page) -> list[str]:
    return page.locator(
        "#questions-group .inline-related.has_original input[name$='-key']"
    ).evaluate_all(
        "inputs => inputs.filter(i => /^questions-\\d+-key$/.test(i.name)).map(i => i.value)"
    )


def map_row(page, key: str) -> dict[str, list[str]]:
    """The placement map's row for a question: rung column title → the answers under it."""
    return page.evaluate(
        """(key) => {
            const table = document.querySelector('table.placement-map');
            const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
            const row = [...table.querySelectorAll('tbody tr')]
                .find(tr => tr.querySelector('th').textContent.trim().startsWith(key));
            const cells = [...row.querySelectorAll('td')];
            return Object.fromEntries(cells.map((td, i) => [
                heads[i + 1], [...td.querySelectorAll('div')].map(d => d.textContent.trim())
            ]));
        }""",
        key,
    )


def drag(page, source, target) -> None:
    start, end = source.bounding_box(), target.bounding_box()
    assert start
    assert end
    assert end["y"] >= 0, "the target is in view"
    assert start["y"] + start["height"] <= page.viewport_size["height"], "the source is in view"
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(end["x"] + 5, end["y"] + 2, steps=12)
    page.mouse.up()


def take_quiz(page, url: str, pick: dict[str, str]) -> list[str]:
    """Answer each question with the label given for its heading; returns the headings seen."""
    page.goto(url)
    page.locator("#quiz-panel button").first.click()
    page.wait_for_selector(".progress-label")
    seen: list[str] = []
    while not page.locator("[data-careerquiz-result]").count():
        number = len(seen) + 1
        page.wait_for_function(
            "(n) => document.querySelector('.progress-label')?.textContent.startsWith(n)",
            arg=f"Question {number} of",
        )
        heading = page.locator("#quiz-heading").inner_text().strip()
        seen.append(heading)
        if heading in pick:
            page.get_by_label(pick[heading], exact=True).check()
        page.locator("#quiz-panel button[value=next]").click()
        page.wait_for_function(
            "(n) => document.querySelector('[data-careerquiz-result]')"
            " || document.querySelector('.progress-label')?.textContent.startsWith(n)",
            arg=f"Question {number + 1} of",
        )
    return seen


def test_an_editor_drags_edits_in_place_publishes_and_visitors_see_it(
    new_context, live_server, editor, quiz, screenshots
):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/quiz/quiz/{quiz.pk}/change/")
    page.fill("#id_username", editor)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("table.placement-map")
    assert question_order(page) == ["q1", "q2", "q3"]
    assert map_row(page, "q1")["2. Mid"] == ["Mid answer"]
    for width in (1024, 1280):  # ends at the width the rest of the test uses
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the quiz page is {overflow}px wider than a {width}px window"

    # Drag the second question above the first by its handle, as a mouse does.
    handles = page.locator("#questions-group .inline-related.has_original > h3 .sortable-handle")
    handles.nth(0).evaluate("handle => handle.scrollIntoView({block: 'start'})")
    drag(page, handles.nth(1), handles.nth(0))
    assert question_order(page) == ["q2", "q1", "q3"]

    # In place, on the same page: q1's "Mid answer" becomes evidence of Junior only.
    q1 = page.locator("#questions-group .inline-related.has_original").filter(
        has=page.locator("input[name$='-key'][value='q1']")
    )
    mid_answer = q1.locator(".option-row").filter(has=page.locator("input[value='mid']"))
    mid_answer.locator("input[name$='-text']").fill("Mostly with help")
    mid_answer.locator("select[name$='-rung']").select_option(label="1. Junior")
    page.screenshot(path=screenshots / "admin-quiz-builder.png", full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist .success")

    assert question_order(page) == ["q2", "q1", "q3"]
    assert map_row(page, "q1")["1. Junior"] == ["Junior answer", "Mostly with help"]
    assert map_row(page, "q1")["2. Mid"] == []
    assert "Question 'q1' has answers at 'junior' and 'lead' but none at 'mid'" in (
        page.locator("ul.placement-warnings").inner_text()
    )
    edited = Option.objects.select_related("rung").get(
        question__quiz=quiz, question__key="q1", key="mid"
    )
    assert edited.text == "Mostly with help"
    assert edited.rung is not None
    assert edited.rung.slug == "junior"

    # Publish from the quiz page: the confirmation repeats the map's warning, and asks.
    page.get_by_role("link", name="Publish…", exact=True).click()
    assert "none at 'mid'" in page.locator("ul.placement-warnings").inner_text()
    page.click("input[value='Publish anyway']")
    page.wait_for_selector("ul.messagelist .success")
    page.screenshot(path=screenshots / "admin-quiz-published.png", full_page=True)
    quiz.refresh_from_db()
    assert quiz.live_version is not None
    assert quiz.live_version.number == 2

    # A visitor meets q2 first, reads the new wording, and is placed by the new rung.
    visitor = new_context().new_page()
    seen = take_quiz(
        visitor,
        f"{live_server.url}/quiz/{quiz.slug}/",
        {
            "Evidence question 2?": "Mid answer",
            "Evidence question 1?": "Mostly with help",
            "Evidence question 3?": "Junior answer",
            "Which country do you work in?": "India",
        },
    )
    assert seen[:3] == ["Evidence question 2?", "Evidence question 1?", "Evidence question 3?"]
    assert visitor.locator("h1").inner_text().strip() == "Junior"
    assert Attempt.objects.get().rung_slug == "junior"
    assert problems.messages == []


def test_rungs_swap_places_from_the_keyboard_in_one_save(new_context, live_server, editor, quiz):
    page = new_context().new_page()
    problems = PageProblems(page)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/ladder/ladder/{quiz.ladder.pk}/change/")
    page.fill("#id_username", editor)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    handle = page.locator("#rungs-group tr.has_original").nth(1).locator(".sortable-handle")
    handle.focus()
    page.keyboard.press("ArrowUp")
    assert page.locator(".sortable-live").inner_text().endswith("moved to place 1 of 4")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist .success")

    orders = dict(quiz.ladder.rungs.values_list("slug", "order"))
    assert orders == {"mid": 1, "junior": 2, "senior": 3, "lead": 4}
    assert problems.messages == []


def test_an_editor_imports_a_pay_change_sees_it_and_publishes_it_from_the_import_page(
    new_context, live_server, editor, tmp_path, screenshots
):
    source = Path(__file__).parent.parent / "data" / "small.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    import_content(data)
    data["ladders"][0]["rungs"][1]["salary_bands"][1]["max"] = 195_000
    del data["quizzes"][0]["published"]  # leave the quiz's publication to the editor
    edited = tmp_path / "small.json"
    edited.write_text(json.dumps(data), encoding="utf-8")

    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/content/import/")
    page.fill("#id_username", editor)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.set_input_files("input[type=file]", edited)
    page.click("input[value='Check the file']")
    changes = page.locator(".import-changes").inner_text()
    assert "mid · US · max 190,000 → 195,000" in changes
    assert "removed" not in changes
    page.screenshot(path=screenshots / "admin-import-preview.png", full_page=True)

    page.click("input[value='Import it']")
    assert "Placements still use the live version" in page.locator("ul.messagelist").inner_text()
    page.click("input[value='Publish now…']")
    assert "mid · US · max 190,000 → 195,000" in page.locator(".publish-changes").inner_text()
    page.screenshot(path=screenshots / "admin-bulk-publish.png", full_page=True)
    page.click("input[value='Publish 1 quiz']")
    page.wait_for_selector("ul.messagelist .success")

    quiz = Quiz.objects.get(slug="ml-test")
    assert quiz.live_version is not None
    assert quiz.live_version.number == 2
    assert problems.messages == []
