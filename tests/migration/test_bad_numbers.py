"""Regression (found by tests/reliability): a legacy record holding a number JavaScript reads as
Infinity (1e400), or Python-only tokens (NaN, Infinity), used to stop the whole batch with
"internal error (ValueError: Out of range float values are not JSON compliant)". Such a record
is now refused on its own, byte-identical, and the rest of the batch migrates."""
from __future__ import annotations

import json

import pytest
from taskerino_storage.errors import RecordDecodeError
from taskerino_storage.migration import commands
from taskerino_storage.session import layout
from taskerino_storage.storage import codec

from .helpers import deep, migrator, raw, sessions, store_with

S = sessions(4, seed=11)


@pytest.mark.parametrize("literal", ["1e400", "-1E999", "1.5e309", "9" * 5000, "NaN", "Infinity", "-Infinity"])
async def test_a_number_json_cannot_hold_is_refused_alone(literal):
    bad = deep(S[1])
    text = json.dumps(bad).replace(f'"id": "{bad["id"]}"', f'"id": "{bad["id"]}", "huge": {literal}')
    backend = store_with(array=deep([S[0]]), records=deep([S[2], S[3]]))
    backend.put_raw(layout.legacy_session_key(bad["id"]), text)
    before = raw(backend)
    result = (await commands.migrate_all_sessions(migrator(backend))).to_dict()
    assert result["migrated"] == 3 and result["errorCount"] == 1
    [error] = result["errors"]
    assert error["sessionId"] == bad["id"] and "cannot be decoded" in error["message"]
    assert raw(backend)[layout.legacy_session_key(bad["id"])] == before[layout.legacy_session_key(bad["id"])]


@pytest.mark.parametrize("literal", ["1e308", "5e-324", "-0", "-0.0", "9007199254740993", "1" + "0" * 400])
def test_numbers_at_the_edges_still_read_exactly(literal):
    value = codec.loads("k", f"[{literal}]")
    assert codec.dumps(value) == f"[{json.dumps(json.loads(literal))}]"


def test_loads_refuses_what_json_parse_refuses():
    for text in ("[NaN]", "[1e400]", "[-Infinity]"):
        with pytest.raises(RecordDecodeError):
            codec.loads("k", text)
