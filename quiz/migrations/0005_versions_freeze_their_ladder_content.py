# Published versions now hold the ladder content a result shows (quiz.versions.snapshot),
# so results no longer read today's ladder. Versions published before that get the
# content their ladder has now: the closest there is to what they were published with.

from django.db import migrations


def money(amount, currency, period):
    # Only for the stored "display" string; the app formats new versions itself.
    from ladder.money import format_range

    return format_range(amount[0], amount[1], currency, period)


def freeze_ladder_content(apps, schema_editor):
    QuizVersion = apps.get_model("quiz", "QuizVersion")
    Ladder = apps.get_model("ladder", "Ladder")
    for version in QuizVersion.objects.all():
        frozen = version.snapshot
        if "ladder_title" in frozen:
            continue
        ladder = Ladder.objects.filter(slug=frozen["ladder"]).first()
        rungs = {}
        if ladder is not None:
            frozen["ladder_title"] = ladder.title
            frozen["sources"] = [
                {"key": s.key, "title": s.title, "url": s.url}
                for s in apps.get_model("ladder", "Source").objects.filter(ladder=ladder)
                .order_by("position", "id")
            ]
            frozen["notes"] = [
                {"kind": n.kind, "key": n.key, "title": n.title, "body": n.body, "source": n.source}
                for n in ladder.notes.order_by("position", "id")
            ]
            rungs = {rung.slug: rung for rung in ladder.rungs.all()}
        else:
            frozen.update(ladder_title="", sources=[], notes=[])
        for item in frozen["rungs"]:
            rung = rungs.get(item["slug"])
            item.update(
                id=rung.pk if rung else None,
                summary=rung.summary if rung else "",
                years_min=rung.years_min if rung else None,
                years_max=rung.years_max if rung else None,
                moves_you_up=rung.moves_you_up if rung else "",
                keeps_you_stuck=rung.keeps_you_stuck if rung else "",
                sources=list(rung.sources) if rung else [],
                skills=[
                    {"name": s.name, "category": s.category, "importance": s.importance,
                     "source": s.source}
                    for s in (rung.skills.order_by("position", "id") if rung else [])
                ],
                salary_bands=[
                    {"region": b.region, "currency": b.currency, "min": b.min, "max": b.max,
                     "period": b.period, "display": money((b.min, b.max), b.currency, b.period),
                     "note": b.note, "source": b.source, "context": b.context}
                    for b in (rung.salary_bands.order_by("region", "position", "id") if rung else [])
                ],
                next_steps=[
                    {"kind": n.kind, "title": n.title, "detail": n.detail, "url": n.url,
                     "source": n.source}
                    for n in (rung.next_steps.order_by("position", "id") if rung else [])
                ],
            )
        for question in frozen["questions"]:
            for option in question["options"]:
                option.setdefault("notes", [])
                option.setdefault("advice", "")
                option.setdefault("years", None)
        version.snapshot = frozen
        version.save(update_fields=["snapshot"])


class Migration(migrations.Migration):

    dependencies = [
        ("quiz", "0004_option_advice_notes_years"),
        ("ladder", "0002_ladder_sources_and_band_context"),
    ]

    operations = [migrations.RunPython(freeze_ladder_content, migrations.RunPython.noop)]
