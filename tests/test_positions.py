"""One rule for every ordered list: a row given a number takes that place, the others shift."""

from __future__ import annotations

import pytest

from ladder.positions import Placed, settle


def order_after(numbers: dict[str, int]) -> list[str]:
    return sorted(numbers, key=numbers.__getitem__)


def four(**wants: int) -> list[Placed[str]]:
    return [Placed(key=key, was=n, wants=wants.get(key)) for n, key in enumerate("abcd", 1)]


@pytest.mark.parametrize(
    ("wants", "order"),
    [
        ({}, "abcd"),
        ({"d": 2}, "adbc"),  # moving up: it takes the place, the others move down one
        ({"a": 3}, "bcad"),  # moving down: it takes the place, the ones it passes move up
        ({"d": 1}, "dabc"),
        ({"a": 4}, "bcda"),
        ({"a": 99}, "bcda"),  # past the end: last
        ({"b": 1, "a": 2}, "bacd"),  # a swap, as the drag script sends it
        ({"a": 2, "b": 3, "c": 4, "d": 1}, "dabc"),  # every row renumbered in page order
    ],
)
def test_a_row_given_a_number_lands_on_it_and_the_others_shift(wants, order):
    numbers = settle(four(**wants))
    assert "".join(order_after(numbers)) == order
    assert sorted(numbers.values()) == [1, 2, 3, 4], "no ties, no gaps"
    for key, number in wants.items():
        assert number > 4 or numbers[key] == number


def test_numbers_start_from_the_lowest_in_use():
    imported = [Placed(key=key, was=n) for n, key in enumerate("abc")]  # 0, 1, 2
    moved = settle([*imported[:2], Placed(key="c", was=2, wants=1)])
    assert moved == {"a": 0, "c": 1, "b": 2}


def test_gaps_close_and_a_number_between_two_goes_between():
    rows = [Placed(key="a", was=10), Placed(key="b", was=20), Placed(key="c", was=30, wants=15)]
    assert settle(rows) == {"a": 10, "c": 11, "b": 12}


def test_rows_already_tied_are_untied_in_their_current_order():
    rows = [Placed(key="a", was=0), Placed(key="b", was=0), Placed(key="c", was=0)]
    assert settle(rows) == {"a": 0, "b": 1, "c": 2}


def test_a_new_row_goes_where_asked_or_last():
    rows = [*four(), Placed(key="new", was=None, wants=2)]
    assert order_after(settle(rows)) == ["a", "new", "b", "c", "d"]
    unplaced = [*four(), Placed(key="new", was=None)]
    assert settle(unplaced)["new"] == 5
    assert settle([Placed(key="only", was=None)]) == {"only": 1}
