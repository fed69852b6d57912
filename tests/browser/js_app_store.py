"""Pyodide side of tests/browser/app_style.js: the AppStore the storage contract expects.

Loaded into Pyodide's file system by the browser tests, next to the storage contract (testing/contract.py).
"""
import json

from js import appStore  # installed by app_style.js


class JsAppStore:
    def __init__(self, db):
        self.db = db

    async def save(self, key, value, form):
        await appStore.save(self.db, key, json.dumps(value), form)

    async def save_raw_text(self, key, text):
        await appStore.saveRawText(self.db, key, text)

    async def load(self, key):
        return json.loads(await appStore.load(self.db, key))

    async def raw_form(self, key):
        data = (await appStore.record(self.db, key)).data
        if not isinstance(data, str):
            return "object"
        return "gzip" if data.startswith("GZIP_V1:") else "json"

    async def record_shape(self, key):
        record = (await appStore.record(self.db, key)).to_py()
        return {"keys": sorted(record), "name": record["name"],
                "timestampIsNumber": isinstance(record["timestamp"], (int, float))}
