"""What a result page shows: a result document (quiz.results) grouped and worded.

Plain functions over the result and the snapshot of the version it was made
with, so a permalink renders the same words for as long as it exists, and the
editor's preview renders an unsaved result exactly as a real one. Results stored
before a field existed are upgraded when read (quiz.documents.upgrade_result);
what such a result lacks is None or empty here, and worded as it was then.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ladder.money import region_name
from ladder.picture import ladder_picture
from ladder.sources import Footnotes
from quiz.documents import (
    Band,
    Evidence,
    HeldBack,
    Result,
    ResultNote,
    Rung,
    RungRef,
    Snapshot,
    Step,
    TitleGap,
    Why,
    Years,
)
from quiz.repetition import Said, sentences, shared_ending, without_ending

CONFIDENCE_WORDS = {
    "high": "High confidence: most of your answers point at this rung.",
    "medium": "Medium confidence: your answers lean this way but spread across neighbouring rungs.",
    "low": "Low confidence: your answers are spread across the ladder; read this as a "
    "starting point, not a verdict.",
}

MSG_CONFIDENCE_HIGH = (
    "High confidence: {at} of your {total} work answers are at this rung, and no single "
    "answer would change it."
)
MSG_CONFIDENCE_BOUNDARY = "{label} confidence: a single answer would change your rung."
MSG_CONFIDENCE_BOUNDARY_NOT_COUNTED = (
    "{label} confidence: a single answer would change your rung, and {uncounted} of your "
    "{answered} work answers {count} for no rung."
)
MSG_CONFIDENCE_NOT_COUNTED = (
    "{label} confidence: {counted} of your {answered} work answers are evidence on this "
    "ladder; the other {uncounted} {count} for no rung, so this placement rests on fewer answers."
)

NEXT_STEP_GROUPS = (
    ("project", "Projects to take on"),
    ("learning_path", "Learning path"),
    ("course", "Courses"),
    ("certification", "Certifications"),
    ("transition", "Related roles you could move into"),
    ("mistake", "Mistakes to avoid"),
)

IMPORTANCE_GROUPS = (
    ("high", "Most important"),
    ("medium-high", "Important"),
    ("medium", "Useful"),
    ("low", "Good to have"),
)

MOVES_SHOWN = 3  # the moves on the first screen; the rest fold below

# {naming} narrows "work answers" to those naming a rung when some name none; {is_here} and
# {is_above} agree with their counts ("1 of your 3 … is").
MSG_WHY_NEXT = (
    "{here} of your {total} work answers{naming} {is_here} at {rung} or above. "
    "{next} needs {needed}; {above} of yours {is_above} there."
)
MSG_WHY_BOTTOM = (
    "{above} of your {total} work answers{naming} {is_above} at {next} or above; "
    "{next} needs {needed}."
)
MSG_WHY_TOP = (
    "{here} of your {total} work answers{naming} {is_here} at {rung}, the top of this ladder; "
    "it needs {needed}."
)
MSG_COUNTS_NEXT = (
    "{here} of your {total} work answers{naming} {is_here} at {rung} or above; "
    "{above} at {next} or above."
)
MSG_COUNTS_BOTTOM = "{above} of your {total} work answers{naming} {is_above} at {next} or above."
MSG_COUNTS_TOP = (
    "{here} of your {total} work answers{naming} {is_here} at {rung}, the top of this ladder."
)
MSG_NAMING = " that name a rung"
MSG_WEIGHTED = " (Some answers count double.)"  # results stored before answers were counted
MSG_WEIGHTED_NEXT = (
    " {questions} {counts}: by weight, {above_w} of {total_w} {are_above} at {next}, which needs "
    "{needed_w}."
)
MSG_WEIGHTED_HERE = (
    " {questions} {counts}: by weight, {here_w} of {total_w} {are_here} at {rung}; the rule "
    "asks for {share}%."
)
MSG_BOUNDARY_UP = "One answer short of {next}: {answers}."
MSG_BOUNDARY_UP_ANSWER = "“{option}” on “{question}”"
MSG_BOUNDARY_DOWN = (
    "Your placement rests on a single answer: a lower answer on “{question}” would place you at "
    "{rung}."
)
MSG_LOWER_RUNG = "a lower rung"
MSG_BOUNDARY_DOWN_ANY = (
    "Your placement is at the rule's edge: a lower answer on any one of {count} of your answers, "
    "such as “{question}”, would place you at {rung}."
)
MSG_TITLE_AHEAD = (
    "You said your title is “{title}”, {a} {claimed} title; your answers show {placed} ownership."
)
MSG_TITLE_BEHIND = (
    "You said your title is “{title}”, {a} {claimed} title, but your answers show {placed} "
    "ownership: your title is behind your work."
)
MSG_YEARS = {
    "within": "You have worked {given}; the typical {rung} has worked {typical}.",
    "fewer": (
        "You have worked {given}; the typical {rung} has worked {typical}: you got here sooner "
        "than most."
    ),
    "more": (
        "You have worked {given}; the typical {rung} has worked {typical}. Years served do not "
        "move you up the ladder; what you own does."
    ),
}
MSG_YEARS_BESIDE = "Years are shown beside your placement; they never decide it."
MSG_BANDS_DISAGREE = (
    "{pairs} do not overlap: they come from different sources describing different "
    "employers and markets, so read each with the note beside it, not as one range."
)
MSG_BAND_PAIR = "{a} and {b}"
MSG_BAND_LABEL = "Market range for {rung} in {region}"


def title_gap_text(gap: TitleGap | None) -> str:
    """The title gap in the visitor's own words when the result has them."""
    if not gap or not gap.steps:
        return ""
    claimed, placed = gap.claimed.title, gap.placed.title
    own = gap.claimed_title
    if not own:  # results stored before the title's own words were kept
        if gap.steps > 0:
            return f"Your title says {claimed}; your answers show {placed} ownership."
        return (
            f"Your title says {claimed}, but your answers show {placed} ownership: "
            "your title is behind your work."
        )
    template = MSG_TITLE_AHEAD if gap.steps > 0 else MSG_TITLE_BEHIND
    return template.format(title=own, a=article(claimed), claimed=claimed, placed=placed)


def article(phrase: str) -> str:
    """ "a" or "an" as the phrase is said: "an ML Engineer", "a Senior ML Engineer"."""
    first = phrase.split()[0] if phrase.split() else ""
    # An initialism is read letter by letter: M is "em".
    spelled = len(first) > 1 and first[:2].isupper()
    vowel_sound = first[:1] in "AEFHILMNORSX" if spelled else first[:1].lower() in "aeiou"
    return "an" if vowel_sound else "a"


def why_text(result: Result) -> str:
    """The placement rule for this visitor in counts they can check against their answers.

    Counts are of answers, each once, as the lists on the page show them; where some
    answers count more, a second sentence gives the same by weight, which the rule uses.
    """
    numbers = result.why
    if numbers is None:
        return ""
    if numbers.answers is None or numbers.answers_here is None or numbers.answers_above is None:
        return _why_by_weight(result, numbers)  # stored before answers were counted
    rung, upcoming = result.rung, result.next_rung
    words: dict[str, Any] = {
        "here": numbers.answers_here,
        "above": numbers.answers_above,
        "total": numbers.answers,
        "needed": _count(numbers.needed),
        "rung": rung.title,
        "next": upcoming.title if upcoming else "",
    } | _agreement(numbers.answers_here, numbers.answers_above, naming=bool(result.not_counted))
    text = _why_sentence(rung, upcoming, numbers, words)
    if numbers.counted_more:
        text += _weighted_how(numbers, words)
    return text


def _agreement(here: object, above: object, *, naming: bool = False) -> dict[str, str]:
    return {
        "is_here": "is" if here in (1, "1") else "are",
        "is_above": "is" if above in (1, "1") else "are",
        "naming": MSG_NAMING if naming else "",
    }


def _why_sentence(
    rung: RungRef, upcoming: RungRef | None, numbers: Why, words: dict[str, Any]
) -> str:
    # With weights, what a rung "needs" is a weight: the next sentence says it.
    weighted = bool(numbers.counted_more)
    bottom = words["here"] >= words["total"] and rung.order == 1
    if upcoming is None:
        template = MSG_COUNTS_TOP if weighted else MSG_WHY_TOP
    elif bottom:
        template = MSG_COUNTS_BOTTOM if weighted else MSG_WHY_BOTTOM
    else:
        template = MSG_COUNTS_NEXT if weighted else MSG_WHY_NEXT
    return template.format(**words)


def _weighted_how(numbers: Why, words: dict[str, Any]) -> str:
    counted_more = numbers.counted_more
    questions = " and ".join(f"“{text}”" for text, _ in counted_more)
    weights = {float(weight) for _, weight in counted_more}
    times = {2.0: "twice", 3.0: "three times"}
    verb = "count" if len(counted_more) > 1 else "counts"
    often = times.get(next(iter(weights)), "more than once") if len(weights) == 1 else ""
    values = {
        "questions": questions,
        "counts": f"{verb} {often or 'more than once'}",
        "here_w": _count(numbers.here),
        "above_w": _count(numbers.above),
        "total_w": _count(numbers.total),
        "needed_w": _count(numbers.needed),
        "share": _count(round(float(numbers.threshold or 0) * 100)),
        "are_above": "is" if numbers.above == 1 else "are",
        "are_here": "is" if numbers.here == 1 else "are",
    }
    template = MSG_WEIGHTED_NEXT if words["next"] else MSG_WEIGHTED_HERE
    return template.format(**values, **words)


def _why_by_weight(result: Result, numbers: Why) -> str:
    rung, upcoming = result.rung, result.next_rung
    words = {
        "here": _count(numbers.here),
        "above": _count(numbers.above),
        "total": _count(numbers.total),
        "needed": _count(numbers.needed),
        "rung": rung.title,
        "next": upcoming.title if upcoming else "",
    } | _agreement(_count(numbers.here), _count(numbers.above))
    if upcoming is None:
        text = MSG_WHY_TOP.format(**words)
    elif numbers.here >= numbers.total and rung.order == 1:
        text = MSG_WHY_BOTTOM.format(**words)
    else:
        text = MSG_WHY_NEXT.format(**words)
    return text + (MSG_WEIGHTED if numbers.weighted else "")


def confidence_text(result: Result) -> str:
    """The confidence label in words that are true of this result."""
    label = result.confidence_label
    numbers = result.why
    answers = numbers.answers if numbers is not None else None
    not_counted = result.not_counted
    boundary = result.boundary
    if label in ("medium", "low") and boundary is not None and (boundary.up or boundary.down):
        if not_counted and answers is not None:
            return MSG_CONFIDENCE_BOUNDARY_NOT_COUNTED.format(
                label=label.capitalize(),
                answered=answers + len(not_counted),
                uncounted=len(not_counted),
                count="counts" if len(not_counted) == 1 else "count",
            )
        return MSG_CONFIDENCE_BOUNDARY.format(label=label.capitalize())
    if not_counted and label in ("medium", "low") and answers is not None:
        return MSG_CONFIDENCE_NOT_COUNTED.format(
            label=label.capitalize(),
            counted=answers,
            answered=answers + len(not_counted),
            uncounted=len(not_counted),
            count="counts" if len(not_counted) == 1 else "count",
        )
    if label == "high" and boundary is not None and answers is not None:
        at = sum(1 for a in result.shown_by if a.rung == result.rung.slug)
        return MSG_CONFIDENCE_HIGH.format(at=at, total=answers)
    return CONFIDENCE_WORDS.get(label, "")


MSG_PROFILE_LIMIT = "What moves you up is {dimension}: your answers there sit at {rung}."


def profile_rows(result: Result, version: Snapshot | None = None) -> list[dict[str, Any]]:
    """Per dimension, the rung its answers reach; the lowest (first of them) is what moves
    the visitor up, when it is below the next rung and below another dimension. One answer
    short of the next rung, it is the part of the profile that answer is in, so the profile
    and the boundary in the headline card name the same thing."""
    rows = [
        {"dimension": r.dimension, "rung": r.rung, "answers": r.answers} for r in result.profile
    ]
    upcoming = result.next_rung
    measured = [(i, r.rung) for i, r in enumerate(result.profile) if r.rung is not None]
    # Where every part sits on one rung, no part is what holds the visitor back.
    spread = len({rung.order for _, rung in measured}) > 1
    if not (measured and upcoming and spread):
        return rows
    dimensions = {q.key: q.dimension for q in version.questions} if version else {}
    at_boundary = (
        {dimensions.get(m.question) for m in result.boundary.up} if result.boundary else set()
    )
    edge = [
        (i, rung)
        for i, rung in measured
        if rows[i]["dimension"] in at_boundary and rung.order < upcoming.order
    ]
    lowest, rung = min(edge or measured, key=lambda pair: pair[1].order)
    if rung.order < upcoming.order:
        rows[lowest]["limiting"] = True
    return rows


def profile_limit_text(rows: Sequence[dict[str, Any]]) -> str:
    for row in rows:
        if row.get("limiting"):
            return MSG_PROFILE_LIMIT.format(dimension=row["dimension"], rung=row["rung"].title)
    return ""


def boundary_text(result: Result) -> dict[str, str]:
    """At a boundary, which single answers would move the placement (the headline card)."""
    words = {"up": "", "down": ""}
    boundary = result.boundary
    if boundary is None:
        return words
    upcoming = result.next_rung
    if boundary.up and upcoming:
        answers = "; or ".join(
            MSG_BOUNDARY_UP_ANSWER.format(option=m.to_option_text, question=m.question_text)
            for m in boundary.up
        )
        words["up"] = MSG_BOUNDARY_UP.format(next=upcoming.title, answers=answers)
    if boundary.down:
        first = boundary.down[0]
        template = MSG_BOUNDARY_DOWN if len(boundary.down) == 1 else MSG_BOUNDARY_DOWN_ANY
        words["down"] = template.format(
            question=first.question_text,
            # With weights, different answers can drop the visitor to different rungs.
            rung=first.to_rung.title
            if first.to_rung and len({m.to_rung.slug for m in boundary.down if m.to_rung}) == 1
            else MSG_LOWER_RUNG,
            count=len(boundary.down),
        )
    return words


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def years_text(years: Years | None, rung: RungRef) -> str:
    if not years:
        return ""
    low, high = years.typical
    typical = f"{low}+ years" if high is None else f"{low}–{high} years"
    given = years.option_text[:1].lower() + years.option_text[1:]
    sentence = MSG_YEARS[years.comparison].format(given=given, rung=rung.title, typical=typical)
    return f"{sentence} {MSG_YEARS_BESIDE}"


def steps_up_first(
    result: Result, version: Snapshot, profile: Sequence[dict[str, Any]]
) -> list[HeldBack]:
    """The answers below the next rung, those whose step up moves the visitor toward it
    first: an answer that alone would place them there, then answers on the placed rung
    (one rung up is the next rung; a lower answer's step up reaches only the placed
    rung), in the part of the profile that holds them back, weightier first."""
    placed = result.rung.slug
    questions = {q.key: q for q in version.questions}
    orders = {r.slug: r.order for r in version.rungs}

    def option_order(question: str, option: str) -> int:
        found = questions.get(question)
        chosen = next((o for o in found.options if o.key == option), None) if found else None
        return orders.get(chosen.rung or "", 0) if chosen else 0

    # An answer that alone would move the rung comes first only when its own step up gets
    # there: a senior's mid answer steps to senior, short of the lead answer that would move
    # them.
    targets = {a.question: a.target for a in result.held_back}
    boundary = {
        m.question
        for m in (result.boundary.up if result.boundary else ())
        if (target := targets.get(m.question)) is not None
        and orders.get(target.rung, 0) >= option_order(m.question, m.to_option)
    }
    limiting = {row["dimension"] for row in profile if row.get("limiting")}

    def key(pair: tuple[int, HeldBack]) -> tuple[bool, bool, bool, float, int]:
        index, answer = pair
        question = questions.get(answer.question)
        return (
            answer.question not in boundary,
            answer.rung != placed,
            not question or question.dimension not in limiting,
            -(question.weight if question else 1.0),
            index,
        )

    return [answer for _, answer in sorted(enumerate(result.held_back), key=key)]


def moves(result: Result, held_back: Sequence[HeldBack]) -> list[dict[str, Any]]:
    """The moves that fit these answers best: a track the visitor's answers put them on (or,
    at the top of the ladder, the parallel track) first, then the weakest answers' step up,
    then the rung's own next steps."""
    steps = result.next_steps
    chosen = [_move(s.title, s.detail, source=s.source) for s in steps if s.kind == "track"]
    if not result.next_rung:
        # On the top rung what moves you on is wider scope, fitted to the visitor's track.
        chosen += [
            _move(s.title, s.detail, source=s.source) | {"plain": "yes"}
            for s in steps
            if s.kind == "moves_you_up"
        ]
    chosen += [
        _move(
            (answer.target.option_text if answer.target else "") or answer.question_text,
            answer.advice,
            said=answer.option_text,
        )
        | {"question": answer.question}
        for answer in held_back
        if answer.advice
    ]
    chosen += [
        _move(s.title, s.detail, source=s.source) | {"step": s}
        for s in steps
        if s.kind in dict(NEXT_STEP_GROUPS)
    ]
    return chosen


def _move(title: str, detail: str, *, said: str = "", source: str = "") -> dict[str, Any]:
    return {
        "title": title,
        "lead": first_sentence(detail),  # the move itself; the whole detail folds below
        "detail": detail,
        "from": said,
        "source": source,
    }


def _lead(note: ResultNote | None) -> dict[str, Any] | None:
    """A note for the headline card: its first sentence shown, the rest folded."""
    if note is None:
        return None
    lead = first_sentence(note.body)
    return note.to_json() | {"lead": lead, "rest": note.body[len(lead) :].strip()}


def first_sentence(text: str) -> str:
    """The first sentence of a piece of advice: the move itself, for the first screen."""
    parts = sentences(text)
    return parts[0] if parts else text


def bands_apart(bands: Sequence[Band]) -> list[tuple[str, str]]:
    """The pairs of one rung's ranges (as displayed) that do not overlap at all."""
    return [
        (a.display, b.display)
        for i, a in enumerate(bands)
        for b in bands[i + 1 :]
        if a.currency == b.currency and a.period == b.period and (a.max < b.min or b.max < a.min)
    ]


def bands_disagree(bands: Sequence[Band]) -> bool:
    """Two ranges of one rung that do not overlap at all."""
    return bool(bands_apart(bands))


def bands_note(bands: Sequence[Band]) -> str:
    """Which of these ranges do not overlap, by their figures; empty when all overlap."""
    pairs = bands_apart(bands)
    if not pairs:
        return ""
    named = "; ".join(MSG_BAND_PAIR.format(a=a, b=b) for a, b in pairs)
    return MSG_BANDS_DISAGREE.format(pairs=named[:1].upper() + named[1:])


def left_out(rung: Rung | None, kind: str, shown: Sequence[Step]) -> list[str]:
    """The titles of a rung's next steps of `kind` whose only condition is skills not ticked,
    and which this result leaves out: the visitor ticked what they teach."""
    titles = {s.title for s in shown}
    steps = rung.next_steps if rung is not None else ()
    return [
        s.title
        for s in steps
        if s.kind == kind and set(s.when) == {"unticked"} and s.title not in titles
    ]


def _step_group(
    kind: str, label: str, items: Sequence[Step], said: Said, *, omitted: Sequence[str] = ()
) -> dict[str, Any]:
    """A list of next steps; what every item's detail ends with is said once, above them."""
    shared = shared_ending([s.detail for s in items])
    intro = said.new(shared)
    shown = [s.to_json() | {"detail": said.new(without_ending(s.detail, shared))} for s in items]
    # The shared sentences cite their source when every item has the same one.
    sources = {s.source for s in items}
    intro_source = next(iter(sources)) if intro and len(sources) == 1 else ""
    return {
        "kind": kind,
        "label": label,
        "intro": intro,
        "intro_source": intro_source,
        "items": shown,
        "left_out": list(omitted),
    }


def band_label(rung: RungRef, region_name: str) -> str:
    return MSG_BAND_LABEL.format(rung=rung.title, region=region_name)


def result_context(result: Result, *, version: Snapshot) -> dict[str, Any]:
    """Group a result into what the result page shows, with the snapshot it came from."""
    rung = result.rung
    next_rung = result.next_rung
    steps = result.next_steps
    salary = result.salary
    region = result.region
    gap = result.title_gap
    rungs = version.rungs
    titles = {r.slug: r.title for r in rungs}
    placed = version.rung(rung.slug)

    def labelled(answers: Sequence[Evidence]) -> list[dict[str, Any]]:
        return [a.to_json() | {"rung_title": titles.get(a.rung, "")} for a in answers]

    profile = profile_rows(result, version)
    ordered = steps_up_first(result, version, profile)
    held_back = labelled(ordered)
    shown_by = labelled(result.shown_by)
    # Every work answer is listed once: below the next rung (with its step up) or at it.
    held = {a.question for a in result.held_back}
    reached = [a for a in shown_by if a["question"] not in held]
    all_moves = moves(result, ordered)
    first_screen = all_moves[:MOVES_SHOWN]
    track_note = _lead(result.track_note)
    headline_notes = [_lead(n) for n in result.ladder_notes]
    boundary = boundary_text(result)
    headline = {
        "why_text": why_text(result),
        "title_gap_text": title_gap_text(result.title_gap),
        "confidence_text": confidence_text(result),
    }
    # The page in reading order says each sentence once (quiz.repetition).
    said = Said()
    said.mark(
        *(n["lead"] for n in filter(None, [track_note, *headline_notes])),
        *headline.values(),
        *boundary.values(),
    )
    said.mark(*(move["lead"] for move in first_screen))
    # What moves people on from the rung is the rung's own word, said in full below the
    # answers: their steps' reasons that restate it are left to it.
    moves_you_up = [s for s in steps if s.kind == "moves_you_up"] if next_rung else []
    said.reserve(*(s.detail for s in moves_you_up))
    # The headline's move is its first sentence; an answer's step says the rest with the
    # answer, any other move's rest goes with the notes below the card.
    first = first_screen[0] if first_screen else None
    move_rest = (
        said.new(first["detail"][len(first["lead"]) :])
        if first and not first.get("question")
        else ""
    )
    for note in filter(None, [track_note, *headline_notes]):
        note["rest"] = said.new(note["rest"])
    notes = [{"text": text} for n in result.notes if (text := said.new(n.text))]
    years = said.new(years_text(result.years, rung))
    pointers = {m["question"]: n for n, m in enumerate(first_screen, 1) if m.get("question")}
    for answer in held_back:
        number = pointers.get(answer["question"])
        if number:  # its step up is a move above: point there, say only what it adds
            answer["pointer"] = number
            rest = answer["advice"][len(first_sentence(answer["advice"])) :]
            answer["advice"] = said.new(rest, near=True, first_is_new=False)
        else:
            answer["advice"] = said.new(answer["advice"], near=True)
    below_top = labelled(result.below_top)
    for answer in below_top:
        answer["advice"] = said.new(answer["advice"], near=True)
    # Past the first screen, the answers' steps up are listed with the answers; only
    # without any are the other moves listed on their own.
    more_moves = (
        []
        if held_back
        else [m | {"detail": said.new(m["detail"])} for m in all_moves[MOVES_SHOWN:]]
    )
    shown_up = [s.to_json() | {"detail": said.new(s.detail)} for s in moves_you_up]
    # What keeps people on a rung is no advice at the top, where nobody is kept.
    keeps = said.new(result.keeps_you_stuck) if next_rung else ""
    # A step that is a first-screen move says all it has there (move 1's rest goes beside
    # the placement); one with more to say than its first sentence stays in its list too,
    # where what was said is left out.
    on_first_screen = [
        m["step"]
        for n, m in enumerate(first_screen)
        if "step" in m and (n == 0 or not m["detail"][len(m["lead"]) :].strip())
    ]
    groups = []
    for kind, label in NEXT_STEP_GROUPS:
        items = [s for s in steps if s.kind == kind and s not in on_first_screen]
        if items:
            omitted = left_out(placed, kind, [s for s in steps if s.kind == kind])
            groups.append(_step_group(kind, label, items, said, omitted=omitted))
    here = [b for b in salary if b.rung == rung.slug]
    upcoming = [b for b in salary if next_rung and b.rung == next_rung.slug]
    answered = set(result.context.values())
    claimed = result.claimed or (gap.claimed if gap else None)
    return {
        "result": result,
        "rung": rung,
        # The rung's id outlives a renamed slug; results from before ids were kept use the slug.
        "anchor": f"r{placed.id}" if placed and placed.id else f"rung-{rung.slug}",
        "next_rung": next_rung,
        "picture": ladder_picture(
            rungs or [rung],
            placed=rung.slug,
            claimed=claimed.slug if claimed else None,
            next_rung=next_rung.slug if next_rung else None,
        ),
        **headline,
        "boundary": boundary,
        "not_counted": result.not_counted,
        "profile": profile,
        "profile_limit": profile_limit_text(profile),
        "ladder_notes": result.ladder_notes,
        # The track the visitor's answers put them on, and what this ladder measures for
        # them, go in the headline card: a manager reads it before any rung advice.
        "track_note": track_note,
        "headline_notes": headline_notes,
        "headline_more": bool(move_rest)
        or any(n["rest"] for n in filter(None, [track_note, *headline_notes])),
        "move_rest": move_rest,
        "moves": first_screen,
        "more_moves": more_moves,
        "shown_by": shown_by,
        "reached": reached,
        "below_top": below_top,
        "below_top_steps": bool(below_top) and all(a["target"] for a in below_top),
        "held_back": held_back,
        "keeps_you_stuck": keeps,
        # On the top rung it is the first move already.
        "moves_you_up": shown_up,
        "step_groups": groups,
        "skills_unticked": result.skills_to_build,
        "skills_not_asked": result.next_rung_skills,
        "years_text": years,
        "notes": notes,
        "region": region,
        "region_name": region_name(region) if region else "",
        "salary_here": here,
        "salary_next": upcoming,
        "bands_note_here": bands_note(here),
        "bands_note_next": bands_note(upcoming),
        "band_label_here": band_label(rung, region_name(region)) if region else "",
        "band_label_next": band_label(next_rung, region_name(region))
        if region and next_rung
        else "",
        "matching_contexts": answered,
        "footnotes": Footnotes(source.to_json() for source in version.sources),
    }
