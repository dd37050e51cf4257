"""An editor in a real browser: reorder by dragging, edit a question's answers, publish."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from careerquiz import roles
from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from ladder.models import Ladder
from quiz.models import Attempt, Option, Question, Quiz
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


def log_in(page, live_server, editor: str, then: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next={then}")
    page.fill("#id_username", editor)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


QUESTION_ROWS = "#questions-group tr.has_original"


def question_order(page) -> list[str]:
    """The question keys down the quiz page."""
    return page.locator(f"{QUESTION_ROWS} td.field-key").evaluate_all(
        "cells => cells.map(td => td.textContent.trim())"
    )


def stored_order(quiz: Quiz) -> list[str]:
    return list(quiz.questions.order_by("position", "id").values_list("key", flat=True))


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
    # Scrolled into view, a row can sit a fraction of a pixel above the top: rows of
    # fractional height add up, and the window scrolls by whole device pixels.
    assert end["y"] >= -1, "the target is in view"
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


def test_an_editor_drags_edits_a_question_publishes_and_visitors_see_it(
    new_context, live_server, editor, quiz, screenshots
):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    log_in(page, live_server, editor, f"/admin/quiz/quiz/{quiz.pk}/change/")
    page.wait_for_selector("table.placement-map")
    assert question_order(page) == ["q1", "q2", "q3"]
    assert map_row(page, "q1")["2. Mid"] == ["Mid answer"]
    for width in (1024, 1280):  # ends at the width the rest of the test uses
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the quiz page is {overflow}px wider than a {width}px window"

    # Drag the second question above the first by its handle, as a mouse does.
    handles = page.locator(f"{QUESTION_ROWS} .sortable-handle")
    handles.nth(0).evaluate("handle => handle.scrollIntoView({block: 'start'})")
    drag(page, handles.nth(1), handles.nth(0))
    assert question_order(page) == ["q2", "q1", "q3"]
    page.screenshot(path=screenshots / "admin-quiz-builder.png", full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist .success")
    assert question_order(page) == ["q2", "q1", "q3"]
    assert stored_order(quiz) == ["q2", "q1", "q3"]

    # q1's own page, one click away: its "Mid answer" becomes evidence of Junior only.
    page.locator(QUESTION_ROWS).filter(has_text="q1").get_by_role("link", name="4 answers").click()
    mid_answer = page.locator("#options-group tr.has_original").filter(
        has=page.locator("input[value='mid']")
    )
    mid_answer.locator("input[name$='-text']").fill("Mostly with help")
    mid_answer.locator("select[name$='-rung']").select_option(label="1. Junior")
    page.click("input[name=_save]")
    page.wait_for_selector("table.placement-map")  # "Save" leads back to the quiz

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


def test_the_shipped_quiz_is_reordered_by_dragging_and_saved(new_context, live_server, editor):
    import_content(load_file(SHIPPED_CONTENT))
    quiz = Quiz.objects.get(slug="ml-engineer")
    before = stored_order(quiz)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    log_in(page, live_server, editor, f"/admin/quiz/quiz/{quiz.pk}/change/")
    assert question_order(page) == before

    handles = page.locator(f"{QUESTION_ROWS} .sortable-handle")
    handles.nth(0).evaluate("handle => handle.scrollIntoView({block: 'start'})")
    drag(page, handles.nth(3), handles.nth(0))
    wanted = [before[3], *before[:3], *before[4:]]
    assert question_order(page) == wanted
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist .success")

    assert stored_order(quiz) == wanted
    assert question_order(page) == wanted
    positions = list(quiz.questions.values_list("position", flat=True))
    assert len(set(positions)) == len(positions), "no two questions share a position"
    assert problems.messages == []


def test_rungs_swap_places_from_the_keyboard_in_one_save(new_context, live_server, editor, quiz):
    page = new_context().new_page()
    problems = PageProblems(page)
    log_in(page, live_server, editor, f"/admin/ladder/ladder/{quiz.ladder.pk}/change/")

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


def add_rows(page, group: str, count: int) -> None:
    for _ in range(count):
        page.locator(f"#{group}-group .add-row a").click()  # Django's "Add another …"


def test_a_new_ladder_with_rungs_saves_and_a_refused_order_is_shown(
    new_context, live_server, editor
):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    log_in(page, live_server, editor, "/admin/ladder/ladder/add/")
    page.fill("#id_title", "Nursing")
    add_rows(page, "rungs", 2)
    assert not page.locator("#rungs-group input[name$='-order']").first.is_visible()
    for index, title in enumerate(["Staff nurse", "Charge nurse"]):
        page.fill(f"#id_rungs-{index}-title", title)
        page.fill(f"#id_rungs-{index}-question", f"Can you work as a {title.lower()}?")

    # The server refuses the first rung's number (as it would a value it cannot take):
    # the refusal must show beside its row, not hide in the hidden order column.
    def refuse_first_order(route) -> None:
        body = route.request.post_data or ""
        route.continue_(post_data=re.sub(r"rungs-0-order=\d+", "rungs-0-order=", body))

    page.route("**/admin/ladder/ladder/add/", refuse_first_order)
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    page.unroute("**/admin/ladder/ladder/add/")
    error = page.locator("#rungs-group .errorlist").first
    assert error.is_visible()
    assert "required" in error.inner_text()
    assert page.locator("#id_rungs-0-order").is_visible()
    assert not Ladder.objects.filter(slug="nursing").exists()

    page.fill("#id_rungs-0-order", "1")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist .success")
    ladder = Ladder.objects.get(slug="nursing")
    assert list(ladder.rungs.values_list("order", "title")) == [
        (1, "Staff nurse"),
        (2, "Charge nurse"),
    ]
    assert problems.messages == []


def offered_rungs(page, row: int) -> list[str]:
    return page.locator(f"#id_options-{row}-rung option").evaluate_all(
        "options => options.filter(o => o.value && !o.hidden && !o.disabled)"
        ".map(o => o.textContent.trim())"
    )


def test_a_new_question_gets_answer_rows_and_its_quizs_rungs_before_saving(
    new_context, live_server, editor, quiz
):
    other = make_ladder(slug="nursing", rungs=("staff", "charge"))
    other_quiz = make_quiz(other, slug="nursing-quiz", with_extras=False)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    log_in(page, live_server, editor, "/admin/quiz/question/add/")

    # No quiz chosen yet: every ladder's rungs; choosing a quiz offers its ladder's only.
    assert len(offered_rungs(page, 0)) == 6
    page.select_option("#id_quiz", label=str(other_quiz))
    assert offered_rungs(page, 0) == ["Nursing ladder — 1. Staff", "Nursing ladder — 2. Charge"]
    page.select_option("#id_quiz", label=str(quiz))
    add_rows(page, "options", 2)  # rows added in the page, before any save
    rungs = [f"Test-Ladder ladder — {n}" for n in ("1. Junior", "2. Mid", "3. Senior", "4. Lead")]
    for row in range(3):
        assert offered_rungs(page, row) == rungs

    page.fill("#id_key", "pairing")
    page.fill("#id_text", "Who do you pair with?")
    for row, (key, rung) in enumerate([("nobody", 0), ("juniors", 1), ("peers", 2)]):
        page.fill(f"#id_options-{row}-key", key)
        page.fill(f"#id_options-{row}-text", key.title())
        page.select_option(f"#id_options-{row}-rung", label=rungs[rung])
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist .success")

    question = Question.objects.get(quiz=quiz, key="pairing")
    assert list(question.options.values_list("key", "rung__slug")) == [
        ("nobody", "junior"),
        ("juniors", "mid"),
        ("peers", "senior"),
    ]
    assert problems.messages == []
