"""The storage interface's behavioural contract: one set of cases, run against every backend.

Plain Python with no pytest import, so the browser tests can load this file into Pyodide and
run the same cases on IndexedDB. Each case is `async def case(backend, app)` where `app`
writes and reads records the way the Taskerino app does (see AppStore).
"""
from __future__ import annotations

import json

from ..errors import RecordDecodeError

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


async def run(name, backend, app):
    await CASES[name](backend, app)
    return "ok"


# Values that must survive a round trip exactly.
AWKWARD = {
    "unicode": "é ü 漢字 😀 𝔘𝔫𝔦 \u0000 \u2028 \ufeff",
    "lone_surrogate": "\ud800 and \udfff",
    "big": 2**53 + 1,
    "negative": -(2**31),
    "float": 0.1 + 0.2,
    "tiny": 5e-324,
    "huge": 1.7976931348623157e308,
    "nulls": [None, {"x": None}],
    "bools": [True, False],
    "empty": [{}, [], ""],
    "nested": {"a": [{"b": [{"c": [1, "1", True, None]}]}]},
}


@case
async def round_trip_awkward_values(backend, app):
    await backend.write_batch({"t/awkward": AWKWARD, "t/list": [1, 2, 3], "t/str": "plain", "t/null": None})
    got = await backend.get_many(["t/awkward", "t/list", "t/str", "t/null"])
    assert got == {"t/awkward": AWKWARD, "t/list": [1, 2, 3], "t/str": "plain", "t/null": None}, got
    assert json.dumps(got["t/awkward"]) == json.dumps(AWKWARD)


@case
async def absent_keys_are_left_out(backend, app):
    await backend.write_batch({"t/present": {"v": 1}})
    assert await backend.get_many(["t/absent", "t/present"]) == {"t/present": {"v": 1}}
    assert await backend.get("t/absent") is None
    assert await backend.get("t/absent", "default") == "default"


@case
async def write_batch_deletes_then_puts(backend, app):
    await backend.write_batch({"t/a": 1, "t/b": 2, "t/c": 3})
    await backend.write_batch({"t/b": 20, "t/d": 4}, deletes=["t/a", "t/b", "t/missing"])
    assert await backend.get_many(["t/a", "t/b", "t/c", "t/d"]) == {"t/b": 20, "t/c": 3, "t/d": 4}


@case
async def keys_by_prefix_sorted(backend, app):
    await backend.write_batch({"p/x/2": 0, "p/x/1": 0, "p/x": 0, "p/y/1": 0, "q": 0})
    assert await backend.keys("p/x/") == ["p/x/1", "p/x/2"]
    assert await backend.keys("p/x") == ["p/x", "p/x/1", "p/x/2"]
    assert await backend.keys("nothing/") == []
    assert set(await backend.keys()) >= {"p/x", "p/y/1", "q"}


@case
async def reads_each_app_data_form(backend, app):
    value = {"id": "s1", "name": "Café ☕ 𝄞", "n": [1, 2.5, None, True], "nested": {"k": "v"}}
    for form in ("gzip", "json", "object"):
        await app.save(f"app/{form}", value, form)
    assert await app.raw_form("app/gzip") == "gzip"
    assert await app.raw_form("app/json") == "json"
    assert await app.raw_form("app/object") == "object"
    got = await backend.get_many(["app/gzip", "app/json", "app/object"])
    assert got == {"app/gzip": value, "app/json": value, "app/object": value}, got


@case
async def app_reads_what_we_write(backend, app):
    value = {"id": "s2", "screenshots": [{"id": "a", "aiAnalysis": {"confidence": 0.9}}], "text": "ü" * 1000}
    await backend.write_batch({"ours/value": value})
    assert await app.raw_form("ours/value") == backend_default_form(backend)
    assert await app.load("ours/value") == value
    record = await app.record_shape("ours/value")
    # A store other than IndexedDB (the desktop folder's file envelope) says what its record is.
    expected = getattr(app, "RECORD_SHAPE", None) or {"keys": ["data", "name", "timestamp"], "name": "ours/value",
                                                       "timestampIsNumber": True}
    assert record == expected, record


def backend_default_form(backend):
    return getattr(backend, "encoding", None) or backend.bridge.encoding


@case
async def undecodable_records_name_the_key(backend, app):
    good = {"fine": True}
    await app.save_raw_text("bad/base64", "GZIP_V1:not*base64!")
    await app.save_raw_text("bad/gzip", "GZIP_V1:H4sIAAAAAAAA")  # a gzip header, then nothing
    await app.save_raw_text("bad/json", '{"id": "s1", "name": ')
    await backend.write_batch({"bad/neighbour": good})
    for key, words in [("bad/base64", "base64"), ("bad/gzip", "gzip"), ("bad/json", "JSON")]:
        try:
            await backend.get(key)
        except RecordDecodeError as exc:
            assert exc.key == key and key in str(exc) and words in str(exc), str(exc)
        else:
            raise AssertionError(f"{key} decoded without error")
    assert await backend.get("bad/neighbour") == good


@case
async def read_back_names_each_record_not_stored_as_the_text_written(backend, app):
    from ..storage import codec

    values = {"rb/same": {"a": [1, 2.5, None]}, "rb/changed": {"b": "ü"}, "rb/gone": [1], "rb/broken": {"c": 1}}
    await backend.write_batch(values)
    texts = {k: codec.dumps(v) for k, v in values.items()}
    assert await backend.read_back(texts) == [], "every record reads back as written"
    await app.save("rb/changed", {"b": "u"}, "gzip")  # the app wrote it since
    await app.save_raw_text("rb/broken", "GZIP_V1:H4sIAAAAAAAA")  # undecodable now
    await backend.write_batch({}, deletes=["rb/gone"])
    assert await backend.read_back({**texts, "rb/never": "1"}) == ["rb/changed", "rb/gone", "rb/broken", "rb/never"]


@case
async def estimate_reports_bytes(backend, app):
    estimate = await backend.estimate()
    if estimate is None:  # a platform that can't tell (no navigator.storage): it must say so
        assert any("navigator.storage.estimate" in limit for limit in await backend.platform_limits())
        return
    assert isinstance(estimate.usage, int) and isinstance(estimate.quota, int)
    assert estimate.quota > 0 and estimate.available <= estimate.quota


@case
async def array_elements_are_handed_over_one_at_a_time(backend, app):
    sessions = [{"id": "a", "n": 1}, {"id": "b", "n": [2.5, None]}, "not an object", {"no": "id"}, {"id": 7}]
    await app.save("sessions", sessions, "gzip")
    array = await backend.open_array("sessions")
    assert array.ids == ["a", "b", None, None, None] and array.count == 5
    assert [await array.item(i) for i in range(5)] == sessions
    assert await backend.open_array("absent") is None


@case
async def array_removal_takes_only_unchanged_handed_over_elements(backend, app):
    await app.save("sessions", [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}], "json")
    array = await backend.open_array("sessions")
    for i in range(3):
        await array.item(i)  # d is never handed over
    # Meanwhile the app changes b and adds e: both must survive the rewrite.
    await app.save("sessions", [{"id": "a"}, {"id": "b", "edited": True}, {"id": "c"}, {"id": "d"}, {"id": "e"}], "json")
    assert sorted(await array.remove_items(["a", "b", "c", "d", "zzz"])) == ["a", "c"]
    assert await app.load("sessions") == [{"id": "b", "edited": True}, {"id": "d"}, {"id": "e"}]
    assert await array.remove_items(["a"]) == []  # already gone: nothing to do


@case
async def array_that_is_not_an_array_is_refused(backend, app):
    await app.save("sessions", {"id": "x"}, "json")
    await app.save_raw_text("broken", "GZIP_V1:H4sIAAAAAAAA")
    for key, words in [("sessions", "array"), ("broken", "gzip")]:
        try:
            await backend.open_array(key)
        except RecordDecodeError as exc:
            assert exc.key == key and words in str(exc), str(exc)
        else:
            raise AssertionError(f"{key} opened as an array")


@case
async def locks_exclude_a_second_holder(backend, app):
    from ..errors import LockBusyError

    async with backend.lock("contract-lock", wait=False):
        try:
            async with backend.lock("contract-lock", wait=False):
                raise AssertionError("a held lock was acquired twice")
        except LockBusyError as exc:
            assert "contract-lock" in str(exc)
    async with backend.lock("contract-lock", wait=False):  # released: free again
        pass


@case
async def index_changes_land_with_their_batch_and_keep_other_writers_entries(backend, app):
    from ..storage.port import IndexChange

    add = lambda sid: IndexChange("add", sid)  # noqa: E731
    await backend.write_batch({"sessions/a/metadata": {"id": "a"}}, index=add("a"))
    assert await app.load("session-index") == ["a"]
    await backend.write_batch({}, index=add("a"))  # already there: unchanged
    assert await app.load("session-index") == ["a"]
    await app.save("session-index", ["a", "app-wrote-this"], "gzip")  # the app, meanwhile
    await backend.write_batch({"sessions/b/metadata": {"id": "b"}}, index=add("b"))
    assert await app.load("session-index") == ["a", "app-wrote-this", "b"]
    await app.save("session-index", ["a", "app-wrote-this", "b", "c"], "json")
    await backend.write_batch({}, ["sessions/a/metadata"], index=IndexChange("remove", "a"))
    assert await app.load("session-index") == ["app-wrote-this", "b", "c"]
    assert await backend.get("sessions/a/metadata") is None


@case
async def an_index_that_is_not_an_array_refuses_the_whole_batch(backend, app):
    from ..errors import IndexNotArrayError
    from ..storage.port import IndexChange

    for broken in ({"not": "an array"}, "text", 7):
        await app.save("session-index", broken, "gzip")
        try:
            await backend.write_batch({"sessions/x/metadata": {"id": "x"}}, ["t/keep"],
                                      index=IndexChange("add", "x"))
        except IndexNotArrayError as exc:
            assert "session-index" in str(exc), str(exc)
        else:
            raise AssertionError(f"an index holding {broken!r} was changed")
        assert await backend.get("sessions/x/metadata") is None
        assert await app.load("session-index") == broken


@case
async def append_to_array_lands_with_its_batch_and_never_makes_two(backend, app):
    from ..errors import DuplicateElementError
    from ..storage.port import IndexChange

    session = {"id": "back", "name": "Réveil ☕", "n": [1, 2.5, None]}
    await backend.write_batch({"sessions/back/metadata": {"id": "back"}}, index=IndexChange("add", "back"))
    assert await backend.append_to_array("sessions", session, {"t/other": 1}, ["sessions/back/metadata"],
                                         index=IndexChange("remove", "back")) is True
    assert await app.load("sessions") == [session]  # created when absent
    assert await backend.get_many(["sessions/back/metadata", "t/other", "session-index"]) == \
        {"t/other": 1, "session-index": []}
    await app.save("sessions", [{"id": "app"}, session], "gzip")  # the app wrote it meanwhile
    assert await backend.append_to_array("sessions", session, {"t/more": 2}) is False  # there already
    assert await app.load("sessions") == [{"id": "app"}, session]
    assert await backend.get("t/more") == 2
    try:
        await backend.append_to_array("sessions", {**session, "name": "other"}, {"t/never": 3})
    except DuplicateElementError as exc:
        assert "back" in str(exc), str(exc)
    else:
        raise AssertionError("a different element with the same id was appended")
    assert await backend.get("t/never") is None
    assert await app.load("sessions") == [{"id": "app"}, session]
    await backend.append_to_array("sessions", {"id": "new"})
    assert await app.load("sessions") == [{"id": "app"}, session, {"id": "new"}]


@case
async def extend_array_appends_many_in_one_write_and_never_makes_two(backend, app):
    from ..errors import DuplicateElementError

    a, b = {"id": "a", "name": "Réveil ☕", "n": [1, 2.5, None]}, {"id": "b", "tags": []}
    assert await backend.extend_array("sessions", [a, b]) == 2  # created when absent
    assert await app.load("sessions") == [a, b]
    await app.save("sessions", [{"id": "app"}, a, b], "gzip")  # the app wrote meanwhile
    c, d = {"id": "c", "n": 3}, {"id": "d", "nested": {"x": [True]}}
    assert await backend.extend_array("sessions", [c, b, d]) == 2  # b is there as the same JSON
    assert await app.load("sessions") == [{"id": "app"}, a, b, c, d]
    assert await backend.extend_array("sessions", [a, d]) == 0  # all there: nothing written
    assert await app.load("sessions") == [{"id": "app"}, a, b, c, d]
    try:
        await backend.extend_array("sessions", [{"id": "e"}, {**a, "name": "other"}])
    except DuplicateElementError as exc:
        assert "'a'" in str(exc) or '"a"' in str(exc), str(exc)
    else:
        raise AssertionError("a different element with a taken id was appended")
    assert await app.load("sessions") == [{"id": "app"}, a, b, c, d]  # not even e
    await app.save("sessions", [{"id": "app"}], "json")
    assert await backend.extend_array("sessions", [{"id": f"s{i}"} for i in range(30)]) == 30
    assert await app.load("sessions") == [{"id": "app"}, *({"id": f"s{i}"} for i in range(30))]
    assert (await backend.open_array("sessions")).count == 31
