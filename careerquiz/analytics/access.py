"""Who may open analytics, and which partners they may filter by.

Analytics counts the attempts `careerquiz.partners.attempts.visible_to(user)`
returns: staff with `quiz.view_attempt` open the page; with
`quiz.view_every_attempt` too (editors, superusers) they count every attempt,
otherwise (partner managers) only those of the partners listing them as
managers. careerquiz.roles gives the groups these permissions.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import QuerySet

from careerquiz.partners.models import Partner
from quiz.models import VIEW_ATTEMPT, VIEW_EVERY_ATTEMPT

User = AbstractUser | AnonymousUser


def may_view(user: User) -> bool:
    return user.is_active and user.is_staff and user.has_perm(VIEW_ATTEMPT)


def sees_every_partner(user: User) -> bool:
    return user.has_perm(VIEW_EVERY_ATTEMPT)


def partners_for(user: User) -> QuerySet[Partner]:
    """The partners whose attempts `user` counts, by name."""
    return Partner.objects.managed_by(user).order_by("name")
