"""docs/editors.md, followed in a real browser: a ladder that is not about ML, built
from nothing in the admin, its quiz published, taken by a visitor and embedded
on a partner's site through the snippet the partner's admin page hands out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from careerquiz import roles
from careerquiz.partners.demo import serve_pages
from careerquiz.partners.models import Partner
from ladder.models import Ladder
from quiz.models import Attempt, Quiz
from tests.browser.conftest import PageProblems
from tests.browser.test_admin_browser import take_quiz

pytestmark = [pytest.mark.browser]

PASSWORD = "a long staff passphrase"
RUNGS = [
    ("Support agent", "Can you solve a customer's problem from the playbook?", 40_000, 52_000),
    ("Senior agent", "Do you own the hard cases nobody else can close?", 52_000, 68_000),
    ("Support lead", "Do you make the whole team better at support?", 68_000, 90_000),
]
QUESTIONS = [
    (
        "hard-cases",
        "When a case is not in the playbook, what happens?",
        "Take the next case nobody wants, and write down how you solved it.",
        [
            ("escalate", "I pass it on to someone senior"),
            ("own", "I solve it myself, whatever it takes"),
            ("fix-the-cause", "I solve it and change the playbook so it does not recur"),
        ],
    ),
    (
        "helping",
        "How often do teammates come to you for help?",
        "Offer to pair with the newest agent on their hardest ticket this week.",
        [
            ("rarely", "Rarely: I am the one asking"),
            ("hard-ones", "For the hard cases"),
            ("coaching", "Every day: I coach them and run our training"),
        ],
    ),
]
QUIZ_TITLE = "Where are you in customer support?"
QUIZ_SLUG = "where-are-you-in-customer-support"

# A partner's page: the pasted snippet, and a record of the events the embed sends.
PARTNER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>Acme Careers</title></head><body><h1>Acme Careers</h1>
<script>window.careerquizEvents = [];
["ready", "step", "complete"].forEach(function (name) {
  document.addEventListener("careerquiz:" + name, function (event) {
    window.careerquizEvents.push({type: event.type, detail: event.detail});
  });
});</script>
{snippet}
</body></html>"""


def staff(username: str, group: str) -> str:
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return username


@pytest.fixture
def partner_site(live_server) -> Iterator[tuple[str, dict[str, str]]]:
    """Pages served on 127.0.0.1, another site than the app's localhost."""
    pages: dict[str, str] = {}
    server = serve_pages(pages)
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")


def open_list(page, model: str) -> None:
    """A model's list, from the admin's sidebar (or home page) row for it."""
    page.locator(f"tr.model-{model} th a").first.click()


def add_row(page, group: str) -> None:
    page.locator(f"#{group}-group .add-row a").click()


def saved(page, button: str = "_continue") -> None:
    page.click(f"input[name={button}]")
    page.wait_for_selector("ul.messagelist .success")


def build_the_ladder(page) -> None:
    """Step 1 and 2: the ladder, its rungs, and pay on each rung."""
    open_list(page, "ladder")
    page.get_by_role("link", name="Add ladder").click()
    page.fill("#id_title", "Customer Support")
    page.fill(
        "#id_summary",
        "From answering tickets to running the team: each rung is what you own "
        "and are trusted to decide.",
    )
    for index, (title, question, _, _) in enumerate(RUNGS):
        add_row(page, "rungs")
        page.fill(f"#id_rungs-{index}-title", title)
        page.fill(f"#id_rungs-{index}-question", question)
    saved(page)

    # Each rung's page: from the ladder's rung rows first, then from the rung list "Save" leads to.
    page.locator("#rungs-group tr.has_original").first.get_by_role("link", name="Change").click()
    for index, (title, _, low, high) in enumerate(RUNGS):
        if index:
            page.get_by_role("link", name=title, exact=True).click()
        add_row(page, "salary_bands")
        page.fill("#id_salary_bands-0-region", "US")
        page.fill("#id_salary_bands-0-currency", "USD")
        page.fill("#id_salary_bands-0-min", str(low))
        page.fill("#id_salary_bands-0-max", str(high))
        saved(page, "_save")


def build_the_quiz(page) -> None:
    """Steps 3 and 4: the quiz, then each question with its answers on its own page."""
    open_list(page, "quiz")
    page.get_by_role("link", name="Add quiz").click()
    page.fill("#id_title", QUIZ_TITLE)
    page.select_option("#id_ladder", label="Customer Support")
    page.fill("#id_intro", "Two questions about the work you do, then where you work.")
    saved(page)

    for key, text, advice, answers in QUESTIONS:
        page.get_by_role("link", name="Add a question with its answers").click()
        page.fill("#id_key", key)
        page.fill("#id_text", text)
        page.fill("#id_advice", advice)
        for row, ((answer_key, answer_text), (rung, *_)) in enumerate(
            zip(answers, RUNGS, strict=True)
        ):
            if row:
                add_row(page, "options")
            page.fill(f"#id_options-{row}-key", answer_key)
            page.fill(f"#id_options-{row}-text", answer_text)
            page.select_option(
                f"#id_options-{row}-rung", label=f"Customer Support — {row + 1}. {rung}"
            )
        saved(page, "_save")  # "Save" leads back to the quiz
        page.wait_for_selector("table.placement-map")


def test_an_editor_builds_publishes_and_embeds_a_support_ladder_quiz(
    new_context, live_server, partner_site, screenshots, transactional_db
):
    editor = staff("editor", roles.EDITOR)
    manager = staff("partners", roles.PARTNER_MANAGER)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    sign_in(page, live_server, editor)
    build_the_ladder(page)
    ladder = Ladder.objects.get(slug="customer-support")
    assert [(r.order, r.slug) for r in ladder.rungs.order_by("order")] == [
        (1, "support-agent"),
        (2, "senior-agent"),
        (3, "support-lead"),
    ]
    assert all(rung.salary_bands.count() == 1 for rung in ladder.rungs.all())

    build_the_quiz(page)
    quiz = Quiz.objects.get(slug=QUIZ_SLUG)
    assert quiz.ladder == ladder
    assert list(quiz.questions.values_list("key", flat=True)) == ["hard-cases", "helping"]
    page.screenshot(path=screenshots / "walkthrough-quiz.png", full_page=True)

    # Step 5: publish. Nothing to warn about: every answer has advice, every rung pay.
    page.get_by_role("link", name="Publish…", exact=True).click()
    assert page.locator("ul.placement-warnings").count() == 0
    page.click("input[value=Publish]")
    page.wait_for_selector("ul.messagelist .success")
    quiz.refresh_from_db()
    assert quiz.live_version is not None

    # A visitor takes it and is placed on the ladder's top rung, with its pay.
    visitor = new_context().new_page()
    take_quiz(
        visitor,
        f"{live_server.url}/quiz/{QUIZ_SLUG}/",
        {
            QUESTIONS[0][1]: QUESTIONS[0][3][2][1],
            QUESTIONS[1][1]: QUESTIONS[1][3][2][1],
            "Which country do you work in?": "United States",
        },
    )
    assert "Support lead" in visitor.locator("[data-careerquiz-result]").inner_text()
    visitor.locator("#pay-heading").click()  # pay is folded below the headline card
    assert "$68K" in visitor.locator("[data-careerquiz-result]").inner_text()
    assert Attempt.objects.get().rung_slug == "support-lead"

    # Step 6: a partner manager adds the partner and pastes its snippet on the partner's page.
    origin, pages = partner_site
    manager_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    manager_problems = PageProblems(manager_page)
    sign_in(manager_page, live_server, manager)
    open_list(manager_page, "partner")
    manager_page.get_by_role("link", name="Add partner").click()
    manager_page.fill("#id_name", "Acme Careers")
    manager_page.fill("#id_allowed_origins", origin)
    saved(manager_page)
    snippet = manager_page.locator("#partner-embed .partner-snippet").filter(has_text=QUIZ_TITLE)
    pasted = snippet.locator("pre[id^=snippet-script]").inner_text()
    assert Partner.objects.get().public_key in pasted
    pages["/careers/"] = PARTNER_PAGE.replace("{snippet}", pasted)

    reader = new_context().new_page()
    reader_problems = PageProblems(reader)
    reader.goto(f"{origin}/careers/")
    frame = reader.frame_locator("iframe")
    frame.get_by_role("button", name="Start the quiz").click()
    for label in (QUESTIONS[0][3][1][1], QUESTIONS[1][3][1][1], "United States"):
        frame.get_by_label(label, exact=True).check()
        frame.locator("#quiz-panel button[value=next]").click()
    reader.wait_for_function(
        "() => window.careerquizEvents.some(e => e.type === 'careerquiz:complete')"
    )
    complete = reader.evaluate(
        "() => window.careerquizEvents.find(e => e.type === 'careerquiz:complete').detail"
    )
    assert complete["rung"] == {"slug": "senior-agent", "title": "Senior agent"}
    embedded = Attempt.objects.get(channel=Attempt.Channel.EMBED)
    assert embedded.partner_id == Partner.objects.get().pk
    reader.screenshot(path=screenshots / "walkthrough-partner-page.png", full_page=True)
    assert problems.messages == reader_problems.messages == []
    # Known, left to the partners app: the partner page's preview frame (on the admin's own
    # origin) posts its size to the partner's origin, which the browser refuses with a warning.
    assert [m for m in manager_problems.messages if "postMessage" not in m] == []
