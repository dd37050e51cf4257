from quiz.attempts import place_and_record
from tests.factories import answers_at, live_version


def test_quiz_factory_places_through_the_engine(quiz):
    attempt = place_and_record(live_version(quiz), answers_at(quiz, "senior"), region="IN")
    assert attempt.rung_slug == "senior"
    assert attempt.result["next_rung"]["slug"] == "lead"
    assert [b["rung"] for b in attempt.result["salary"]] == ["senior", "lead"]
