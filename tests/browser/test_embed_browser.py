"""The embed in a real browser: a partner's page on another site frames the quiz.

The app runs on pytest-django's live server at `localhost`; partners' pages are
served from `127.0.0.1` (careerquiz.partners.demo), which Chromium treats as
another site, so third-party-cookie rules and CSP frame-ancestors apply for real.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from careerquiz.partners.demo import partner_page, serve_pages
from careerquiz.partners.models import Partner
from quiz.models import Attempt, Quiz
from tests.browser.conftest import PageProblems
from tests.factories import make_ladder, make_quiz

pytestmark = [pytest.mark.browser]

AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
WIDTHS = (360, 1280)
SETTLE_MS = 1200  # longer than any resize round trip: the frame must be still by then


@dataclass
class PartnerSite:
    origin: str
    pages: dict[str, str]
    app: str

    def add(self, path: str, partner: Partner, quiz: str, **extra: Any) -> str:
        self.pages[path] = partner_page(
            app_url=self.app, quiz=quiz, key=partner.public_key, **extra
        )
        return self.origin + path


@pytest.fixture
def site(live_server) -> Iterator[PartnerSite]:
    assert "localhost" in live_server.url, "the app must be on another site than 127.0.0.1"
    pages: dict[str, str] = {}
    server = serve_pages(pages)
    yield PartnerSite(f"http://127.0.0.1:{server.server_address[1]}", pages, live_server.url)
    server.shutdown()


@pytest.fixture
def small_quiz(transactional_db) -> Quiz:
    return make_quiz(make_ladder())


@pytest.fixture
def shipped_quiz(transactional_db) -> Quiz:
    import_content(load_file(SHIPPED_CONTENT))
    return Quiz.objects.get(slug="ml-engineer")


def partner_for(site: PartnerSite, **fields: Any) -> Partner:
    return Partner.objects.create(name="Acme Careers", allowed_origins=site.origin, **fields)


def events(page, kind: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate("window.careerquizEvents || []")
    return [e for e in found if not kind or e["type"] == f"careerquiz:{kind}"]


def wait_for_events(page, kind: str, count: int) -> None:
    page.wait_for_function(
        "([type, n]) => (window.careerquizEvents || []).filter(e => e.type === type).length >= n",
        arg=[f"careerquiz:{kind}", count],
    )


def frame_of(page, index: int = 0):
    frame = page.locator("iframe").nth(index).element_handle().content_frame()
    assert frame is not None
    return frame


def answer_every_step(page, frame, *, widget_events_before: int = 0) -> int:
    """Click through the quiz in the frame, first choice each time; returns the step count."""
    frame.get_by_role("button", name="Start the quiz").click()
    wait_for_events(page, "step", widget_events_before + 1)
    total = events(page, "step")[-1]["detail"]["total"]
    for number in range(1, total + 1):
        frame.locator("#quiz-panel .choice input").first.check()
        button = "See my result" if number == total else "Next"
        frame.get_by_role("button", name=button).click()
        if number < total:
            wait_for_events(page, "step", widget_events_before + number + 1)
    frame.wait_for_selector("[data-careerquiz-result]")
    return total


def assert_fits_its_content(page, frame, iframe_index: int = 0) -> None:
    """The iframe is as tall as the quiz inside it, which has no scrollbar of its own."""
    page.wait_for_timeout(SETTLE_MS)
    iframe = page.locator("iframe").nth(iframe_index)
    height = iframe.evaluate("el => el.getBoundingClientRect().height")
    inside = frame.evaluate(
        """() => ({
            content: Math.ceil(document.getElementById('careerquiz-frame')
                .getBoundingClientRect().height),
            scroll: document.documentElement.scrollHeight,
            client: document.documentElement.clientHeight,
            sized: document.documentElement.classList.contains('careerquiz-sized'),
        })"""
    )
    assert abs(height - inside["content"]) <= 1, (height, inside)
    assert inside["scroll"] <= inside["client"], f"the frame scrolls inside: {inside}"
    assert inside["sized"]
    # No resize loop: a second later nothing has moved.
    page.wait_for_timeout(SETTLE_MS)
    assert iframe.evaluate("el => el.getBoundingClientRect().height") == height


def test_a_partner_page_on_another_site_runs_the_quiz_and_hears_every_event(
    new_context, site, shipped_quiz, screenshots
):
    partner = partner_for(site)
    url = site.add("/", partner, shipped_quiz.slug)
    context = new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems = PageProblems(page)

    page.goto(url)
    wait_for_events(page, "ready", 1)
    frame = frame_of(page)
    page.screenshot(path=screenshots / "embed-intro.png", full_page=True)
    total = answer_every_step(page, frame)
    wait_for_events(page, "complete", 1)
    # A full-page shot does not paint a tall frame's lower part: grow the window instead.
    page.set_viewport_size({"width": 1100, "height": page.evaluate("document.body.scrollHeight")})
    page.screenshot(path=screenshots / "embed-result.png")

    attempt = Attempt.objects.get()
    assert attempt.partner_id == partner.pk
    assert attempt.channel == Attempt.Channel.EMBED
    assert attempt.ref == "demo-page"
    assert [e["detail"] for e in events(page, "ready")] == [{"quiz": shipped_quiz.slug}]
    steps = [e["detail"] for e in events(page, "step")]
    assert steps == [{"index": n - 1, "number": n, "total": total} for n in range(1, total + 1)]
    [complete] = [e["detail"] for e in events(page, "complete")]
    rungs = {r["slug"]: r for r in attempt.version.snapshot["rungs"]}
    placed = rungs[attempt.rung_slug]
    above = [r for r in rungs.values() if r["order"] == placed["order"] + 1]
    assert complete == {
        "id": attempt.result_id,
        "rung": {"slug": placed["slug"], "title": placed["title"]},
        "next_rung": {"slug": above[0]["slug"], "title": above[0]["title"]} if above else None,
        "result_url": f"{site.app}/results/{attempt.result_id}/",
        "ref": "demo-page",
        "passthrough": {},
    }
    assert frame.locator("[data-careerquiz-result]").is_visible()
    assert context.cookies([site.app]) == []  # nothing stored for the app's origin
    assert problems.messages == []


def test_pass_through_parameters_from_the_page_address_reach_the_attempt(
    new_context, site, small_quiz
):
    partner = partner_for(site, pass_params="utm_source cohort utm_medium")
    url = site.add(
        "/campaign", partner, small_quiz.slug, pass_params="utm_source utm_medium cohort"
    )
    site.pages["/campaign"] = site.pages["/campaign"].replace(
        " async></script>", ' data-hidden-cohort="spring-26" data-hidden-secret="x" async></script>'
    )
    page = new_context().new_page()
    problems = PageProblems(page)

    # utm_campaign is not listed by the page, email not by anyone: neither may travel.
    page.goto(url + "?utm_source=newsletter&utm_campaign=may&email=a%40b.example")
    wait_for_events(page, "ready", 1)
    frame_url = page.locator("iframe").get_attribute("src") or ""
    assert "email" not in frame_url
    assert "utm_campaign" not in frame_url
    answer_every_step(page, frame_of(page))
    wait_for_events(page, "complete", 1)

    attempt = Attempt.objects.get()
    expected = {"utm_source": "newsletter", "cohort": "spring-26"}
    assert attempt.passthrough == expected  # data-hidden-secret: not a partner's name
    assert events(page, "complete")[0]["detail"]["passthrough"] == expected
    assert problems.messages == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_frame_follows_its_content_with_no_inner_scrollbar(
    new_context, site, small_quiz, screenshots, width
):
    partner = partner_for(site)
    url = site.add("/", partner, small_quiz.slug, width="100%" if width > 400 else "20rem")
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(url)
    wait_for_events(page, "ready", 1)
    frame = frame_of(page)

    assert_fits_its_content(page, frame)
    intro_height = page.locator("iframe").evaluate("el => el.getBoundingClientRect().height")
    frame.get_by_role("button", name="Start the quiz").click()
    wait_for_events(page, "step", 1)
    assert_fits_its_content(page, frame)
    frame.get_by_role("button", name="Next").click()  # nothing chosen: an error grows the panel
    frame.wait_for_selector(".field-error")
    assert_fits_its_content(page, frame)
    page.screenshot(path=screenshots / f"embed-step-{width}px.png", full_page=True)
    assert page.locator("iframe").evaluate("el => el.getBoundingClientRect().height") != (
        intro_height
    )


def test_a_page_the_partner_does_not_allow_shows_a_link_to_the_quiz(
    new_context, site, small_quiz, live_server, screenshots
):
    partner = Partner.objects.create(name="Elsewhere", allowed_origins="https://elsewhere.example")
    url = site.add("/", partner, small_quiz.slug)
    page = new_context().new_page()
    problems = PageProblems(page)

    page.goto(url)

    # At once: well before the loader's grace period for a frame that never answers.
    link = page.locator(".careerquiz-fallback a")
    link.wait_for(timeout=2500)
    assert link.get_attribute("href") == f"{site.app}/quiz/{small_quiz.slug}/"
    assert page.locator("iframe").is_hidden()
    assert events(page) == []
    page.screenshot(path=screenshots / "embed-not-allowed.png")
    # One clear message for the page's developer: which origin, and where to register it.
    page.wait_for_timeout(500)
    [warning] = problems.messages
    assert warning.startswith("warning: careerquiz: ")
    assert f"{site.origin} is not an allowed origin for the partner key" in warning
    assert "allowed origins in the careerquiz admin" in warning


def test_a_disabled_partner_shows_a_link_to_the_quiz(new_context, site, small_quiz):
    partner = partner_for(site, is_active=False)
    page = new_context().new_page()

    page.goto(site.add("/", partner, small_quiz.slug))

    page.locator(".careerquiz-fallback a").wait_for(timeout=5000)
    assert page.locator("iframe").is_hidden()
    assert events(page) == []  # a refused quiz never says it is ready


def test_a_target_id_that_is_no_css_selector_still_gets_the_quiz(new_context, site, small_quiz):
    # "#2024" is a legal id but an invalid selector: querySelector throws on it.
    partner = partner_for(site)
    site.pages["/target"] = (
        f'<!doctype html><html lang="en"><title>Partner</title><div id="2024"></div>'
        f'<script src="{site.app}/embed.js" data-quiz="{small_quiz.slug}" '
        f'data-partner="{partner.public_key}" data-target="#2024" async></script></html>'
    )
    page = new_context().new_page()

    page.goto(site.origin + "/target")

    frame = page.locator('[id="2024"] iframe')
    frame.wait_for(timeout=15000)
    assert f"/embed/{small_quiz.slug}/?partner={partner.public_key}" in frame.get_attribute("src")


def test_two_widgets_on_one_page_both_work(new_context, site, small_quiz):
    partner = partner_for(site)
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    page.goto(site.add("/", partner, small_quiz.slug, widgets=2))
    wait_for_events(page, "ready", 2)

    assert page.locator("iframe").count() == 2
    answer_every_step(page, frame_of(page, 1))
    steps_first_widget = len(events(page, "step"))
    answer_every_step(page, frame_of(page, 0), widget_events_before=steps_first_widget)
    wait_for_events(page, "complete", 2)

    refs = sorted(Attempt.objects.completed().values_list("ref", flat=True))
    assert refs == ["demo-page-1", "demo-page-2"]
    # Each event was dispatched on its own widget's container.
    containers = page.evaluate(
        "() => [...document.querySelectorAll('.careerquiz-embed')].map(box => box.contains("
        "box.querySelector('iframe')))"
    )
    assert containers == [True, True]


def test_the_plain_iframe_works_with_javascript_off(new_context, site, small_quiz, screenshots):
    partner = partner_for(site)
    src = f"{site.app}/embed/{small_quiz.slug}/?partner={partner.public_key}"
    site.pages["/plain"] = (
        f'<!doctype html><title>Plain iframe</title><iframe src="{src}" title="Quiz" '
        'style="width:100%;height:900px;border:0"></iframe>'
    )
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.origin + "/plain")
    frame = frame_of(page)

    frame.get_by_role("button", name="Start the quiz").click()
    total = int(frame.locator("[data-careerquiz-total]").get_attribute("data-careerquiz-total"))
    for number in range(1, total + 1):
        # Each step is a new page in the frame: wait for it before answering.
        frame.wait_for_selector(f'[data-careerquiz-step="{number}"]')
        frame.locator("#quiz-panel .choice input").first.check()
        frame.get_by_role("button", name="See my result" if number == total else "Next").click()

    frame.wait_for_selector("[data-careerquiz-result]")
    page.screenshot(path=screenshots / "embed-nojs-result.png", full_page=True)
    assert Attempt.objects.completed().get().partner_id == partner.pk
    assert context.cookies([site.app]) == []


def test_the_embedded_quiz_and_result_have_no_serious_accessibility_problems(
    new_context, site, shipped_quiz
):
    partner = partner_for(site, accent_color="#7a2e8e", color_scheme="light")
    page = new_context(viewport={"width": 800, "height": 900}).new_page()
    page.goto(site.add("/", partner, shipped_quiz.slug))
    wait_for_events(page, "ready", 1)
    frame = frame_of(page)

    found = {"intro": scan(frame)}
    frame.get_by_role("button", name="Start the quiz").click()
    wait_for_events(page, "step", 1)
    found["first step"] = scan(frame)
    answer_every_step_from_here(page, frame)
    found["result"] = scan(frame)

    assert found == {"intro": [], "first step": [], "result": []}


def answer_every_step_from_here(page, frame) -> None:
    total = events(page, "step")[-1]["detail"]["total"]
    for number in range(1, total + 1):
        frame.locator("#quiz-panel .choice input").first.check()
        frame.get_by_role("button", name="See my result" if number == total else "Next").click()
        if number < total:
            wait_for_events(page, "step", number + 1)
    frame.wait_for_selector("[data-careerquiz-result]")


def scan(frame) -> list[str]:
    """axe-core (served from our own files, not a CDN) on the frame: serious or worse."""
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.evaluate(AXE)
    results = frame.evaluate("() => axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_inline_frame_loads_only_when_it_comes_near_the_viewport(new_context, site, small_quiz):
    partner = partner_for(site)
    url = site.add("/far", partner, small_quiz.slug, spacer="8000px")
    page = new_context(viewport={"width": 1000, "height": 700}).new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(url)
    page.wait_for_timeout(1000)
    assert not [u for u in requested if "/embed/" in u], "the frame loaded off screen"
    assert events(page) == []

    page.locator("iframe").scroll_into_view_if_needed()
    wait_for_events(page, "ready", 1)
    assert [u for u in requested if f"/embed/{small_quiz.slug}/" in u]


def assert_focus_stays_in_dialog(page) -> None:
    """Focus is (back) in the open dialog. Waits a moment: the frame is another site's,
    in another process, so Tab out of its last control reaches the page's guard only
    after a hop between processes; focus that escaped would never come back."""
    try:
        page.wait_for_function(
            "document.activeElement.closest('dialog[open]') !== null", timeout=2000
        )
    except Exception as error:
        outside = page.evaluate("document.activeElement.outerHTML")
        raise AssertionError(f"focus left the dialog: {outside}") from error


def test_a_popup_traps_focus_closes_on_escape_and_gives_focus_back(new_context, site, small_quiz):
    partner = partner_for(site)
    url = site.add("/popup", partner, small_quiz.slug, open="popup")
    page = new_context().new_page()
    problems = PageProblems(page)
    page.goto(url)

    opener = page.get_by_role("button", name="Take the career quiz")
    assert page.locator("iframe").get_attribute("src") is None  # nothing loads until opened
    opener.click()
    wait_for_events(page, "ready", 1)
    dialog = page.locator("dialog.careerquiz-popup")
    assert dialog.is_visible()
    for _ in range(12):  # through the close button and every control in the frame, twice
        page.keyboard.press("Tab")
        assert_focus_stays_in_dialog(page)

    page.keyboard.press("Escape")  # pressed inside the frame: the frame tells the page
    wait_for_events(page, "close", 1)
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.className") == "careerquiz-open"

    opener.click()  # again: the same quiz, still loaded
    page.get_by_role("button", name="Close the quiz").focus()
    page.keyboard.press("Escape")  # on the page's own side of the dialog
    wait_for_events(page, "close", 2)
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.className") == "careerquiz-open"
    assert problems.messages == []


def scroll_y(page) -> float:
    return float(page.evaluate("window.scrollY"))


def scroll_to_the_buttons(page, frame) -> tuple[float, bool]:
    """Scroll the partner's page so the frame's buttons sit at the bottom of the viewport;
    also whether the question's heading is then above it, where focusing the next
    question's heading would scroll the page up."""
    buttons = frame.locator("#quiz-panel .form-buttons")
    bottom = buttons.evaluate("b => b.getBoundingClientRect().bottom")
    heading = frame.locator("#quiz-heading").evaluate("h => h.getBoundingClientRect().top")
    top = page.locator("iframe").evaluate("f => f.getBoundingClientRect().top + window.scrollY")
    y = top + bottom - page.evaluate("window.innerHeight") + 10
    page.evaluate("y => window.scrollTo(0, y)", y)
    page.wait_for_timeout(100)
    return scroll_y(page), top + heading < y


def test_the_quiz_never_scrolls_the_partners_page_on_load_or_between_steps(
    new_context, site, shipped_quiz
):
    # Below the fold, but near enough to load at once.
    partner = partner_for(site)
    url = site.add("/below", partner, shipped_quiz.slug, spacer="900px", after="3000px")
    page = new_context(viewport={"width": 1000, "height": 360}).new_page()
    problems = PageProblems(page)
    page.goto(url)
    wait_for_events(page, "ready", 1)
    page.wait_for_timeout(SETTLE_MS)
    assert scroll_y(page) == 0, "loading the quiz scrolled the page to it"

    frame = frame_of(page)
    frame.get_by_role("button", name="Start the quiz").click()
    wait_for_events(page, "step", 1)
    total = events(page, "step")[-1]["detail"]["total"]
    out_of_view = 0
    for number in range(1, total + 1):
        frame.locator("#quiz-panel .choice input").first.check()
        before, heading_above = scroll_to_the_buttons(page, frame)
        out_of_view += heading_above
        frame.get_by_role("button", name="See my result" if number == total else "Next").click()
        if number < total:
            wait_for_events(page, "step", number + 1)
        else:
            frame.wait_for_selector("[data-careerquiz-result]")
        page.wait_for_timeout(300)
        assert scroll_y(page) == before, f"step {number + 1} scrolled the partner's page"
        # Keyboard and screen-reader focus still moved to the new question (or result).
        if number < total:
            assert frame.evaluate("document.activeElement.id") == "quiz-heading"
    assert out_of_view >= total // 2, "too few steps where a scroll could have happened"
    assert problems.messages == []


SLACK = 0.25  # static/js/embed-frame.js: how much of the frame a question may leave empty


def dedupe(heights: list[int]) -> list[int]:
    return [h for i, h in enumerate(heights) if not i or h != heights[i - 1]]


def test_the_frame_keeps_its_height_between_questions_unless_much_too_tall(
    new_context, site, shipped_quiz
):
    partner = partner_for(site)
    page = new_context(viewport={"width": 1000, "height": 800}).new_page()
    page.goto(site.add("/", partner, shipped_quiz.slug))
    wait_for_events(page, "ready", 1)
    # Every height the partner's page sees the frame take, in order.
    page.evaluate(
        """() => {
            window.frameHeights = [];
            new ResizeObserver(([entry]) => window.frameHeights.push(
                Math.round(entry.target.getBoundingClientRect().height))
            ).observe(document.querySelector('iframe'));
        }"""
    )
    frame = frame_of(page)
    # As embed-frame.js measures it.
    measure = "() => Math.ceil(document.getElementById('careerquiz-frame')" + (
        ".getBoundingClientRect().height)"
    )
    content = [frame.evaluate(measure)]  # the intro's own height, then each question's
    frame.get_by_role("button", name="Start the quiz").click()
    wait_for_events(page, "step", 1)
    total = events(page, "step")[-1]["detail"]["total"]
    for number in range(1, total + 1):
        page.wait_for_timeout(200)
        content.append(frame.evaluate(measure))
        assert_fits_without_scrolling(page, frame)
        if number < total:
            frame.locator("#quiz-panel .choice input").first.check()
            frame.get_by_role("button", name="Next").click()
            wait_for_events(page, "step", number + 1)

    # The rule: grow to fit each question; shrink (to fit) only when a question would
    # leave more than SLACK of the frame empty.
    expected, kept = [content[0]], 0
    for height in content[1:]:
        if height > kept or height < kept * (1 - SLACK):
            kept = height
        expected.append(kept)
    seen = dedupe(page.evaluate("window.frameHeights"))
    assert seen == dedupe(expected), (seen, content)
    # The shipped questions differ in length, so this spares the page many jumps.
    assert len(dedupe(expected)) < len(dedupe(content)) - 3, (expected, content)


def assert_fits_without_scrolling(page, frame) -> None:
    """The frame holds the whole question; the frame's own page never scrolls."""
    height = page.locator("iframe").evaluate("el => el.getBoundingClientRect().height")
    inside = frame.evaluate(
        """() => ({
            content: document.getElementById('careerquiz-frame').getBoundingClientRect().height,
            scroll: document.documentElement.scrollHeight,
            client: document.documentElement.clientHeight,
        })"""
    )
    assert height >= inside["content"] - 1, (height, inside)
    assert inside["scroll"] <= inside["client"], f"the frame scrolls inside: {inside}"


def test_a_slider_comes_in_at_the_side_traps_focus_and_gives_it_back(
    new_context, site, small_quiz, screenshots
):
    partner = partner_for(site)
    url = site.add("/slider", partner, small_quiz.slug, open="slider")
    page = new_context(viewport={"width": 1200, "height": 800}).new_page()
    problems = PageProblems(page)
    page.goto(url)

    opener = page.get_by_role("button", name="Take the career quiz")
    assert page.locator("iframe").get_attribute("src") is None  # nothing loads until opened
    opener.click()
    wait_for_events(page, "ready", 1)
    slider = page.locator("dialog.careerquiz-slider")
    page.wait_for_timeout(400)  # the slide in is over
    box = slider.bounding_box()
    assert box is not None
    # A full-height panel against the right edge, not a centred box.
    assert (round(box["x"] + box["width"]), box["y"], box["height"]) == (1200, 0, 800)
    assert box["width"] < 600
    page.screenshot(path=screenshots / "embed-slider.png")
    for _ in range(12):  # through the close button and every control in the frame, twice
        page.keyboard.press("Tab")
        assert_focus_stays_in_dialog(page)

    page.keyboard.press("Escape")  # inside the frame: the frame tells the page
    wait_for_events(page, "close", 1)
    assert slider.is_hidden()
    assert page.evaluate("document.activeElement.className") == "careerquiz-open"

    opener.click()
    page.get_by_role("button", name="Close the quiz").click()
    wait_for_events(page, "close", 2)
    assert page.evaluate("document.activeElement.className") == "careerquiz-open"
    assert problems.messages == []


def test_a_transparent_frame_without_its_title_sits_in_the_partners_page(
    new_context, site, small_quiz, screenshots
):
    partner = partner_for(site, color_scheme="light")
    url = site.add("/plain", partner, small_quiz.slug, background="transparent", heading="hidden")
    page = new_context(viewport={"width": 900, "height": 900}).new_page()
    problems = PageProblems(page)
    page.goto(url)
    wait_for_events(page, "ready", 1)
    frame = frame_of(page)
    page.wait_for_timeout(SETTLE_MS)

    title = frame.locator(".quiz-title")
    assert title.text_content() == small_quiz.title  # kept for screen readers
    assert title.bounding_box()["height"] <= 1  # but not shown
    # The partner's page colour (#fbf8f3) shows through the frame's own margin.
    iframe = page.locator("iframe").bounding_box()
    assert iframe is not None
    shot = page.screenshot(
        clip={"x": iframe["x"] + 3, "y": iframe["y"] + 3, "width": 1, "height": 1}
    )
    page.screenshot(path=screenshots / "embed-transparent.png", full_page=True)
    assert pixel(shot) == (0xFB, 0xF8, 0xF3)
    # The same widget without the options paints its own background there.
    page.goto(site.add("/own", partner, small_quiz.slug))
    wait_for_events(page, "ready", 1)
    page.wait_for_timeout(SETTLE_MS)
    iframe = page.locator("iframe").bounding_box()
    assert iframe is not None
    shot = page.screenshot(
        clip={"x": iframe["x"] + 3, "y": iframe["y"] + 3, "width": 1, "height": 1}
    )
    assert pixel(shot) != (0xFB, 0xF8, 0xF3)
    assert frame_of(page).locator(".quiz-title").bounding_box()["height"] > 10
    assert problems.messages == []


def pixel(png: bytes) -> tuple[int, int, int]:
    """The colour of a 1x1 PNG screenshot."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        kind = png[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + png[at + 8 : at + 8 + length]
        at += 12 + length
    row = zlib.decompress(chunks[b"IDAT"])  # one row: a filter byte, then the pixel
    return row[1], row[2], row[3]
