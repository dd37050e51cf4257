# Completed attempts get the columns analytics group by, read from the result each one
# stored and its version's snapshot (quiz.attempts.analytics_columns fills them for new
# ones): every step reached, the claimed rung and title, the confidence label, the
# answer to the first context question and the masks of the evidence answers held back.
# Unfinished attempts keep step_reached = 1: how far they got was never recorded.
# Batched by primary key, so a large table is never held in memory at once.

from django.db import migrations

BATCH = 2000
MASK_BITS = 63


def _version_facts(version):
    questions = version.snapshot.get("questions", [])
    return {
        "steps": len(questions) + 1,  # every question, then the region
        "evidence": [q["key"] for q in questions if q["role"] == "evidence"][:MASK_BITS],
        "split": next((q["key"] for q in questions if q["role"] == "context"), None),
        "orders": {r["slug"]: r["order"] for r in version.snapshot.get("rungs", [])},
    }


def _mask(evidence, keys):
    return sum(1 << bit for bit, key in enumerate(evidence) if key in keys)


def fill(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    QuizVersion = apps.get_model("quiz", "QuizVersion")
    facts = {v.pk: _version_facts(v) for v in QuizVersion.objects.only("snapshot").iterator()}

    last = 0
    while True:
        # Batches by primary key (not one open cursor): rows are written between reads.
        batch = list(
            Attempt.objects.filter(completed_at__isnull=False, pk__gt=last)
            .only("pk", "version_id", "result")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        for attempt in batch:
            fact = facts[attempt.version_id]
            result = attempt.result or {}
            claimed = result.get("claimed") or {}
            placed = fact["orders"].get((result.get("rung") or {}).get("slug"), 0)
            held = result.get("held_back", [])
            below = [a for a in held if fact["orders"].get(a.get("rung"), placed) < placed]
            attempt.step_reached = fact["steps"]
            attempt.claimed_rung_order = claimed.get("order")
            attempt.claimed_rung_slug = claimed.get("slug", "")
            attempt.claimed_title = (result.get("claimed_title") or "")[:500]
            attempt.confidence_label = result.get("confidence_label") or ""
            context = result.get("context") or {}
            attempt.context_answer = context.get(fact["split"], "") if fact["split"] else ""
            attempt.held_back_mask = _mask(fact["evidence"], {a["question"] for a in held})
            attempt.below_placed_mask = _mask(fact["evidence"], {a["question"] for a in below})
        Attempt.objects.bulk_update(
            batch,
            [
                "step_reached",
                "claimed_rung_order",
                "claimed_rung_slug",
                "claimed_title",
                "confidence_label",
                "context_answer",
                "held_back_mask",
                "below_placed_mask",
            ],
            batch_size=500,
        )
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0006_attempt_analytics_columns"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
