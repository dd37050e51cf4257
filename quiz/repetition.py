"""Saying each sentence once on a page.

Result text comes from many places in the content (a rung's texts, each answer's
advice, notes, next steps), and editors write them one at a time: the same seed
sentence often closes two answers' advice, or every certificate's detail. A page
reads each such sentence the first time it comes, and later blocks keep only
what they add. Plain functions over strings; exact sentences only, so nothing is
ever cut out of the middle of one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A sentence ends at . ! or ? followed by a space and what starts a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text.strip()) if part]


def _key(sentence: str) -> str:
    return " ".join(sentence.lower().split()).rstrip(".!? ")


class Said:
    """The sentences a page has said so far, in the order it says them."""

    def __init__(self) -> None:
        self._said: set[str] = set()

    def mark(self, *texts: str) -> None:
        for text in texts:
            self._said.update(_key(s) for s in sentences(text))

    def said(self, sentence: str) -> bool:
        return _key(sentence) in self._said

    def new(self, text: str) -> str:
        """The text without the sentences already said; what is left is now said too."""
        kept = []
        for sentence in sentences(text):
            key = _key(sentence)
            if key not in self._said:
                self._said.add(key)
                kept.append(sentence)
        return " ".join(kept)


def shared_ending(texts: Sequence[str]) -> str:
    """The closing sentences every one of these texts (two or more) ends with, so a list
    can say them once above its items; empty when they share none or one would be left
    with nothing else."""
    if len(texts) < 2:
        return ""
    split = [sentences(t) for t in texts]
    shortest = min(len(s) for s in split)
    n = 0
    while n < shortest - 1 and len({_key(s[-1 - n]) for s in split}) == 1:
        n += 1
    return " ".join(split[0][len(split[0]) - n :]) if n else ""


def without_ending(text: str, ending: str) -> str:
    parts = sentences(text)
    cut = len(sentences(ending)) if ending else 0
    return " ".join(parts[: len(parts) - cut]) if cut else text
