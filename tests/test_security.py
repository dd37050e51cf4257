"""Security: the admin's side doors, and what the public endpoints refuse.

History and revert pages, the "View on site" shortcut, ids that are not ids,
bodies that are too big or carry files, and the API's origin and idempotency
rules. Each test here failed before the fix it names.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse

from careerquiz import roles
from careerquiz.partners.models import Partner
from careerquiz.web.history import GuardedHistoryAdmin
from quiz.attempts import complete_attempt, start_attempt
from quiz.models import Attempt, Quiz
from tests import test_admin
from tests.factories import answers_at, live_version
from tests.test_admin import read_form

TRACKED = sorted(
    (
        model
        for app in ("ladder", "quiz", "partners")
        for model in apps.get_app_config(app).get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ),
    key=lambda model: model._meta.label,
)
content = test_admin.content  # one object of every registered model (a fixture)


def url_name(model: type[models.Model], view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def staff_with(*codenames: str, username: str = "staff") -> tuple[Client, Any]:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    for codename in codenames:
        app_label, _, name = codename.partition(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=name)
        )
    client = Client()
    client.force_login(user)
    return client, user


def staff_in(group: str, username: str) -> tuple[Client, Any]:
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client, user


def saved_fields(obj: models.Model) -> dict[str, object]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


# --- 1. History pages go through each admin's rules ------------------------------------------


def test_every_history_tracked_admin_guards_its_history_pages():
    assert len(TRACKED) >= 12
    for model in TRACKED:
        assert isinstance(admin.site.get_model_admin(model), GuardedHistoryAdmin), model


@pytest.mark.parametrize("model", TRACKED, ids=[model._meta.label for model in TRACKED])
def test_view_permission_reads_history_but_cannot_revert(content, admin_client, model):
    obj = model._default_manager.first()
    assert obj is not None
    opts = model._meta
    client, user = staff_with(f"{opts.app_label}.view_{opts.model_name}")
    if isinstance(obj, Partner):
        obj.managers.add(user)  # a partner manager's admin shows only their partners
    version = obj.history.earliest()
    revert = reverse(url_name(model, "simple_history"), args=[obj.pk, version.pk])
    before = saved_fields(obj)
    history_rows = obj.history.count()

    listing = client.get(reverse(url_name(model, "history"), args=[obj.pk]))
    page = client.get(revert)
    # What an editor's browser would post from the same page.
    posted = client.post(revert, read_form(admin_client.get(revert).content.decode()))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no revert button
    assert posted.status_code == 403
    assert saved_fields(obj) == before
    assert obj.history.count() == history_rows


@pytest.mark.parametrize("model", TRACKED, ids=[model._meta.label for model in TRACKED])
def test_history_shows_nothing_the_admin_would_not(content, admin_client, monkeypatch, model):
    obj = model._default_manager.first()
    model_admin = admin.site.get_model_admin(model)
    # The admin's own queryset hides this object from this user (as a partner manager's
    # hides other partners): its history must be hidden the same way.
    monkeypatch.setattr(model_admin, "get_queryset", lambda request: model._default_manager.none())
    version = obj.history.earliest()
    revert = reverse(url_name(model, "simple_history"), args=[obj.pk, version.pk])
    before = saved_fields(obj)

    listing = admin_client.get(reverse(url_name(model, "history"), args=[obj.pk]))
    page = admin_client.get(revert)
    posted = admin_client.post(revert, {"slug": "taken-over", "name": "Taken over"})

    for response in (listing, page, posted):
        assert response.status_code == 302  # the admin's "does not exist" redirect
        assert response["Location"] == reverse("admin:index")
    assert saved_fields(obj) == before


@pytest.mark.django_db
def test_a_partner_manager_cannot_read_or_revert_another_partners_history():
    manager, _ = staff_in(roles.PARTNER_MANAGER, "manager")
    other = Partner.objects.create(name="Other Co", allowed_origins="https://other.example")
    other.allowed_origins = "https://other.example\nhttps://second.example"
    other.save()
    first = other.history.earliest()
    revert = reverse("admin:partners_partner_simple_history", args=[other.pk, first.pk])
    listing = reverse("admin:partners_partner_history", args=[other.pk])

    posted = manager.post(
        revert, {"name": "Other Co", "allowed_origins": "https://evil.example", "is_active": "on"}
    )

    assert manager.get(listing).status_code == 302
    assert manager.get(revert).status_code == 302
    assert posted.status_code == 302
    other.refresh_from_db()
    assert "evil.example" not in other.allowed_origins
    assert other.history.count() == 2


@pytest.mark.django_db
def test_a_quiz_reader_cannot_rename_the_live_quiz_through_its_history(quiz, admin_client):
    reader, _ = staff_with("quiz.view_quiz", username="reader")
    revert = reverse("admin:quiz_quiz_simple_history", args=[quiz.pk, quiz.history.earliest().pk])
    data = read_form(admin_client.get(revert).content.decode())
    data["slug"] = ["renamed"]

    assert reader.post(revert, data).status_code == 403
    quiz.refresh_from_db()
    assert quiz.slug == "test-quiz"
    assert Client().get(reverse("quiz:start", args=["test-quiz"])).status_code == 200


@pytest.mark.django_db
def test_an_editor_still_reverts(ladder):
    editor, _ = staff_in(roles.EDITOR, "editor")
    ladder.title = "Renamed"
    ladder.save()
    revert = reverse(
        "admin:ladder_ladder_simple_history", args=[ladder.pk, ladder.history.earliest().pk]
    )
    data = read_form(editor.get(revert).content.decode())

    assert editor.post(revert, data).status_code == 302
    ladder.refresh_from_db()
    assert ladder.title != "Renamed"


# --- 11. Ids that are not ids are a 404, never a 500 --------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/quiz/quiz/abc/history/",
        "/admin/ladder/rung/abc/history/",
        "/admin/quiz/quiz/%00/history/",
        "/admin/partners/partner/%00/history/1/",
        "/admin/quiz/quiz/{pk}/history/abc/",
        "/admin/quiz/quiz/{pk}/history/%00/",
        "/admin/quiz/quiz/{pk}/history/99999999/",
        "/admin/quiz/attempt/?region=%00",
        "/admin/quiz/attempt/?q=%00",
        "/admin/quiz/quiz/?q=a%00b",
    ],
)
def test_bad_ids_and_filters_on_staff_urls_are_not_errors(quiz, admin_client, path):
    response = admin_client.get(path.format(pk=quiz.pk))
    assert response.status_code in (200, 302, 400, 404)


# --- 2. "View on site" shows only what the user's admin shows ------------------------------


def shortcut_url(obj: models.Model) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


@pytest.mark.django_db
def test_view_on_site_does_not_hand_out_other_partners_results(quiz):
    manager, user = staff_in(roles.PARTNER_MANAGER, "manager")
    theirs = Partner.objects.create(name="Theirs", allowed_origins="https://theirs.example")
    theirs.managers.add(user)
    other = Partner.objects.create(name="Other", allowed_origins="https://other.example")
    version = live_version(quiz)
    attempts = {}
    for partner in (theirs, other):
        attempt = start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=partner.pk)
        attempts[partner.name] = complete_attempt(attempt, answers_at(quiz, "mid"))
    web = complete_attempt(start_attempt(version), answers_at(quiz, "mid"))

    own = manager.get(shortcut_url(attempts["Theirs"]))
    foreign = manager.get(shortcut_url(attempts["Other"]))
    unattributed = manager.get(shortcut_url(web))

    assert own.status_code == 302
    assert own["Location"].endswith(attempts["Theirs"].get_absolute_url())
    assert foreign.status_code == 404
    assert unattributed.status_code == 404
    assert shortcut_url(attempts["Other"]).startswith("/admin/r/")  # the admin's own link


@pytest.mark.django_db
def test_view_on_site_needs_a_permission_on_the_object(quiz):
    nobody, _ = staff_with(username="nobody")
    editor, _ = staff_in(roles.EDITOR, "editor")
    attempt = complete_attempt(start_attempt(live_version(quiz)), answers_at(quiz, "mid"))

    assert nobody.get(shortcut_url(attempt)).status_code == 404
    assert nobody.get(shortcut_url(quiz)).status_code == 404
    assert editor.get(shortcut_url(attempt)).status_code == 302
    assert editor.get(shortcut_url(quiz)).status_code == 302
    assert editor.get("/admin/r/abc/1/").status_code == 404
    quiz_type = ContentType.objects.get_for_model(Quiz).pk
    assert editor.get(f"/admin/r/{quiz_type}/%00/").status_code == 400  # NUL: refused
