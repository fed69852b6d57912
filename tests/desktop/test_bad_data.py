"""The browser suites' bad-data corpus (tests/reliability/test_rel_bad_data.py), as files in a
desktop folder: each case is migrated losslessly or refused with its own error and left
byte-identical; the rest of the batch is unaffected. Cases of form "value" are JavaScript
structured-clone values (a Date, a Map, a hole...): only IndexedDB can hold those, a file holds
JSON text, so they have no desktop form and are left out."""
from __future__ import annotations

import base64
import gzip
import json

import pytest
from desktop.app_folder import AppFolder, file_of, gzip_v1
from desktop.helpers import cli
from reliability.test_rel_bad_data import corpus
from taskerino_storage.session.compare import json_equal

CASES = [c for c in corpus() if c[2] != "value"]


def envelope(data: str, compressed: bool) -> str:
    return json.dumps({"version": 1, "timestamp": 1_700_000_000_000, "compressed": compressed, "data": data},
                      indent=2)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-data")
    folder = AppFolder(base)
    array, originals = [], {}
    for cid, where, form, payload, expect in CASES:
        if where == "array":
            array.append(payload)
            continue
        key = f"sessions/{cid}"
        if form == "raw":
            folder.write_text(key, envelope(payload, True))
        elif form == "gzip":
            folder.write_text(key, envelope(gzip_v1(payload), True))
        else:  # "json": the JSON text itself as data, unchecked (no checksum)
            folder.write_text(key, envelope(payload, False))
        if expect == "migrate":
            originals[cid] = json.loads(payload)
    text = json.dumps(array, ensure_ascii=False).replace('"__1e400__"', "1e400")
    folder.write_text("sessions", envelope(gzip_v1(text), True))
    before = {p: p.read_bytes() for p in folder.db.rglob("*.json")}
    done = cli(base, "migrate", timeout=900)
    return folder, done, before, originals


def case_id(case):
    return f"{case[0]}-{case[1]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_case_is_migrated_losslessly_or_refused_by_name(migrated, case):
    folder, done, before, originals = migrated
    cid, where, form, payload, expect = case
    errors = {e["sessionId"]: e["message"] for e in done.result["errors"]}
    if where == "record":
        path = file_of(f"sessions/{cid}", folder.db)
        if expect == "refuse":
            assert path.read_bytes() == before[path], f"{cid}: a refused record changed"
            assert any(cid in sid or cid in message for sid, message in errors.items()), (cid, errors)
        else:
            assert not path.exists(), f"{cid}: migrated, but its legacy record is still there"
            seen = AppFolder(folder.base).load_sessions()
            assert json_equal(seen[cid], originals[cid]), cid
    elif expect == "migrate":
        seen = AppFolder(folder.base).load_sessions()
        assert json_equal(seen[cid], payload), cid


def test_the_batch_says_it_did_not_finish_and_exits_1(migrated):
    folder, done, before, originals = migrated
    assert done.returncode == 1 and done.result["success"] is False
    assert done.result["migrated"] == len(originals) + sum(1 for c in CASES if c[1] == "array" and c[4] == "migrate")


def test_the_array_keeps_its_refused_elements_as_their_very_text(migrated):
    folder, done, before, originals = migrated
    raw = json.loads(file_of("sessions", folder.db).read_text())
    text = gzip.decompress(base64.b64decode(raw["data"][8:])).decode()
    assert "1e400" in text  # the element JavaScript reads as Infinity: kept digit for digit
    left = json.loads(text)
    kept = {e.get("id") if isinstance(e, dict) else repr(e) for e in left}
    refused = [c for c in CASES if c[1] == "array" and c[4] == "refuse"]
    assert len(left) == len(refused)
    assert "bd-dup-array" in kept and "bd-array-inf" in kept and "'just a string'" in kept
