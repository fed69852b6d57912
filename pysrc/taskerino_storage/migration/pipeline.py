"""A few sessions in flight at once, so one session's Python work (parsing, validating,
comparing) runs while another's I/O (gzip on a codec worker, the IndexedDB commit, the
read-back) is under way. In Pyodide both would otherwise wait on each other: measured on
2 cores, the main thread sat idle a third of a batch.

Each session still runs whole under its own lock (job.py), so overlapping them changes no
step of any one session; only the order of their steps relative to each other.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

T = TypeVar("T")

DEPTH = 2  # sessions in flight; more bought nothing on 2 cores and holds more sessions in memory


class InOrder:
    """Turns taken in the order 1, 2, 3…: the n-th waits for the (n-1)-th's turn to end, so
    progress lines stay in session order while the sessions overlap."""

    def __init__(self) -> None:
        self._ended: dict[int, asyncio.Event] = {}

    def _event(self, n: int) -> asyncio.Event:
        if n not in self._ended:
            self._ended[n] = asyncio.Event()
            if n == 0:
                self._ended[n].set()
        return self._ended[n]

    @asynccontextmanager
    async def turn(self, n: int) -> AsyncIterator[None]:
        await self._event(n - 1).wait()
        try:
            yield
        finally:
            self._event(n).set()
            self._ended.pop(n - 1, None)


async def run_overlapped(count: int, start: Callable[[int], bool],
                         job: Callable[[int], Awaitable[T]], depth: int = DEPTH) -> list[T | None]:
    """job(1)…job(count), at most `depth` at once, started in order; `start(n)` is asked just
    before starting the n-th (False: skip it). Results by position (None: skipped). The first
    exception a job raises (a crash, not a session's error: those are results) cancels the
    others and propagates, as if the tab had died there."""
    results: list[Any] = [None] * count
    slots = asyncio.Semaphore(max(1, depth))
    running: list[asyncio.Task] = []

    async def run(n: int) -> None:
        try:
            results[n - 1] = await job(n)
        finally:
            slots.release()

    try:
        for n in range(1, count + 1):
            await slots.acquire()
            _raise_first_failure(running)
            if not start(n):
                slots.release()
                continue
            running.append(asyncio.ensure_future(run(n)))
        await asyncio.gather(*running)
    except BaseException:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        raise
    return results


def _raise_first_failure(tasks: Sequence[asyncio.Task]) -> None:
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()
