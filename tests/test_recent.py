"""Values kept a second per process (careerquiz.web.recent): what is kept, and what is not."""

from __future__ import annotations

import pytest

from careerquiz.web import recent
from careerquiz.web.recent import Recent


@pytest.fixture
def now(monkeypatch) -> list[float]:
    moment = [100.0]
    monkeypatch.setattr(recent, "clock", lambda: moment[0])
    return moment


def counting(values: list[str]):
    loads: list[str] = []

    def load() -> str:
        loads.append(values[len(loads)])
        return loads[-1]

    return load, loads


def test_a_value_is_kept_for_its_seconds_then_loaded_again(now):
    kept = Recent[str, str](seconds=1.0)
    load, loads = counting(["old", "new"])

    assert kept.get("quiz", load) == "old"
    now[0] += 0.9
    assert kept.get("quiz", load) == "old"
    now[0] += 0.2
    assert kept.get("quiz", load) == "new"
    assert loads == ["old", "new"]


def test_forgetting_loads_every_value_again_at_once(now):
    kept = Recent[str, str]()
    load, loads = counting(["old", "new"])
    kept.get("quiz", load)

    kept.forget()

    assert kept.get("quiz", load) == "new"
    assert loads == ["old", "new"]


def test_a_value_loaded_while_another_thread_forgot_is_not_kept(now):
    """Thread A reads the old row; thread B saves the change and forgets; A must not keep
    its old value for a second in the process that made the change."""
    kept = Recent[str, str]()
    loads: list[str] = []

    def load_across_a_change() -> str:
        loads.append("old")
        kept.forget()  # another thread saved meanwhile
        return "old"

    assert kept.get("partner", load_across_a_change) == "old"  # returned, as read
    assert kept.get("partner", lambda: "new") == "new"  # but not kept
    assert kept.get("partner", lambda: "never asked") == "new"
    assert loads == ["old"]
