"""Webhooks in one process: the outbox, signing, retries, switching off, the SSRF rule.

The real worker delivering them is tests/test_webhook_worker.py; here `send` runs
the delivery task's work directly against a receiver on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from careerquiz.partners import webhooks
from careerquiz.partners.addresses import MSG_PRIVATE, MSG_SCHEME
from careerquiz.partners.models import (
    PLACEMENT_COMPLETED,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
)
from quiz.attempts import place_and_record
from quiz.models import Attempt
from quiz.signals import attempt_completed
from tests.factories import answers_at, live_version
from tests.receiver import running_receiver, verify

Status = WebhookDelivery.Status


@pytest.fixture(autouse=True)
def private_addresses_allowed(settings):
    # The receivers run on 127.0.0.1, which production refuses (test_ssrf_* below).
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_DELAYS = [10, 60]
    settings.SITE_URL = "http://testserver"  # a webhook's result_url is on SITE_URL


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(name="Acme", allowed_origins="https://acme.example")


def endpoint_for(partner: Partner, url: str = "http://127.0.0.1:9/hooks") -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(partner=partner, url=url, events=[PLACEMENT_COMPLETED])


def run_after_commit():
    """The test's transaction never commits: run what its commit would have run."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def api_placement(quiz, partner: Partner | None) -> dict:
    headers: dict[str, Any] = {"HTTP_X_CAREERQUIZ_PARTNER": partner.public_key} if partner else {}
    with run_after_commit():
        response = Client().post(
            reverse("api:placement-create", args=[quiz.slug]),
            json.dumps({"answers": answers_at(quiz, "mid"), "region": "IN", "ref": "spring"}),
            content_type="application/json",
            **headers,
        )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_secret_is_standard_webhooks_shaped(partner):
    secret = endpoint_for(partner).secret
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert endpoint_for(partner).secret != secret


def test_a_partners_placement_writes_one_pending_delivery_with_the_api_body(quiz, partner):
    endpoint = endpoint_for(partner)
    endpoint_for(Partner.objects.create(name="Other"))  # another partner's: not told

    body = api_placement(quiz, partner)

    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == endpoint
    assert delivery.status == Status.PENDING
    assert delivery.payload["type"] == PLACEMENT_COMPLETED
    assert delivery.payload["data"] == body
    assert "test" not in delivery.payload
    assert DBTaskResult.objects.get().args_kwargs == {"args": [delivery.message_id], "kwargs": {}}


def test_placements_without_a_partner_or_subscription_write_no_delivery(quiz, partner):
    WebhookEndpoint.objects.create(partner=partner, url="http://127.0.0.1:9/", events=["other"])
    api_placement(quiz, None)
    api_placement(quiz, partner)
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_staff_preview_in_the_partners_theme_tells_the_partner_nothing(quiz, partner):
    endpoint_for(partner)
    version = live_version(quiz)
    channel = Attempt.Channel.PREVIEW
    place_and_record(version, answers_at(quiz, "mid"), partner_id=partner.pk, channel=channel)
    assert not WebhookDelivery.objects.exists()


def test_a_switched_off_endpoint_gets_no_new_deliveries(quiz, partner):
    endpoint = endpoint_for(partner)
    endpoint.is_active = False
    endpoint.save()
    api_placement(quiz, partner)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_delivery_commits_with_the_placement_or_not_at_all(quiz, partner):
    endpoint_for(partner)

    def fail_after_the_outbox(**kwargs):
        raise RuntimeError("the transaction fails after the delivery was written")

    attempt_completed.connect(fail_after_the_outbox, sender=Attempt, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            place_and_record(live_version(quiz), answers_at(quiz, "mid"), partner_id=partner.pk)
    finally:
        attempt_completed.disconnect(dispatch_uid="test.fail", sender=Attempt)

    assert not Attempt.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()  # nothing was enqueued for a rolled-back row


@pytest.mark.django_db(transaction=True)
def test_the_task_is_enqueued_only_after_commit(quiz, partner):
    endpoint_for(partner)
    with transaction.atomic():
        place_and_record(live_version(quiz), answers_at(quiz, "mid"), partner_id=partner.pk)
        assert WebhookDelivery.objects.count() == 1
        assert not DBTaskResult.objects.exists()
    assert DBTaskResult.objects.count() == 1


def deliver_one(quiz, partner, statuses: list[int]):
    """A placement's delivery sent once to a receiver answering `statuses`."""
    with running_receiver(statuses) as receiver:
        endpoint = endpoint_for(partner, receiver.url)
        with run_after_commit():
            place_and_record(live_version(quiz), answers_at(quiz, "mid"), partner_id=partner.pk)
        delivery = WebhookDelivery.objects.get()
        with run_after_commit():
            outcome = webhooks.send(delivery.message_id)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    return delivery, endpoint, receiver, outcome


def test_a_delivery_is_signed_and_verifies_with_the_standard_library(quiz, partner):
    delivery, endpoint, receiver, outcome = deliver_one(quiz, partner, [204])

    assert outcome == "delivered"
    [received] = receiver.received
    event = verify(endpoint.secret, received.headers, received.body)
    assert event == delivery.payload
    assert received.headers["webhook-id"] == delivery.message_id
    assert received.headers["content-type"] == "application/json"
    assert delivery.status == Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 204
    assert delivery.last_latency_ms is not None
    with pytest.raises(ValueError, match="no matching signature"):
        verify(endpoint.secret, received.headers, received.body + b" ")


def test_a_failed_delivery_is_retried_later_with_jitter(quiz, partner):
    before = timezone.now()
    delivery, endpoint, _, outcome = deliver_one(quiz, partner, [500])

    assert outcome.startswith("retry in")
    assert delivery.status == Status.PENDING
    assert delivery.last_status_code == 500
    assert endpoint.is_active
    assert before + timedelta(seconds=8) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=12)
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert retry is not None
    assert retry.run_after == delivery.next_attempt_at
    # A second task for the same row (a requeue) sends nothing while it is claimed.
    WebhookDelivery.objects.update(claimed_until=timezone.now() + timedelta(minutes=1))
    assert webhooks.send(delivery.message_id).startswith("skipped")


def test_a_410_switches_the_endpoint_off_at_once(quiz, partner):
    delivery, endpoint, _, _ = deliver_one(quiz, partner, [410])
    assert delivery.status == Status.FAILED
    assert not endpoint.is_active
    assert endpoint.disabled_reason == webhooks.MSG_GONE


def test_an_endpoint_that_fails_every_retry_is_switched_off_and_its_deliveries_wait(
    quiz, partner, settings
):
    settings.WEBHOOK_RETRY_DELAYS = []  # the first failure is the last try
    with running_receiver([503]) as receiver:
        endpoint = endpoint_for(partner, receiver.url)
        version = live_version(quiz)
        place_and_record(version, answers_at(quiz, "mid"), partner_id=partner.pk)
        first = WebhookDelivery.objects.get()
        webhooks.send(first.message_id)
        endpoint.refresh_from_db()
        assert not endpoint.is_active
        assert "every retry" in endpoint.disabled_reason

        # While it is off, nothing new is written for it and nothing waiting is sent.
        WebhookDelivery.objects.create(endpoint=endpoint, event_type="x", payload={})
        waiting = WebhookDelivery.objects.get(event_type="x")
        assert webhooks.send(waiting.message_id).startswith("waiting")
        assert len(receiver.received) == 1

        assert webhooks.resume(endpoint) == 1
        assert webhooks.send(waiting.message_id) == "delivered"
    first.refresh_from_db()
    assert first.status == Status.FAILED


def test_replay_sends_the_same_id_again(quiz, partner):
    delivery, endpoint, _, _ = deliver_one(quiz, partner, [200])
    webhooks.replay(delivery)
    with running_receiver() as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        assert webhooks.send(delivery.message_id) == "delivered"
    [received] = receiver.received
    assert received.headers["webhook-id"] == delivery.message_id
    verify(endpoint.secret, received.headers, received.body)


def test_a_test_event_carries_a_real_placement_marked_test(quiz, partner):
    endpoint = endpoint_for(partner)
    delivery = webhooks.send_test_event(endpoint)
    payload = delivery.payload
    assert payload["test"] is True
    assert payload["type"] == PLACEMENT_COMPLETED
    assert payload["data"]["quiz"]["slug"] == quiz.slug
    assert payload["data"]["rung"]["slug"]
    assert payload["data"]["id"].startswith("test_")
    assert not Attempt.objects.exists()


def test_requeue_finds_deliveries_whose_task_was_lost(partner):
    endpoint = endpoint_for(partner)
    overdue = timezone.now() - timedelta(minutes=5)
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="x", payload={})
    lost = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="x", payload={}, next_attempt_at=overdue
    )
    with run_after_commit():
        assert webhooks.requeue_due() == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == [lost.message_id]


# --- SSRF: production refuses private addresses; the check resolves every address. ---


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/",
        "https://192.168.0.10:8443/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://[fe80::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://0.0.0.0/",
    ],
)
def test_ssrf_private_loopback_and_link_local_endpoints_are_refused(partner, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    endpoint = WebhookEndpoint(partner=partner, url=url, events=[PLACEMENT_COMPLETED])
    with pytest.raises(ValidationError) as caught:
        endpoint.full_clean()
    assert "private, loopback or link-local" in caught.value.message_dict["url"][0]


def test_ssrf_every_address_of_a_name_is_checked(partner, settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    import socket

    def two_addresses(host, port, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    endpoint = WebhookEndpoint(partner=partner, url="https://hooks.acme.example/", events=["x"])
    with pytest.raises(ValidationError) as caught:
        endpoint.full_clean()
    expected = MSG_PRIVATE.format(host="hooks.acme.example", address="10.0.0.7")
    assert caught.value.message_dict["url"] == [expected]


def test_ssrf_a_public_https_endpoint_is_accepted_and_plain_http_is_not(
    partner, settings, monkeypatch
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    import socket

    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))
        ],
    )
    events = [PLACEMENT_COMPLETED]
    WebhookEndpoint(partner=partner, url="https://hooks.acme.example/", events=events).full_clean()
    plain = WebhookEndpoint(partner=partner, url="http://hooks.acme.example/", events=events)
    with pytest.raises(ValidationError) as caught:
        plain.full_clean()
    assert caught.value.message_dict["url"] == [MSG_SCHEME]


def test_ssrf_the_address_is_checked_again_when_sending(quiz, partner, settings):
    delivery_endpoint = endpoint_for(partner, "http://127.0.0.1:9/hooks")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # e.g. the name now resolves elsewhere
    WebhookDelivery.objects.create(endpoint=delivery_endpoint, event_type="x", payload={})
    delivery = WebhookDelivery.objects.get()
    webhooks.send(delivery.message_id)
    delivery.refresh_from_db()
    assert delivery.last_status_code is None
    assert delivery.last_error == MSG_SCHEME
    assert delivery.status == Status.PENDING  # retried: a name can resolve publicly again


def test_ssrf_a_delivery_connects_to_the_address_it_checked_not_a_second_lookup(
    quiz, partner, monkeypatch
):
    import socket

    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.acme.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        # First the address that passes the check, then one it would refuse.
        address = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with running_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        endpoint = endpoint_for(partner, f"http://hooks.acme.example:{port}/hooks?x=1")
        WebhookDelivery.objects.create(endpoint=endpoint, event_type="x", payload={"a": 1})
        assert webhooks.send(WebhookDelivery.objects.get().message_id) == "delivered"
    [received] = receiver.received
    assert received.headers["host"] == f"hooks.acme.example:{port}"
    assert lookups == ["hooks.acme.example"]  # resolved once, for the check


def test_unknown_event_types_are_refused(partner):
    endpoint = WebhookEndpoint(partner=partner, url="http://127.0.0.1/", events=["nope"])
    with pytest.raises(ValidationError) as caught:
        endpoint.full_clean()
    assert "Unknown event type 'nope'" in caught.value.message_dict["events"][0]


# --- The admin and the `partner webhook` command. ---


def test_the_admin_shows_a_new_endpoints_secret_once(admin_client, partner):
    response = admin_client.post(
        reverse("admin:partners_webhookendpoint_add"),
        {
            "partner": partner.pk,
            "url": "http://127.0.0.1:9/hooks",
            "description": "CRM",
            "events": [PLACEMENT_COMPLETED],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.events == [PLACEMENT_COMPLETED]

    change = admin_client.get(reverse("admin:partners_webhookendpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200
    assert endpoint.secret not in change.content.decode()
    assert endpoint.secret[:10] in change.content.decode()


def test_the_admin_refuses_a_private_endpoint_in_production(admin_client, partner, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = admin_client.post(
        reverse("admin:partners_webhookendpoint_add"),
        {"partner": partner.pk, "url": "https://169.254.169.254/", "events": [PLACEMENT_COMPLETED]},
    )
    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_status_code_latency_and_attempts(admin_client, quiz, partner):
    delivery, endpoint, _, _ = deliver_one(quiz, partner, [500])
    endpoint_page = admin_client.get(reverse("admin:partners_webhookendpoint_changelist"))
    log_url = reverse("admin:partners_webhookdelivery_changelist")
    assert f"{log_url}?endpoint__id__exact={endpoint.pk}" in endpoint_page.content.decode()

    log = admin_client.get(log_url, {"endpoint__id__exact": endpoint.pk})
    body = log.content.decode().split('id="result_list"', 1)[1]
    row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", body, re.S)
    assert row is not None
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(0), re.S)
    text = " | ".join(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells)
    assert "Pending" in text
    assert "| 500 |" in text
    assert f"| {delivery.last_latency_ms} |" in text
    assert "| 1 |" in text  # attempts


def test_the_admin_sends_a_signed_test_event(admin_client, quiz, partner):
    endpoint = endpoint_for(partner)
    with run_after_commit():
        response = admin_client.post(
            reverse("admin:partners_webhookendpoint_changelist"),
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.is_test
    assert delivery.payload["test"] is True
    assert DBTaskResult.objects.get().args_kwargs["args"] == [delivery.message_id]


def test_a_partner_manager_sees_only_their_partners_endpoints(client, partner, quiz):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from careerquiz.roles import PARTNER_MANAGER, ensure_roles

    ensure_roles()
    manager = get_user_model().objects.create_user("mira", password="x", is_staff=True)
    manager.groups.add(Group.objects.get(name=PARTNER_MANAGER))
    partner.managers.add(manager)
    mine = endpoint_for(partner, "http://127.0.0.1:9/mine")
    endpoint_for(Partner.objects.create(name="Other"), "http://127.0.0.1:9/theirs")
    client.force_login(manager)

    page = client.get(reverse("admin:partners_webhookendpoint_changelist")).content.decode()
    assert mine.url in page
    assert "/theirs" not in page


def test_the_partner_command_adds_an_endpoint_and_prints_its_secret(partner):
    out = StringIO()
    call_command(
        "partner", "webhook", "add", partner.public_key, "http://127.0.0.1:9/h", stdout=out
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in out.getvalue()
    assert endpoint.events == [PLACEMENT_COMPLETED]

    listing = StringIO()
    call_command("partner", "webhook", "list", partner.public_key, stdout=listing)
    assert "http://127.0.0.1:9/h" in listing.getvalue()
    assert endpoint.secret not in listing.getvalue()


def test_the_partner_command_refuses_a_bad_endpoint_and_saves_nothing(partner, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(CommandError, match="private, loopback or link-local"):
        call_command("partner", "webhook", "add", partner.public_key, "https://10.0.0.1/")
    assert not WebhookEndpoint.objects.exists()


def test_the_partner_page_links_to_its_webhook_endpoints(admin_client, partner):
    endpoint_for(partner)
    page = admin_client.get(reverse("admin:partners_partner_change", args=[partner.pk]))
    listing = reverse("admin:partners_webhookendpoint_changelist")
    assert f"{listing}?partner__id__exact={partner.pk}" in page.content.decode()
    assert "1 endpoint<" in page.content.decode()
    add = admin_client.get(reverse("admin:partners_webhookendpoint_add"), {"partner": partner.pk})
    assert f'<option value="{partner.pk}" selected>' in add.content.decode()
