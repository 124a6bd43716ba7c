"""Error mapping: one class per core error kind, `code`, and friendly TypeError/ValueError."""

from __future__ import annotations

import asyncio
import uuid

import pytest

import zatabase
from conftest import CountingFetcher
from zatabase import _native, errors
from zatabase.testing import ManualClock


def test_every_core_error_kind_has_a_class() -> None:
    assert set(_native.error_codes()) == set(errors.CLASSES_BY_CODE)
    for code, cls in errors.CLASSES_BY_CODE.items():
        with pytest.raises(cls) as info:
            _native.raise_error(code, f"boom {code}")
        assert isinstance(info.value, zatabase.ZcacheError)
        assert info.value.code == code
        assert str(info.value) == f"boom {code}"


def test_builtin_bases() -> None:
    with pytest.raises(ValueError):
        _native.raise_error("invalid_argument", "x")
    with pytest.raises(TimeoutError):
        _native.raise_error("timeout", "x")


@pytest.mark.asyncio
async def test_closed_cache_raises_closed_error() -> None:
    cache = zatabase.Cache()
    await cache.close()
    assert cache.closed
    for call in (cache.get("k"), cache.set("k", 1), cache.swr("k", lambda: 1), cache.purge(tags=["t"])):
        with pytest.raises(zatabase.ClosedError) as info:
            await call
        assert info.value.code == "closed"


@pytest.mark.asyncio
async def test_bad_arguments(cache: zatabase.Cache) -> None:
    with pytest.raises(TypeError, match="key must be a str, not int"):
        await cache.swr(5, lambda: 1)  # type: ignore[arg-type]
    with pytest.raises(zatabase.InvalidArgumentError, match="key must not be empty"):
        await cache.swr("", lambda: 1)
    with pytest.raises(TypeError, match="ttl must be a number of seconds"):
        await cache.swr("k", lambda: 1, ttl="5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stale must be a non-negative"):
        await cache.set("k", 1, stale=-1)
    with pytest.raises(TypeError, match="fetcher must be a callable"):
        await cache.swr("k2", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="every tag must be a str"):
        await cache.set("k", 1, tags=[1])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="max_bytes must be greater than 0"):
        zatabase.Cache(max_bytes=0)
    with pytest.raises(TypeError, match="clock must be"):
        zatabase.Cache(clock=object())  # type: ignore[arg-type]
    # A failed validation on a miss leaves no flight behind.
    assert await cache.swr("k", lambda: 1) == 1


def test_native_code_checks_types_itself() -> None:
    engine = zatabase.Cache()._engine
    with pytest.raises(TypeError, match="key must be a str"):
        engine.lookup(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be bytes"):
        engine.set("k", "not bytes", 0, None, None, None, [])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.set("k", b"v", 0, None, None, None, "tags")  # type: ignore[arg-type]


def test_reopening_a_named_cache_with_another_size_conflicts() -> None:
    name = f"conflict-{uuid.uuid4()}"
    first = zatabase.Cache(name=name, max_bytes=1 << 20)
    with pytest.raises(zatabase.ConflictError):
        zatabase.Cache(name=name, max_bytes=2 << 20)
    del first


@pytest.mark.asyncio
async def test_waiters_get_the_fetchers_own_exception(cache: zatabase.Cache) -> None:
    class Boom(Exception):
        pass

    fetch = CountingFetcher(gated=True)
    fetch.error = Boom("db down")
    tasks = [asyncio.create_task(cache.swr("k", fetch)) for _ in range(3)]
    await fetch.started.wait()
    fetch.gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(r is fetch.error for r in results)
    assert fetch.calls == 1


@pytest.mark.asyncio
async def test_hard_timeout_gives_waiters_a_timeout_error() -> None:
    clock = ManualClock()
    async with zatabase.Cache(clock=clock, hard_timeout=2) as cache:
        slow = CountingFetcher("late", gated=True)
        leader = asyncio.create_task(cache.swr("k", slow))
        await slow.started.wait()
        waiter = asyncio.create_task(cache.swr("k", slow))
        await asyncio.sleep(0)
        clock.advance(3)
        cache.run_maintenance()
        with pytest.raises(zatabase.TimeoutError):
            await waiter
        slow.gate.set()
        assert await leader == "late"
