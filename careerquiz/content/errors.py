"""What a bad content file is reported as: one error per wrong field, named by its path."""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "$"


@dataclass(frozen=True)
class ContentError:
    """One problem in a content file.

    `path` names the field the way an editor finds it in the file, e.g.
    `ladders[0].rungs[2].salary_bands[0].max`; `$` is the file as a whole.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ContentInvalid(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def field_path(parent: str, name: str) -> str:
    return name if parent == ROOT else f"{parent}.{name}"


def item_path(parent: str, index: int) -> str:
    return f"{parent}[{index}]"
