"""Migrations are history: a released migration never changes, imports no live application code, and the SQL
the append-only and disposal migrations run is byte for byte what the code of their day generated."""

from __future__ import annotations

import ast
import hashlib
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

ROOT: Path = settings.BASE_DIR
RELEASES = tomllib.loads((ROOT / "releases.toml").read_text(encoding="utf-8"))["release"]
PROJECT_APPS = ("accounts", "audit", "background", "decisions", "exports", "housekeeping", "oversight", "retention")
PROJECT_PACKAGES = {*PROJECT_APPS, "sharing_app", "bench", "tests"}

# SHA-256 of the SQL (as JSON: vendor -> direction -> statements) that each migration's RunPython operations
# execute, recorded from audit/append_only.py and retention/db.py as they were at 0.2.0, before 1.0.0 wrote the
# statements out in the migrations themselves.
PINNED_SQL = {
    "audit/0002": "2639e58c24c0a7dd3d1aac81c23d284a53c54f1a66d1ca7cc588bc3302f4c874",
    "audit/0003": "2747cec668ec891a12363bf9860e909dae2d8a6da5ac7b69560d932c363b191f",
    "audit/0004": "6da035036cf52403560fa90f1adbb4d6021bc1df8f1998c4bf28afaf0c7d0519",
    "decisions/0002": "40409f3df269af9f128a3b96d251f81baa25618a68626f327d4a9b513f1aba98",
    "decisions/0003": "0d4a37e663dfad598f88f5c87d58cd403499ebfabf9086283a5226dd8b734a35",
    "decisions/0007": "0d4a37e663dfad598f88f5c87d58cd403499ebfabf9086283a5226dd8b734a35",
    "decisions/0008": "0d4a37e663dfad598f88f5c87d58cd403499ebfabf9086283a5226dd8b734a35",
    "decisions/0009": "7d2ca19ea49de81392f3d6b007e01a97446d75a76446cc4ad81d384d7a2663b7",
    "oversight/0002": "dcbad86af6c81fe6685d89ed8a59803d0b410a955d1613d19960761085493956",
    "retention/0001": "e00cad12a89de0ce89c479e1787211f2003afc9864bdda7a848073c7f49d202e",
}


def migration_files() -> dict[str, Path]:
    return {
        f"{app}/{path.name}": path
        for app in PROJECT_APPS
        for path in sorted((ROOT / app / "migrations").glob("[0-9]*.py"))
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Connection:
    def __init__(self, vendor: str) -> None:
        self.vendor = vendor


class RecordingEditor:
    """Stands in for a schema editor: records what a migration function executes."""

    def __init__(self, vendor: str) -> None:
        self.connection = _Connection(vendor)
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = None) -> None:
        self.statements.append(sql)


def executed_sql(migration: Any) -> dict[str, dict[str, list[list[str]]]]:
    """vendor -> direction -> the statements of each SQL-only RunPython operation, in order."""
    recorded: dict[str, dict[str, list[list[str]]]] = {}
    for vendor in ("sqlite", "postgresql"):
        for direction in ("forwards", "backwards"):
            runs = []
            for operation in migration.operations:
                if not isinstance(operation, migrations.RunPython):
                    continue
                code = operation.code if direction == "forwards" else operation.reverse_code
                if code is None or code is migrations.RunPython.noop:
                    continue
                editor = RecordingEditor(vendor)
                try:
                    code(None, editor)
                except AttributeError:
                    continue  # a data migration: it asks `apps` for models, which this stand-in does not give
                runs.append(editor.statements)
            recorded.setdefault(vendor, {})[direction] = runs
    return recorded


def sql_digest(migration: Any) -> str:
    return hashlib.sha256(json.dumps(executed_sql(migration), sort_keys=True).encode()).hexdigest()


def test_every_released_migration_is_unchanged() -> None:
    on_disk = migration_files()
    changed = {}
    for release in RELEASES:
        for name, digest in release["migrations"].items():
            path = on_disk.get(name)
            if path is None:
                changed[name] = f"missing (released in {release['version']})"
            elif sha256(path) != digest:
                changed[name] = f"changed since {release['version']}: add a new migration instead"
    assert changed == {}


def test_releases_are_in_order_and_name_each_migration_once() -> None:
    versions = [tuple(int(n) for n in r["version"].split(".")) for r in RELEASES]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    names = [name for release in RELEASES for name in release["migrations"]]
    assert len(names) == len(set(names))
    for release in RELEASES[:-1]:
        assert len(release["commit"]) == 40, f"{release['version']} names the full commit it was made from"


def test_no_migration_imports_application_code() -> None:
    offenders = {}
    for name, path in migration_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = ["." if node.level else (node.module or "")]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if module == "." or top in PROJECT_PACKAGES or top not in {"django", *sys.stdlib_module_names}:
                    offenders.setdefault(name, []).append(module)
    assert offenders == {}


def migration_numbered(app: str, number: str) -> Any:
    loaded = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    (migration,) = [m for (a, name), m in loaded.items() if a == app and name.startswith(f"{number}_")]
    return migration


@pytest.mark.parametrize("name", sorted(PINNED_SQL))
def test_the_sql_a_migration_runs_is_byte_for_byte_as_generated_then(name: str) -> None:
    assert sql_digest(migration_numbered(*name.split("/"))) == PINNED_SQL[name]


def test_the_sql_check_sees_a_changed_statement() -> None:
    migration = migration_numbered("audit", "0002")
    before = sql_digest(migration)
    statements = migration.operations[0].code.__closure__[0].cell_contents  # the `by_vendor` of _statements
    original = statements["sqlite"][0]
    statements["sqlite"][0] = original.replace("BEFORE UPDATE", "AFTER UPDATE")
    try:
        assert sql_digest(migration) != before
    finally:
        statements["sqlite"][0] = original


def test_this_version_is_a_release_with_notes() -> None:
    from sharing_app.version import VERSION

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert VERSION in [release["version"] for release in RELEASES]
    for release in RELEASES:
        assert f"## [{release['version']}] – {release['date']}" in changelog, release["version"]
