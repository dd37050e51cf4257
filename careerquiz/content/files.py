"""Reading and writing content files: JSON always, YAML when PyYAML is installed.

A file that cannot be read or parsed is reported like any other bad content,
as a `ContentError` at `$` (the whole file), with the line and column.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from careerquiz.content.errors import ROOT, ContentError, ContentInvalid, field_path, item_path
from careerquiz.content.schema import MSG_OBJECT

MSG_UNREADABLE = "cannot read {name}: {error}"
MSG_BAD_JSON = "not valid JSON: {error} (line {line}, column {column})"
MSG_BAD_YAML = "not valid YAML: {error} (line {line}, column {column})"
MSG_BAD_VALUE = "not valid {kind}: a value cannot be read ({error})"
MSG_NO_YAML = "YAML files need PyYAML, which is not installed; use JSON"
MSG_DUPLICATE_KEY = "an object has the key {key!r} twice"
MSG_TOO_BIG = "the file is {size:,} bytes; the most an import takes is {limit:,}"
MSG_TOO_DEEP = "nested more than {depth} levels deep; a content file needs far fewer"
MSG_NUL = "contains a NUL character (\\u0000), which no text field can store"
MSG_SURROGATE = "contains a lone surrogate (e.g. \\ud800 without its pair), which is no character"
MSG_TOO_LONG = "is {length:,} characters long; the most any text field takes is {limit:,}"
MSG_YAML_ALIAS = (
    "uses a YAML alias (*name), which content files may not: write the value out in full"
)
MSG_TOO_MANY_NODES = "has more than {limit:,} values; a content file needs far fewer"
MSG_TOO_SLOW = "took more than {seconds:g} s to read; a content file reads in well under one"

# Far beyond any real ladder (the shipped one is 85 KB, its longest text 555
# characters), and small enough that a bad file cannot exhaust the server.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 20_000
MAX_DEPTH = 20
# The shipped ladder is about 6,000 values; reading it takes a few hundred ms.
MAX_NODES = 500_000
MAX_PARSE_SECONDS = 10.0

YAML_SUFFIXES = (".yaml", ".yml")


def load_file(path: str | Path) -> dict[str, Any]:
    """Parse a content file. Raises ContentInvalid if it is unreadable or malformed."""
    path = Path(path)
    try:
        if path.is_file() and (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise _invalid(MSG_TOO_BIG.format(size=size, limit=MAX_FILE_BYTES))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _invalid(MSG_UNREADABLE.format(name=path, error=reason)) from exc
    return loads(text, yaml=path.suffix.lower() in YAML_SUFFIXES)


def loads(text: str, *, yaml: bool = False) -> dict[str, Any]:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise _invalid(MSG_TOO_BIG.format(size=size, limit=MAX_FILE_BYTES))
    data = _parse_yaml(text) if yaml else _parse_json(text)
    if not isinstance(data, dict):
        raise _invalid(MSG_OBJECT)
    problems = list(_unsafe_text(data, ROOT, 0))
    if problems:
        raise ContentInvalid(problems)
    return data


def _unsafe_text(value: Any, path: str, depth: int) -> Iterator[ContentError]:
    """Strings no database column should get, anywhere in the file, keys included."""
    if depth > MAX_DEPTH:
        yield ContentError(path, MSG_TOO_DEEP.format(depth=MAX_DEPTH))
    elif isinstance(value, str):
        yield from _text_problems(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            printable = str(key).encode("utf-8", "backslashreplace").decode()
            key_path = field_path(path, printable.replace("\x00", "\\u0000"))
            yield from _text_problems(str(key), key_path)
            yield from _unsafe_text(item, key_path, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unsafe_text(item, item_path(path, index), depth + 1)


def _text_problems(text: str, path: str) -> Iterator[ContentError]:
    if "\x00" in text:
        yield ContentError(path, MSG_NUL)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        yield ContentError(path, MSG_SURROGATE)
    if len(text) > MAX_TEXT_CHARS:
        yield ContentError(path, MSG_TOO_LONG.format(length=len(text), limit=MAX_TEXT_CHARS))


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
    except RecursionError as exc:
        raise _invalid(MSG_TOO_DEEP.format(depth=MAX_DEPTH)) from exc
    except json.JSONDecodeError as exc:
        message = MSG_BAD_JSON.format(error=exc.msg, line=exc.lineno, column=exc.colno)
        raise _invalid(message) from exc
    except _DuplicateKey as exc:
        raise _invalid(MSG_DUPLICATE_KEY.format(key=exc.args[0])) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise _unreadable_value("JSON", exc) from exc


def _parse_yaml(text: str) -> Any:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - PyYAML comes with drf-spectacular
        raise _invalid(MSG_NO_YAML) from exc
    try:
        loader = _bounded_loader(yaml)(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _TooMuch as exc:
        raise _invalid(str(exc)) from exc
    except RecursionError as exc:
        raise _invalid(MSG_TOO_DEEP.format(depth=MAX_DEPTH)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else ("?", "?")
        problem = getattr(exc, "problem", None) or str(exc)
        raise _invalid(MSG_BAD_YAML.format(error=problem, line=line, column=column)) from exc
    except ValueError as exc:  # e.g. a huge integer, or a date like 2024-13-45
        raise _unreadable_value("YAML", exc) from exc


class _TooMuch(Exception):
    pass


def _bounded_loader(yaml: Any) -> Any:
    """PyYAML's safe loader with no aliases, a cap on values and a deadline.

    An alias repeats a value by reference; nested aliases expand exponentially
    ("billion laughs"): 533 bytes once kept a worker at 100% CPU for minutes, far
    past any request timeout. Content files never need one. The value cap and the
    deadline bound what is left (a large flat file) while the text is read.
    """

    class BoundedLoader(yaml.SafeLoader):  # type: ignore[misc]  # a module passed in
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.nodes = 0
            self.deadline = time.monotonic() + MAX_PARSE_SECONDS

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, MSG_YAML_ALIAS, event.start_mark)
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _TooMuch(MSG_TOO_MANY_NODES.format(limit=MAX_NODES))
            if self.nodes % 1000 == 0 and time.monotonic() > self.deadline:
                raise _TooMuch(MSG_TOO_SLOW.format(seconds=MAX_PARSE_SECONDS))
            return super().compose_node(parent, index)

    return BoundedLoader


def _unreadable_value(kind: str, exc: ValueError) -> ContentInvalid:
    # Python's own wording, up to its advice to programmers ("; use sys.set_int_…").
    error = str(exc).split(";")[0]
    return _invalid(MSG_BAD_VALUE.format(kind=kind, error=error))


def _invalid(message: str) -> ContentInvalid:
    return ContentInvalid([ContentError(ROOT, message)])
