"""Purge by keys, prefix and tags (hard and soft), and purges racing with fetches in flight."""

from __future__ import annotations

import asyncio

import pytest

from conftest import CountingFetcher, settle
from zatabase import Cache, CallStatus, Outcome


async def fill(cache: Cache) -> None:
    await cache.set("user:1", {"id": 1}, tags=["users", "user:1"])
    await cache.set("user:2", {"id": 2}, tags=["users", "user:2"])
    await cache.set("product:1", {"id": 1}, tags=["products"])
    await cache.set("product:2", {"id": 2}, tags=["products"])


@pytest.mark.asyncio
async def test_purge_by_tag(cache: Cache) -> None:
    await fill(cache)
    result = await cache.purge(tags=["user:1"])
    assert result["objects_purged"] == 1 and result["bytes_freed"] > 0
    assert await cache.get("user:1") is None
    assert await cache.get("user:2") == {"id": 2}


@pytest.mark.asyncio
async def test_purge_by_keys_and_prefix(cache: Cache) -> None:
    await fill(cache)
    assert (await cache.purge(keys=["user:2", "missing"]))["objects_purged"] == 1
    assert (await cache.purge(prefix="product:"))["objects_purged"] == 2
    assert cache.stats()["entries"] == 1


@pytest.mark.asyncio
async def test_selectors_combine_as_a_union(cache: Cache) -> None:
    await fill(cache)
    result = await cache.purge(keys=["user:1"], prefix="product:", tags=["users"])
    assert result["objects_purged"] == 4
    assert cache.stats()["entries"] == 0 and cache.stats()["bytes"] == 0


@pytest.mark.asyncio
async def test_soft_purge_serves_stale_while_one_revalidation_runs(cache: Cache) -> None:
    fetch = CountingFetcher({"id": 1, "v": 2})
    await cache.set("user:1", {"id": 1, "v": 1}, tags=["users"])
    result = await cache.purge(tags=["users"], soft=True)
    assert result == {"objects_purged": 1, "bytes_freed": 0}
    s = CallStatus()
    assert await cache.swr("user:1", fetch, status=s) == {"id": 1, "v": 1}
    assert s.outcome is Outcome.STALE
    await settle(cache)
    assert await cache.swr("user:1", fetch, status=s) == {"id": 1, "v": 2}
    assert s.outcome is Outcome.HIT and fetch.calls == 1


@pytest.mark.asyncio
async def test_a_fetch_in_flight_during_a_purge_is_not_stored(cache: Cache) -> None:
    fetch = CountingFetcher({"old": True}, gated=True)
    task = asyncio.create_task(cache.swr("user:1", fetch, tags=["users"]))
    await fetch.started.wait()
    await cache.purge(tags=["users"])
    fetch.gate.set()
    assert await task == {"old": True}  # the caller still gets its value
    assert await cache.get("user:1") is None


@pytest.mark.asyncio
async def test_purge_needs_a_selector(cache: Cache) -> None:
    with pytest.raises(ValueError, match="at least one"):
        await cache.purge()
    with pytest.raises(TypeError, match="tags must be a list"):
        await cache.purge(tags="users")


@pytest.mark.asyncio
async def test_delete_and_clear(cache: Cache) -> None:
    await fill(cache)
    assert await cache.delete("user:1") is True
    assert await cache.delete("user:1") is False
    await cache.clear()
    assert cache.stats()["entries"] == 0
