"""The staff roles: an "Editor" group and a "Partner manager" group, always up to date.

Editors keep the content and the quizzes (ladders, rungs and everything on
them, quizzes, questions and answers, publishing) and may read every attempt
and the analytics of all of them; they see no users and no partners or their
keys. Partner managers keep the partners (keys, origins, theme) and read the
attempts and analytics of the partners that list them as managers
(careerquiz.partners.attempts.visible_to). Neither may change users or groups.

`ensure_roles()` runs after every `migrate` and from `manage.py roles`; it sets
each group's permissions to exactly these, so a change here reaches every
installation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

EDITOR = "Editor"
PARTNER_MANAGER = "Partner manager"

ALL = ("add", "change", "delete", "view")
READ = ("view",)
# Attempts: "view_every_attempt" shows all of them; "view_attempt" alone only managed partners'.
READ_EVERY = ("view", "view_every")

ROLES: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    EDITOR: {
        **{
            ("ladder", model): ALL
            for model in (
                "ladder",
                "source",
                "laddernote",
                "rung",
                "responsibility",
                "jobtitle",
                "skill",
                "salaryband",
                "nextstep",
            )
        },
        ("quiz", "quiz"): ALL,
        ("quiz", "question"): ALL,
        ("quiz", "option"): ALL,
        ("quiz", "quizversion"): READ,
        ("quiz", "attempt"): READ_EVERY,
    },
    PARTNER_MANAGER: {
        ("partners", "partner"): ALL,
        ("partners", "webhookendpoint"): ALL,
        # change: replaying a delivery; nobody adds or edits one by hand.
        ("partners", "webhookdelivery"): ("change", "view"),
        ("quiz", "attempt"): READ,
        ("quiz", "quiz"): READ,
    },
}


def ensure_roles(**kwargs: Any) -> None:
    """Create the groups if missing and give each exactly its permissions."""
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = {
            (app, f"{action}_{model}")
            for (app, model), actions in grants.items()
            for action in actions
        }
        candidates = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
        group.permissions.set(
            [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]
        )
