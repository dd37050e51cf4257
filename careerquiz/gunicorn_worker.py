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
looked for it is answered 408 and closed, and the worker logs it.
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
# Bodies larger than this are left to gunicorn as before (Django refuses form bodies
# over DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default, and the API's over 64 kB).
BUFFER_LIMIT = 3 * 1024 * 1024
# Longer request heads are gunicorn's to refuse (limit_request_line/_fields).
HEAD_LIMIT = 64 * 1024
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t]*$", re.I | re.M)
TRANSFER_ENCODING = re.compile(rb"^transfer-encoding:", re.I | re.M)


@dataclass
class PendingRequest:
    """The bytes of one request read so far, and when it must have arrived by."""

    deadline: float
    data: bytearray = field(default_factory=bytearray)

    def ready(self) -> bool:
        """True once the whole request is here, or once it is gunicorn's to judge."""
        end = self.data.find(b"\r\n\r\n")
        if end < 0:
            return len(self.data) > HEAD_LIMIT
        head, body = bytes(self.data[:end]), len(self.data) - end - 4
        if TRANSFER_ENCODING.search(head):
            # Chunked: complete at the last, empty chunk (trailers are not used).
            return self.data.endswith(b"0\r\n\r\n") or len(self.data) > BUFFER_LIMIT
        lengths = CONTENT_LENGTH.findall(head)
        if not lengths:
            return True
        if len(lengths) > 1 or not lengths[0].isdigit():
            return True  # malformed: gunicorn answers 400
        return body >= min(int(lengths[0]), BUFFER_LIMIT)


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
            while not pending.ready():
                chunk = conn.sock.recv(65536)
                if not chunk:
                    return False  # the client went away
                pending.data += chunk
        except BlockingIOError:
            pass
        except OSError:
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
