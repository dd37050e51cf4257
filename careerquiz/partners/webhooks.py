"""Webhooks: events sent to partners' servers, signed, at least once.

The contract is DESIGN.md's "Webhooks": a POST of `{"type", "timestamp", "data"}`
signed per Standard Webhooks (headers webhook-id, webhook-timestamp,
webhook-signature). How it stays reliable:

- An outbox. When an attempt completes, `record_placement_deliveries` writes one
  WebhookDelivery per subscribed endpoint inside the completing transaction (quiz
  sends `attempt_completed` there), so a placement and its deliveries are committed
  together; the delivery task is enqueued only after that commit.
- A task queue (django.tasks). `deliver` runs in the worker (`manage.py db_worker`),
  never in a request. A failure is retried after WEBHOOK_RETRY_DELAYS with jitter;
  the row is the truth, so a task lost with a queue is found again by
  `requeue_due` (`manage.py partner webhooks requeue`).
- A 410 switches the endpoint off at once, as does a delivery that failed through
  every retry (about a day). A switched-off endpoint's deliveries wait, and go out
  when it is switched on again (`resume`).
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import secrets
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.tasks import default_task_backend, task
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from careerquiz.partners.addresses import RefusedAddress, checked_address
from careerquiz.partners.models import (
    PLACEMENT_COMPLETED,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
)
from careerquiz.web.recent import Recent
from quiz.models import Attempt, Quiz
from quiz.placement import SKILLS, place
from quiz.results import build_result, remember
from quiz.signals import attempt_completed
from quiz.versions import spec_for

logger = logging.getLogger(__name__)

USER_AGENT = "careerquiz-webhooks/1"
JITTER = 0.2  # each retry delay is stretched or shrunk by up to this fraction
MAX_ERROR_LENGTH = 500
# How long a sender holds a delivery beyond the timeout before another may take it.
CLAIM_SLACK = timedelta(seconds=30)
# A pending delivery this far past due has lost its task: requeue_due enqueues it again.
OVERDUE = timedelta(minutes=2)
MSG_GONE = "The endpoint answered 410 Gone."
MSG_GAVE_UP = "A delivery failed on every retry ({attempts} attempts)."
TEST_REF = "webhook-test"

# Builds an event's `data` from the completed attempt: registered by the layer that owns
# the API's placement body (careerquiz.apps), which this app cannot import.
PlacementData = Callable[[Attempt], dict[str, Any]]
_placement_data: list[PlacementData] = []


def register_placement_data(builder: PlacementData) -> None:
    _placement_data[:] = [builder]


# Whether a partner has any active endpoint, kept a second per process: most partners
# have none, and a placement then asks the database nothing about webhooks. An endpoint
# added in another process is sent placements from within that second; the process that
# saves or deletes one forgets at once, and again on commit (as careerquiz.partners.lookup).
_listens: Recent[int, bool] = Recent()


def forget_endpoints(**kwargs: Any) -> None:
    _listens.forget()
    transaction.on_commit(_listens.forget)


def connect() -> None:
    attempt_completed.connect(
        record_placement_deliveries, sender=Attempt, dispatch_uid="webhooks.placement"
    )
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(forget_endpoints, sender=WebhookEndpoint, dispatch_uid=f"webhooks.{name}")


def placement_data(attempt: Attempt) -> dict[str, Any]:
    if not _placement_data:
        raise LookupError("no placement data builder is registered (register_placement_data)")
    return _placement_data[0](attempt)


def envelope(event_type: str, data: dict[str, Any], *, test: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": data,
    }
    if test:
        body["test"] = True
    return body


def record_placement_deliveries(sender: type[Attempt], attempt: Attempt, **kwargs: Any) -> None:
    """Write the deliveries of a completed attempt, in its transaction; send after commit."""
    # A staff preview in the partner's theme is nobody's placement: the partner is not told.
    partner_id = attempt.partner_id
    if partner_id is None or attempt.channel == Attempt.Channel.PREVIEW:
        return
    if not _listens.get(partner_id, lambda: _has_active_endpoint(partner_id)):
        return
    endpoints = WebhookEndpoint.objects.listening_to(PLACEMENT_COMPLETED, partner_id=partner_id)
    if not endpoints:
        return
    payload = envelope(PLACEMENT_COMPLETED, placement_data(attempt))
    deliveries = [
        WebhookDelivery(endpoint=endpoint, event_type=PLACEMENT_COMPLETED, payload=payload)
        for endpoint in endpoints
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    enqueue_after_commit([d.message_id for d in deliveries])


def _has_active_endpoint(partner_id: int) -> bool:
    return WebhookEndpoint.objects.filter(partner_id=partner_id, is_active=True).exists()


def enqueue_after_commit(message_ids: Iterable[str]) -> None:
    ids = list(message_ids)
    # robust: a queue that refuses is logged, not raised into a committed placement;
    # the row waits for requeue_due.
    transaction.on_commit(lambda: _enqueue(ids), robust=True)


def _enqueue(message_ids: list[str], *, at: datetime | None = None) -> None:
    sender = deliver
    if at is not None and default_task_backend.supports_defer:
        sender = deliver.using(run_after=at)
    for message_id in message_ids:
        sender.enqueue(message_id)


@task(queue_name="webhooks")
def deliver(message_id: str) -> str:
    """Send one pending delivery now; returns what happened (for the task's result)."""
    return send(message_id)


@dataclass(frozen=True, kw_only=True)
class Response:
    status_code: int | None  # None: no HTTP answer at all
    latency_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send(message_id: str) -> str:
    now = timezone.now()
    timeout = settings.WEBHOOK_TIMEOUT
    claimed = (
        WebhookDelivery.objects.filter(message_id=message_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=timeout) + CLAIM_SLACK)
    )
    if not claimed:
        return "skipped: delivered, failed, gone or being sent"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(message_id=message_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=None)
        return "waiting: the endpoint is switched off"
    response = post(endpoint, delivery)
    return record(delivery, response)


def signed_headers(endpoint: WebhookEndpoint, message_id: str, body: str) -> dict[str, str]:
    signed_at = datetime.now(UTC).replace(microsecond=0)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(message_id, signed_at, body),
    }


def body_of(delivery: WebhookDelivery) -> str:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to one checked address; the Host header keeps the URL's name."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one checked address; the certificate is checked against the URL's name."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Response:
    """POST the delivery, signed now. A redirect is an answer like any other (not
    followed: it could point where check_webhook_url would refuse)."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        address = checked_address(endpoint.url)
    except RefusedAddress as refused:
        return Response(status_code=None, latency_ms=0, error=str(refused))
    parts = urlsplit(endpoint.url)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    host = parts.hostname or ""
    connection = kind(host, parts.port, address=str(address), timeout=settings.WEBHOOK_TIMEOUT)
    body = body_of(delivery)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        headers = signed_headers(endpoint, delivery.message_id, body)
        connection.request("POST", path, body=body.encode("utf-8"), headers=headers)
        answer = connection.getresponse()  # its body is never read: only the status counts
        error = "" if 200 <= answer.status < 300 else answer.reason
        return Response(status_code=answer.status, latency_ms=elapsed(), error=error)
    except (OSError, http.client.HTTPException) as failure:  # refused, timed out, TLS
        return Response(status_code=None, latency_ms=elapsed(), error=repr(failure))
    finally:
        connection.close()


def retry_delay(attempts: int) -> timedelta | None:
    """How long after the `attempts`-th failed attempt the next one goes; None: give up."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    if attempts > len(delays):
        return None
    base = float(delays[attempts - 1])
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def record(delivery: WebhookDelivery, response: Response) -> str:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = response.status_code
    delivery.last_latency_ms = response.latency_ms
    delivery.last_error = str(response.error)[:MAX_ERROR_LENGTH]
    delivery.claimed_until = None
    endpoint = delivery.endpoint
    retry_at: datetime | None = None
    if response.ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        outcome = "delivered"
    elif response.status_code == 410:
        delivery.status = WebhookDelivery.Status.FAILED
        switch_off(endpoint, MSG_GONE)
        outcome = "failed: 410, endpoint switched off"
    elif (delay := retry_delay(delivery.attempts)) is not None:
        retry_at = delivery.next_attempt_at = now + delay
        outcome = f"retry in {delay.total_seconds():.0f} s"
    else:
        delivery.status = WebhookDelivery.Status.FAILED
        switch_off(endpoint, MSG_GAVE_UP.format(attempts=delivery.attempts))
        outcome = "failed: gave up, endpoint switched off"
    delivery.save()
    if retry_at is not None:
        _enqueue([delivery.message_id], at=retry_at)
    return outcome


def switch_off(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.is_active = False
    endpoint.disabled_reason = reason
    endpoint.save(update_fields=["is_active", "disabled_reason"])
    logger.warning("Webhook endpoint %s switched off: %s", endpoint.pk, reason)


def resume(endpoint: WebhookEndpoint) -> int:
    """Switch the endpoint on and send what waited for it; returns how many."""
    with transaction.atomic():
        endpoint.is_active = True
        endpoint.disabled_reason = ""
        endpoint.save(update_fields=["is_active", "disabled_reason"])
        waiting = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING)
        waiting.update(next_attempt_at=timezone.now(), claimed_until=None)
        ids = list(waiting.values_list("message_id", flat=True))
        enqueue_after_commit(ids)
    return len(ids)


def replay(delivery: WebhookDelivery) -> None:
    """Send a delivery again, delivered or not: the same webhook-id, a new signature."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_until=None,
        )
        enqueue_after_commit([delivery.message_id])


def requeue_due(*, every_pending: bool = False) -> int:
    """Enqueue every pending delivery of an active endpoint long past due (its task was
    lost: a queue flushed, a crash between commit and enqueue), or with `every_pending`
    all of them now (after moving to another task backend); returns how many."""
    now = timezone.now()
    pending = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, endpoint__is_active=True
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    if not every_pending:
        pending = pending.filter(next_attempt_at__lte=now - OVERDUE)
    ids = list(pending.values_list("message_id", flat=True))
    _enqueue(ids)
    return len(ids)


def send_test_event(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A signed placement.completed marked `"test": true`, with a realistic placement of
    the partner's first published quiz (nothing is stored as an attempt)."""
    data = placement_data(sample_attempt(endpoint.partner))
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=PLACEMENT_COMPLETED,
            payload=envelope(PLACEMENT_COMPLETED, data, test=True),
            is_test=True,
        )
        enqueue_after_commit([delivery.message_id])
    return delivery


MSG_NO_PUBLISHED_QUIZ = "No quiz is published: a test event needs one to place a sample visitor."


def sample_attempt(partner: Partner) -> Attempt:
    """An unsaved attempt completed with sample answers: each question's first option,
    so the placement is real and its shape is the one partners will receive."""
    quiz = Quiz.objects.published().order_by("title").first()
    version = quiz.live_version if quiz is not None else None
    if version is None:
        raise LookupError(MSG_NO_PUBLISHED_QUIZ)
    spec = spec_for(version)
    answers: dict[str, Any] = {}
    for question in spec.questions:
        if question.options:
            first = question.options[0].key
            answers[question.key] = [first] if question.role == SKILLS else first
    attempt = Attempt(
        quiz_id=version.quiz_id,
        version=version,
        partner_id=partner.pk,
        channel=Attempt.Channel.API,
        ref=TEST_REF,
        region=partner.default_region,
        result_id="test_" + secrets.token_urlsafe(12),
    )
    attempt.completed_at = timezone.now()
    result = build_result(
        spec,
        place(spec, answers),
        frozen=version.document,
        version_number=version.number,
        region=partner.default_region,
        result_id=attempt.result_id,
        completed_at=attempt.completed_at.isoformat(),
    )
    remember(attempt, result)
    return attempt
