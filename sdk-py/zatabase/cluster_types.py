"""The shapes of the brain's cluster API (seed 000, server/brain/api), as TypedDicts.

The client returns plain dicts parsed from the brain's JSON; these types only describe them. Fields
are the seed's snake_case names; the brain adds a few (``nodes_failed`` and ``sequence`` on purge).
A disabled client (``enabled=False``, ``ZCACHE_ENABLED=false``) returns the same shapes filled
with zeros, or ``None`` where there is nothing to describe (see ``ZatabaseClient``).
"""

from __future__ import annotations

from typing import Literal, Optional, TypedDict

__all__ = [
    "ClusterStatus",
    "NodeStatus",
    "CacheNode",
    "NodeRegistration",
    "ClusterMetrics",
    "NodeMetrics",
    "PurgeRequest",
    "ClusterPurgeResult",
    "BrainHealth",
]

NodeStatus = Literal["online", "offline", "draining"]


class ClusterStatus(TypedDict):
    """``GET /v1/cache/status``: the registry summed over every node."""

    brain_healthy: bool
    total_nodes: int
    online_nodes: int
    total_cache_bytes: int
    used_cache_bytes: int
    hit_ratio: float


class CacheNode(TypedDict):
    """One worker, as ``list_nodes()``, ``get_node()`` and ``register_node()`` return it."""

    node_id: str
    endpoint: str
    region: str
    capacity_bytes: int
    used_bytes: int
    object_count: int
    status: NodeStatus
    registered_at: str  # RFC 3339, UTC ("...Z")
    last_seen_at: str


class NodeRegistration(TypedDict):
    """The body of ``register_node()``: all three fields are required by the brain."""

    endpoint: str  # http(s)://host:port of the worker
    region: str
    capacity_bytes: int


class ClusterMetrics(TypedDict):
    """``GET /v1/cache/metrics``: the newest sample of every node, summed; latencies from the merged
    histogram; ``active_nodes`` counts online nodes."""

    total_hits: int
    total_misses: int
    hit_ratio: float
    bytes_served: int
    bytes_stored: int
    bytes_capacity: int
    object_count: int
    evictions: int
    active_nodes: int
    avg_latency_ms: float
    p95_latency_ms: float
    p99_latency_ms: float
    collected_at: Optional[str]  # None only from a disabled client


class NodeMetrics(TypedDict):
    """``GET /v1/cache/nodes/{id}/metrics``: the node's newest sample (zeros before the first)."""

    node_id: str
    hits: int
    misses: int
    hit_ratio: float
    bytes_served: int
    bytes_stored: int
    capacity_bytes: int
    object_count: int
    evictions: int
    avg_latency_ms: float
    p95_latency_ms: float
    p99_latency_ms: float
    collected_at: Optional[str]  # None until the brain has polled the node


class PurgeRequest(TypedDict, total=False):
    """The body of ``purge()``: at least one of prefix, keys, tags must select something."""

    prefix: str
    keys: list[str]
    tags: list[str]
    soft: bool  # mark stale instead of removing


class _PurgeCounts(TypedDict):
    objects_purged: int
    bytes_freed: int
    nodes_affected: int


class ClusterPurgeResult(_PurgeCounts, total=False):
    """``POST /v1/cache/purge``: counts summed over the online nodes. ``nodes_failed`` (nodes that did
    not answer in time) and ``sequence`` (the purge log's number) are absent from a disabled client's
    result."""

    nodes_failed: int
    sequence: int


class BrainHealth(TypedDict):
    """``GET /health``: ``{"status": "ok"}``, or ``"disabled"`` from a disabled client."""

    status: str
