"""What the terminal prints: the console's lines (migration/report.py, shared with the browser),
a progress bar on a terminal (tqdm, on stderr) or the progress lines when piped, and with
--json the result object as the last line on stdout."""
from __future__ import annotations

import json
import sys
from typing import Any

from ..migration import report


class Output:
    def __init__(self, *, as_json: bool, verbose: bool = False):
        for stream in (sys.stdout, sys.stderr):  # a stored name may hold what the terminal can't encode
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
        self.as_json = as_json
        self.verbose = verbose
        self.tty = sys.stdout.isatty() and sys.stderr.isatty()
        self._printer = report.ProgressPrinter(verbose)
        self._bar = None

    def lines(self, lines: list[str]) -> None:
        for line in lines:
            self.line(line)

    def line(self, text: str = "") -> None:
        if self._bar is not None:
            self._bar.write(text, file=sys.stdout)
        else:
            print(text, flush=True)

    def error(self, text: str) -> None:
        """One human line on stderr."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        print(f"taskerino-storage: {text}", file=sys.stderr, flush=True)

    def progress(self, message: str, percent: int) -> None:
        """MigrationOptions.on_progress: a bar on a terminal; the console's progress lines when piped."""
        if self.tty:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=100, unit="%", file=sys.stderr, leave=False,
                                 bar_format="{percentage:3.0f}%|{bar}| {desc}")
            self._bar.n = percent
            self._bar.set_description_str(report.safe_text(message)[:60])
            if self.verbose and message.startswith("  "):
                self._bar.write(report.safe_text(message), file=sys.stdout)
            return
        line = self._printer.line(message, percent)
        if line is not None:
            self.line(line)

    def done_progress(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def result(self, value: dict[str, Any]) -> None:
        """With --json, the result object: always the last line on stdout."""
        self.done_progress()
        if self.as_json:
            print(json.dumps(value, ensure_ascii=True), flush=True)  # a lone surrogate stays JSON

    def table(self, rows: list[dict[str, Any]]) -> None:
        """The status's backups (console.table in the browser), one row a line."""
        if not rows:
            return
        columns = list(rows[0])
        cells = [[report.safe_text(r.get(c)) for c in columns] for r in rows]
        widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
        self.line("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
        for row in cells:
            self.line("  ".join(v.ljust(w) for v, w in zip(row, widths)))
