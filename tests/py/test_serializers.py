"""Values round-trip by their encoding byte: bytes and str raw, the rest by the chosen serializer."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from zatabase import Cache


@dataclasses.dataclass(frozen=True)
class Product:
    id: int
    name: str


@pytest.mark.asyncio
@pytest.mark.parametrize("serializer", ["pickle", "json", "raw"])
async def test_bytes_and_str_come_back_as_themselves(serializer: str) -> None:
    async with Cache(serializer=serializer) as cache:  # type: ignore[arg-type]
        for value in (b"\x00\xffraw", "héllo \U0001F600", b"", ""):
            await cache.set("k", value)
            got = await cache.get("k")
            assert got == value and type(got) is type(value)


@pytest.mark.asyncio
async def test_pickle_round_trips_python_objects() -> None:
    async with Cache() as cache:
        value = {"p": Product(1, "widget"), "t": (1, 2.5, None), "s": {1, 2}}
        await cache.set("k", value)
        assert await cache.get("k") == value


@pytest.mark.asyncio
async def test_json_round_trips_json_values_and_rejects_others() -> None:
    async with Cache(serializer="json") as cache:
        value = {"a": [1, 2.5, None, True], "b": {"c": "d"}}
        await cache.set("k", value)
        assert await cache.get("k") == value
        with pytest.raises(TypeError, match="json serializer"):
            await cache.set("k", {1, 2})


@pytest.mark.asyncio
async def test_raw_rejects_objects() -> None:
    async with Cache(serializer="raw") as cache:
        with pytest.raises(TypeError, match="raw serializer stores only bytes and str"):
            await cache.set("k", {"a": 1})
        with pytest.raises(TypeError, match="raw serializer"):
            await cache.swr("k2", lambda: 5)
        assert await cache.swr("k2", lambda: "ok") == "ok"  # the failed fill left no flight behind


@pytest.mark.asyncio
async def test_a_reader_decodes_by_how_the_value_was_written() -> None:
    name = f"mixed-{uuid.uuid4()}"
    async with Cache(name=name, serializer="json") as writer, Cache(name=name, serializer="raw") as reader:
        await writer.set("k", [1, 2])
        assert await reader.get("k") == [1, 2]


def test_unknown_serializer() -> None:
    with pytest.raises(ValueError, match="serializer must be one of"):
        Cache(serializer="yaml")  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_decoded_cache_off_gives_a_fresh_copy_per_hit() -> None:
    async with Cache(decoded_cache_bytes=0) as copies, Cache() as shared:
        for cache in (copies, shared):
            await cache.set("k", {"a": [1]})
        assert await copies.get("k") is not await copies.get("k")
        assert await shared.get("k") is await shared.get("k")
