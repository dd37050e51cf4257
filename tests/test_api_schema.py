"""The OpenAPI schema is valid and true: schemathesis fuzzes the API against it.

Every operation gets a bounded, derandomised property run (no 5xx, every
status, content type, header and body as documented), with real published
content in the database. Random data rarely makes a valid placement, so a
second run draws answers from the live quiz itself to cover the 201 path.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.settings import patched_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from careerquiz.api.authentication import PARTNER_HEADER
from careerquiz.partners.models import Partner
from quiz.attempts import place_and_record
from quiz.models import Attempt, Quiz
from quiz.versions import spec_for
from tests.factories import answers_at, live_version

SCHEMA_URL = "/api/schema/?format=json"
EXAMPLES = 40
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
# The schema lists the published quizzes' own question and option keys
# (careerquiz.api.answer_schema), but the one loaded at collection is made
# without them: it allows any answer key, which the API rightly refuses. With
# content, every check holds (test_schema_valid_placements_are_accepted).
EXCLUDED_CHECKS: list[Any] = [positive_data_acceptance]


@pytest.fixture
def wsgi_app(db, rates):
    """The real WSGI app, sharing the test's database transaction.

    Like Django's test client, keep request signals from closing the test's
    connection (that would end its transaction on PostgreSQL).
    """
    rates(client="100000/min", partner="100000/min", placements="100000/min")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema.app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


PLACEMENT_ID = "schemathesis-placement"
PARTNER_KEY = "pk_schema"


@pytest.fixture
def content(quiz):
    """Published content, a placement to look up, and a partner key that works."""
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "mid"), region="IN")
    Attempt.objects.filter(pk=attempt.pk).update(
        result_id=PLACEMENT_ID, result=attempt.result | {"id": PLACEMENT_ID}
    )
    Partner.objects.create(name="P", public_key=PARTNER_KEY, allowed_origins="https://p.example")
    return quiz


# Loaded at collection, without the hook that reads the published quizzes: no
# database is set up yet (schemathesis' lazy `from_fixture` loader does not run
# under pytest 9). The tests below that load the schema with content use it.
with patched_settings({"POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"]}):
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())


def flatmap_path_parameters(context, path_parameters):
    """Half the time, point a valid path at real content, so bodies and 200s get exercised."""
    if not path_parameters:
        return st.just(path_parameters)
    real = dict(path_parameters)
    if "id" in real:
        real["id"] = PLACEMENT_ID
    if "slug" in real:
        real["slug"] = (
            "test-ladder" if context.operation.path.startswith("/api/v1/ladders") else "test-quiz"
        )
    valid = all(re.fullmatch(r"[-a-zA-Z0-9_]+", str(value)) for value in path_parameters.values())
    return st.sampled_from([real, path_parameters]) if valid else st.just(path_parameters)


def flatmap_headers(context, headers):
    """Sometimes send a partner key: a working one or an unknown one (403)."""
    return st.sampled_from(
        [
            headers,
            {**(headers or {}), PARTNER_HEADER: PARTNER_KEY},
            {**(headers or {}), PARTNER_HEADER: "pk_unknown"},
        ]
    )


@schema.hooks.apply(flatmap_headers)
@schema.hooks.apply(flatmap_path_parameters)
@schema.parametrize()
@HYPOTHESIS
def test_every_operation_keeps_to_the_schema(case, wsgi_app, content):
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


def _answers(quiz: Quiz) -> st.SearchStrategy[dict[str, object]]:
    """Answers to the live version: mostly valid, sometimes one left out or mistyped."""
    spec = spec_for(live_version(quiz))
    fields = {}
    for question in spec.questions:
        keys = [option.key for option in question.options]
        if question.kind == "multiple":
            fields[question.key] = st.lists(st.sampled_from(keys), unique=True)
        else:
            fields[question.key] = st.sampled_from(keys)
    valid = st.fixed_dictionaries(fields)
    broken = st.tuples(
        valid, st.sampled_from(list(fields)), st.sampled_from([None, "nope", 3])
    ).map(lambda t: {k: v for k, v in t[0].items() if k != t[1]} | ({t[1]: t[2]} if t[2] else {}))
    return st.one_of(valid, valid, valid, broken)


@pytest.mark.django_db
def test_placements_from_the_quizs_own_answers_keep_to_the_schema(wsgi_app, content):
    loaded = schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app)
    create = loaded["/api/v1/quizzes/{slug}/placements/"]["POST"]
    retrieve = loaded["/api/v1/placements/{id}/"]["GET"]
    statuses: list[int] = []

    @HYPOTHESIS
    @given(
        answers=_answers(content),
        region=st.sampled_from(["", "IN", "us", "DE", None]),
        partner=st.sampled_from([None, PARTNER_KEY]),
    )
    def run(answers, region, partner):
        body = {"answers": answers} if region is None else {"answers": answers, "region": region}
        headers = {"X-Careerquiz-Partner": partner} if partner else {}
        case = create.Case(path_parameters={"slug": content.slug}, body=body, headers=headers)
        response = case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
        statuses.append(response.status_code)
        assert response.status_code in (201, 400)
        if response.status_code == 201:
            created = json.loads(response.content)
            again = retrieve.Case(path_parameters={"id": created["id"]}).call_and_validate()
            assert json.loads(again.content) == created

    run()
    assert statuses.count(201) >= EXAMPLES // 4
    assert 400 in statuses
    assert Attempt.objects.filter(channel=Attempt.Channel.API).count() == 1 + statuses.count(201)


@pytest.mark.django_db
def test_schema_valid_placements_are_accepted(wsgi_app, content):
    """With content, the schema's answers are the quiz's own: what it allows, the API takes."""
    loaded = schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app)
    create = loaded["/api/v1/quizzes/{slug}/placements/"]["POST"]
    statuses: list[int] = []

    @HYPOTHESIS
    @given(case=create.as_strategy())
    def run(case):
        case.path_parameters = {"slug": content.slug}
        case.headers = {}
        response = case.call_and_validate()  # every check, positive data acceptance included
        statuses.append(response.status_code)

    run()
    assert set(statuses) == {201}
    assert len(statuses) == EXAMPLES


@pytest.mark.django_db
def test_the_schemas_answers_are_the_published_quizs(client, content):
    answers = client.get(SCHEMA_URL).json()["components"]["schemas"]["PlacementRequest"][
        "properties"
    ]["answers"]
    spec = spec_for(live_version(content))

    assert answers["additionalProperties"] is False
    assert set(answers["properties"]) == {question.key for question in spec.questions}
    for question in spec.questions:
        keys = [option.key for option in question.options]
        schema = answers["properties"][question.key]
        assert (schema.get("items") or schema)["enum"][: len(keys)] == keys
    assert answers["required"] == sorted(q.key for q in spec.questions if q.required)


@pytest.mark.django_db
def test_the_documented_example_places_on_the_shipped_quiz(client):
    """The request example in the schema (and the README's curl) works against the demo."""
    from careerquiz.content import SHIPPED_CONTENT, import_content, load_file

    import_content(load_file(SHIPPED_CONTENT))
    document = client.get(SCHEMA_URL).json()
    operation = document["paths"]["/api/v1/quizzes/{slug}/placements/"]["post"]
    (example,) = operation["requestBody"]["content"]["application/json"]["examples"].values()
    response = client.post(
        "/api/v1/quizzes/ml-engineer/placements/",
        example["value"],
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rung"]["slug"] == "mid"
    assert body["title_gap"]["claimed"]["slug"] == "senior"
    assert body["salary"]
    # The README's curl sends the same body.
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    curl = re.search(r"placements/ \\\n.*?-d '(\{.*?\})'", readme, re.S)
    assert curl, "no placement curl in the README"
    assert json.loads(curl.group(1)) == example["value"]


def test_the_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/quizzes/{slug}/placements/" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.django_db
def test_every_operation_documents_its_errors_in_the_one_shape(client):
    document = client.get(SCHEMA_URL).json()
    assert document["openapi"].startswith("3.")
    operations = {
        (path, method): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) == {
        ("/api/v1/ladders/", "get"),
        ("/api/v1/ladders/{slug}/", "get"),
        ("/api/v1/quizzes/", "get"),
        ("/api/v1/quizzes/{slug}/", "get"),
        ("/api/v1/quizzes/{slug}/placements/", "post"),
        ("/api/v1/placements/{id}/", "get"),
    }
    error_ref = "#/components/schemas/Error"
    for (path, _method), operation in operations.items():
        responses = operation["responses"]
        for code in ("403", "429"):
            assert responses[code]["content"]["application/json"]["schema"]["$ref"] == error_ref
        assert "Retry-After" in responses["429"]["headers"]
        if "{" in path:
            assert "404" in responses
    placements = operations[("/api/v1/quizzes/{slug}/placements/", "post")]["responses"]
    for code in ("201", "400", "403", "404", "413", "415", "429"):
        assert code in placements
    request = document["components"]["schemas"]["PlacementRequest"]
    assert request["additionalProperties"] is False
    assert request["required"] == ["answers"]
    assert set(document["components"]["securitySchemes"]) == {"partnerKey", "partnerKeyQuery"}
