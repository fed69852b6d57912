"""Bad data: a corpus of broken and strange legacy records, written the app's way, migrated in
one batch through the real API. Each is migrated losslessly or refused with its own error; a
refused record stays byte-identical; the rest of the batch is unaffected."""
from __future__ import annotations

import base64
import gzip
import json

import pytest
from browser.harness import fresh_db
from reliability.reliability_helpers import FINGERPRINT, LONG, RUN_MIGRATION
from taskerino_storage.demo.samples import generate_sessions

BIG_MB = 50 if LONG else 8


def gz(text: str | bytes) -> bytes:
    return gzip.compress(text.encode("utf-8") if isinstance(text, str) else text, mtime=0)


def gzip_data(raw: bytes) -> str:
    return "GZIP_V1:" + base64.b64encode(raw).decode("ascii")


def nested(depth: int):
    value: object = {"leaf": True}
    for i in range(depth):
        value = [value] if i % 2 else {"down": value}
    return value


def corpus():
    """[(case id, where, form, payload, expect)]: where is "record" (sessions/{id}) or "array"
    (an element of the `sessions` array); form: "gzip"/"json" (JSON text saved like the app),
    "raw" (the exact DATA string), "value" (a JS value built from `payload` by BUILD below);
    expect: "migrate" or "refuse"."""
    bases = iter(generate_sessions(40, seed=7, size="small"))

    def session(sid, **extra):
        base = next(bases)
        return {**base, "id": sid, **extra}

    def text(value):
        return json.dumps(value, ensure_ascii=True)

    cases = []
    add = lambda cid, where, form, payload, expect: cases.append((cid, where, form, payload, expect))
    good = text(session("bd-truncated"))
    add("bd-truncated", "record", "raw", gzip_data(gz(good)[:-12]), "refuse")
    add("bd-bad-base64", "record", "raw", "GZIP_V1:@@not*base64!!", "refuse")
    add("bd-gzip-not-utf8", "record", "raw", gzip_data(gz(b'{"id":"bd-gzip-not-utf8","name":"\xff\xfe"}')), "refuse")
    add("bd-gzip-garbage-after", "record", "raw", gzip_data(gz(text(session("bd-gzip-garbage-after"))) + b"JUNK"), "refuse")  # fflate and DecompressionStream both reject it
    add("bd-invalid-json", "record", "raw", '{"id": "bd-invalid-json", "name": ', "refuse")
    add("bd-bom-json", "record", "raw", "\ufeff" + text(session("bd-bom-json")), "refuse")
    add("bd-not-object-array", "record", "json", "[1, 2, 3]", "refuse")
    add("bd-not-object-string", "record", "json", '"a session"', "refuse")
    add("bd-not-object-null", "record", "json", "null", "refuse")
    add("bd-missing-id", "record", "json", text({"name": "no id", "startTime": "2025-01-01T00:00:00.000Z"}), "refuse")
    add("bd-number-id", "record", "json", text({**session("x"), "id": 42}), "refuse")
    add("bd-other-id", "record", "gzip", text(session("someone-else")), "refuse")
    add("bd-empty-id", "array", "json", {**session("x"), "id": ""}, "refuse")
    add("bd-array-not-object", "array", "json", "just a string", "refuse")
    add("bd-array-no-id", "array", "json", {"name": "array element without id"}, "refuse")
    add("bd-array-number-id", "array", "json", {**session("x"), "id": 7}, "refuse")
    dup = session("bd-dup-array")
    add("bd-dup-array", "array", "json", dup, "refuse")
    add("bd-dup-array", "array", "json", {**dup, "name": "the other one"}, "refuse")
    both = session("bd-dup-both")
    add("bd-dup-both", "array", "json", both, "refuse")
    add("bd-dup-both", "record", "gzip", text(both), "refuse")
    big = session("bd-big", bigNotes=["x" * 1000 + str(i) for i in range(BIG_MB * 1000)])
    add("bd-big", "record", "gzip", text(big), "migrate")
    add("bd-deep-500", "record", "gzip", text(session("bd-deep-500", deep=nested(500))), "migrate")
    add("bd-unicode", "record", "gzip", text(session(
        "bd-unicode", name="NUL\u0000 LS\u2028 PS\u2029 BOM\ufeff astral \U0001F600\U0001D11E",
        notes=["\u0000", "\ufeff", "\u2028", "\U0010FFFF", "e\u0301", "\u202e", "\uffff"])), "migrate")
    add("bd-lone-surrogates-escaped", "record", "json",
        text(session("bd-lone-surrogates-escaped", name="lo \udc00 hi \ud800", notes=["\udbff", "\ud800\ud800"])), "migrate")
    add("bd-lone-surrogates-raw", "record", "value",
        {"session": session("bd-lone-surrogates-raw"), "build": "loneRaw"}, "migrate")
    add("bd-lone-surrogates-rawtext", "record", "value",
        {"session": session("bd-lone-surrogates-rawtext"), "build": "loneRawText"}, "migrate")
    add("bd-numbers", "record", "json", text(session("bd-numbers")).replace(
        '"id": "bd-numbers"', '"id": "bd-numbers", "edges": [1e308, 5e-324, -0, -0.0, 9007199254740993, '
        '-9007199254740993, 1.7976931348623157e308, 0.1, 1E2, 123456789012345678901234567890]'), "migrate")
    add("bd-inf", "record", "json", text(session("bd-inf")).replace('"id": "bd-inf"', '"id": "bd-inf", "huge": 1e400'), "refuse")
    add("bd-array-inf", "array", "json", session("bd-array-inf", huge="__1e400__"), "refuse")  # see WRITE
    add("bd-dup-keys", "record", "json", text(session("bd-dup-keys")).replace(
        '"id": "bd-dup-keys"', '"id": "bd-dup-keys", "color": "red", "color": "blue"'), "migrate")
    for kind in ("date", "nan", "map", "hole", "infinity", "set", "bigint"):
        add(f"bd-raw-{kind}", "record", "value", {"session": session(f"bd-raw-{kind}"), "build": kind}, "refuse")
    # An undefined property means absent, as the app's own save reads it (docs/design.md).
    add("bd-raw-undefined", "record", "value", {"session": session("bd-raw-undefined"), "build": "undefined"}, "migrate")
    add("bd-raw-plain", "record", "value", {"session": session("bd-raw-plain"), "build": "plain"}, "migrate")
    add("bd-ok-gzip", "record", "gzip", text(session("bd-ok-gzip")), "migrate")
    add("bd-ok-array", "array", "json", session("bd-ok-array"), "migrate")
    add("bd-ok-array-2", "array", "json", session("bd-ok-array-2"), "migrate")
    add("bd-html-id", "record", "json", text(session("<b>bd-html-id</b>")).replace('"<b>bd-html-id</b>"', '"bd-html-id"', 1), "migrate")
    return cases


WRITE = FINGERPRINT + """
async ([db, cases]) => {
  const lone = '\\ud800';
  const build = (spec) => {
    const s = spec.session;
    switch (spec.build) {
      case 'date': return { ...s, startTime: new Date(0) };
      case 'undefined': return { ...s, endTime: undefined };
      case 'nan': return { ...s, score: NaN };
      case 'infinity': return { ...s, score: -Infinity };
      case 'map': return { ...s, tags: new Map([['a', 1]]) };
      case 'set': return { ...s, tags: new Set([1, 2]) };
      case 'bigint': return { ...s, size: 10n };
      case 'hole': return { ...s, tags: [1, , 3] };
      case 'loneRaw': return { ...s, name: 'raw lone ' + lone + ' end', notes: ['\\udfff', lone + lone] };
      case 'plain': return s;
      case 'loneRawText': return JSON.stringify({ ...s, name: 'lone in text ' + lone });
    }
  };
  const legacyText = async (data) => {
    if (typeof data !== 'string') return JSON.stringify(data);
    if (!data.startsWith('GZIP_V1:')) { JSON.parse(data); return data; }
    const bytes = Uint8Array.from(atob(data.slice(8)), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await new Response(stream).arrayBuffer());
    JSON.parse(text);
    return text;
  };
  window.__legacyText = legacyText;
  const array = [];
  for (const [id, where, form, payload] of cases) {
    if (where === 'array') { array.push(payload); continue; }
    const key = 'sessions/' + id;
    if (form === 'raw') await appStore.saveRawText(db, key, payload);
    else if (form === 'value') await appStore.saveValue(db, key, build(payload));
    else await appStore.save(db, key, payload, form);
  }
  // One array element holds 1e400 in the stored JSON text (JSON.parse reads it as Infinity).
  await appStore.save(db, 'sessions', JSON.stringify(array).replace('"__1e400__"', '1e400'), 'gzip');
  // What the app reads, before: the JSON text of every readable record, the fingerprint of every record.
  window.__before = {};
  window.__orig = {};
  for (const key of await appStore.keys(db)) {
    const record = await appStore.record(db, key);
    window.__before[key] = fingerprint(record.data);
    // The legacy JSON text itself (numbers digit for digit), or the raw value as JSON.
    try { window.__orig[key] = await legacyText(record.data); } catch (e) { window.__orig[key] = null; }
  }
  return Object.keys(window.__before).length;
}
"""

AFTER = FINGERPRINT + """
async (db) => {
  const after = {};
  for (const key of await appStore.keys(db)) after[key] = fingerprint((await appStore.record(db, key)).data);
  const arrayText = await window.__legacyText((await appStore.record(db, 'sessions')).data);
  const array = JSON.parse(arrayText);
  const before = JSON.parse(window.__orig['sessions']);
  return { after, before: window.__before, arrayAfter: array.map(fingerprint), arrayBefore: before.map(fingerprint),
           arrayTextAfter: arrayText,
           arrayBeforeIds: before.map((e) => (e && typeof e === 'object' && !Array.isArray(e)) ? e.id : undefined) };
}
"""

CHECK_MIGRATED = """
import json
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.session.compare import json_equal
backend = await open_backend(DB)
storage = ChunkedSessionStorage(backend)
out = {}
orig = json.load(open("/tmp/orig.json"))  # what the app read before, written by the test
for sid, where in WHICH:
    original = json.loads(orig["sessions"])[where] if isinstance(where, int) else json.loads(orig[where])
    loaded = await storage.load_full_session(sid)
    out[sid] = loaded is not None and json_equal(loaded, original)
json.dumps(out)
"""


CASES = corpus()
ARRAY_CASES = [c for c in CASES if c[1] == "array"]


@pytest.fixture(scope="module")
def batch(booted):
    """The whole corpus written the app's way and migrated in ONE batch (as a user's database
    would be): what each case's test then looks at."""
    page, db = booted.page, fresh_db()
    assert len({c[0] for c in CASES}) >= 30
    page.evaluate(WRITE, [db, CASES])
    result = page.evaluate(RUN_MIGRATION, [db, {}])
    state = page.evaluate(AFTER, db)
    errors: dict[str, list[str]] = {}
    for e in result["errors"]:
        errors.setdefault(e["sessionId"], []).append(e["message"])
    succeeded = {r["sessionId"] for r in result["results"] if r["success"] and not r.get("skipped")}
    migrated = [(cid, ARRAY_CASES.index(c) if where == "array" else f"sessions/{cid}")
                for c in CASES for cid, where in [c[:2]] if cid in succeeded]
    booted.put_file("/tmp/orig.json", json.dumps(page.evaluate("() => window.__orig")))
    equal = json.loads(booted.python(f"DB = {db!r}; WHICH = {migrated!r}\n" + CHECK_MIGRATED))
    return {"result": result, "state": state, "errors": errors, "succeeded": succeeded, "equal": equal}


def outcome_of(batch, case) -> tuple[str, str]:
    """("migrate" | "refuse" | "nothing", the label its result or error is under)."""
    cid, where = case[:2]
    label = cid
    if where == "array" and cid not in batch["succeeded"] and cid not in batch["errors"]:
        label = f"sessions[{ARRAY_CASES.index(case)}]"
    if label in batch["succeeded"]:
        return "migrate", label
    return ("refuse" if label in batch["errors"] else "nothing"), label


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_case_is_migrated_losslessly_or_refused_with_its_own_clear_error(batch, case):
    cid, where, _form, _payload, expect = case
    outcome, label = outcome_of(batch, case)
    assert outcome == expect, f"{cid} ({where}): expected {expect}, got {outcome}: {batch['errors'].get(label)}"
    key, state = f"sessions/{cid}", batch["state"]
    if outcome == "refuse":
        message = " ".join(batch["errors"][label])
        assert message and "Traceback" not in message and len(message) <= 2000, message[:300]
        if where == "record":
            assert state["after"].get(key) == state["before"][key], "a refused record changed"
    else:
        assert batch["equal"][cid], "the chunked form differs from what the app read"
        if where == "record":
            assert key not in state["after"], "migrated, but its legacy record is still there"


def test_the_array_keeps_exactly_its_refused_elements_unchanged(batch):
    """Exactly the refused elements remain, unchanged and in order. The array is rewritten
    element text by element text (web/lib/array-data.mjs), so even one JSON.parse can't hold
    (1e400, read as Infinity) is written back as stored, its 1e400 digit for digit."""
    state = batch["state"]
    kept = [fp for fp, sid in zip(state["arrayBefore"], state["arrayBeforeIds"]) if sid not in batch["succeeded"]]
    assert state["arrayAfter"] == kept
    assert "sessions" not in batch["errors"], batch["errors"]["sessions"]
    if any(c[0] == "bd-array-inf" for c in CASES):
        assert '"huge":1e400' in state["arrayTextAfter"]


def test_the_batch_counts_what_it_migrated(batch):
    assert batch["result"]["migrated"] == len(batch["equal"])
