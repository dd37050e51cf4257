"""Which partner brought an attempt, and whose attempts a user may read.

An attempt keeps the id of the partner that brought it (`Attempt.partner_id`) as a
plain column, not a foreign key: partners live in this app, above quiz, and a key from
quiz to here would make the two apps' schemas and migrations depend on each other.
The id stays on the attempt's row, so analytics filter and group by partner from
Attempt's own indexes with no join. What a foreign key did for it is done here: a
deleted partner's attempts lose their partner (as SET_NULL did), `partner_of` finds an
attempt's partner, and `visible_to` reads Partner.managers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import QuerySet
from django.db.models.signals import post_delete

from careerquiz.partners.models import Partner
from quiz.models import VIEW_ATTEMPT, VIEW_EVERY_ATTEMPT, Attempt, AttemptQuerySet, Tally


def visible_to(
    user: AbstractUser | AnonymousUser, attempts: AttemptQuerySet | None = None
) -> AttemptQuerySet:
    """The attempts (of `attempts`, else all) that `user` may read.

    `view_attempt` alone shows only the attempts of partners the user manages
    (Partner.managers); `view_every_attempt` (editors; superusers have every
    permission) shows all of them, those that came without a partner included.
    """
    found = Attempt.objects.all() if attempts is None else attempts
    if user.pk is None or not user.has_perm(VIEW_ATTEMPT):
        return found.none()
    if user.has_perm(VIEW_EVERY_ATTEMPT):
        return found
    return found.filter(partner_id__in=Partner.objects.managed_by(user).values("pk"))


def tallies_visible_to(user: AbstractUser | AnonymousUser) -> QuerySet[Tally]:
    """The tallies of the attempts `user` may read: `visible_to`'s rule (quiz.tallies counts
    an attempt with no partner under partner 0, which only `view_every_attempt` shows)."""
    if user.pk is None or not user.has_perm(VIEW_ATTEMPT):
        return Tally.objects.none()
    if user.has_perm(VIEW_EVERY_ATTEMPT):
        return Tally.objects.all()
    return Tally.objects.filter(partner_id__in=Partner.objects.managed_by(user).values("pk"))


def partner_of(attempt: Attempt) -> Partner | None:
    """The partner that brought `attempt`, if it came with one that still exists."""
    if attempt.partner_id is None:
        return None
    return Partner.objects.filter(pk=attempt.partner_id).first()


def brought_by(partner: Partner) -> AttemptQuerySet:
    return Attempt.objects.filter(partner_id=partner.pk)


def _forget_partner(sender: type[Partner], instance: Partner, **kwargs: Any) -> None:
    # Inside the deleting transaction (post_delete is sent in it): attempts are kept,
    # counted from then on as having come with no partner.
    brought_by(instance).update(partner_id=None)


def connect() -> None:
    post_delete.connect(_forget_partner, sender=Partner, dispatch_uid="partners.forget_partner")
