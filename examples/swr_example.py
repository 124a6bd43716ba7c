"""Seed 003's stale-while-revalidate, in Python: fresh hit, stale hit (revalidated in the
background), miss, and a tag purge, on a clock the example moves by hand."""
import asyncio

from zatabase import CallStatus, Cache
from zatabase.testing import ManualClock


async def main() -> None:
    clock = ManualClock()
    cache = Cache(max_bytes=64 << 20, clock=clock)
    version = 0

    async def find_product() -> dict:  # the "database"
        nonlocal version
        version += 1
        await asyncio.sleep(0.01)
        return {"id": 42, "name": "lamp", "version": version}

    async def show(when: str) -> None:
        s = CallStatus()
        product = await cache.swr("product:42", find_product, ttl=300, stale=3600, tags=["products"], status=s)
        print(f"  python  {when:<28} cache={s.outcome:<6} value={product}")

    await show("first request")
    await show("again")
    clock.advance(301)  # seconds
    await show("after ttl (300 s)")
    await asyncio.sleep(0.05)  # the background revalidation lands
    await show("after the revalidation")
    purged = await cache.purge(tags=["products"])
    print(f"  python  purge tags=['products']       -> {purged}")
    await show("after the purge")
    await cache.close()


asyncio.run(main())
