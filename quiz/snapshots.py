"""A quiz draft as the snapshot document a published version freezes, and the engine's
input compiled from a snapshot (a version's, or a previewed draft's)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.db.models import prefetch_related_objects

from ladder.models import Rung
from quiz import documents
from quiz.documents import SNAPSHOT_SCHEMA, Snapshot
from quiz.models import DRAFT_CONTENT, Question, Quiz
from quiz.placement import NoteSpec, OptionSpec, QuestionSpec, QuizSpec, RungSpec


def load_draft(quiz: Quiz) -> None:
    """Fetch the draft's rungs, questions and options unless a queryset already did."""
    prefetch_related_objects([quiz], *DRAFT_CONTENT)


def snapshot_document(quiz: Quiz) -> Snapshot:
    """The draft as a document: what a published version freezes.

    Besides the questions it holds everything a result shows from the ladder
    (rungs with their pay, skills and next steps, the sources, the notes), so a
    result is built from its own version: editing the ladder changes no result
    until the quiz is published again.
    """
    load_draft(quiz)
    ladder = quiz.ladder
    return Snapshot(
        schema_version=SNAPSHOT_SCHEMA,
        slug=quiz.slug,
        title=quiz.title,
        intro=quiz.intro,
        threshold=quiz.threshold,
        ladder=ladder.slug,
        ladder_title=ladder.title,
        sources=tuple(
            documents.Source(key=s.key, title=s.title, url=s.url) for s in ladder.sources.all()
        ),
        notes=tuple(
            documents.LadderNote(
                kind=n.kind, key=n.key, title=n.title, body=n.body, source=n.source, when=n.when
            )
            for n in ladder.notes.all()
        ),
        rungs=tuple(_rung(rung) for rung in ladder.rungs.all()),
        questions=tuple(_question(q) for q in quiz.questions.all()),
    )


def snapshot(quiz: Quiz) -> dict[str, Any]:
    """The draft's snapshot as QuizVersion.snapshot stores it (JSON)."""
    return snapshot_document(quiz).to_json()


def _question(q: Question) -> documents.Question:
    return documents.Question(
        key=q.key,
        text=q.text,
        help=q.help,
        role=q.role,
        weight=q.weight,
        required=q.required,
        shuffle=q.shuffle,
        dimension=q.dimension,
        advice=q.advice,
        options=tuple(
            documents.Option(
                key=o.key,
                text=o.text,
                rung=o.rung.slug if o.rung else None,
                skill=o.skill or None,
                note=o.note,
                # The editor's notes (validated by quiz.rules.notes_problem), keys optional.
                notes=tuple(documents.OptionNote.from_json(n) for n in o.notes),
                advice=o.advice,
                years=None if o.years_min is None else (o.years_min, o.years_max),
                track=o.track,
            )
            for o in q.options.all()
        ),
    )


def _rung(rung: Rung) -> documents.Rung:
    return documents.Rung(
        id=rung.pk,
        slug=rung.slug,
        order=rung.order,
        title=rung.title,
        question=rung.question,
        summary=rung.summary,
        years_min=rung.years_min,
        years_max=rung.years_max,
        moves_you_up=rung.moves_you_up,
        keeps_you_stuck=rung.keeps_you_stuck,
        # The editor's variants (validated by ladder.conditions.texts_problem), source optional.
        texts=tuple(documents.RungText.from_json({"source": ""} | t) for t in rung.texts),
        sources=tuple(rung.sources),
        skills=tuple(_copied(documents.Skill, s) for s in rung.skills.all()),
        salary_bands=tuple(_copied(documents.SalaryBand, b) for b in rung.salary_bands.all()),
        next_steps=tuple(_copied(documents.NextStep, n) for n in rung.next_steps.all()),
    )


def spec_from_snapshot(frozen: Snapshot) -> QuizSpec:
    """The engine's input, from a published (or previewed) snapshot."""
    return QuizSpec(
        slug=frozen.slug,
        threshold=frozen.threshold,
        rungs=tuple(
            RungSpec(slug=r.slug, order=r.order, title=r.title, question=r.question)
            for r in frozen.rungs
        ),
        questions=tuple(
            QuestionSpec(
                key=q.key,
                text=q.text,
                help=q.help,
                role=q.role,
                weight=q.weight,
                required=q.required,
                shuffle=q.shuffle,
                dimension=q.dimension,
                advice=q.advice,
                options=tuple(
                    OptionSpec(
                        key=o.key,
                        text=o.text,
                        rung=o.rung,
                        skill=o.skill,
                        note=o.note,
                        notes=tuple(
                            NoteSpec(
                                text=n.text, placed=frozenset(n.placed), title=n.title, when=n.when
                            )
                            for n in o.notes
                        ),
                        advice=o.advice,
                        years=o.years,
                        track=o.track,
                    )
                    for o in q.options
                ),
            )
            for q in frozen.questions
        ),
    )


def _copied[D](document: type[D], row: object) -> D:
    """A rung item's document from its row: each field of the document, read by name."""
    return document(**{f.name: getattr(row, f.name) for f in fields(document)})  # type: ignore[arg-type]
