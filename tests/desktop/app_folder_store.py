"""The contract's `app` (testing/contract.py) for a desktop folder: AppFolder behind the
AppStore calls. Forms: "gzip" is the app's save(); "json" an envelope holding the JSON text;
"object" an old envelope holding the raw value."""
from __future__ import annotations

import json

from desktop.app_folder import AppFolder, file_of


class DesktopAppStore:
    RECORD_SHAPE = {"keys": ["checksum", "compressed", "data", "timestamp", "version"],
                    "version": 1, "compressed": True, "indented": True, "timestampIsNumber": True,
                    "checksumMatches": True}

    def __init__(self, base):
        self.folder = AppFolder(base)

    async def save(self, key, value, form):
        self.folder.save(key, value, form)

    async def save_raw_text(self, key, text):
        self.folder.save_data_text(key, text)

    async def load(self, key):
        return self.folder.load(key)

    async def raw_form(self, key):
        parsed = json.loads(file_of(key, self.folder.db).read_text())
        if "compressed" not in parsed:
            return "object"
        return "gzip" if parsed["data"].startswith("GZIP_V1:") else "json"

    async def record_shape(self, key):
        from desktop.app_folder import java_hash, js_stringify

        text = file_of(key, self.folder.db).read_text()
        parsed = json.loads(text)
        return {"keys": sorted(parsed), "version": parsed["version"], "compressed": parsed["compressed"],
                "indented": text == json.dumps(parsed, indent=2) and not text.endswith("\n"),
                "timestampIsNumber": isinstance(parsed["timestamp"], int) and parsed["timestamp"] > 1e12,
                "checksumMatches": parsed["checksum"] == java_hash(js_stringify(self.folder.load(key)))}
