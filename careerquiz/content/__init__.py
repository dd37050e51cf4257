"""Content import/export in the `careerquiz/1` format (see DESIGN.md and the README).

    data = load_file(path)          # JSON (or YAML); ContentInvalid if malformed
    errors = validate(data)         # every problem, each named by its field path
    report = import_content(data)   # validate, then one transaction; idempotent
    data = export_content()         # everything, or ladders=[...] / quizzes=[...]
    text = dumps(data)              # indent 2, UTF-8 as is, trailing newline

Fields the format adds to DESIGN.md's example are all optional on import:
ladder `sources` and `notes`, rung `titles`, a `source` on every rung item
(a responsibility may also be a bare string), a salary band's `note`, and an
option's `skill` (skills questions) or `note` (context questions). An absent
optional field means its default (empty text, empty list, `years_max` null),
because the file is authoritative for what it contains; an absent `published`
leaves the quiz's publication as it is.
"""

from __future__ import annotations

from pathlib import Path

from careerquiz.content.errors import ContentError, ContentInvalid
from careerquiz.content.exporter import export_content
from careerquiz.content.files import dumps, load_file, loads
from careerquiz.content.importer import ImportReport, import_content
from careerquiz.content.schema import FORMAT
from careerquiz.content.validation import validate

# The default ML Engineer ladder and quiz, shipped beside the code that reads it.
SHIPPED_CONTENT: Path = Path(__file__).resolve().parent / "ml-engineer.json"

__all__ = [
    "FORMAT",
    "SHIPPED_CONTENT",
    "ContentError",
    "ContentInvalid",
    "ImportReport",
    "dumps",
    "export_content",
    "import_content",
    "load_file",
    "loads",
    "validate",
]
