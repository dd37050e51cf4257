"""Citing sources on a page: numbered footnotes with readable titles, in order of first use.

Items keep their source's key (the file name a fact came from); pages show a
small number beside the item and, once, a list of the titles those numbers
stand for. A key without a known title is listed under the key itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Footnote:
    number: int
    key: str
    title: str
    url: str


class Footnotes:
    """The sources one page cites; `number(key)` gives a key its number on first use."""

    def __init__(self, sources: Iterable[Mapping[str, str]]) -> None:
        self._known = {s["key"]: (s.get("title") or s["key"], s.get("url", "")) for s in sources}
        self._cited: list[str] = []

    def number(self, key: str) -> int:
        if key not in self._cited:
            self._cited.append(key)
        return self._cited.index(key) + 1

    @property
    def cited(self) -> list[Footnote]:
        notes = []
        for number, key in enumerate(self._cited, start=1):
            title, url = self._known.get(key, (key, ""))
            notes.append(Footnote(number=number, key=key, title=title, url=url))
        return notes
