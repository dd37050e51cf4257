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
