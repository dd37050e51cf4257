"""The analytics page in a real browser, in the admin's light and dark themes.

The shipped quiz with a couple of hundred plausible attempts: every chart draws,
its text takes the theme's colours, nothing overflows, and the page raises no
console error or CSP violation. Screenshots land in test-results/.
"""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import get_user_model

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from careerquiz.partners.models import Partner
from quiz.attempts import complete_attempt, start_attempt
from quiz.models import Attempt, Quiz
from tests.browser.conftest import PageProblems
from tests.factories import live_version, plausible_answers

pytestmark = [pytest.mark.browser]

PASSWORD = "a long analyst passphrase"
# The admin's --body-fg in each theme: the charts' text must follow it.
BODY_FG = {"light": "rgb(51, 51, 51)", "dark": "rgb(238, 238, 238)"}


@pytest.fixture
def taken(transactional_db) -> Quiz:
    import_content(load_file(SHIPPED_CONTENT))
    quiz = Quiz.objects.get(slug="ml-engineer")
    version = live_version(quiz)
    partners = [Partner.objects.create(name=name) for name in ("Acme Careers", "Upskill Co")]
    rng = random.Random(7)
    for index in range(220):
        partner = rng.choice([None, *partners])
        attempt = start_attempt(
            version,
            channel=Attempt.Channel.EMBED if partner else Attempt.Channel.WEB,
            partner_id=partner.pk if partner else None,
        )
        if index % 4:
            complete_attempt(attempt, plausible_answers(rng, version), region="IN")
        else:
            Attempt.objects.filter(pk=attempt.pk).update(step_reached=rng.randint(1, 14))
    get_user_model().objects.create_superuser("analyst", password=PASSWORD)
    return quiz


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/analytics/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("svg.chart")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_charts_draw_and_read_in_both_themes(
    new_context, live_server, taken, screenshots, theme
):
    context = new_context(viewport={"width": 1280, "height": 900}, color_scheme=theme)
    # The admin's theme toggle keeps its choice in localStorage and sets <html data-theme>.
    context.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    page = context.new_page()
    problems = PageProblems(page)
    log_in(page, live_server)

    assert page.evaluate("document.documentElement.dataset.theme") == theme
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 5
    for index in range(charts.count()):
        labelled = charts.nth(index).get_attribute("aria-labelledby") or ""
        assert all(page.locator(f"#{part}").count() == 1 for part in labelled.split())
    widths = page.locator("svg.chart rect.chart-bar").evaluate_all(
        "bars => bars.map(bar => bar.getBBox().width)"
    )
    assert max(widths) > 400
    assert page.locator("svg.chart rect.chart-ahead").count() >= 2
    fill = page.locator(".chart-label").first.evaluate("text => getComputedStyle(text).fill")
    assert fill == BODY_FG[theme]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0
    page.screenshot(path=screenshots / f"analytics-{theme}.png", full_page=True)

    for details in page.locator("#content-main details").all():
        details.locator("summary").click()
    page.screenshot(path=screenshots / f"analytics-{theme}-tables.png", full_page=True)
    assert problems.messages == []


def test_a_narrow_window_scales_the_charts_down(new_context, live_server, taken, screenshots):
    page = new_context(viewport={"width": 700, "height": 900}).new_page()
    problems = PageProblems(page)
    log_in(page, live_server)
    sizes = page.locator("svg.chart").evaluate_all(
        "charts => charts.map(chart => chart.getBoundingClientRect().width)"
    )
    assert max(sizes) <= 700
    page.screenshot(path=screenshots / "analytics-narrow.png", full_page=True)
    assert problems.messages == []
