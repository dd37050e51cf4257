"""A page says each sentence once (quiz.repetition)."""

from quiz.repetition import Said, sentences, shared_ending, without_ending


def test_sentences_split_at_sentence_ends_only():
    text = (
        "Ask for a problem (such as 'our model is stale'). Then own it: plan, ship, measure! Why?"
    )
    assert sentences(text) == [
        "Ask for a problem (such as 'our model is stale').",
        "Then own it: plan, ship, measure!",
        "Why?",
    ]
    assert sentences("Version 2.5 of it. Done") == ["Version 2.5 of it.", "Done"]
    assert sentences("") == []


def test_a_later_block_keeps_only_the_sentences_not_yet_said():
    said = Said()
    said.mark("Own a problem end to end. Having it work is the signal.")
    assert said.new("Ask for a vague problem. Having it WORK  is the signal") == (
        "Ask for a vague problem."
    )
    # What a block says is said from then on.
    assert said.new("Ask for a vague problem. Measure it.") == "Measure it."
    assert said.said("measure it")
    assert said.new("Own a problem end to end.") == ""


def test_the_ending_every_item_shares_is_found_once():
    details = [
        "Rated foundational. A certificate will not move you up. Owning one is the signal.",
        "Called practical. A certificate will not move you up. Owning one is the signal.",
        "Relevant to LLM roles. A certificate will not move you up. Owning one is the signal.",
    ]
    ending = shared_ending(details)
    assert ending == "A certificate will not move you up. Owning one is the signal."
    assert [without_ending(d, ending) for d in details] == [
        "Rated foundational.",
        "Called practical.",
        "Relevant to LLM roles.",
    ]


def test_no_ending_is_shared_when_an_item_would_be_left_empty_or_they_differ():
    assert shared_ending(["Same.", "Other. Same."]) == ""  # "Same." would be left with nothing
    assert shared_ending(["One. End.", "Two. Other end."]) == ""
    assert shared_ending(["Only one. End."]) == ""
    assert without_ending("Keep this.", "") == "Keep this."


RUNG_TEXT = (
    "Build a track record of good decisions under uncertainty: be right about the hard calls "
    "often enough that people stop double-checking you."
)


def test_a_reason_restating_what_was_said_in_other_words_is_dropped_but_never_the_point():
    said = Said()
    said.mark(RUNG_TEXT)
    advice = (
        "Keep a record of the calls you make on risky work. "
        "You get to senior by being right about hard calls often enough that people stop "
        "double-checking you. Ask to take the next one with less review."
    )
    # The middle sentence shares eight words in a row with the rung's text: it goes.
    assert said.new(advice, near=True) == (
        "Keep a record of the calls you make on risky work. "
        "Ask to take the next one with less review."
    )
    # The first sentence is the advice's point: kept, unless said word for word.
    point = "Be right about the hard calls often enough that people stop double-checking you."
    assert said.new(point, near=True) == point
    # ...unless it was cut off already and what is passed is the rest.
    assert said.new(point.replace("Be", "So be"), near=True, first_is_new=False) == ""
    # Without `near`, only exact sentences count.
    assert said.new("Be right about the hard calls often enough that people stop doubting.") != ""


def test_text_said_further_down_takes_the_earlier_restatement_from_a_reason():
    said = Said()
    said.reserve(RUNG_TEXT)
    advice = (
        "Review your colleagues' risky plans. It works by being right about the hard calls "
        "often enough that people stop double-checking you."
    )
    assert said.new(advice, near=True) == "Review your colleagues' risky plans."
    # The reserved text itself is still new when its turn comes: nothing of it was said.
    assert said.new(RUNG_TEXT) == RUNG_TEXT
