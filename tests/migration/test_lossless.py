"""Property: migrating any session (arbitrary shapes, every Unicode plane, odd numbers) and reading
it back is lossless, from either layout; the backup holds it exactly; rollback gives it back."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from representative_sessions import representative_sessions
from strategies import sessions
from taskerino_storage.migration import commands
from taskerino_storage.session import layout
from taskerino_storage.session.checksum import session_checksum
from taskerino_storage.session.compare import json_equal
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage

from .helpers import NOW, decoded, migrator, store_with

slow = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@slow
@given(session=sessions(), in_array=st.booleans(), encoding=st.sampled_from(["gzip", "json"]))
async def test_migrating_any_session_is_lossless(session, in_array, encoding):
    if not in_array:  # a record key must name the session (ids like "x.backup-y" cannot)
        session = {**session, "id": "record-session"}
    backend = store_with(array=[session] if in_array else None,
                         records=[] if in_array else [session], encoding=encoding)
    m = migrator(backend, chunked=ChunkedSessionStorage(backend, now=lambda: NOW,
                                                        screenshots_per_chunk=2,
                                                        audio_segments_per_chunk=3))
    result = await commands.migrate_session_to_chunked(m, session["id"])
    assert result.success, result.error
    assert json_equal(await commands.load_session(m, session["id"]), session)
    backup = decoded(backend, result.backup_path)
    assert json_equal(backup["session"], session) and backup["checksum"] == session_checksum(session)
    await commands.rollback_session_migration(m, session["id"])
    restored = decoded(backend, "sessions")[0] if in_array else \
        decoded(backend, layout.legacy_session_key(session["id"]))
    assert codec.dumps(restored) == codec.dumps(session)


async def test_the_representative_sessions_migrate_losslessly_in_one_batch():
    originals = representative_sessions()
    backend = store_with(array=originals[::2], records=originals[1::2])
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.success, result.errors
    for original in representative_sessions():
        assert json_equal(await commands.load_session(migrator(backend), original["id"]), original)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                    max_leaves=10))
def test_the_checksum_is_the_same_for_equal_json(value):
    shuffled = codec.loads("x", codec.dumps(value))
    assert session_checksum(shuffled) == session_checksum(value)
    if isinstance(value, dict):
        assert session_checksum(dict(reversed(list(value.items())))) == session_checksum(value)
