"""The real worker (`manage.py db_worker`, a subprocess) delivers webhooks to a local
receiver: from the quiz page, the embed and the API; again after a 500; after the
worker was stopped; and on a replay from the admin.

The test database is committed to (transactional tests) so the worker, another
process, reads what the test wrote. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from careerquiz.partners.models import (
    PLACEMENT_COMPLETED,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
)
from quiz.models import Attempt
from tests.factories import answers_at
from tests.receiver import Receiver, running_receiver, verify
from tests.servers import port_open
from tests.test_embed import start_url, walk
from tests.test_quiz_flow import _answer_all

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """`manage.py db_worker` on the test database, started and stopped at will."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.env = os.environ | {
            "DATABASE_URL": database_url(),
            "DJANGO_DEBUG": "true",
            "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",  # the receiver is on 127.0.0.1
            "WEBHOOK_RETRY_DELAYS": "0.5,0.5,0.5",
            "WEBHOOK_TIMEOUT": "5",
        }

    def start(self) -> None:
        command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*"]
        command += ["--interval", "0.1", "--no-reload", "--no-startup-delay", "-v", "0"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def worker() -> Iterator[Worker]:
    running = Worker()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as started:
        yield started


@pytest.fixture
def endpoint(quiz, receiver, settings) -> WebhookEndpoint:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    partner = Partner.objects.create(name="Acme", allowed_origins="https://acme.example")
    return WebhookEndpoint.objects.create(
        partner=partner, url=receiver.url, events=[PLACEMENT_COMPLETED]
    )


def api_placement(quiz, partner: Partner) -> str:
    response = Client().post(
        reverse("api:placement-create", args=[quiz.slug]),
        json.dumps({"answers": answers_at(quiz, "mid"), "region": "IN"}),
        content_type="application/json",
        HTTP_X_CAREERQUIZ_PARTNER=partner.public_key,
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def site_placement(quiz, partner: Partner) -> str:
    start = {"partner": partner.public_key}
    responses = _answer_all(Client(), quiz, answers_at(quiz, "mid"), start=start)
    assert responses[-1].status_code == 303
    return Attempt.objects.completed().get().result_id


def embed_placement(quiz, partner: Partner) -> str:
    client = Client()
    started = client.post(start_url(quiz), {"partner": partner.public_key, "region": "IN"})
    responses = walk(client, quiz, started, answers_at(quiz, "mid"))
    assert responses[-1].status_code == 303
    attempt = Attempt.objects.filter(channel=Attempt.Channel.EMBED).get()
    assert attempt.completed_at is not None
    return attempt.result_id


def events(receiver: Receiver, endpoint: WebhookEndpoint, count: int) -> list[dict]:
    return [verify(endpoint.secret, r.headers, r.body) for r in receiver.wait_for(count)]


@pytest.mark.parametrize("channel", [api_placement, site_placement, embed_placement])
def test_a_completed_quiz_delivers_exactly_one_signed_event(
    quiz, endpoint, receiver, worker, channel
):
    placement_id = channel(quiz, endpoint.partner)

    [event] = events(receiver, endpoint, 1)
    assert event["type"] == PLACEMENT_COMPLETED
    assert event["data"]["id"] == placement_id
    time.sleep(1)  # anything more would have arrived by now
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_receiver_answering_500_gets_the_same_event_again(quiz, endpoint, receiver, worker):
    receiver.statuses[:] = [500]
    api_placement(quiz, endpoint.partner)

    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    verify(endpoint.secret, second.headers, second.body)
    delivery = wait_for_status(WebhookDelivery.Status.DELIVERED)
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200


def test_a_stopped_worker_loses_nothing(quiz, endpoint, receiver, worker):
    worker.stop()
    ids = {api_placement(quiz, endpoint.partner) for _ in range(3)}
    time.sleep(0.5)
    assert receiver.received == []

    worker.start()
    assert {event["data"]["id"] for event in events(receiver, endpoint, 3)} == ids


def test_an_admin_replay_arrives_signed_with_a_new_timestamp(
    quiz, endpoint, receiver, worker, admin_client
):
    api_placement(quiz, endpoint.partner)
    [original] = receiver.wait_for(1)
    delivery = wait_for_status(WebhookDelivery.Status.DELIVERED)
    time.sleep(1.1)  # timestamps are whole seconds

    changelist = reverse("admin:partners_webhookdelivery_changelist")
    response = admin_client.post(
        changelist, {"action": "replay", "_selected_action": [delivery.pk]}
    )
    assert response.status_code == 302

    _, replayed = receiver.wait_for(2)
    assert replayed.headers["webhook-id"] == original.headers["webhook-id"]
    assert int(replayed.headers["webhook-timestamp"]) > int(original.headers["webhook-timestamp"])
    assert verify(endpoint.secret, replayed.headers, replayed.body) == delivery.payload


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"


def test_the_redis_backend_chosen_by_settings_delivers_and_retries_through_rqworker(
    quiz, endpoint, receiver
):
    """TASKS_BACKEND=rq: the same task queued in Redis, run by django-rq's worker, its
    retry scheduled by RQ's scheduler."""
    redis = urlsplit(REDIS_URL)
    if not port_open(redis.hostname or "127.0.0.1", redis.port or 6379):
        pytest.skip(f"no Redis at {REDIS_URL}")
    rq_env = Worker().env | {"TASKS_BACKEND": "rq", "TASKS_REDIS_URL": REDIS_URL}
    receiver.statuses[:] = [500]
    placement_id = api_placement(quiz, endpoint.partner)  # its outbox row, in this process

    # As after moving a running site to Redis: what is pending goes into the new queue.
    requeue = subprocess.run(
        [sys.executable, "manage.py", "partner", "webhook", "requeue", "--all"],
        cwd=ROOT,
        env=rq_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "1 pending deliveries" in requeue.stdout, requeue.stderr
    command = [sys.executable, "manage.py", "rqworker", "webhooks", "--with-scheduler"]
    command += ["--job-class", "django_tasks_rq.backend.Job"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=rq_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        first, second = receiver.wait_for(2, timeout=30)
        delivery = wait_for_status(WebhookDelivery.Status.DELIVERED)
    finally:
        worker.terminate()
        worker.wait(timeout=15)

    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert verify(endpoint.secret, second.headers, second.body)["data"]["id"] == placement_id
    assert delivery.attempts == 2


def wait_for_status(status: str, *, timeout: float = 10.0) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get()
        if delivery.status == status:
            return delivery
        time.sleep(0.05)
    raise AssertionError(f"the delivery is {delivery.status}, not {status}")
