"""@cache.cached: async functions whose calls go through swr."""

from __future__ import annotations

import pytest

from zatabase import Cache, CallStatus, Outcome


@pytest.mark.asyncio
async def test_cached_function(cache: Cache) -> None:
    calls: list[int] = []

    @cache.cached(ttl=300, tags=lambda id: ["products", f"product:{id}"])
    async def get_product(id: int) -> dict[str, int]:
        calls.append(id)
        return {"id": id}

    assert await get_product(1) == {"id": 1}
    s = CallStatus()
    assert await get_product(1, status=s) == {"id": 1}
    assert s.outcome is Outcome.HIT
    assert await get_product(id=2) == {"id": 2}
    assert calls == [1, 2]
    assert get_product.key_for(1).endswith("get_product:1")
    assert (await cache.purge(tags=["product:1"]))["objects_purged"] == 1
    await get_product(1)
    assert calls == [1, 2, 1]


@pytest.mark.asyncio
async def test_custom_key_and_methods(cache: Cache) -> None:
    class Repo:
        def __init__(self) -> None:
            self.calls = 0

        @cache.cached(key=lambda self, id: f"repo:{id}")
        async def find(self, id: int) -> int:
            self.calls += 1
            return id * 10

    repo = Repo()
    assert await repo.find(3) == 30 and await repo.find(3) == 30
    assert repo.calls == 1
    assert await cache.get("repo:3") == 30


def test_only_async_functions(cache: Cache) -> None:
    with pytest.raises(TypeError, match="decorates async functions"):
        cache.cached()(lambda: 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ttl must be a number"):
        cache.cached(ttl="1")  # type: ignore[arg-type]
