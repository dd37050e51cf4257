"""Finding a partner by its public key: the one lookup the API, quiz pages and embed share.

Every API call and embedded page with a key asks, so each process keeps the answer
for a second (careerquiz.web.recent): a partner disabled, re-enabled or given a new
key anywhere is refused or accepted within that second, and at once by the process
that saved it (`connect` forgets on every save and delete).
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from careerquiz.partners.models import Partner
from careerquiz.web.recent import Recent

MSG_UNKNOWN_PARTNER = "No partner has this key."
MSG_PARTNER_DISABLED = "This partner key is disabled."

KEY_MAX_LENGTH = Partner._meta.get_field("public_key").max_length or 0

# Public key -> the partner with it (active or not), or None: no partner has it.
_by_key: Recent[str, Partner | None] = Recent(seconds=1.0)


class PartnerRejected(LookupError):
    """The key names no active partner; `message` says why, `partner` is a disabled one."""

    def __init__(self, message: str, partner: Partner | None = None) -> None:
        self.message = message
        self.partner = partner
        super().__init__(message)


def find_partner(key: str) -> Partner:
    """The active partner with this public key; PartnerRejected otherwise."""
    # No stored key holds a NUL or is longer than the column, and PostgreSQL refuses
    # a query that does (a NUL is not valid text there), so neither reaches the database.
    if not key or len(key) > KEY_MAX_LENGTH or "\x00" in key:
        raise PartnerRejected(MSG_UNKNOWN_PARTNER)
    kept = _by_key.get(key, lambda: Partner.objects.filter(public_key=key).first())
    if kept is None:
        raise PartnerRejected(MSG_UNKNOWN_PARTNER)
    partner = copy.copy(kept)  # the kept one is every thread's: callers get their own
    if not partner.is_active:
        raise PartnerRejected(MSG_PARTNER_DISABLED, partner)
    return partner


def partner_id_for_key(key: str) -> int:
    """settings.QUIZ_PARTNER_LOOKUP: how the quiz app turns a `?partner=` key into an id."""
    return find_partner(key).pk


def forget_partners(**kwargs: Any) -> None:
    _by_key.forget()
    # Again once the change is committed: a request between the save and the commit
    # reads the old row and would keep it for another second.
    transaction.on_commit(_by_key.forget)


def connect() -> None:
    """Called from PartnersConfig.ready()."""
    post_save.connect(forget_partners, sender=Partner, dispatch_uid="partners.lookup.saved")
    post_delete.connect(forget_partners, sender=Partner, dispatch_uid="partners.lookup.deleted")
