"""Reading and writing content files: JSON always, YAML when PyYAML is installed.

A file that cannot be read or parsed is reported like any other bad content,
as a `ContentError` at `$` (the whole file), with the line and column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from careerquiz.content.errors import ROOT, ContentError, ContentInvalid
from careerquiz.content.schema import MSG_OBJECT

MSG_UNREADABLE = "cannot read {name}: {error}"
MSG_BAD_JSON = "not valid JSON: {error} (line {line}, column {column})"
MSG_BAD_YAML = "not valid YAML: {error} (line {line}, column {column})"
MSG_NO_YAML = "YAML files need PyYAML, which is not installed; use JSON"
MSG_DUPLICATE_KEY = "an object has the key {key!r} twice"

YAML_SUFFIXES = (".yaml", ".yml")


def load_file(path: str | Path) -> dict[str, Any]:
    """Parse a content file. Raises ContentInvalid if it is unreadable or malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _invalid(MSG_UNREADABLE.format(name=path, error=reason)) from exc
    return loads(text, yaml=path.suffix.lower() in YAML_SUFFIXES)


def loads(text: str, *, yaml: bool = False) -> dict[str, Any]:
    data = _parse_yaml(text) if yaml else _parse_json(text)
    if not isinstance(data, dict):
        raise _invalid(MSG_OBJECT)
    return data


def dumps(data: dict[str, Any]) -> str:
    """The one way content is written, so exports diff cleanly in version control."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads silently keeps the last of two equal keys; an editor who pasted
    # a field twice should hear about it rather than lose the first value.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        message = MSG_BAD_JSON.format(error=exc.msg, line=exc.lineno, column=exc.colno)
        raise _invalid(message) from exc
    except _DuplicateKey as exc:
        raise _invalid(MSG_DUPLICATE_KEY.format(key=exc.args[0])) from exc


def _parse_yaml(text: str) -> Any:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - PyYAML comes with drf-spectacular
        raise _invalid(MSG_NO_YAML) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else ("?", "?")
        problem = getattr(exc, "problem", None) or str(exc)
        raise _invalid(MSG_BAD_YAML.format(error=problem, line=line, column=column)) from exc


def _invalid(message: str) -> ContentInvalid:
    return ContentInvalid([ContentError(ROOT, message)])
