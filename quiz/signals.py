"""Signals other apps listen to without this app knowing them.

`attempt_completed` is sent inside the transaction that completes an attempt (the
quiz pages, the embed and the API alike), with `attempt=` the completed row. A
receiver that writes rows writes them in that same transaction: the partners app
records its webhook deliveries there (an outbox), so a placement and the promise to
tell the partner about it are committed together or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

attempt_completed = Signal()
