"""web/lib/array-scanner.mjs and array-data.mjs in real Chromium: every element's exact text and
id, checked against JSON.parse of the whole array (type-strict), whatever the chunking."""
from __future__ import annotations

import json
import random

import pytest
from browser.harness import fresh_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# In the page: scan(text, size) -> [[text, id or null, same as JSON.parse's element]] or {error};
# same(a, b) compares type-strictly (Object.is on leaves: -0 is not 0), key order included.
SETUP = """async () => {
  const { scanArray, slices, elementId } = await import('/lib/array-scanner.mjs');
  const same = (a, b) => {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
  };
  const scan = async (text, size) => {
    const whole = JSON.parse(text);
    const out = [];
    try {
      for await (const e of scanArray(slices(text, size))) {
        const ok = same(e.value, whole[e.index]) && same(JSON.parse(e.text), whole[e.index])
          && e.id === elementId(whole[e.index]) && e.index === out.length;
        out.push([e.text, e.id ?? null, ok]);
      }
    } catch (e) {
      return { error: `${e.name}: ${e.message}` };
    }
    return out.length === whole.length ? out : { error: `${out.length} of ${whole.length} elements` };
  };
  const refuses = async (text, size) => {
    try {
      for await (const e of scanArray(slices(text, size)));
    } catch (e) {
      return e.name === 'ArrayScanError' ? e.message : `${e.name}: ${e.message}`;
    }
    return null;
  };
  Object.assign(window, { scan, refuses, same });
  return true;
}"""

SIZES = [1, 2, 3, 5, 64, 1 << 20]


@pytest.fixture(scope="module")
def page(browser, web_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{web_url}/page/page.css")  # any page of the origin: the modules import from there
    assert page.evaluate(SETUP)
    yield page
    context.close()


def scan(page, text, size):
    return page.evaluate("([t, s]) => scan(t, s)", [text, size])


def check(page, text, texts, ids):
    """Every chunk size yields exactly `texts` (the elements' very texts) with `ids`."""
    for size in SIZES:
        got = scan(page, text, size)
        assert not isinstance(got, dict), (size, got)
        assert [t for t, _, _ in got] == texts, size
        assert [i for _, i, _ in got] == ids, size
        assert all(ok for _, _, ok in got), size


TRICKY_STRINGS = [
    '"[ ] { } , : \\" \\\\"', '"\\\\"', '"\\\\\\""', '"\\"]"', '"\\u005B\\u005d\\u0022\\u005c"',
    '"\\ud83d\\ude00 \\uD83D\\uDE00"', '"\\ud800"', '"😀 ünïcödé ☃"', '""', '"\\/\\b\\f\\n\\r\\t"',
]


def test_strings_with_brackets_quotes_escapes_and_surrogates(page):
    texts = [f'{{"id": {s}, "s": {s}, "a": [{s}, {{"k": {s}}}]}}' for s in TRICKY_STRINGS] + TRICKY_STRINGS
    text = "[" + ",".join(texts) + "]"
    ids = [json.loads(s) for s in TRICKY_STRINGS] + [None] * len(TRICKY_STRINGS)
    check(page, text, texts, ids)


def test_nesting_and_whitespace_anywhere(page):
    texts = ['{ "id" : "a" ,\n\t"x" : [ [ [ ] , { } ] , { "y" : { "z" : [ 1 , 2 ] } } ] }',
             '[[[[[[[[[[1]]]]]]]]]]', '{}', '[]', '-0', '1.5e-300', '12345678901234567890', 'true', 'false', 'null',
             '"x"', '{"__proto__": {"id": "not mine"}, "n": -0.0}']
    text = " \r\n\t[ \n" + " ,\r\n ".join(texts) + "\t\n]\n "
    check(page, text, texts, ["a"] + [None] * (len(texts) - 1))


def test_ids_missing_non_string_nested_and_repeated_keys(page):
    texts = ['{"name": "no id"}', '{"id": 7}', '{"id": null}', '{"id": ["a"]}', '["id", "a"]', '{"x": {"id": "inner"}}',
             '{"id": "first", "id": "last"}', '{"\\u0069d": "escaped key"}', '"id"']
    ids = [None, None, None, None, None, None, "last", "escaped key", None]
    check(page, "[" + ",".join(texts) + "]", texts, ids)


def test_duplicate_ids_are_each_reported_in_order(page):
    """The scanner reports every element; grouping copies of one id is Python's (LegacyInventory.grouped)."""
    texts = ['{"id": "a", "n": 1}', '{"id": "b"}', '{"id": "a", "n": 2}', '{"id": "a", "n": 1}']
    check(page, "[" + ",".join(texts) + "]", texts, ["a", "b", "a", "a"])


@pytest.mark.parametrize("text", ["[]", " [ ] ", "[\n]"])
def test_empty_arrays(page, text):
    check(page, text, [], [])


@pytest.mark.parametrize(("text", "why"), [
    ("", "empty"), ("   ", "empty"), ('{"id": "a"}', "does not begin with ["), ("[1,]", "where an element should be"),
    ("[,1]", "where an element should be"), ("[1,,2]", "where an element should be"), ("[1 2]", "where , or ] should be"),
    ("[1]]", "goes on after"), ("[1] x", "goes on after"), ("[{]}", "not valid JSON"), ('[{"a": 1]', "not valid JSON"),
    ("[01]", "not valid JSON"), ('["a\nb"]', "not valid JSON"), ('["\\x"]', "not valid JSON"), ("[NaN]", "not valid JSON"),
    ("[tru]", "not valid JSON"), ('["\\ud83d\\ude0"]', "not valid JSON"), ("\ufeff[]", "does not begin with ["),
    ("[1", "cut short"), ('[{"id": "a"}', "cut short"), ('["abc', "cut short"), ('["a\\"]', "cut short"),
])
def test_bad_arrays_are_refused_with_a_reason(page, text, why):
    for size in SIZES:
        message = page.evaluate("([t, s]) => refuses(t, s)", [text, size])
        assert message is not None and why in message, (size, message)


def test_every_truncation_is_refused(page):
    text = '[{"id": "a", "s": "[,]\\"\\\\", "n": [1, {"x": null}]}, "b", 12, {"id": "\\ud83d\\ude00"}]'
    cut = page.evaluate("""async (t) => {
      const accepted = [];
      for (let n = 0; n < t.length; n++) if ((await refuses(t.slice(0, n), 3)) === null) accepted.push(n);
      return accepted;
    }""", text)
    assert cut == []


def test_a_50_mb_element_plain_and_gzipped(page):
    """One element of 50 MB (escapes throughout), read from JSON text and from GZIP_V1 DATA."""
    result = page.evaluate("""async () => {
      const { scanArrayData } = await import('/lib/array-data.mjs');
      const { gzipText } = await import('/lib/gzip-codec.mjs');
      const big = 'x'.repeat(1000) + '\\\\"]},[{';
      const element = JSON.stringify({ id: 'big', body: big.repeat(Math.ceil(50e6 / big.length)) });
      const text = `[{"id": "small"}, ${element}, 1]`;
      const out = [];
      for (const data of [text, await gzipText(text)]) {
        const seen = [];
        for await (const e of scanArrayData('sessions', data)) seen.push([e.id ?? null, e.text.length, e.text === element]);
        out.push(seen);
      }
      return { out, length: element.length };
    }""")
    assert result["length"] > 50_000_000
    small, big, last = ["small", len('{"id": "small"}'), False], ["big", result["length"], True], [None, 1, False]
    assert result["out"] == [[small, big, last]] * 2  # from the JSON text, then from GZIP_V1


def test_truncated_gzip_mid_element_is_refused_and_nothing_changes(page):
    """Through the bridge: the array can't be opened, and a rollback-style append is refused; the
    stored record stays byte-identical."""
    result = page.evaluate("""async (db) => {
      const { openBridge } = await import('/lib/bridge.mjs');
      const { gzipText } = await import('/lib/gzip-codec.mjs');
      const text = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, body: `${i}`.repeat(3000) + Math.random() })));
      const full = Uint8Array.fromBase64((await gzipText(text)).slice('GZIP_V1:'.length));
      const data = 'GZIP_V1:' + full.slice(0, Math.floor(full.length * 0.6)).toBase64();
      const bridge = await openBridge(db);
      const tx = (await new Promise((r) => { const q = indexedDB.open(db, 1); q.onsuccess = () => r(q.result); }))
        .transaction('collections', 'readwrite');
      tx.objectStore('collections').put({ name: 'sessions', data, timestamp: 1 });
      await new Promise((r) => (tx.oncomplete = r));
      const errors = [];
      for (const attempt of [() => bridge.openArray('sessions'),
                             () => bridge.appendToArray('sessions', ['{"id": "new"}'], () => ['ok', [0]])]) {
        try { await attempt(); errors.push(null); } catch (e) { errors.push(`${e.name}: ${e.message}`); }
      }
      const raw = await new Promise((r) => { const q = indexedDB.open(db, 1); q.onsuccess = () => {
        const g = q.result.transaction('collections').objectStore('collections').get('sessions'); g.onsuccess = () => r(g.result.data); }; });
      return { errors, unchanged: raw === data };
    }""", fresh_db())
    assert result["unchanged"]
    for error in result["errors"]:
        assert error and error.startswith("RecordDecodeError") and "gzip" in error, error


def whitespace(draw):
    return draw(st.text(alphabet=" \t\n\r", max_size=3))


json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(['[]{},"\\', "\ud83d\ude00", "\ud800", "\\u0022", "\x00\x1f"]))
json_values = st.recursive(json_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)), max_leaves=12)
elements = st.one_of(
    json_values,
    st.fixed_dictionaries({"id": st.one_of(st.text(max_size=6), st.integers(), st.none())}, optional={"x": json_values}))


def is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def array_texts(draw):
    """A JSON array text, written in varied ways, and its elements' very texts."""
    texts = []
    for value in draw(st.lists(elements, max_size=8)):
        ascii_, indent = draw(st.booleans()), draw(st.sampled_from([None, 0, 2, "\t"]))
        seps = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]))
        text = json.dumps(value, ensure_ascii=ascii_, indent=indent, separators=seps)
        if not is_unicode(text):  # lone surrogates can't cross to the page unescaped
            text = json.dumps(value, indent=indent, separators=seps)
        texts.append(text)
    gaps = [whitespace(draw) for _ in range(2 * len(texts) + 2)]
    body = ",".join(gaps[2 * i] + t + gaps[2 * i + 1] for i, t in enumerate(texts)) if texts else gaps[0]
    return gaps[-2] + "[" + body + "]" + gaps[-1], texts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(array_texts(), min_size=20, max_size=20), st.randoms(use_true_random=False))
def test_property_scanner_agrees_with_json_parse(page, arrays, rnd: random.Random):
    """Generated arrays, 20 per round trip to the page, each in random chunk sizes: the scanner
    yields the elements' very texts, and each parses (type-strict) to JSON.parse's element."""
    cases = [[text, rnd.choice([1, 2, 7, 100, 10_000])] for text, _ in arrays]
    results = page.evaluate("async (cases) => Promise.all(cases.map(([t, s]) => scan(t, s)))", cases)
    for (text, texts), got in zip(arrays, results):
        assert not isinstance(got, dict), (text, got)
        assert [t for t, _, _ in got] == texts
        assert all(ok for _, _, ok in got), text
        expected_ids = [v["id"] if isinstance(v, dict) and isinstance(v.get("id"), str) else None
                        for v in (json.loads(t) for t in texts)]
        assert [i for _, i, _ in got] == expected_ids


def test_an_array_scanned_before_is_rewritten_by_its_known_ids_without_parsing_or_reading_dropped_elements(page):
    """array-data.mjs rewriteKnownArrayData (the batch's last rewrite of an unchanged array):
    the kept elements keep their very text, JSON.parse is never called, and with nothing kept
    the DATA is not even read (no gunzip)."""
    result = page.evaluate(r"""async () => {
      const { rewriteKnownArrayData, arrayIds } = await import('/lib/array-data.mjs');
      const { gzipText, gunzipData } = await import('/lib/gzip-codec.mjs');
      const body = 'y'.repeat(300000);  // elements over several chunks
      const text = `[ {"id" : "a", "b": "${body}"} ,{"id":"b","n":1.50,"s":"]\\\\"}` + "\n" + `, {"id":"c","b":"${body}"},{"id":"d"}]`;
      const out = {};
      for (const [form, data] of [['json', text], ['gzip', await gzipText(text)]]) {
        const ids = await arrayIds('sessions', data);
        const parse = JSON.parse, Decompression = globalThis.DecompressionStream;
        let parsed = 0, gunzips = 0;
        JSON.parse = (...a) => (parsed++, parse(...a));
        globalThis.DecompressionStream = class extends Decompression { constructor(...a) { super(...a); gunzips++; } };
        let some, none;
        try {
          some = await rewriteKnownArrayData('sessions', data, ids, 'json', (id) => id === 'b' || id === 'd');
          const afterSome = { parsed, gunzips };
          none = await rewriteKnownArrayData('sessions', data, ids, 'json', () => false);
          out[form] = { ids, some, none, afterSome, afterNone: { parsed, gunzips } };
        } finally {
          Object.assign(JSON, { parse }); globalThis.DecompressionStream = Decompression;
        }
      }
      return out;
    }""")
    for form in ("json", "gzip"):
        r = result[form]
        assert r["ids"] == ["a", "b", "c", "d"]
        assert r["some"] == '[{"id":"b","n":1.50,"s":"]\\\\"},{"id":"d"}]' and r["none"] == "[]"
        assert r["afterSome"]["parsed"] == 0
        assert r["afterNone"] == r["afterSome"]  # nothing kept: nothing read
    assert result["gzip"]["afterSome"]["gunzips"] == 1 and result["json"]["afterSome"]["gunzips"] == 0


def test_the_element_cursor_gives_the_same_element_again_from_its_window_or_a_new_scan(page):
    """array-data.mjs ElementCursor: asked again for an element it has passed, it answers from
    its window (texts only: the value is parsed again) or, further back, from a new scan; each
    time the very text and a value type-strictly JSON.parse's."""
    result = page.evaluate(r"""async () => {
      const { ElementCursor } = await import('/lib/array-data.mjs');
      const { gzipText } = await import('/lib/gzip-codec.mjs');
      const text = '[' + Array.from({ length: 9 }, (_, i) => `{"id": "s${i}", "n": ${i % 2 ? '-0' : '1.50'}, "b": "${'x'.repeat(i * 50000)}"}`).join(' ,') + ']';
      const whole = JSON.parse(text);
      const out = [];
      for (const data of [text, await gzipText(text)]) {
        const cursor = new ElementCursor('sessions', data);
        const order = [0, 1, 2, 1, 0, 3, 4, 5, 6, 7, 2, 8, 8];  // 1 and 0 from the window; 2, after 7, from a new scan
        const seen = [];
        for (const i of order) {
          const e = await cursor.at(i);
          seen.push(e.index === i && e.id === `s${i}` && same(e.value, whole[i]) && same(JSON.parse(e.text), whole[i]));
        }
        await cursor.close();
        out.push(seen.every(Boolean));
      }
      return out;
    }""")
    assert result == [True, True]
