"""session-index grown by one id at a time (storage/desktop/index_file.py): byte-identical to
writing the whole file, and re-read whenever the file is not the one we wrote last."""
import asyncio
import os

from taskerino_storage.session import layout
from taskerino_storage.storage.desktop import envelope
from taskerino_storage.storage.desktop.backend import DesktopBackend
from taskerino_storage.storage.desktop.index_file import IndexFile
from taskerino_storage.storage.port import IndexChange


def test_grown_file_is_the_one_shot_file():
    index = IndexFile()
    ids: list = []
    for n, new in enumerate(["a", "ünïcode-é", "b\"quote", "\ud800lone", *[f"s-{i}" for i in range(150)]]):
        ids = [*ids, new]
        content = index.file_for(ids, identity=("file", n), timestamp=1234)
        assert content == envelope.encode_file(envelope.js_text(ids), 1234)
        index.landed(("file", n + 1))
    # Not an append (a removal), or another file than the one kept: written whole, still identical.
    ids = ids[1:]
    assert index.file_for(ids, identity=("file", 999), timestamp=5) == envelope.encode_file(envelope.js_text(ids), 5)


def _index_of(base):
    backend = DesktopBackend.open(base)
    try:
        return asyncio.run(backend.read(layout.SESSION_INDEX_KEY)).value
    finally:
        backend.close()


def test_an_index_changed_behind_our_back_is_read_again(tmp_path):
    (tmp_path / "db").mkdir()
    backend = DesktopBackend.open(tmp_path)

    async def add(session_id):
        await backend.write_batch({f"sessions/{session_id}/metadata": {"id": session_id}},
                                  index=IndexChange("add", session_id))

    asyncio.run(add("one"))
    asyncio.run(add("two"))
    # Another writer (the app, a restored copy) rewrites the file in place: same inode.
    path = tmp_path / "db" / "session-index.json"
    stat = path.stat()
    path.write_bytes(envelope.encode_file(envelope.js_text(["other", "one", "two"])))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    asyncio.run(add("three"))
    backend.close()
    assert _index_of(tmp_path) == ["other", "one", "two", "three"]
