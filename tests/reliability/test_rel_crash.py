"""Crash: a batch migration of generated sessions in a persistent Chromium profile, the browser
killed (SIGKILL, every process of that profile) at a seeded random moment; reopened, every
session reads back equal to its original from its legacy or chunked form; a rerun completes,
everything migrated exactly once (session-index ids unique, one backup per session)."""
from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from browser.harness import fresh_db, open_booted_page
from reliability.reliability_helpers import LONG, RUN_MIGRATION, check, fill

TRIALS = 20 if LONG else 3
N = 100

START = """async (db) => {
    const { loadChunkedMigration } = await import('/taskerino-migration.mjs');
    const api = loadChunkedMigration({ dbName: db, log: false });
    window.__percent = -1;
    window.__batch = api.runChunkedMigration({ onProgress: (message, percent) => { window.__percent = percent; } })
        .then((r) => (window.__done = r), (e) => (window.__done = String(e)));
    return true;
}"""


def profile_pids(profile: Path) -> list[int]:
    """Every process whose command line names this profile directory (Chromium and its children)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(profile) in cmdline:
                pids.append(int(entry.name))
    return pids


def kill_profile(profile: Path) -> int:
    pids = profile_pids(profile)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(pids)


def launch(browser_type, launch_args, profile, web_url):
    context = browser_type.launch_persistent_context(str(profile), **launch_args)
    booted = open_booted_page(context, web_url)
    booted.page.set_default_timeout(300_000)
    return context, booted


@pytest.mark.parametrize("trial", range(TRIALS))
def test_killed_mid_batch_loses_nothing_and_rerun_finishes_once(browser_type, browser_type_launch_args, web_url,
                                                                 tmp_path, trial):
    rng = random.Random(f"crash-{trial}")
    seed = 1000 + trial
    target = rng.randint(0, 100)  # the progress percent to wait for...
    extra_ms = rng.randint(0, 400)  # ...then this long before the kill
    profile = tmp_path / "profile"
    db = fresh_db()
    context, booted = launch(browser_type, browser_type_launch_args, profile, web_url)
    assert fill(booted, db, N, seed) == N
    booted.page.evaluate(START, db)
    booted.page.wait_for_function("(p) => window.__percent >= p || window.__done !== undefined", arg=target)
    time.sleep(extra_ms / 1000)
    finished_before_kill = booted.page.evaluate("() => window.__done !== undefined")
    assert kill_profile(profile) > 0
    try:
        context.close()
    except Exception:  # the browser is gone already
        pass
    time.sleep(0.5)
    assert profile_pids(profile) == []

    context, booted = launch(browser_type, browser_type_launch_args, profile, web_url)
    try:
        after_crash = check(booted, db, N, seed)
        assert after_crash["lost_or_altered"] == [], after_crash
        assert after_crash["chunked"] + after_crash["legacy"] == N and after_crash["index_ids_unique"]
        assert after_crash["backups_per_session"] in ([], [1])
        rerun = booted.page.evaluate(RUN_MIGRATION, [db, {}])
        assert rerun["success"] is True and rerun["errorCount"] == 0, rerun["errors"]
        final = check(booted, db, N, seed)
        assert final["lost_or_altered"] == [] and final["chunked"] == N and final["legacy"] == 0
        assert final["legacy_twice"] == [] and final["index_ids_unique"] and len(final["index_ids"]) == N
        assert final["backups_per_session"] == [1] and final["backed_up"] == N
        again = booted.page.evaluate(RUN_MIGRATION, [db, {}])
        assert (again["migrated"], again["skipped"], again["errorCount"]) == (0, N, 0)
        print(f"crash trial {trial}: killed at ≥{target}% +{extra_ms} ms (finished before kill: {finished_before_kill}); "
              f"after the crash {after_crash['chunked']} chunked, {after_crash['legacy']} legacy; rerun migrated "
              f"{rerun['migrated']}")
    finally:
        context.close()
