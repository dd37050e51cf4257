"""gunicorn's threaded worker, changed so that slow clients cannot take every thread.

gthread hands a connection to a thread as soon as its first bytes arrive, and the
thread then reads the rest of the request (headers, then the body as the app asks for
it) with blocking reads and no time limit: eight clients sending a body a byte every
half second held all eight threads of a two-core server, and /healthz/ went unanswered.

This worker reads each request itself first, without blocking: a thread takes what
the socket holds and, if the request is not complete, gives the connection back to
gunicorn's poller until more arrives. Only a complete request (headers and the whole
body, up to BUFFER_LIMIT bytes) goes to Django, so a slow client costs a buffer, not a
thread. A request that has not fully arrived REQUEST_READ_SECONDS after the worker first
looked for it is answered 408 and closed, and the worker logs it. What could not go
through that way is refused before a thread is taken: a head longer than HEAD_LIMIT
(431), a chunked body (411: nothing here reads one) and a body over BUFFER_LIMIT
(413). A client that asks for "100 Continue" gets it, once, before its body.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from gunicorn.http2 import negotiation  # type: ignore[import-untyped]
from gunicorn.workers import gthread  # type: ignore[import-untyped]

REQUEST_READ_SECONDS = float(os.environ.get("GUNICORN_REQUEST_READ_TIMEOUT", "10"))
# Larger bodies are refused (413) before a thread is taken: the site takes no body over
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default) plus its multipart framing.
BUFFER_LIMIT = 3 * 1024 * 1024
# A request head that has not ended by here is refused (431) rather than left to
# gunicorn, which would read on with no time limit.
HEAD_LIMIT = 64 * 1024
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
# Header lines end in \r\n: "$" (re.M) stops before the \n, so the \r is matched too.
CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t]*\r?$", re.I | re.M)
TRANSFER_ENCODING = re.compile(rb"^transfer-encoding:", re.I | re.M)


def _refusal(status: str) -> bytes:
    return f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode()


HEAD_TOO_LARGE = _refusal("431 Request Header Fields Too Large")
# Django reads a body by its Content-Length only, and the API refuses chunked bodies:
# a chunked body would be read here by rules nothing else uses, so it is refused.
LENGTH_REQUIRED = _refusal("411 Length Required")
BODY_TOO_LARGE = _refusal("413 Content Too Large")
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
EXPECT_CONTINUE = re.compile(rb"^expect:[ \t]*100-continue[ \t]*\r?$", re.I | re.M)


@dataclass
class PendingRequest:
    """The bytes of one request read so far, and when it must have arrived by."""

    deadline: float
    data: bytearray = field(default_factory=bytearray)
    continued: bool = False  # sent "100 Continue" already

    def _head(self) -> tuple[bytes, int] | None:
        end = self.data.find(b"\r\n\r\n")
        return None if end < 0 else (bytes(self.data[:end]), len(self.data) - end - 4)

    def refusal(self) -> bytes | None:
        """The response that ends this request before a thread sees it, if one does."""
        head = self._head()
        if head is None:
            return HEAD_TOO_LARGE if len(self.data) > HEAD_LIMIT else None
        if TRANSFER_ENCODING.search(head[0]):
            return LENGTH_REQUIRED
        lengths = CONTENT_LENGTH.findall(head[0])
        if len(lengths) == 1 and lengths[0].isdigit() and int(lengths[0]) > BUFFER_LIMIT:
            return BODY_TOO_LARGE
        return None

    def ready(self) -> bool:
        """True once the whole request is here, or once it is gunicorn's to judge."""
        head = self._head()
        if head is None:
            return False
        lengths = CONTENT_LENGTH.findall(head[0])
        if not lengths:
            return True
        if len(lengths) > 1 or not lengths[0].isdigit():
            return True  # malformed: gunicorn answers 400
        return head[1] >= int(lengths[0])

    def wants_continue(self) -> bool:
        """A client waiting for "100 Continue" before it sends its body (curl, PHP)."""
        head = self._head()
        return (
            head is not None
            and not self.continued
            and EXPECT_CONTINUE.search(head[0]) is not None
            and not self.ready()
        )


class BufferingThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gthread, but a request reaches a thread only once it has fully arrived."""

    def handle(self, conn: Any) -> Any:
        if (
            conn.is_http2
            or self.cfg.is_ssl
            or negotiation.prior_knowledge_allowed(self.cfg, conn.client)
        ):
            return super().handle(conn)
        arrived = self.read_what_arrived(conn)
        if arrived is None:
            return gthread._DEFER  # gunicorn's poller waits for more, no thread held
        if not arrived:
            return False  # closes the connection
        return super().handle(conn)

    def read_what_arrived(self, conn: Any) -> bool | None:
        """True: the request is in the parser's buffer. None: not yet. False: give up."""
        pending: PendingRequest | None = getattr(conn, "pending_request", None)
        if pending is None:
            pending = PendingRequest(deadline=time.monotonic() + REQUEST_READ_SECONDS)
            if conn.parser is not None:  # keep-alive: bytes read ahead after the last one
                pending.data += conn.parser.unreader.take_buffered()
            conn.pending_request = pending
        conn.sock.setblocking(False)
        try:
            while not pending.ready() and pending.refusal() is None:
                if pending.wants_continue():
                    pending.continued = True
                    conn.sock.send(CONTINUE)
                chunk = conn.sock.recv(65536)
                if not chunk:
                    return False  # the client went away
                pending.data += chunk
        except BlockingIOError:
            pass
        except OSError:
            return False
        if (refusal := pending.refusal()) is not None:
            with suppress(OSError):
                conn.sock.setblocking(True)
                conn.sock.settimeout(1)
                conn.sock.sendall(refusal)
            return False
        if pending.ready():
            conn.pending_request = None
            conn.data_ready = True
            conn.init()  # a new connection's parser (blocking socket, as gthread wants)
            conn.parser.unreader.unread(bytes(pending.data))
            return True
        if time.monotonic() > pending.deadline:
            self.log.warning(
                "Closed the connection from %s: its request had not arrived %.0f s after "
                "its first byte (%d bytes so far)",
                conn.client,
                REQUEST_READ_SECONDS,
                len(pending.data),
            )
            with suppress(OSError):
                conn.sock.setblocking(True)
                conn.sock.settimeout(1)
                conn.sock.sendall(TIMED_OUT)
            return False
        conn.data_ready = False
        return None
