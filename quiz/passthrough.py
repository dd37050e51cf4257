"""A partner's context passed through with an attempt: the host page's utm_source,
campaign, cohort, whatever the partner lists (Partner.pass_params).

Only the names the partner lists are kept, at most MAX_PARAMS of them, each value at
most MAX_VALUE_LENGTH characters (anything else is dropped, not refused: a host page's
address is not the visitor's mistake); they are stored on the attempt
(Attempt.passthrough) and returned wherever the placement goes (the API, webhooks,
the embed's complete event, the CSV export). In a query string or form they travel
as `p.<name>`, so they never collide with the quiz's own fields.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

MAX_PARAMS = 10
MAX_NAME_LENGTH = 40
MAX_VALUE_LENGTH = 200
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,40}")
PREFIX = "p."


def valid_value(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_VALUE_LENGTH


def keep(values: Mapping[str, object], allowed: Collection[str]) -> dict[str, str]:
    """The listed names' valid values, in the partner's order; anything else is dropped."""
    kept: dict[str, str] = {}
    for name in list(allowed)[:MAX_PARAMS]:
        value = values.get(name)
        if valid_value(value):
            assert isinstance(value, str)
            kept[name] = value
    return kept


def from_fields(fields: Mapping[str, str], allowed: Collection[str]) -> dict[str, str]:
    """keep() for `p.<name>` fields of a query string or form."""
    prefixed = {name: fields.get(PREFIX + name) for name in list(allowed)[:MAX_PARAMS]}
    return keep({name: value for name, value in prefixed.items() if value}, allowed)


def as_fields(values: Mapping[str, str]) -> dict[str, str]:
    """The `p.<name>` fields that carry these values (links back to the start, forms)."""
    return {PREFIX + name: value for name, value in values.items()}
