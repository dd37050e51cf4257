"""axe in a real browser on every admin page an editor (or partner manager) works on.

A page passes with no violation axe rates critical or serious; each page's
serious findings are listed in the failure message, so one run shows them all.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from careerquiz.partners.models import Partner
from ladder.models import Ladder, Rung
from quiz.models import Quiz
from tests.browser.conftest import PageProblems

pytestmark = [pytest.mark.browser]

PASSWORD = "a long admin passphrase"
SERIOUS = {"critical", "serious"}

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - depends on the machine
    Axe = None


def serious_violations(page) -> list[str]:
    """axe's critical and serious findings on the page: "rule (impact) × nodes: a target"."""
    results = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}) × {len(v['nodes'])}: {v['nodes'][0]['target']}"
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def table_layout_problems(page) -> list[str]:
    """Row tables wider than their box (columns off screen), and row names drawn over inputs."""
    return page.evaluate(
        """() => {
            const found = [];
            const tables = document.querySelectorAll('.inline-related.tabular div.wrapper');
            for (const wrapper of tables) {
                const group = wrapper.closest('.inline-group').id;
                const hidden = wrapper.scrollWidth - wrapper.clientWidth;
                if (hidden > 1) found.push(`${group}: ${hidden}px of the table off screen`);
            }
            const overlaps = (a, b) => a.left < b.right && b.left < a.right
                && a.top < b.bottom && b.top < a.bottom;
            for (const name of document.querySelectorAll('.tabular td.original p')) {
                if (!name.offsetParent) continue;
                const box = name.getBoundingClientRect();
                const row = name.closest('tr');
                const inputs = row.querySelectorAll('input:not([type=hidden]), select, textarea');
                for (const input of inputs) {
                    if (input.offsetParent && overlaps(box, input.getBoundingClientRect())) {
                        found.push(`${row.id}: its name is drawn over ${input.name}`);
                    }
                }
            }
            return found;
        }"""
    )


def admin_pages(site_origin: str) -> dict[str, str]:
    """Each page an editor uses, with the shipped content: name → admin path."""
    quiz = Quiz.objects.get(slug="ml-engineer")
    ladder = Ladder.objects.get(slug="ml-engineer")
    # The rung with the most items and the question with the most answers: the fullest tables.
    rung = max(Rung.objects.filter(ladder=ladder), key=lambda r: r.skills.count())
    question = max(quiz.questions.all(), key=lambda q: q.options.count())
    # The partner page's preview frame talks to the partner's first origin: this site.
    partner = Partner.objects.create(name="Acme Careers", allowed_origins=site_origin)
    lists = {
        f"{model._meta.verbose_name_plural} list": reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
        if model._meta.app_label in ("ladder", "quiz", "partners")
    }
    one_of_each = {
        f"{model._meta.verbose_name}": reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
        )
        for model in admin.site._registry
        if model._meta.app_label in ("ladder", "quiz", "partners")
        and (obj := model._default_manager.first()) is not None
    }
    return {
        **lists,
        **one_of_each,
        "quiz history": f"/admin/quiz/quiz/{quiz.pk}/history/",
        "quiz list": "/admin/quiz/quiz/",
        "quiz": f"/admin/quiz/quiz/{quiz.pk}/change/",
        "new quiz": "/admin/quiz/quiz/add/",
        "question": f"/admin/quiz/question/{question.pk}/change/",
        "new question": f"/admin/quiz/question/add/?quiz={quiz.pk}",
        "ladder": f"/admin/ladder/ladder/{ladder.pk}/change/",
        "new ladder": "/admin/ladder/ladder/add/",
        "rung": f"/admin/ladder/rung/{rung.pk}/change/",
        "partner": f"/admin/partners/partner/{partner.pk}/change/",
        "new partner": "/admin/partners/partner/add/",
        "import": "/admin/content/import/",
        "analytics": "/admin/analytics/",
        "publish confirmation": f"/admin/quiz/quiz/{quiz.pk}/publish/",
        "unpublish confirmation": f"/admin/quiz/quiz/{quiz.pk}/unpublish/",
    }


@pytest.fixture
def admin_user(transactional_db) -> str:
    get_user_model().objects.create_superuser("admin", "admin@example.com", PASSWORD)
    return "admin"


def test_no_admin_page_has_a_critical_or_serious_axe_violation(
    new_context, live_server, admin_user, screenshots
):
    if Axe is None:
        pytest.skip("axe-playwright-python is not installed")
    import_content(load_file(SHIPPED_CONTENT))
    pages = admin_pages(live_server.url)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = PageProblems(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin_user)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()

    found: dict[str, list[str]] = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        found[name] = serious_violations(page) + table_layout_problems(page)
        page.screenshot(path=screenshots / f"a11y-{name.replace(' ', '-')}.png", full_page=True)

    # Bulk publish: the list's action, confirmed on its own page.
    page.goto(f"{live_server.url}/admin/quiz/quiz/")
    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "publish_drafts")
    page.click("button[name=index]")
    page.wait_for_selector("text=Publish the selected quizzes")
    found["bulk publish confirmation"] = serious_violations(page)

    # The import preview, after a file is checked.
    page.goto(f"{live_server.url}/admin/content/import/")
    page.set_input_files("input[type=file]", SHIPPED_CONTENT)
    page.click("input[value='Check the file']")
    page.wait_for_load_state()
    found["import preview"] = serious_violations(page)

    failing = {name: violations for name, violations in found.items() if violations}
    assert failing == {}, "\n".join(f"{name}: {v}" for name, v in failing.items())
    assert problems.messages == []
