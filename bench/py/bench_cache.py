#!/usr/bin/env python3
"""bench/py/bench_cache.py — the hit path of zatabase's swr against the Python caches people use.

In one run, on one machine: 100k keys holding a small dict, every key read once per pass in one
shuffled order (the same order for every cache), after a warm-up pass. Reported per read:

  swr_hit_us              zatabase Cache.swr (fresh hit)
  aiocache_get_hit_us     aiocache SimpleMemoryCache.get
  cashews_get_hit_us      cashews mem:// get (sized to hold every key)
  cachetools_get_hit_us   cachetools TTLCache.get (synchronous: no await)
  swr_hit_vs_aiocache     swr / aiocache time (lower is better; target <= 1.0)
  swr_hit_vs_cashews      swr / cashews time (target <= 0.33)

Contract of bench/run: `--json FILE` writes {"figures": {...}}; `--quick` makes a shorter run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable
from typing import Any, Callable

KEYS = 100_000
VALUE = {"id": 42, "name": "widget", "price": 9.99, "tags": ["blue", "small"], "stock": 12}


def per_read_us(elapsed_ns: int, reads: int) -> float:
    return elapsed_ns / reads / 1000.0


async def time_async(read: Callable[[str], Awaitable[Any]], order: list[str], passes: int) -> float:
    """Median over passes of the time per read, after one warm-up pass."""
    for key in order:
        await read(key)
    times = []
    for _ in range(passes):
        start = time.perf_counter_ns()
        for key in order:
            await read(key)
        times.append(per_read_us(time.perf_counter_ns() - start, len(order)))
    return statistics.median(times)


def time_sync(read: Callable[[str], Any], order: list[str], passes: int) -> float:
    for key in order:
        read(key)
    times = []
    for _ in range(passes):
        start = time.perf_counter_ns()
        for key in order:
            read(key)
        times.append(per_read_us(time.perf_counter_ns() - start, len(order)))
    return statistics.median(times)


async def bench_zatabase(keys: list[str], order: list[str], passes: int) -> float:
    from zatabase import Cache

    cache = Cache(max_bytes=256 << 20)
    for key in keys:
        await cache.set(key, VALUE, ttl=3600)

    def fetch() -> dict[str, Any]:
        raise AssertionError("every read must be a hit")

    # The loop calls swr inline (no wrapper function): the anchors' get is passed directly too.
    for key in order:
        await cache.swr(key, fetch, ttl=300, stale=3600)
    times = []
    for _ in range(passes):
        start = time.perf_counter_ns()
        for key in order:
            await cache.swr(key, fetch, ttl=300, stale=3600)
        times.append(per_read_us(time.perf_counter_ns() - start, len(order)))
    stats = cache.stats()
    await cache.close()
    assert stats["misses"] == 0, stats
    return statistics.median(times)


async def bench_aiocache(keys: list[str], order: list[str], passes: int) -> float:
    from aiocache import SimpleMemoryCache

    cache = SimpleMemoryCache()
    for key in keys:
        await cache.set(key, VALUE, ttl=3600)
    assert await cache.get(order[0]) == VALUE
    return await time_async(cache.get, order, passes)


async def bench_cashews(keys: list[str], order: list[str], passes: int) -> float:
    from cashews import Cache as CashewsCache

    cache = CashewsCache()
    cache.setup(f"mem://?size={2 * len(keys)}")  # the default (1000) would turn reads into misses
    for key in keys:
        await cache.set(key, VALUE, expire=3600)
    assert await cache.get(order[-1]) == VALUE
    result = await time_async(cache.get, order, passes)
    await cache.close()
    return result


def bench_cachetools(keys: list[str], order: list[str], passes: int) -> float:
    from cachetools import TTLCache

    cache: TTLCache[str, Any] = TTLCache(maxsize=2 * len(keys), ttl=3600)
    for key in keys:
        cache[key] = VALUE
    assert cache.get(order[0]) == VALUE
    return time_sync(cache.get, order, passes)


def print_table(figures: dict[str, dict[str, Any]]) -> None:
    width = max(len(n) for n in figures)
    print(f"{'figure':<{width}}  {'value':>8}  {'unit':<6}  anchor / target")
    for name, f in figures.items():
        notes = "; ".join(x for x in (f.get("anchor", ""), f"target {f['target']}" if "target" in f else "") if x)
        print(f"{name:<{width}}  {f['value']:>8.3f}  {f['unit']:<6}  {notes}")


async def run(quick: bool) -> dict[str, dict[str, Any]]:
    passes = 2 if quick else 7
    keys = [f"product:{i}" for i in range(KEYS)]
    order = keys[:]
    random.Random(7).shuffle(order)
    ours = await bench_zatabase(keys, order, passes)
    aiocache = await bench_aiocache(keys, order, passes)
    cashews = await bench_cashews(keys, order, passes)
    cachetools = bench_cachetools(keys, order, passes)
    return {
        "swr_hit_us": {"value": ours, "unit": "us/op"},
        "aiocache_get_hit_us": {"value": aiocache, "unit": "us/op", "anchor": "aiocache SimpleMemoryCache.get"},
        "cashews_get_hit_us": {"value": cashews, "unit": "us/op", "anchor": "cashews mem:// get"},
        "cachetools_get_hit_us": {"value": cachetools, "unit": "us/op", "anchor": "cachetools TTLCache.get (sync)"},
        "swr_hit_vs_aiocache": {"value": ours / aiocache, "unit": "ratio", "anchor": "aiocache SimpleMemoryCache.get",
                                "target": "<= 1.0"},
        "swr_hit_vs_cashews": {"value": ours / cashews, "unit": "ratio", "anchor": "cashews mem:// get",
                               "target": "<= 0.33"},
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", metavar="FILE", help="write the figures here (bench/run contract)")
    parser.add_argument("--quick", action="store_true", help="fewer passes, same figures")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.quick))
    print_table(figures)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"figures": figures}, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
