"""One contract between Python and JS (docs/design.md, "The contract with JS"): what the
commands take and return is declared once, by the Python types (migration/options.py,
migration/results.py); the TypeScript declarations and the console's option list must say the
same, field for field, and the error kinds JS sees are errors.KINDS. Each console command is
declared once, in browser/console.py COMMANDS: the client's copy (web/lib/commands.generated.mjs)
is what that table generates, and the .d.ts declares each command with the table's arguments.
Any drift fails here."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from taskerino_storage.browser import console
from taskerino_storage.errors import INTERNAL_KIND, JS_KINDS, KINDS
from taskerino_storage.migration import results
from taskerino_storage.migration.options import MigrationOptions, to_camel

WEB_LIB = Path(__file__).resolve().parents[1] / "web" / "lib"
DTS = (WEB_LIB / "taskerino-migration.d.ts").read_text()
MODULE = (WEB_LIB / "taskerino-migration.mjs").read_text()
ERRORS = (WEB_LIB / "errors.mjs").read_text()
GENERATED = WEB_LIB / "commands.generated.mjs"


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
    (options,) = console.command_named("runChunkedMigration").params
    kinds = {bool: "boolean", int: "days", "bool": "boolean", "int": "days"}
    assert options.options == {to_camel(f.name): kinds.get(f.type, "function") for f in fields(MigrationOptions)}
    assert '"onProgress": "function"' in GENERATED.read_text()


def test_the_clients_command_table_is_the_one_python_generates():
    """Like a lock file: the committed web/lib/commands.generated.mjs is the table as it is now."""
    assert GENERATED.read_text(encoding="utf-8") == console.js_module(), (
        "web/lib/commands.generated.mjs is stale: rewrite it with "
        "PYTHONPATH=pysrc python3 -m taskerino_storage.browser.console web/lib/commands.generated.mjs")


def declared_methods() -> dict[str, list[tuple[str, bool]]]:
    """Method -> [(argument, optional?)] of ChunkedMigrationApi in the .d.ts."""
    body = re.search(r"export interface ChunkedMigrationApi \{\n(.*?)\n\}", DTS, re.S).group(1)
    methods = {}
    for name, params in re.findall(r"^  (\w+)\((.*)\): Promise<", body, re.M):
        params = re.sub(r"\{[^}]*\}|<[^>]*>", "", params)  # inline object and generic types hold no arguments
        methods[name] = [(m.group(1), bool(m.group(2))) for m in re.finditer(r"(\w+)(\?)?:", params)]
    return methods


@pytest.mark.parametrize("command", console.COMMANDS, ids=lambda c: c.name)
def test_each_command_is_declared_with_the_tables_arguments(command):
    assert declared_methods()[command.name] == [(p.name, p.default is not console.REQUIRED) for p in command.params]


def test_the_declared_methods_and_globals_are_the_tables():
    not_commands = {"runPython", "writeFile", "onDemandSettled"}  # debugging; loadSession's follow-ups (on-demand.mjs)
    assert set(declared_methods()) - not_commands == {c.name for c in console.COMMANDS}
    globals_ = re.search(r"interface Window \{(.*?)\}", DTS, re.S).group(1)
    declared = set(re.findall(r"^\s+(\w+)\?: ChunkedMigrationApi\[", globals_, re.M))
    assert declared == {c.name for c in console.COMMANDS if c.console}


def test_every_param_check_and_option_check_is_one_the_client_has():
    checks = set(re.findall(r"^  (\w+): \[", (WEB_LIB / "console-args.mjs").read_text(), re.M))
    used = {p.check for c in console.COMMANDS for p in c.params} - {"options"}
    used |= {kind for c in console.COMMANDS for p in c.params for kind in (p.options or {}).values()}
    assert used <= checks, used - checks


def test_error_kinds_are_the_stable_list():
    union = re.search(r"export type MigrationErrorKind =(.*?);", DTS, re.S).group(1)
    union = re.sub(r"/\*\*.*?\*/", "", union, flags=re.S)
    assert set(re.findall(r'"([\w-]+)"', union)) == set(KINDS.values()) | {INTERNAL_KIND} | set(JS_KINDS)
    assert len(set(KINDS.values())) == len(KINDS), "two classes share a kind"
    assert not set(JS_KINDS) & set(KINDS.values())


def test_the_js_only_errors_are_migration_errors_of_the_js_kinds():
    """Every failure the client raises itself is a MigrationError of one of errors.JS_KINDS."""
    raised = dict(re.findall(r"export class (\w+) extends MigrationError \{.*?super\(message, \"([\w-]+)\"\)", ERRORS, re.S))
    assert raised == {"MigrationBootError": "boot", "UsageError": "usage"}
    assert set(raised.values()) == set(JS_KINDS)
    for name in raised:
        assert f"export class {name} extends MigrationError {{}}" in DTS
        assert name in re.search(r"export \{(.*?)\} from \"./errors.mjs\"", MODULE).group(1)


def _imports(module: str, seen: set[str] | None = None) -> set[str]:
    """Every module `module` (in web/lib) imports, statically, directly or not."""
    seen = set() if seen is None else seen
    for name in re.findall(r'^import .*? from "\./([\w-]+\.mjs)";$', (WEB_LIB / module).read_text(), re.M):
        if name not in seen:
            seen.add(name)
            _imports(name, seen)
    return seen


def test_the_client_asks_for_every_module_the_session_reader_imports_at_once():
    preloaded = re.search(r"function readerModule\(\) \{(.*?)\n\}", (WEB_LIB / "on-demand.mjs").read_text(), re.S).group(1)
    asked = set(re.findall(r'import\("\./([\w-]+\.mjs)"\)', preloaded))
    assert asked == {"legacy-read.mjs"} | _imports("legacy-read.mjs")
