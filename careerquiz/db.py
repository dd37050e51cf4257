"""How Django's PostgreSQL connection pool vets a connection before a request gets it."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg_pool import ConnectionPool


def check_pooled_connection(conn: Connection[Any]) -> None:
    """psycopg's own check (one empty query), and on a dead connection the rest too.

    A PostgreSQL restart leaves every idle connection dead. The pool finds them one
    request at a time and waits a second between tries, so a request after the
    restart can run out of its pool timeout on the second or third dead one. One dead
    connection means the server went away: check all the idle ones at once (the pool
    replaces those that fail), and this request gets a fresh one.
    """
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        # The pool marks the connection it hands out with itself (psycopg does not
        # make this public; without it, the pool is left to find the others).
        pool = getattr(conn, "_pool", None)
        if isinstance(pool, ConnectionPool):
            pool.check()
        raise
