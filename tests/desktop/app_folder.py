"""Desktop data folders as Taskerino's TauriFileSystemAdapter writes them, in every form it has
written, with its clutter and its write-ahead log; and an independent reader that follows its
`load` rules. Written from the app's TypeScript (src/services/storage/TauriFileSystemAdapter.ts,
compressionUtils.ts, StorageAdapter.ts), NOT through the package's own desktop modules, so the
tests compare two implementations of the same rules."""
from __future__ import annotations

import base64
import gzip
import json
import re
import time
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any


def js_stringify(value: Any, indent: int | None = None, _depth: int = 0) -> str:
    """JSON.stringify for the JSON values the tests use: non-ASCII kept, lone surrogates escaped,
    numbers as Number::toString prints them (via Decimal, independently of the package's own
    js_json), objects' keys in JavaScript's order: array indices ("0" .. "4294967294") first, ascending."""
    if isinstance(value, dict) or isinstance(value, list):
        items = ([f"{_js_string(k)}:{' ' if indent else ''}{js_stringify(value[k], indent, _depth + 1)}"
                  for k in sorted(value, key=lambda k: (0, int(k)) if _is_index(k) else (1, 0))]
                 if isinstance(value, dict) else [js_stringify(v, indent, _depth + 1) for v in value])
        open_, close = "{}" if isinstance(value, dict) else "[]"
        if not items:
            return open_ + close
        if not indent:
            return open_ + ",".join(items) + close
        pad, inner = " " * indent * _depth, " " * indent * (_depth + 1)
        return open_ + "\n" + ",\n".join(inner + i for i in items) + "\n" + pad + close
    if isinstance(value, str):
        return _js_string(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int) and abs(value) <= 2 ** 53:
        return str(value)
    return _js_number(float(value))


def as_the_app_holds(value: Any) -> Any:
    """The value as the app holds it once it has saved it: JSON.parse(JSON.stringify(value))
    (1.0 is 1, -0.0 is 0, an integer beyond 2^53 the nearest double)."""
    return json.loads(js_stringify(value))


def _is_index(key: str) -> bool:
    return bool(re.fullmatch(r"0|[1-9][0-9]*", key)) and int(key) <= 4294967294


def _js_string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    return "".join(ch if not 0xD800 <= ord(ch) <= 0xDFFF else f"\\u{ord(ch):04x}" for ch in out)


def _js_number(x: float) -> str:
    if x == 0:
        return "0"
    sign, digits, exp = Decimal(repr(x)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    k, n = len(ds), len(ds) + exp
    if k <= n <= 21:
        out = ds + "0" * (n - k)
    elif 0 < n <= 21:
        out = ds[:n] + "." + ds[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * -n + ds
    else:
        out = ds[0] + ("." + ds[1:] if k > 1 else "") + f"e{n - 1:+d}"
    return ("-" if sign else "") + out


def java_hash(text: str) -> str:
    """calculateChecksum, one UTF-16 code unit at a time (plainly, unlike the package)."""
    h = 0
    units = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(units), 2):
        h = (h * 31 + int.from_bytes(units[i:i + 2], "little")) & 0xFFFFFFFF
    h = h - (1 << 32) if h >= 1 << 31 else h
    digits, out, n = "0123456789abcdefghijklmnopqrstuvwxyz", "", abs(h)
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            break
    return ("-" if h < 0 else "") + out


def gzip_v1(text: str) -> str:
    return "GZIP_V1:" + base64.b64encode(gzip.compress(text.encode("utf-8", "surrogatepass"), 9)).decode()


def file_of(key: str, db: Path) -> Path:
    return db.joinpath(*key.split("/")[:-1], key.split("/")[-1] + ".json")


class AppFolder:
    """A data folder written the app's ways. `form`:
      gzip      save(): the indented envelope, compressed true, GZIP_V1 data (today's app)
      json      an envelope with the JSON text as data, compressed false, checksum of the indented text
      object    an old envelope with the raw value as data and no `compressed`
      indented  an old envelope: GZIP_V1 of indented JSON
      plain     no envelope (what WAL replay writes)"""

    def __init__(self, base: Path):
        self.base = Path(base)
        self.db = self.base / "db"
        self.db.mkdir(parents=True, exist_ok=True)

    def save(self, key: str, value: Any, form: str = "gzip") -> Path:
        text = js_stringify(value)
        now = int(time.time() * 1000)
        if form == "gzip":
            content = json.dumps({"version": 1, "checksum": java_hash(text), "timestamp": now,
                                  "compressed": True, "data": gzip_v1(text)}, indent=2)
        elif form == "json":
            content = json.dumps({"version": 1, "checksum": java_hash(js_stringify(value, 2)), "timestamp": now,
                                  "compressed": False, "data": text}, indent=2, ensure_ascii=False)
        elif form == "object":
            content = js_stringify({"version": 1, "checksum": java_hash(js_stringify(value, 2)),
                                    "timestamp": now, "data": value}, 2)
        elif form == "indented":
            content = json.dumps({"version": 1, "checksum": "x", "timestamp": now, "compressed": True,
                                  "data": gzip_v1(js_stringify(value, 2))}, indent=2)
        elif form == "plain":
            content = text
        else:
            raise ValueError(form)
        return self.write_text(key, content)

    def write_text(self, key: str, content: str) -> Path:
        path = file_of(key, self.db)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
        return path

    def save_data_text(self, key: str, data: str) -> Path:
        """An envelope whose data is this DATA text as is (e.g. a broken GZIP_V1 string)."""
        return self.write_text(key, json.dumps({"version": 1, "checksum": "0", "timestamp": 1,
                                                "compressed": True, "data": data}, indent=2))

    def clutter(self, key: str) -> list[Path]:
        """The app's files beside K.json: a save in progress, old backups, a transaction folder."""
        path = file_of(key, self.db)
        made = []
        for name in (path.name[:-5] + ".tmp.json", path.name[:-5] + ".backup.json",
                     path.name[:-5] + ".1700000000000.backup.json"):
            made.append(path.with_name(name))
            made[-1].write_text('{"version": 1, "data": "clutter, never a key"}')
        tx = self.db / "tx-temp-1700000000000" / "sessions"
        tx.mkdir(parents=True, exist_ok=True)
        (tx / "half.json").write_text("{}")
        made.append(tx / "half.json")
        return made

    def wal(self, entries: list[dict], checkpoint: int | None) -> None:
        (self.db / "wal.log").write_text("".join(js_stringify(e) + "\n" for e in entries))
        if checkpoint is not None:
            (self.db / "wal.checkpoint").write_text(str(checkpoint))

    # -- reading, by the app's rules
    def launch(self) -> None:
        """What the app's next start does to db/: recoverFromWAL, then init()'s tx-temp cleanup."""
        log = self.db / "wal.log"
        if log.exists():
            lines = [line for line in log.read_text().split("\n") if line.strip()]
            if lines:
                entries = [json.loads(line) for line in lines]
                cp_file = self.db / "wal.checkpoint"
                cp = int(cp_file.read_text().strip() or "nan") if cp_file.exists() else 0
                pending = [e for e in entries if e["timestamp"] > cp]
                groups: dict = {}
                alone = []
                for e in pending:
                    (groups.setdefault(e["transactionId"], []) if e.get("transactionId") else alone).append(e)
                order = [e for g in groups.values() if any(x["operation"] == "transaction-commit" for x in g)
                         and not any(x["operation"] == "transaction-rollback" for x in g) for e in g] + alone
                for e in order:
                    path = self.db / (e["collection"] + ".json")
                    if e["operation"] == "write":
                        path.write_text(js_stringify(e["data"]))  # no parents made: raises like the app
                    elif e["operation"] == "delete" and path.exists():
                        path.unlink()
                cp_file.write_text(str(int(time.time() * 1000)))
                log.write_text("")

    def load(self, key: str) -> Any:
        """TauriFileSystemAdapter.load: None when absent or unloadable (no K.backup.json here)."""
        path = file_of(key, self.db)
        if not path.exists():
            return None
        try:
            parsed = json.loads(path.read_bytes().decode("utf-8", "surrogatepass"))
            if isinstance(parsed, dict) and parsed.get("version") and "data" in parsed:
                data = parsed["data"]
                if isinstance(data, str) and data.startswith("GZIP_V1:"):
                    data = json.loads(gzip.decompress(base64.b64decode(data[8:])).decode("utf-8"))
                elif isinstance(data, str):
                    data = json.loads(data)
                if parsed.get("checksum") and not parsed.get("compressed"):
                    if java_hash(js_stringify(data, 2)) != parsed["checksum"]:
                        return None
                return data
            if parsed is None:
                return None
            return parsed
        except (ValueError, OSError, EOFError, zlib.error):  # load() catches all: null (no backup here)
            return None

    def load_sessions(self) -> dict[str, Any]:
        """Every session stored: the legacy `sessions` array, legacy `sessions/{id}` records, and
        ChunkedSessionStorage's listing (the session-index, each session's metadata and records
        joined), which wins where both are present."""
        from taskerino_storage.session.records import join_session  # the layout's join rule

        found: dict[str, Any] = {}
        for element in self.load("sessions") or []:
            if isinstance(element, dict) and isinstance(element.get("id"), str):
                found[element["id"]] = element
        for path in sorted((self.db / "sessions").glob("*.json")) if (self.db / "sessions").is_dir() else []:
            name = path.name[:-5]  # sessions/{id}: one whole session (the seed's record layout)
            if ".backup-" not in name and not name.endswith((".tmp", ".backup")):
                record = self.load(f"sessions/{name}")
                if isinstance(record, dict) and record.get("id") == name:
                    found[name] = record
        for sid in self.load("session-index") or []:
            metadata = self.load(f"sessions/{sid}/metadata")
            if not isinstance(metadata, dict) or metadata.get("storageVersion") != 1:
                continue
            records = {}
            for path in sorted((self.db / "sessions" / sid).rglob("*.json")):
                rel = path.relative_to(self.db).as_posix()[:-5]
                if not any(rel.endswith(s) for s in (".tmp", ".backup")) and rel != f"sessions/{sid}/metadata":
                    records[rel] = self.load(rel)
            found[sid] = join_session(metadata, records)
        return found
