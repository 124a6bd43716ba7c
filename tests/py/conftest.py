"""Fixtures for the zatabase tests: a cache on a manual clock, and a fetcher that counts its calls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from zatabase import Cache
from zatabase.testing import ManualClock


class CountingFetcher:
    """An async fetcher returning `value` (or raising `error`); `gate` holds it until set."""

    def __init__(self, value: Any = "v1", *, gated: bool = False) -> None:
        self.value = value
        self.error: BaseException | None = None
        self.calls = 0
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()

    async def __call__(self) -> Any:
        self.calls += 1
        self.started.set()
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Whatever reaches the loop's exception handler (a failed task nobody awaited, "Task was
    destroyed but it is pending", a callback that raised) fails the test."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    loop.set_exception_handler(previous)
    assert not seen, seen


@pytest_asyncio.fixture
async def cache(clock: ManualClock, loop_errors: list[dict[str, Any]]) -> AsyncIterator[Cache]:
    c = Cache(max_bytes=64 << 20, clock=clock)
    yield c
    await c.close()


async def settle(cache: Cache) -> None:
    """Lets background revalidations started so far finish."""
    await cache.wait_background()
