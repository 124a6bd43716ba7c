"""Background revalidations: tracked tasks; failures go to logging and on_error, never unhandled."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from conftest import CountingFetcher, settle
from zatabase import Cache
from zatabase.testing import ManualClock


@pytest.mark.asyncio
async def test_failed_revalidation_is_logged_and_reported(
    clock: ManualClock, caplog: pytest.LogCaptureFixture, loop_errors: list[dict[str, Any]]
) -> None:
    heard: list[tuple[BaseException, str]] = []
    async with Cache(clock=clock, on_error=lambda e, k: heard.append((e, k))) as cache:
        await cache.set("k", "v1", ttl=1, stale=100)
        clock.advance(2)
        failing = CountingFetcher()
        failing.error = ConnectionError("origin down")
        with caplog.at_level(logging.WARNING, logger="zatabase"):
            assert await cache.swr("k", failing) == "v1"
            await settle(cache)
        assert heard == [(failing.error, "k")]
        assert any("revalidation failed" in r.getMessage() and r.exc_info for r in caplog.records)
        # The stale entry stays, and the next stale read revalidates again.
        again = CountingFetcher("v2")
        assert await cache.swr("k", again) == "v1"
        await settle(cache)
        assert await cache.get("k") == "v2"


@pytest.mark.asyncio
async def test_a_raising_on_error_hook_is_logged_not_raised(
    clock: ManualClock, caplog: pytest.LogCaptureFixture, loop_errors: list[dict[str, Any]]
) -> None:
    def hook(e: BaseException, k: str) -> None:
        raise ValueError("bad hook")

    async with Cache(clock=clock, on_error=hook) as cache:
        await cache.set("k", "v1", ttl=1)
        clock.advance(2)
        failing = CountingFetcher()
        failing.error = RuntimeError("x")
        with caplog.at_level(logging.ERROR, logger="zatabase"):
            await cache.swr("k", failing)
            await settle(cache)
        assert any("on_error hook raised" in r.getMessage() for r in caplog.records)


@pytest.mark.asyncio
async def test_revalidation_stores_the_new_value_with_its_options(clock: ManualClock) -> None:
    async with Cache(clock=clock) as cache:
        await cache.set("k", "v1", ttl=1)
        clock.advance(2)
        await cache.swr("k", CountingFetcher("v2"), ttl=50, tags=["t"])
        await settle(cache)
        assert await cache.get("k") == "v2"
        assert (await cache.purge(tags=["t"]))["objects_purged"] == 1
