"""Reading a rendered result as a person would: which sentences it says more than once."""

from __future__ import annotations

import re
from html import unescape

from quiz.repetition import sentences

# What a page may repeat: the visitor's own answers (two questions can share an option's
# words), each pay band's note about its source, the list of sources, the picture, and
# the fold headings (which name rungs the card names).
REPEATABLE = re.compile(
    r'<p class="(?:q|a|up)">.*?</p>|<li class="band.*?</li>|<figure.*?</figure>'
    r'|<section class="footnotes".*?</section>|<summary.*?</summary>',
    re.S,
)


def said_twice(html: str) -> list[str]:
    """The sentences of advice, notes or explanation in a result's HTML said again after
    their first time; short fragments (under 20 characters) are not counted."""
    start = html.find("<article")
    article = html[start : html.index("</article>", start)] if start >= 0 else html
    article = REPEATABLE.sub(" ", unescape(article))
    blocks = re.sub(r"</?(?:p|li|h\d|dt|dd|div)[^>]*>", "\n", article)
    text = re.sub(r"<[^>]+>|\s\d+(?=\s|$)", " ", blocks)  # tags and footnote numbers
    seen: set[str] = set()
    again = []
    for line in text.splitlines():
        for sentence in sentences(" ".join(line.split())):
            key = sentence.lower().rstrip(".!? ")
            if len(key) < 20:
                continue
            if key in seen:
                again.append(sentence)
            seen.add(key)
    return again
