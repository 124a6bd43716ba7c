"""Cache(name=...) in several threads, each with its own event loop, shares one engine and one flight."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

from zatabase import Cache, CallStatus, Outcome


def run_in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def main() -> None:
        try:
            out["result"] = asyncio.run(target())
        except BaseException as e:  # surfaced by the test
            out["error"] = e

    t = threading.Thread(target=main)
    t.start()
    return t, out


def test_two_threads_two_loops_one_fetch() -> None:
    name = f"shared-{uuid.uuid4()}"
    started = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    probe = Cache(name=name)  # a third handle, to watch the engine

    async def leader() -> Any:
        cache = Cache(name=name)

        async def fetch() -> dict[str, int]:
            calls.append("leader")
            started.set()
            await asyncio.get_running_loop().run_in_executor(None, release.wait)
            return {"v": 1}

        try:
            return await cache.swr("k", fetch), cache._engine.engine_id
        finally:
            await cache.close()

    async def follower() -> Any:
        cache = Cache(name=name)
        s = CallStatus()

        def fetch() -> dict[str, int]:
            calls.append("follower")
            return {"v": 2}

        try:
            return await cache.swr("k", fetch, status=s), s.outcome, cache._engine.engine_id
        finally:
            await cache.close()

    t1, out1 = run_in_thread(leader)
    assert started.wait(30)
    t2, out2 = run_in_thread(follower)
    # The follower has looked up (a miss that waits) once the engine counted a second miss.
    while probe.stats()["misses"] < 2 and t2.is_alive():
        threading.Event().wait(0.001)
    release.set()
    t1.join(30)
    t2.join(30)
    assert "error" not in out1 and "error" not in out2, (out1, out2)
    value1, engine1 = out1["result"]
    value2, outcome2, engine2 = out2["result"]
    assert calls == ["leader"]
    assert value1 == value2 == {"v": 1}
    assert outcome2 is Outcome.MISS
    assert engine1 == engine2 == probe._engine.engine_id
    assert probe.stats()["fills"] == 1


def test_shared_cache_sees_writes_and_purges_from_other_threads_at_once() -> None:
    name = f"shared-{uuid.uuid4()}"
    here = Cache(name=name)

    async def read_twice() -> None:
        assert await here.get("k") == {"v": 1}  # decoded and remembered by this handle

    asyncio.run(here.set("k", {"v": 1}))
    asyncio.run(read_twice())

    def writer() -> None:
        async def write() -> None:
            other = Cache(name=name)
            await other.set("k", {"v": 2})
            await other.close()
        asyncio.run(write())

    t = threading.Thread(target=writer)
    t.start()
    t.join(30)
    assert asyncio.run(here.get("k")) == {"v": 2}  # the remembered decoded value is not served

    def purger() -> None:
        async def purge() -> None:
            other = Cache(name=name)
            await other.purge(keys=["k"])
            await other.close()
        asyncio.run(purge())

    t = threading.Thread(target=purger)
    t.start()
    t.join(30)
    assert asyncio.run(here.get("k")) is None
