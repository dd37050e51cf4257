"""Partners: their origins and keys, and the one lookup every entry point shares."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from careerquiz.partners.lookup import (
    MSG_PARTNER_DISABLED,
    MSG_UNKNOWN_PARTNER,
    PartnerRejected,
    find_partner,
)
from careerquiz.partners.models import Partner


def errors_of(partner: Partner) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        partner.full_clean()
    return caught.value.message_dict


def partner(origins: str) -> Partner:
    return Partner(name="Acme", allowed_origins=origins)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origins",
    [
        "",
        "https://careers.example.com",
        "http://localhost:8000",
        "https://a.example\nhttps://b.example:8443\r\nhttp://c.example",
    ],
)
def test_valid_partner_origins(origins):
    partner(origins).full_clean()
    assert partner(origins).origins == origins.split()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origins",
    [
        "careers.example.com",
        "//careers.example.com",
        "ftp://careers.example.com",
        "https://careers.example.com/",
        "https://careers.example.com/embed",
        "https://a.example\nhttps://b.example/quiz",
    ],
)
def test_partner_origins_reject_paths_and_missing_schemes(origins):
    errors = errors_of(partner(origins))
    assert "allowed_origins" in errors
    bad = origins.split()[-1]
    assert repr(bad) in errors["allowed_origins"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin",
    [
        "https://careers.example.com?embed=1",
        "https://careers.example.com#quiz",
        # A semicolon would end the frame-ancestors directive in the CSP header.
        "https://careers.example.com;script-src",
        "https://careers.example.com,https://other.example",
        "https://careers.example.com:port",
        # Headers would drop it (no such port), while the admin still listed it.
        "https://careers.example.com:70000",
        "https://careers.example.com:0",
        "https://",
    ],
)
def test_partner_origins_reject_anything_but_scheme_host_and_port(origin):
    errors = errors_of(partner(origin))
    assert repr(origin) in errors["allowed_origins"][0]


@pytest.mark.django_db
def test_a_new_partner_gets_a_public_key():
    one, two = partner(""), partner("")
    assert one.public_key.startswith("pk_")
    assert one.public_key != two.public_key


@pytest.mark.django_db
def test_find_partner_returns_the_active_partner_with_the_key():
    acme = Partner.objects.create(name="Acme")
    assert find_partner(acme.public_key) == acme


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "pk_nope", "pk_\x00", "pk_" + "x" * 80])
def test_find_partner_refuses_unknown_nul_and_overlong_keys(key, django_assert_num_queries):
    Partner.objects.create(name="Acme")
    queries = 1 if key == "pk_nope" else 0  # a NUL or an overlong key never reaches the database
    with django_assert_num_queries(queries), pytest.raises(PartnerRejected) as caught:
        find_partner(key)
    assert caught.value.message == MSG_UNKNOWN_PARTNER


@pytest.mark.django_db
def test_find_partner_says_a_disabled_partner_is_disabled():
    acme = Partner.objects.create(name="Acme", is_active=False)
    with pytest.raises(PartnerRejected) as caught:
        find_partner(acme.public_key)
    assert caught.value.message == MSG_PARTNER_DISABLED


# --- The attempts a partner brought (careerquiz.partners.attempts) ---------------------------


@pytest.mark.django_db
def test_deleting_a_partner_keeps_its_attempts_without_a_partner(quiz):
    from careerquiz.partners.attempts import brought_by, partner_of
    from quiz.attempts import start_attempt
    from quiz.models import Attempt
    from tests.factories import live_version

    gone = Partner.objects.create(name="Gone Ltd")
    kept = Partner.objects.create(name="Kept Ltd")
    version = live_version(quiz)
    theirs = start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=gone.pk)
    others = start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=kept.pk)
    assert partner_of(theirs) == gone

    Partner.objects.filter(pk=gone.pk).delete()  # the admin's bulk delete, too

    theirs.refresh_from_db()
    others.refresh_from_db()
    assert Attempt.objects.count() == 2
    assert (theirs.partner_id, partner_of(theirs)) == (None, None)
    assert partner_of(others) == kept
    assert list(brought_by(kept)) == [others]


@pytest.mark.django_db
def test_the_attempt_list_names_and_filters_by_partner(quiz, admin_client):
    from django.urls import reverse

    from quiz.attempts import start_attempt
    from quiz.models import Attempt
    from tests.factories import live_version

    acme = Partner.objects.create(name="Acme Careers")
    other = Partner.objects.create(name="Other Co")
    version = live_version(quiz)
    start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=acme.pk)
    start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=other.pk)
    start_attempt(version)
    url = reverse("admin:quiz_attempt_changelist")

    everything = admin_client.get(url)
    assert everything.context["cl"].result_count == 3
    assert "Acme Careers" in everything.content.decode()
    only_acme = admin_client.get(url, {"partner": str(acme.pk)})
    assert only_acme.context["cl"].result_count == 1
    assert [a.partner_id for a in only_acme.context["cl"].result_list] == [acme.pk]
