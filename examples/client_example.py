"""Seed 000's cluster client example, in Python, as the seed writes it; only the base URL comes
from ZATABASE_URL (and the token, as documented, from ZATABASE_TOKEN). Prints what it got."""
import asyncio
import os

from zatabase import ZatabaseClient


async def main() -> None:
    async with ZatabaseClient(base_url=os.environ.get("ZATABASE_URL", "https://your-project.zatabase.io")) as client:
        # Get cluster status
        status = await client.cache.get_status()
        print(f"Hit ratio: {status['hit_ratio']}")
        # List nodes
        nodes = await client.cache.list_nodes()
        # Register a new node
        registration = await client.cache.register_node({
            "endpoint": "https://my-node.example.com:9001",
            "region": "eu-west-1",
            "capacity_bytes": 10737418240,
        })
        # Get cluster metrics
        metrics = await client.cache.get_metrics()
        # Purge objects
        result = await client.cache.purge({"prefix": "images/"})

        print(f"nodes: {len(nodes)}; registered {registration['node_id']} "
              f"({registration['endpoint']}, {registration['region']})")
        print(f"metrics: {metrics['total_hits']} hits, {metrics['total_misses']} misses, "
              f"p99 {metrics['p99_latency_ms']} ms")
        print(f"purge images/: {result}")


asyncio.run(main())
