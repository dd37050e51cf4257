"""Migrations that move data keep it: run backwards to before them and forwards again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quiz.attempts import start_attempt
from quiz.models import Attempt
from tests.factories import live_version

BEFORE_PARTNER_COLUMN = ("quiz", "0014_lean_attempts")
PARTNER_COLUMN = ("quiz", "0015_attempt_partner_id_column")


def migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_attempts_keep_their_partner_when_the_foreign_key_becomes_a_column(quiz, partner):
    version = live_version(quiz)
    brought = start_attempt(version, channel=Attempt.Channel.EMBED, partner_id=partner.pk)
    alone = start_attempt(version)

    executor = migrate(BEFORE_PARTNER_COLUMN)
    old = executor.loader.project_state(BEFORE_PARTNER_COLUMN).apps.get_model("quiz", "Attempt")
    assert old.objects.get(pk=brought.pk).partner == partner.pk
    assert old.objects.get(pk=alone.pk).partner is None

    migrate(PARTNER_COLUMN)
    for attempt, partner_id in ((brought, partner.pk), (alone, None)):
        assert Attempt.objects.get(pk=attempt.pk).partner_id == partner_id
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "quiz_attempt")
    keys = [c["foreign_key"] for c in constraints.values() if c["columns"] == ["partner_id"]]
    assert not any(keys)  # the column is a key no more
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    MigrationExecutor(connection).migrate(leaves)
