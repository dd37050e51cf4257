"""Saying each sentence once on a page.

Result text comes from many places in the content (a rung's texts, each answer's
advice, notes, next steps), and editors write them one at a time: the same seed
sentence often closes two answers' advice, or every certificate's detail. A page
reads each such sentence the first time it comes, and later blocks keep only
what they add. Plain functions over strings; whole sentences only, so nothing is
ever cut out of the middle of one. A sentence that only restates, in other words,
one said before (a run of NEAR_WORDS words in common) is dropped where the text it
closes is a reason, not the point: an answer's advice after its first sentence.
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


# Two sentences sharing a run of this many words make one point twice in other words
# (an answer's "why" restating the rung's own text).
NEAR_WORDS = 8
WORD = re.compile(r"[a-z0-9']+")


def _runs(sentence: str) -> set[tuple[str, ...]]:
    words = WORD.findall(sentence.lower())
    return {tuple(words[i : i + NEAR_WORDS]) for i in range(len(words) - NEAR_WORDS + 1)}


class Said:
    """The sentences a page has said so far, in the order it says them."""

    def __init__(self) -> None:
        self._said: set[str] = set()
        self._runs: set[tuple[str, ...]] = set()

    def _add(self, sentence: str) -> None:
        self._said.add(_key(sentence))
        self._runs |= _runs(sentence)

    def mark(self, *texts: str) -> None:
        for text in texts:
            for sentence in sentences(text):
                self._add(sentence)

    def reserve(self, *texts: str) -> None:
        """Texts the page says further down, in full: a reason said earlier in other
        words (`new(..., near=True)`) is left to them."""
        for text in texts:
            for sentence in sentences(text):
                self._runs |= _runs(sentence)

    def said(self, sentence: str) -> bool:
        return _key(sentence) in self._said

    def new(self, text: str, *, near: bool = False, first_is_new: bool = True) -> str:
        """The text without the sentences already said; what is left is now said too.

        With `near`, a sentence that shares a run of NEAR_WORDS words with one already
        said goes too, except the text's first (its point, kept unless said exactly);
        `first_is_new=False` for a text whose first sentence was cut off already.
        """
        kept = []
        for index, sentence in enumerate(sentences(text)):
            if _key(sentence) in self._said:
                continue
            if near and (index or not first_is_new) and _runs(sentence) & self._runs:
                continue
            self._add(sentence)
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
