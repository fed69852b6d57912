"""The checksum in every envelope we write is the app's: calculateChecksum(JSON.stringify(value)),
over JavaScript's text of the value, while the gzip data keeps the text we read back type-strict
(57.0 stays 57.0 for us; JSON.parse reads it as 57, the same number)."""
from __future__ import annotations

import base64
import gzip
import json

from desktop.app_folder import AppFolder, java_hash, js_stringify
from desktop.helpers import cli
from taskerino_storage.demo.samples import generate_sessions


def test_every_written_envelope_carries_the_checksum_of_javascripts_text(tmp_path):
    folder = AppFolder(tmp_path)
    [session] = generate_sessions(1, seed=12, size="small")
    session["relationshipVersion"] = 57.0  # JS text: 57
    session["tiny"] = 1e-05  # JS text: 0.00001
    session["big"] = 2 ** 60  # JS text: 1152921504606847000
    folder.save(f"sessions/{session['id']}", session)  # a record: read back exactly as Python holds it
    assert cli(tmp_path, "migrate").returncode == 0
    written = [p for p in (folder.db / "sessions").rglob("*.json")]
    assert len(written) > 5
    differs = 0
    for path in written:
        envelope = json.loads(path.read_text())
        text = gzip.decompress(base64.b64decode(envelope["data"][len("GZIP_V1:"):])).decode()
        value = json.loads(text)
        assert envelope["checksum"] == java_hash(js_stringify(value)), path
        differs += text != js_stringify(value)
    assert differs >= 1  # the metadata keeps 57.0, 1e-05 and 2**60 as Python's text
    assert type(folder.load_sessions()[session["id"]]["tiny"]) is float
