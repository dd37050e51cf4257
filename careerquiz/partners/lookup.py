"""Finding a partner by its public key: the one lookup the API, quiz pages and embed share."""

from __future__ import annotations

from careerquiz.partners.models import Partner

MSG_UNKNOWN_PARTNER = "No partner has this key."
MSG_PARTNER_DISABLED = "This partner key is disabled."

KEY_MAX_LENGTH = Partner._meta.get_field("public_key").max_length or 0


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
    partner = Partner.objects.filter(public_key=key).first()
    if partner is None:
        raise PartnerRejected(MSG_UNKNOWN_PARTNER)
    if not partner.is_active:
        raise PartnerRejected(MSG_PARTNER_DISABLED, partner)
    return partner


def partner_id_for_key(key: str) -> int:
    """settings.QUIZ_PARTNER_LOOKUP: how the quiz app turns a `?partner=` key into an id."""
    return find_partner(key).pk
