"""The cluster end to end: a real brain and three real workers (zcache executables) on loopback."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import signal
import time

from conftest import SECRET, Cluster, Process, call, eventually, token

NODE_FIELDS = {"node_id", "endpoint", "region", "capacity_bytes", "used_bytes", "object_count", "status",
               "registered_at", "last_seen_at"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(payload: dict, *, secret: str = SECRET, alg: str = "HS256") -> str:
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(payload).encode())
    if alg == "none":
        return f"{head}.{body}."
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def three_workers(c: Cluster) -> list[Process]:
    c.start_brain()
    workers = [c.start_worker(region) for region in ("us-east-1", "eu-west-1", "ap-south-1")]
    eventually(lambda: len(call("GET", c.brain.url + "/v1/cache/nodes")[2]) == 3)
    return workers


def put(worker: Process, key: str, body: bytes, tags: str = "") -> None:
    headers = {"Zcache-Ttl": "3600"}
    if tags:
        headers["Zcache-Tags"] = tags
    status, _, _ = call("PUT", f"{worker.url}/objects/{key}", raw=body, headers=headers)
    assert status == 201


def test_workers_register_and_every_endpoint_answers_with_the_seed_fields(cluster: Cluster) -> None:
    workers = three_workers(cluster)
    brain = cluster.brain.url
    status, _, nodes = call("GET", brain + "/v1/cache/nodes")
    assert status == 200 and len(nodes) == 3
    for node in nodes:
        assert set(node) >= NODE_FIELDS
        assert node["status"] == "online"
        assert node["capacity_bytes"] == 64 << 20
        assert node["registered_at"].endswith("Z") and node["last_seen_at"].endswith("Z")
    assert {n["endpoint"] for n in nodes} == {w.url for w in workers}

    status, _, st = call("GET", brain + "/v1/cache/status")
    assert status == 200
    assert st["brain_healthy"] is True and st["total_nodes"] == 3 and st["online_nodes"] == 3
    assert st["total_cache_bytes"] == 3 * (64 << 20)
    assert set(st) >= {"used_cache_bytes", "hit_ratio"}

    node_id = nodes[0]["node_id"]
    status, _, one = call("GET", f"{brain}/v1/cache/nodes/{node_id}")
    assert status == 200 and one["node_id"] == node_id

    # Real hits and misses on one worker, then the brain's poller picks them up.
    w = next(w for w in workers if w.url == one["endpoint"])
    put(w, "hello", b"x" * 1024)
    for _ in range(9):
        assert call("GET", f"{w.url}/objects/hello")[0] == 200
    assert call("GET", f"{w.url}/objects/absent")[0] == 404

    def node_metrics():
        s, _, m = call("GET", f"{brain}/v1/cache/nodes/{node_id}/metrics")
        return m if s == 200 and m.get("hits") == 9 else None
    m = eventually(node_metrics)
    assert m["misses"] == 1 and m["object_count"] == 1 and m["p99_latency_ms"] >= 0

    s, _, agg = call("GET", brain + "/v1/cache/metrics")
    assert s == 200
    assert set(agg) >= {"total_hits", "total_misses", "hit_ratio", "bytes_served", "bytes_stored", "bytes_capacity",
                        "object_count", "evictions", "active_nodes", "avg_latency_ms", "p95_latency_ms",
                        "p99_latency_ms", "collected_at"}
    assert agg["total_hits"] == 9 and agg["total_misses"] == 1
    assert abs(agg["hit_ratio"] - 0.9) < 1e-9
    assert agg["active_nodes"] == 3 and agg["bytes_served"] == 9 * 1024

    status, _, prom = call("GET", brain + "/metrics", auth=None)
    assert status == 200 and "zcache_" in prom
    assert call("GET", brain + "/health", auth=None)[0] == 200


def test_purge_fans_out_and_the_counts_add_up(cluster: Cluster) -> None:
    workers = three_workers(cluster)
    for i, w in enumerate(workers):
        for j in range(i + 1):  # 1, 2 and 3 images
            put(w, f"images/{j}.png", b"p" * 100)
        put(w, "assets/logo.png", b"l" * 50, tags="brand")
        put(w, "keep/me", b"k")
    status, _, r = call("POST", cluster.brain.url + "/v1/cache/purge",
                        {"prefix": "images/", "keys": ["assets/logo.png"]})
    assert status == 200
    assert r["objects_purged"] == 6 + 3
    assert r["nodes_affected"] == 3
    assert r["bytes_freed"] > 0
    for w in workers:
        assert call("GET", f"{w.url}/objects/images/0.png")[0] == 404
        assert call("GET", f"{w.url}/objects/keep/me")[0] == 200
    status, _, r = call("POST", cluster.brain.url + "/v1/cache/purge", {"tags": ["brand"]})
    assert status == 200 and r["objects_purged"] == 0


def test_auth_failures_are_401(cluster: Cluster) -> None:
    brain = cluster.start_brain().url + "/v1/cache/status"
    now = int(time.time())
    for bad in [None, "not-a-jwt", jwt({"sub": "x", "exp": now - 60}), jwt({"sub": "x", "exp": now + 600, "nbf": now + 300}),
                jwt({"sub": "x", "exp": now + 600}, secret="forged"), jwt({"sub": "x", "exp": now + 600}, alg="none"),
                jwt({"sub": "x", "exp": now + 600}, alg="HS384")]:
        status, headers, body = call("GET", brain, auth=bad)
        assert status == 401, bad
        assert body["error"]["code"] == "unauthorized"
    assert call("GET", brain, auth=jwt({"sub": "x", "exp": now + 600}))[0] == 200


def test_bad_bodies_and_unknown_nodes(cluster: Cluster) -> None:
    base = cluster.start_brain().url + "/v1/cache"
    for body, field in [({"endpoint": "ftp://x", "region": "r", "capacity_bytes": 1}, "endpoint"),
                        ({"endpoint": "http://w:9001", "region": "", "capacity_bytes": 1}, "region"),
                        ({"endpoint": "http://w:9001", "region": "r" * 65, "capacity_bytes": 1}, "region"),
                        ({"endpoint": "http://w:9001", "region": "r", "capacity_bytes": -5}, "capacity_bytes"),
                        ({"endpoint": "http://w:9001", "region": "r", "capacity_bytes": "5"}, "capacity_bytes")]:
        status, _, r = call("POST", base + "/nodes/register", body)
        assert status == 400, body
        assert field in json.dumps(r), r
    assert call("POST", base + "/nodes/register", raw=b"{not json")[0] == 400
    assert call("POST", base + "/purge", {})[0] == 400
    assert call("POST", base + "/purge", {"keys": "a"})[0] == 400
    assert call("POST", base + "/purge", raw=b"x" * (9 << 20))[0] == 413
    assert call("GET", base + "/nodes/node_ffffffffffffffff")[0] == 404
    assert call("DELETE", base + "/nodes/node_ffffffffffffffff")[0] == 404
    assert call("GET", base + "/nodes/node_ffffffffffffffff/metrics")[0] == 404
    status, _, node = call("POST", base + "/nodes/register", {"endpoint": "http://w:9001", "region": "r", "capacity_bytes": 10})
    assert status == 201
    status, _, again = call("POST", base + "/nodes/register", {"endpoint": "http://w:9001", "region": "r", "capacity_bytes": 10})
    assert status in (200, 201) and again["node_id"] == node["node_id"]
    assert call("DELETE", f"{base}/nodes/{node['node_id']}")[0] == 204
    assert call("GET", f"{base}/nodes/{node['node_id']}")[0] == 404


def test_killed_worker_goes_offline_and_comes_back(cluster: Cluster) -> None:
    cluster.start_brain()
    w = cluster.start_worker()
    port = w.port
    nodes_url = cluster.brain.url + "/v1/cache/nodes"
    eventually(lambda: [n for n in call("GET", nodes_url)[2] if n["status"] == "online"])
    w.stop(signal.SIGKILL)
    eventually(lambda: all(n["status"] == "offline" for n in call("GET", nodes_url)[2]))
    cluster.workers.remove(w)
    cluster.start_worker(listen=f"127.0.0.1:{port}")
    nodes = eventually(lambda: [n for n in call("GET", nodes_url)[2] if n["status"] == "online"])
    assert len(call("GET", nodes_url)[2]) == 1  # the same node, not a second one
    assert nodes[0]["endpoint"] == f"http://127.0.0.1:{port}"


def test_restarted_brain_keeps_its_registry(cluster: Cluster) -> None:
    three_workers(cluster)
    before = {n["node_id"] for n in call("GET", cluster.brain.url + "/v1/cache/nodes")[2]}
    for w in cluster.workers:
        w.stop()
    cluster.workers.clear()
    assert cluster.brain.stop() == 0
    cluster.start_brain()
    after = {n["node_id"] for n in call("GET", cluster.brain.url + "/v1/cache/nodes")[2]}
    assert after == before


def test_sigterm_drains_and_exits_zero(cluster: Cluster) -> None:
    cluster.start_brain()
    w = cluster.start_worker()
    assert w.stop(signal.SIGTERM) == 0
    assert cluster.brain.stop(signal.SIGTERM) == 0
    cluster.workers.clear()


def test_bad_flags_are_refused_naming_the_option(cluster: Cluster) -> None:
    import subprocess
    from conftest import BIN
    for args, needle in [(["brain", "--port", "http"], "--port (ZCACHE_PORT)"),
                         (["brain", "--port", "0"], "ZCACHE_BRAIN_SECRET"),
                         (["worker", "--secret", "s", "--capacity", "lots"], "--capacity (ZCACHE_CAPACITY)"),
                         (["worker", "--secret", "s", "--brain", "localhost:1"], "--brain (ZCACHE_BRAIN_URL)")]:
        r = subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=10,
                           env={"PATH": "/usr/bin:/bin"})
        assert r.returncode == 2, (args, r.stderr)
        assert needle in r.stderr, (args, r.stderr)
