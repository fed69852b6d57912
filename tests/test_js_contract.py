"""One contract between Python and JS (docs/design.md, "The contract with JS"): what the
commands take and return is declared once, by the Python types (migration/options.py,
migration/results.py); the TypeScript declarations and the console's option list must say the
same, field for field, and the error kinds JS sees are errors.KINDS. Any drift fails here."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from taskerino_storage.errors import INTERNAL_KIND, KINDS
from taskerino_storage.migration import results
from taskerino_storage.migration.options import MigrationOptions, to_camel

WEB_LIB = Path(__file__).resolve().parents[1] / "web" / "lib"
DTS = (WEB_LIB / "taskerino-migration.d.ts").read_text()
MODULE = (WEB_LIB / "taskerino-migration.mjs").read_text()


def interface(name: str) -> dict[str, bool]:
    """Field -> optional?, of `export interface name { … }` in the .d.ts."""
    match = re.search(rf"export interface {name} \{{\n(.*?)\n\}}", DTS, re.S)
    assert match, f"the .d.ts declares no interface {name}"
    body = re.sub(r"/\*\*.*?\*/", "", match.group(1), flags=re.S)
    return {m.group(1): bool(m.group(2)) for m in re.finditer(r"^\s+(\w+)(\?)?:", body, re.M)}


def python_fields(cls) -> set[str]:
    return {to_camel(f.name) for f in fields(cls) if not f.metadata.get("internal")}


RESULTS = ["SessionMigrationResult", "SessionError", "BatchMigrationResult", "BackupInfo",
           "MigrationStatus", "CleanupResult", "KeptBackup"]


@pytest.mark.parametrize("name", RESULTS)
def test_each_result_type_is_declared_field_for_field(name):
    declared = interface(name)
    assert set(declared) == python_fields(getattr(results, name))
    assert not any(declared.values()), "a result always has every field (null when empty)"


#: Results JS never sees whole, and why.
NOT_RETURNED_TO_JS = {"RollbackResult": "rollbackSession resolves to true (the seed's console form) "
                                        "and prints the key it restored to"}


def test_every_result_type_is_checked():
    declared = {n for n in dir(results) if isinstance(getattr(results, n), type)
                and getattr(results, n).__module__ == results.__name__ and n != "Plain"}
    assert declared == set(RESULTS) | set(NOT_RETURNED_TO_JS)


def test_the_options_are_declared_and_checked_by_the_console_as_python_takes_them():
    everything = {to_camel(f.name) for f in fields(MigrationOptions)}
    assert set(interface("MigrationOptions")) == everything
    assert all(interface("MigrationOptions").values()), "every option is optional"
    schema = re.search(r"const MIGRATION_OPTIONS = \{(.*?)\};", MODULE, re.S).group(1)
    console = dict(re.findall(r"(\w+): \"(\w+)\"", schema))
    kinds = {bool: "boolean", int: "days", "bool": "boolean", "int": "days"}
    expected = {to_camel(f.name): kinds.get(f.type, "function") for f in fields(MigrationOptions)}
    assert console == expected


#: Kinds only JS raises: MigrationBootError (the worker can't start, or can't run here).
JS_ONLY_KINDS = {"boot"}


def test_error_kinds_are_the_stable_list():
    union = re.search(r"export type MigrationErrorKind =(.*?);", DTS, re.S).group(1)
    union = re.sub(r"/\*\*.*?\*/", "", union, flags=re.S)
    assert set(re.findall(r'"([\w-]+)"', union)) == set(KINDS.values()) | {INTERNAL_KIND} | JS_ONLY_KINDS
    assert len(set(KINDS.values())) == len(KINDS), "two classes share a kind"


def test_boot_errors_are_migration_errors_of_the_js_only_kind():
    assert "export class MigrationBootError extends MigrationError" in MODULE
    assert 'super(message, "boot")' in MODULE
    assert "export class MigrationBootError extends MigrationError {}" in DTS


def _imports(module: str, seen: set[str] | None = None) -> set[str]:
    """Every module `module` (in web/lib) imports, statically, directly or not."""
    seen = set() if seen is None else seen
    for name in re.findall(r'^import .*? from "\./([\w-]+\.mjs)";$', (WEB_LIB / module).read_text(), re.M):
        if name not in seen:
            seen.add(name)
            _imports(name, seen)
    return seen


def test_the_client_asks_for_every_module_the_session_reader_imports_at_once():
    preloaded = re.search(r"function readerModule\(\) \{(.*?)\n\}", MODULE, re.S).group(1)
    asked = set(re.findall(r'import\("\./([\w-]+\.mjs)"\)', preloaded))
    assert asked == {"legacy-read.mjs"} | _imports("legacy-read.mjs")
