"""The replica tier (Cache(replica_file=...)): persistence across restarts, read-through in swr(),
single-flight over a disk miss, purges of both tiers, named caches, and opening errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from zatabase import CallStatus, ClosedError, ConflictError, Cache, Outcome
from zatabase.errors import CorruptError
from zatabase.testing import ManualClock

from conftest import CountingFetcher

START = 1_700_000_000.0

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from zatabase import Cache
    from zatabase.testing import ManualClock

    async def main() -> None:
        cache = Cache(replica_file=sys.argv[1], clock=ManualClock(float(sys.argv[2])))
        for key in ("a", "b", "c"):
            await cache.swr(key, lambda key=key: "v-" + key, ttl=60, stale=600)
        await cache.flush()
        await cache.close()

    asyncio.run(main())
    """
)


def write_in_subprocess(path: Path) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(path), str(START)], check=True, timeout=60)


@pytest.mark.asyncio
async def test_restart_keeps_entries_and_windows(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    path = tmp_path / "cache.db"
    write_in_subprocess(path)
    clock = ManualClock(START)
    async with Cache(replica_file=path, clock=clock) as cache:
        # get() is memory-only: nothing there yet.
        assert await cache.get("a", "absent") == "absent"

        s = CallStatus()
        fetch = CountingFetcher("new")
        assert await cache.swr("a", fetch, status=s) == "v-a"
        assert (s.outcome, s.fetched, fetch.calls) == (Outcome.HIT, False, 0)
        assert await cache.get("a") == "v-a"  # promoted into memory

        # Past its fresh time, within stale: every reader gets the old value, one revalidates.
        clock.advance(61)
        statuses = [CallStatus() for _ in range(20)]
        values = await asyncio.gather(*(cache.swr("b", fetch, status=st) for st in statuses))
        assert values == ["v-b"] * 20
        assert {st.outcome for st in statuses} == {Outcome.STALE}
        await cache.wait_background()
        assert fetch.calls == 1
        assert await cache.swr("b", fetch, status=s) == "new"
        assert s.outcome == Outcome.HIT

        # Past the stale window: a miss, fetched.
        clock.advance(600)
        assert await cache.swr("c", fetch, status=s) == "new"
        assert (s.outcome, s.fetched, fetch.calls) == (Outcome.MISS, True, 2)

        stats = cache.stats()
        assert stats["replica_reads"] >= 3
        assert stats["replica_hits"] == 2
        assert stats["promotions"] >= 2


@pytest.mark.asyncio
async def test_disk_miss_runs_the_fetcher_once(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    async with Cache(replica_file=tmp_path / "c.db", clock=ManualClock(START)) as cache:
        fetch = CountingFetcher("v", gated=True)
        statuses = [CallStatus() for _ in range(200)]
        tasks = [asyncio.create_task(cache.swr("k", fetch, status=st)) for st in statuses]
        await fetch.started.wait()
        fetch.gate.set()
        assert await asyncio.gather(*tasks) == ["v"] * 200
        assert fetch.calls == 1
        assert {st.outcome for st in statuses} == {Outcome.MISS}
        assert sum(st.fetched for st in statuses) == 1
        assert cache.stats()["replica_reads"] == 1


@pytest.mark.asyncio
async def test_cancelling_the_lead_does_not_strand_the_others(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    async with Cache(replica_file=tmp_path / "c.db", clock=ManualClock(START)) as cache:
        leaders: list[asyncio.Task[Any]] = []
        gate = asyncio.Event()

        async def fetch() -> str:
            task = asyncio.current_task()
            assert task is not None
            leaders.append(task)
            await gate.wait()
            return "v"

        tasks = [asyncio.create_task(cache.swr("k", fetch)) for _ in range(50)]
        while not leaders:
            await asyncio.sleep(0.001)
        first = leaders[0]
        first.cancel()  # the task that received the lead, cancelled while fetching
        while len(leaders) < 2:
            await asyncio.sleep(0.001)
        gate.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert isinstance(results[tasks.index(first)], asyncio.CancelledError)
        assert [r for t, r in zip(tasks, results) if t is not first] == ["v"] * 49
        assert len(leaders) == 2


@pytest.mark.asyncio
async def test_cancelling_waiters_of_the_read(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    async with Cache(replica_file=tmp_path / "c.db", clock=ManualClock(START)) as cache:
        fetch = CountingFetcher("v")
        tasks = [asyncio.create_task(cache.swr("k", fetch)) for _ in range(20)]
        await asyncio.sleep(0)  # every task is waiting for the read (or already has its answer)
        for t in tasks[:10]:
            t.cancel()  # among them the first waiter, which would have been handed the lead
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(r == "v" for r in results[10:])
        assert fetch.calls <= 2  # a lead handed to a cancelled task is given up, then taken again


@pytest.mark.asyncio
async def test_purge_counts_both_tiers_once(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    path = tmp_path / "c.db"
    clock = ManualClock(START)
    async with Cache(replica_file=path, clock=clock) as cache:
        await cache.set("p:1", "x" * 100, tags=["t"])
        await cache.set("q:1", "y")
        await cache.flush()
        result = await cache.purge(keys=["p:1"])
        assert result["objects_purged"] == 1
        assert result["bytes_freed"] > 100  # memory's charge plus the file's
        assert await cache.purge(tags=["nothing"]) == {"objects_purged": 0, "bytes_freed": 0}
    async with Cache(replica_file=path, clock=clock) as cache:
        s = CallStatus()
        assert await cache.swr("p:1", lambda: "fetched", status=s) == "fetched"
        assert s.outcome == Outcome.MISS
        assert await cache.swr("q:1", lambda: "fetched", status=s) == "y"
        assert s.outcome == Outcome.HIT


@pytest.mark.asyncio
async def test_purge_without_replica_and_flush(loop_errors: list[dict[str, Any]]) -> None:
    async with Cache(clock=ManualClock(START)) as cache:
        await cache.set("k", 1)
        assert (await cache.purge(keys=["k"]))["objects_purged"] == 1
        await cache.flush()  # nothing to flush
        assert cache.stats()["replica_reads"] == 0
    with pytest.raises(ClosedError):
        await cache.flush()


def test_named_caches_in_two_threads_share_one_engine(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    name = f"replica-{id(path)}"
    barrier = threading.Barrier(2)
    out: dict[int, Any] = {}

    def run(i: int) -> None:
        async def main() -> Any:
            cache = Cache(name=name, replica_file=path, clock=None)
            barrier.wait()
            if i == 0:
                await cache.set("k", "from-0")
                await cache.flush()
            barrier.wait()
            s = CallStatus()
            value = await cache.swr("k", lambda: "fetched", status=s)
            engine = cache._engine.engine_id
            barrier.wait()
            await cache.close()
            return value, s.outcome, engine

        out[i] = asyncio.run(main())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out[0][:2] == out[1][:2] == ("from-0", Outcome.HIT)
    assert out[0][2] == out[1][2]


@pytest.mark.asyncio
async def test_named_cache_conflicts(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    async with Cache(name="replica-conflict", replica_file=tmp_path / "a.db") as a:
        with pytest.raises(ConflictError, match="b.db"):
            Cache(name="replica-conflict", replica_file=tmp_path / "b.db")
        async with Cache(name="replica-conflict") as joined:  # no replica_file: joins as it is
            assert joined._engine.engine_id == a._engine.engine_id
            assert joined._engine.has_replica
    async with Cache(name="memory-only-first"):
        with pytest.raises(ConflictError, match="without a replica"):
            Cache(name="memory-only-first", replica_file=tmp_path / "c.db")


@pytest.mark.asyncio
async def test_corrupt_file_and_rebuild(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a SQLite database" * 200)
    with pytest.raises(CorruptError) as info:
        Cache(replica_file=path)
    assert str(path) in str(info.value)
    async with Cache(replica_file=path, replica_rebuild=True) as cache:
        assert await cache.swr("k", lambda: 1) == 1
        await cache.flush()
    assert any(p.name.startswith("bad.db.unreadable-") for p in tmp_path.iterdir())


def test_unreachable_file_is_an_io_error(tmp_path: Path) -> None:
    from zatabase.errors import IoError

    path = tmp_path / "missing-dir" / "c.db"
    with pytest.raises(IoError) as info:
        Cache(replica_file=path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"replica_file": 123}, TypeError),
        ({"replica_file": b"x.db"}, TypeError),
        ({"replica_file": ""}, ValueError),
        ({"replica_file": "x.db", "replica_max_bytes": 0}, ValueError),
        ({"replica_file": "x.db", "replica_max_bytes": "1"}, TypeError),
        ({"replica_file": "x.db", "replica_rebuild": "yes"}, TypeError),
        ({"replica_file": "x.db", "replica_rebuild": 1}, TypeError),
    ],
)
def test_bad_options(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Cache(**kwargs)


@pytest.mark.asyncio
async def test_lead_after_close_is_given_up(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    cache = Cache(replica_file=tmp_path / "c.db", clock=ManualClock(START))
    fetch = CountingFetcher("v")
    task = asyncio.create_task(cache.swr("k", fetch))
    await asyncio.sleep(0)  # waiting for the read
    await cache.close()
    try:
        assert await task == "v"  # the read answered before close: it led and filled
    except ClosedError:
        assert fetch.calls == 0


@pytest.mark.asyncio
async def test_cancelled_after_the_lead_arrived(tmp_path: Path, loop_errors: list[dict[str, Any]]) -> None:
    """The lead is delivered to a task (its wake-up queued on the loop) that is then cancelled before
    it runs: the ticket is given up at once and another waiter fetches, with no lock timeout."""
    async with Cache(replica_file=tmp_path / "c.db", clock=ManualClock(START), lock_timeout=3600) as cache:
        runners: list[asyncio.Task[Any]] = []

        async def fetch() -> str:
            task = asyncio.current_task()
            assert task is not None
            runners.append(task)
            return "v"

        tasks = [asyncio.create_task(cache.swr("k", fetch)) for _ in range(5)]
        await asyncio.sleep(0)  # every task waits for the read; the first one gets the lead
        time.sleep(0.3)  # blocks the loop: the read answers meanwhile, its delivery waits on the loop
        tasks[0].cancel()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        assert isinstance(results[0], asyncio.CancelledError)
        assert results[1:] == ["v"] * 4
        assert len(runners) == 1 and runners[0] is not tasks[0]
