"""The apps' imports flow one way, as the README's Layout section draws them.

careerquiz.web ← ladder ← quiz ← careerquiz.partners ← careerquiz.analytics ← careerquiz.api ←
careerquiz (content, commands, urls): a module may import its own layer and the layers below it,
never one above. The schema follows the same rule: a model's relations (a string
"app.Model" reference included, which no import shows) and a migration's dependencies
and related models point to its own layer or below.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddField, AlterField, CreateModel
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.special import SeparateDatabaseAndState
from django.db.models.base import ModelBase

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (
    "careerquiz.web",
    "ladder",
    "quiz",
    "careerquiz.partners",
    "careerquiz.analytics",
    "careerquiz.api",
    "careerquiz",
)


def layer(module: str) -> int | None:
    """The index in LAYERS of the package `module` belongs to; None for third-party code."""
    matches = [
        i for i, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")
    ]
    # The most specific package wins: careerquiz.partners.x is partners', not careerquiz's.
    return max(matches, key=lambda i: len(LAYERS[i])) if matches else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # The full name of what is imported: `from careerquiz import views` is
            # careerquiz.views (top layer), `from careerquiz.partners import x` is partners'.
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


SOURCES = sorted(
    path
    for package in ("ladder", "quiz", "careerquiz")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


@pytest.mark.parametrize("path", SOURCES, ids=[module_name(p) for p in SOURCES])
def test_imports_flow_one_way(path):
    own = layer(module_name(path))
    assert own is not None
    upward = [name for name in imports(path) if (layer(name) or 0) > own]
    assert upward == [], f"{module_name(path)} imports from a layer above it"


def test_the_layers_match_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert " ← ".join(LAYERS) in readme


# --- The schema: relations between models, and migrations ---------------------------------


def app_layer(label: str) -> int | None:
    """The layer of the app with this label (None for Django's and third parties')."""
    return layer(apps.get_app_config(label).name) if label in apps.app_configs else None


def upward_relations() -> list[str]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        own = layer(model.__module__)
        for field in model._meta.get_fields(include_hidden=True):
            target = getattr(field, "related_model", None)
            if own is None or field.auto_created or not isinstance(target, ModelBase):
                continue
            if (layer(target.__module__) or 0) > own:
                found.append(f"{model._meta.label}.{field.name} → {target.__qualname__}")
    return found


def test_models_relate_only_to_their_layer_and_below():
    # A ForeignKey("partners.Partner") in quiz imports nothing, yet ties quiz's tables
    # and migrations to the app above it.
    assert upward_relations() == []


def _operations(operations: Sequence[Operation]) -> list[Operation]:
    flat: list[Operation] = []
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            flat += _operations([*operation.state_operations, *operation.database_operations])
        else:
            flat.append(operation)
    return flat


def _related_labels(operation: Operation) -> list[str]:
    """The app labels of the models `operation`'s fields relate to."""
    if isinstance(operation, CreateModel):
        fields = [field for _, field in operation.fields]
    elif isinstance(operation, AddField | AlterField):
        fields = [operation.field]
    else:
        return []
    labels = []
    for field in fields:
        target: object = field.remote_field.model if field.remote_field else None
        if isinstance(target, str) and "." in target:
            labels.append(target.split(".")[0])
    return labels


def upward_in_migration(app: str, name: str, loader: MigrationLoader) -> list[str]:
    migration = loader.disk_migrations[app, name]
    own = app_layer(app)
    assert own is not None
    named = [label for label, _ in migration.dependencies]
    for operation in _operations(migration.operations):
        named += _related_labels(operation)
    return sorted({label for label in named if (app_layer(label) or 0) > own})


def our_migrations(loader: MigrationLoader) -> list[tuple[str, str]]:
    return sorted(key for key in loader.disk_migrations if app_layer(key[0]) is not None)


def test_migrations_depend_only_on_their_layer_and_below():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    upward = {
        f"{app}.{name} → {', '.join(labels)}"
        for app, name in our_migrations(loader)
        if (labels := upward_in_migration(app, name, loader))
    }
    assert upward == set()
