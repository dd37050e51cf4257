"""The buffering worker's rule for when a request has arrived, and what it refuses.

The worker itself runs in tests/test_deployment.py (slow clients); here is the
rule it applies to the bytes read so far, which needs no server.
"""

from __future__ import annotations

import pytest

from careerquiz.gunicorn_worker import (
    BODY_TOO_LARGE,
    BUFFER_LIMIT,
    HEAD_LIMIT,
    HEAD_TOO_LARGE,
    LENGTH_REQUIRED,
    PendingRequest,
)

HEAD = b"POST /quiz/q/step/ HTTP/1.1\r\nHost: x\r\n"


def pending(data: bytes) -> PendingRequest:
    return PendingRequest(deadline=0.0, data=bytearray(data))


@pytest.mark.parametrize(
    ("data", "ready"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", True),
        (b"GET / HTTP/1.1\r\nHost: x\r\n", False),
        (HEAD + b"Content-Length: 5\r\n\r\nab", False),
        (HEAD + b"Content-Length: 5\r\n\r\nabcde", True),
        # The length header is not always the last one: it counts wherever it stands.
        (HEAD + b"Content-Length: 5\r\nAccept: */*\r\n\r\nab", False),
        (HEAD + b"Content-Length: 5\r\n\r\nabcdeGET / HTTP/1.1\r\n", True),  # pipelined
        (HEAD + b"Content-Length: x\r\n\r\n", True),  # gunicorn answers 400
        (HEAD + b"Content-Length: 1\r\nContent-Length: 1\r\n\r\n", True),
    ],
)
def test_a_request_is_ready_when_its_head_and_body_are_in(data, ready):
    assert pending(data).ready() is ready
    assert pending(data).refusal() is None


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"GET / HTTP/1.1\r\nX-Long: " + b"a" * HEAD_LIMIT, HEAD_TOO_LARGE),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\n0\r\n\r\n", LENGTH_REQUIRED),
        (HEAD + b"transfer-encoding: chunked\r\n\r\n", LENGTH_REQUIRED),
        (HEAD + f"Content-Length: {BUFFER_LIMIT + 1}\r\n\r\n".encode(), BODY_TOO_LARGE),
    ],
)
def test_what_cannot_be_buffered_is_refused_before_a_thread_takes_it(data, refusal):
    assert pending(data).refusal() == refusal


def test_a_client_expecting_100_continue_is_told_to_go_on_once():
    request = pending(HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n")

    assert request.wants_continue()
    request.continued = True
    assert not request.wants_continue()
    assert not pending(HEAD + b"Content-Length: 3\r\n\r\n").wants_continue()
    assert not pending(
        HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
    ).wants_continue()
