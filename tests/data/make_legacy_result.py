"""Writes tests/data/result_v1.json: a result as stored before lean attempts.

Run at commit a9a8023 (the last one that stored whole result documents, schema 1):

    git worktree add /tmp/at-a9a8023 a9a8023
    cp tests/data/make_legacy_result.py /tmp/at-a9a8023/tests/data/
    cd /tmp/at-a9a8023 && uv run pytest -q tests/data/make_legacy_result.py

It publishes the shipped quiz, places a services "senior" whose work is at mid (title
gap, held-back answers, pay in India), and keeps what the row and its version stored,
with the sentences its result page showed, which tests/test_documents.py checks a
stored result of schema 1 still shows.
"""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from careerquiz.content import SHIPPED_CONTENT, import_content, load_file
from quiz import presentation
from quiz.attempts import place_and_record
from quiz.models import Attempt, Quiz
from tests.test_personas import MID_OWNER

OUT = Path(__file__).with_name("result_v1.json")
ANSWERS = MID_OWNER.answers | {"title": "senior-swe", "company": "services"}


@pytest.mark.django_db
def test_write_legacy_result():
    import_content(load_file(SHIPPED_CONTENT))
    version = Quiz.objects.published().get(slug="ml-engineer").live_version
    assert version is not None
    attempt = place_and_record(version, ANSWERS, region="IN", channel="web")
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.completed_at is not None
    page = unescape(Client().get(stored.get_absolute_url()).content.decode())
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    context = presentation.result_context(stored.result, version=version.snapshot)
    said = [
        context["why_text"],
        context["title_gap_text"],
        context["confidence_text"],
        context["boundary"]["up"],
        context["boundary"]["down"],
        context["years_text"],
        context["profile_limit"],
        *(move["title"] for move in context["moves"] + context["more_moves"]),
        *(band["display"] for band in context["salary_here"] + context["salary_next"]),
    ]
    said = [" ".join(s.split()) for s in said if s]
    assert all(s in words for s in said)
    OUT.write_text(
        json.dumps(
            {
                "about": "Stored at a9a8023 by tests/data/make_legacy_result.py",
                "answers": stored.answers,
                "region": stored.region,
                "result_id": stored.result_id,
                "completed_at": stored.completed_at.isoformat(),
                "snapshot": version.snapshot,
                "result": stored.result,
                "page_says": said,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
