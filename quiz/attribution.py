"""Which partner brought a visitor, without the quiz app knowing what a partner is.

An attempt records the partner whose key the visit carried (`Attempt.partner`),
and `/quiz/<slug>/?partner=KEY` attributes a visit. Partners live in an app
above this one (careerquiz.partners), which this app never imports: the
setting QUIZ_PARTNER_LOOKUP names the function that turns a public key into a
partner's id, the way AUTHENTICATION_BACKENDS names how users are found. The
function raises LookupError for a key that names no active partner.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

PartnerLookup = Callable[[str], int]


@cache
def _lookup(path: str) -> PartnerLookup:
    lookup: PartnerLookup = import_string(path)
    return lookup


def partner_id_for_key(key: str) -> int:
    """The id of the active partner with this public key; LookupError if there is none."""
    path = getattr(settings, "QUIZ_PARTNER_LOOKUP", "")
    if not path:
        raise LookupError("no partner lookup is configured (QUIZ_PARTNER_LOOKUP)")
    return _lookup(path)(key)
