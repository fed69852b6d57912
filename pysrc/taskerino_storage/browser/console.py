"""The console's commands, each declared once: `COMMANDS` gives, for every command, its JS name
(the client's method, and the window global when `console`), its Python function, its arguments
with the console's check of each, and what it prints (migration/report.py). Everything else is
driven by it:

- web/lib/commands.generated.mjs is `js_module()` of it (the client must know the names and
  checks before Python has booted): web/lib/taskerino-migration.mjs builds one method per entry,
  and a global per console entry; web/lib/console-args.mjs checks each argument by its `check`.
  A test fails when the committed file differs from what this module generates now; rewrite it
  with `PYTHONPATH=pysrc python3 -m taskerino_storage.browser.console web/lib/commands.generated.mjs`.
- browser/service.py runs an entry by name (`MigrationService.run`), streaming the lines it
  prints and its progress to the client.
- tests/test_js_contract.py checks each entry against its line in taskerino-migration.d.ts.

Adding a command: one entry here, its function (async, `(rt, out, *arguments)`, returning the
JSON value JS resolves to), its line in the .d.ts, its test (docs/design.md, "Adding a command").

A command's function prints through `out` (an `Output`): whole lines from migration/report.py,
and progress, each message with the line it prints (or None). It never prints its `opening`:
those lines depend only on the arguments and are printed at once by the edge, before Python
answers (in the browser, before it has booted).

This module imports no `js`: it runs in CPython too (the generator, the tests).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, fields, replace
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from ..migration import commands, report
from ..migration.options import MigrationOptions, to_camel
from ..migration.runtime import Runtime

#: fillDemo generates and appends this many sessions at a time (~200 KB of JSON each, on average).
FILL_SLICE = 25


class Output(Protocol):
    """Where a command's printed lines and progress go (the browser client, or a terminal)."""

    def lines(self, lines: list[str]) -> None: ...

    def progress(self, message: str, percent: int, line: str | None) -> None: ...


#: An argument's default meaning "required": the client refuses the call without it.
REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One argument as the console takes it. `check` names the client's check of it
    (web/lib/console-args.mjs CHECKS); `options` is the schema of an options object
    ({name: check}); `default` is what the client passes when it is omitted."""

    name: str
    check: str
    default: Any = REQUIRED
    options: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Opening:
    """Lines printed at once, before the command runs: `lines(options)` for either value of
    the one boolean option `option` they depend on."""

    lines: Callable[[Mapping[str, Any]], list[str]]
    option: str


@dataclass(frozen=True)
class Command:
    name: str  # the JS name: the client's method, and the window global when `console`
    run: Callable[..., Awaitable[Any]]  # (rt, out, *arguments) -> the JSON value JS resolves to
    params: tuple[Param, ...] = ()
    console: bool = False  # a window global a person types (it always prints)
    opening: Opening | None = None
    table: str | None = None  # a list field of the value printed as a table after the lines

    @property
    def usage(self) -> str:
        """How the call is written, naming its arguments: the start of every usage message."""
        return f"{self.name}({', '.join(p.name for p in self.params)})"


def _option_checks(exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """MigrationOptions as the console checks it: booleans, whole days, the progress function."""
    kind = {bool: "boolean", int: "days", "bool": "boolean", "int": "days"}
    return {to_camel(f.name): kind.get(f.type, "function") for f in fields(MigrationOptions)
            if to_camel(f.name) not in exclude}


MIGRATION_OPTIONS = _option_checks()
SINGLE_OPTIONS = _option_checks(exclude=("onProgress",))  # one session: no progress
ROLLBACK_OPTIONS = {"force": "boolean"}


# -- the commands' functions: each runs one command of migration/commands.py and prints its lines

async def run_chunked_migration(rt: Runtime, out: Output, options: Mapping[str, Any]) -> dict:
    checked = MigrationOptions.from_mapping(options)
    out.lines(report.migration_start((await commands.get_migration_status(rt)).to_dict()))
    printer = report.ProgressPrinter(checked.verbose)
    on_progress = lambda message, percent: out.progress(message, percent, printer.line(message, percent))  # noqa: E731
    result = (await commands.migrate_all_sessions(rt, replace(checked, on_progress=on_progress))).to_dict()
    out.lines(report.migration_results(result, checked.backup_retention_days))
    return result


async def show_migration_status(rt: Runtime, out: Output) -> dict:
    status = (await commands.get_migration_status(rt)).to_dict()
    out.lines(report.migration_status(status))
    return status


async def get_migration_status(rt: Runtime, out: Output) -> dict:
    return (await commands.get_migration_status(rt)).to_dict()


async def migrate_single_session(rt: Runtime, out: Output, session_id: str, options: Mapping[str, Any]) -> dict:
    result = (await commands.migrate_session_to_chunked(rt, session_id, options)).to_dict()
    out.lines(report.single_result(result))
    return result


async def rollback_session(rt: Runtime, out: Output, session_id: str, backup_path: Any, confirm: Any,
                           options: Mapping[str, Any]) -> bool:
    """True once restored; without confirm === true it only says what it would do (the seed's form)."""
    if isinstance(backup_path, bool) and confirm is None:  # rollbackSession(id, true): the newest backup
        backup_path, confirm = None, backup_path
    if confirm is not True:
        out.lines(report.rollback_unconfirmed(session_id, backup_path))
        return False
    result = await commands.rollback_session_migration(rt, session_id, backup_path, force=options.get("force", False))
    out.lines(report.rollback_done(result.to_dict()))
    return True


async def cleanup_backups(rt: Runtime, out: Output, retention_days: int, confirm: bool) -> dict:
    result = (await commands.cleanup_old_backups(rt, retention_days, confirm=confirm)).to_dict()
    out.lines(report.cleanup_result(result, retention_days))
    return result


async def load_session(rt: Runtime, out: Output, session_id: str) -> dict:
    return await commands.load_session(rt, session_id)


async def fill_demo(rt: Runtime, out: Output, count: int) -> dict:
    """Add `count` generated legacy sessions to the app's `sessions` array (a few broken).

    The array stays in JS: its length (the seed) comes from a handle on it, and the new sessions
    go in FILL_SLICE at a time through `extend_array`, so Python holds one slice, never the
    array. Each slice lands in its own transaction: a fill cut short (tab closed) leaves the
    slices already written, every one whole. The sessions are exactly those one
    `generate_sessions(count, seed, broken=...)` call gives: each depends only on (index, seed),
    and the broken positions are taken for the whole count."""
    from ..demo.samples import iter_sessions

    array = await rt.backend.open_array("sessions")
    # The seed follows the array's length, so a second fill adds new ids, not duplicates.
    seed = 2025 + (array.count if array is not None else 0)
    del array  # the handle holds the parsed array (JS side): let it go before filling
    sessions = iter_sessions(count, seed, broken=max(1, count // 8) if count >= 4 else 0)
    ids: list[str] = []
    while batch := list(islice(sessions, FILL_SLICE)):
        await rt.backend.extend_array("sessions", batch)
        ids += [s["id"] for s in batch]
    return {"created": len(ids), "ids": ids}


SESSION_ID = Param("sessionId", "sessionId")

COMMANDS: tuple[Command, ...] = (
    Command("runChunkedMigration", run_chunked_migration, (Param("options", "options", {}, MIGRATION_OPTIONS),),
            console=True, opening=Opening(report.migration_opening, "dryRun")),
    Command("showMigrationStatus", show_migration_status, console=True, table="backups"),
    Command("migrateSingleSession", migrate_single_session,
            (SESSION_ID, Param("options", "options", {}, SINGLE_OPTIONS)), console=True),
    Command("rollbackSession", rollback_session,
            (SESSION_ID, Param("backupPath", "backupPath", None), Param("confirm", "confirm", None),
             Param("options", "options", {}, ROLLBACK_OPTIONS)), console=True),
    Command("cleanupBackups", cleanup_backups, (Param("retentionDays", "days", 30), Param("confirm", "boolean", False)),
            console=True),
    Command("getMigrationStatus", get_migration_status),  # the status, without printing
    Command("loadSession", load_session, (SESSION_ID,)),  # on-demand migration; returns the session
    Command("fillDemo", fill_demo, (Param("count", "days", 20),)),  # demos
)


def command_named(name: str, table: tuple[Command, ...] | None = None) -> Command:
    """The entry called `name` (COMMANDS as it is now, unless `table` is given)."""
    for command in COMMANDS if table is None else table:
        if command.name == name:
            return command
    raise KeyError(f"no console command {name!r}")


# -- the client's copy: web/lib/commands.generated.mjs

def to_js(command: Command) -> dict:
    """What the client needs before Python boots: names, checks, defaults, the opening lines."""
    entry: dict[str, Any] = {"name": command.name, "usage": command.usage, "console": command.console,
                             "params": [{"name": p.name, "check": p.check,
                                         **({} if p.default is REQUIRED else {"default": p.default}),
                                         **({"options": dict(p.options)} if p.options else {})}
                                        for p in command.params]}
    if command.opening:
        entry["opening"] = {"option": command.opening.option,
                            "whenTrue": command.opening.lines({command.opening.option: True}),
                            "whenFalse": command.opening.lines({command.opening.option: False})}
    if command.table:
        entry["table"] = command.table
    return entry


def js_module(table: tuple[Command, ...] | None = None) -> str:
    """The text of web/lib/commands.generated.mjs for `table` (default COMMANDS)."""
    rows = ",\n".join(f"  {json.dumps(to_js(c), ensure_ascii=False)}" for c in (COMMANDS if table is None else table))
    return ("// Generated from pysrc/taskerino_storage/browser/console.py COMMANDS: do not edit. Rewrite with\n"
            "//   PYTHONPATH=pysrc python3 -m taskerino_storage.browser.console web/lib/commands.generated.mjs\n"
            "// Every console command: its name, its arguments and their checks, what it prints at once.\n"
            f"export const COMMANDS = [\n{rows},\n];\n")


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(js_module(), encoding="utf-8")
