"""The Python ZatabaseClient and the `zatabase` command end to end: a real brain and real workers
(zcache executables, tests/e2e/conftest.py), the zatabase package installed in the venv running
these tests (scripts/py-install)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import typing
from pathlib import Path
from typing import Any, Optional

import pytest

from conftest import Cluster, Process, call, eventually, token

import zatabase
from zatabase import (
    BadRequestError,
    ClosedError,
    NotFoundError,
    UnauthorizedError,
    UnavailableError,
    ZatabaseClient,
    cluster_types,
)

SLACK_S = 5.0  # generous: "within the budget" on a shared machine
ENV_NAMES = ("ZCACHE_BRAIN_URL", "ZATABASE_URL", "ZATABASE_TOKEN", "ZCACHE_TIMEOUT", "ZCACHE_ENABLED")


@pytest.fixture(autouse=True)
def client_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ZCACHE_*/ZATABASE_* from the outside; the valid token in ZATABASE_TOKEN, as the seed assumes."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZATABASE_TOKEN", token())
    return monkeypatch


def two_workers(c: Cluster) -> list[Process]:
    c.start_brain()
    workers = [c.start_worker(region) for region in ("us-east-1", "eu-west-1")]
    eventually(lambda: [n["status"] for n in call("GET", c.brain.url + "/v1/cache/nodes")[2]] == ["online"] * 2)
    return workers


def put(worker: Process, key: str, body: bytes, tags: str = "") -> None:
    headers = {"Zcache-Ttl": "3600", **({"Zcache-Tags": tags} if tags else {})}
    assert call("PUT", f"{worker.url}/objects/{key}", raw=body, headers=headers)[0] == 201


def assert_shape(value: Any, typed_dict: Any) -> None:
    """`value` has exactly the TypedDict's required keys (+ only its optional ones), with JSON types that
    fit its annotations."""
    hints = typing.get_type_hints(typed_dict)
    assert isinstance(value, dict)
    assert typed_dict.__required_keys__ <= set(value) <= set(hints), (set(value) ^ set(hints))
    for key, item in value.items():
        hint = hints[key]
        allowed: tuple[type, ...]
        if hint is int:
            allowed = (int,)
        elif hint is float:
            allowed = (float, int)
        elif hint is bool:
            allowed = (bool,)
        elif hint == Optional[str]:
            allowed = (str, type(None))
        else:  # str and Literal[...] of str
            allowed = (str,)
        assert isinstance(item, allowed) and not (hint is int and isinstance(item, bool)), (key, item, hint)


# ---------------------------------------------------------------------------------------------- the seed

@pytest.mark.asyncio
async def test_the_seeds_python_example_runs_as_written(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    two_workers(cluster)
    base_url = cluster.brain.url  # the only change: the seed says "https://your-project.zatabase.io"

    # ---- seed 000, Python, verbatim below this line
    async with ZatabaseClient(base_url=base_url) as client:
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
    # ---- end of the seed

    assert capsys.readouterr().out == f"Hit ratio: {status['hit_ratio']}\n"
    assert status["brain_healthy"] is True and status["total_nodes"] == 2
    assert len(nodes) == 2
    assert registration is not None and registration["endpoint"] == "https://my-node.example.com:9001"
    assert registration["region"] == "eu-west-1" and registration["capacity_bytes"] == 10737418240
    assert set(metrics) >= {"total_hits", "hit_ratio", "p99_latency_ms", "collected_at"}
    assert set(result) >= {"objects_purged", "bytes_freed", "nodes_affected"}
    assert client.closed


# ---------------------------------------------------------------------------------------------- shapes

@pytest.mark.asyncio
async def test_every_call_returns_the_documented_shape(cluster: Cluster) -> None:
    workers = two_workers(cluster)
    brain = cluster.brain.url
    for i in range(3):
        put(workers[0], f"images/{i}.png", b"x" * 1000, tags="img")
    put(workers[1], "images/9.png", b"y" * 10)
    put(workers[1], "pages/home", b"z")
    for _ in range(4):
        assert call("GET", f"{workers[0].url}/objects/images/0.png")[0] == 200
    assert call("GET", f"{workers[0].url}/objects/absent")[0] == 404

    async with ZatabaseClient(brain, timeout=10) as client:
        assert await client.health() == {"status": "ok"}

        status = await client.cache.get_status()
        assert_shape(status, cluster_types.ClusterStatus)
        assert (status["brain_healthy"], status["total_nodes"], status["online_nodes"]) == (True, 2, 2)
        assert status["total_cache_bytes"] == 2 * (64 << 20)

        nodes = await client.cache.list_nodes()
        assert isinstance(nodes, list) and len(nodes) == 2
        for node in nodes:
            assert_shape(node, cluster_types.CacheNode)
        assert {n["endpoint"] for n in nodes} == {w.url for w in workers}
        first = next(n for n in nodes if n["endpoint"] == workers[0].url)

        node = await client.cache.get_node(first["node_id"])
        assert_shape(node, cluster_types.CacheNode)
        assert node is not None and node["node_id"] == first["node_id"] and node["region"] == "us-east-1"

        async def polled() -> Any:
            m = await client.cache.get_node_metrics(first["node_id"])
            return m if m and m["hits"] == 4 else None
        node_metrics = await eventually_async(polled)
        assert_shape(node_metrics, cluster_types.NodeMetrics)
        assert node_metrics["misses"] == 1 and node_metrics["object_count"] == 3
        assert node_metrics["collected_at"].endswith("Z")

        metrics = await client.cache.get_metrics()
        assert_shape(metrics, cluster_types.ClusterMetrics)
        assert metrics["active_nodes"] == 2 and metrics["total_hits"] >= 4

        fake = {"endpoint": "http://127.0.0.1:9", "region": "local", "capacity_bytes": 1 << 30}
        registered = await client.cache.register_node(fake)
        assert_shape(registered, cluster_types.CacheNode)
        assert registered is not None and registered["endpoint"] == fake["endpoint"]
        again = await client.cache.register_node(**fake)  # idempotent by endpoint: same node
        assert again is not None and again["node_id"] == registered["node_id"]
        assert len(await client.cache.list_nodes()) == 3

        purged = await client.cache.purge(prefix="images/")
        assert_shape(purged, cluster_types.ClusterPurgeResult)
        assert set(purged) == {"objects_purged", "bytes_freed", "nodes_affected", "nodes_failed", "sequence"}
        assert purged["objects_purged"] == 4 and purged["bytes_freed"] > 3000
        purged2 = await client.cache.purge({"keys": ["pages/home"], "tags": ["img"]})
        assert purged2["objects_purged"] == 1 and purged2["sequence"] == purged["sequence"] + 1
        assert call("GET", f"{workers[1].url}/objects/pages/home")[0] == 404

        assert await client.cache.deregister_node(registered["node_id"]) is None
        with pytest.raises(NotFoundError):
            await client.cache.get_node(registered["node_id"])
        assert len(await client.cache.list_nodes()) == 2


async def eventually_async(check: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = await check()
        if got:
            return got
        await asyncio.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.mark.asyncio
async def test_many_concurrent_calls_from_two_loops(cluster: Cluster) -> None:
    two_workers(cluster)
    client = ZatabaseClient(cluster.brain.url)

    async def burst() -> list[Any]:
        return await asyncio.gather(*(client.cache.get_status() for _ in range(50)),
                                    *(client.cache.list_nodes() for _ in range(50)))

    other = asyncio.get_running_loop().run_in_executor(None, asyncio.run, burst())
    here = await burst()
    there = await other
    for results in (here, there):
        assert all(r["total_nodes"] == 2 for r in results[:50]) and all(len(r) == 2 for r in results[50:])
    await client.close()


# ---------------------------------------------------------------------------------------------- errors

@pytest.mark.asyncio
async def test_a_wrong_token_is_unauthorized(cluster: Cluster, client_env: pytest.MonkeyPatch) -> None:
    two_workers(cluster)
    node_id = call("GET", cluster.brain.url + "/v1/cache/nodes")[2][0]["node_id"]
    for bad in ({"token": token(secret="not-the-secret")}, {"token": "garbage"}, {"token": ""}):
        async with ZatabaseClient(cluster.brain.url, **bad) as client:
            for attempt in (client.cache.get_status(), client.cache.list_nodes(), client.cache.get_node(node_id),
                            client.cache.get_metrics(), client.cache.purge(prefix="x"),
                            client.cache.register_node(endpoint="http://127.0.0.1:9", region="r", capacity_bytes=1),
                            client.cache.deregister_node(node_id)):
                with pytest.raises(UnauthorizedError) as info:
                    await attempt
                assert info.value.http_status == 401 and info.value.code == "unauthorized"
            assert await client.health() == {"status": "ok"}  # needs no token
    client_env.delenv("ZATABASE_TOKEN")
    async with ZatabaseClient(cluster.brain.url) as client:  # no token at all
        with pytest.raises(UnauthorizedError):
            await client.cache.get_status()
    assert len(call("GET", cluster.brain.url + "/v1/cache/nodes")[2]) == 2  # nothing was deregistered


@pytest.mark.asyncio
async def test_an_unknown_node_is_not_found(cluster: Cluster) -> None:
    cluster.start_brain()
    async with ZatabaseClient(cluster.brain.url) as client:
        for attempt in (client.cache.get_node("n_0000000000000000"), client.cache.get_node_metrics("nope"),
                        client.cache.deregister_node("n_0000000000000000"), client.cache.get_node("a/b")):
            with pytest.raises(NotFoundError) as info:
                await attempt
            assert info.value.http_status == 404 and info.value.code == "not_found"
            assert isinstance(info.value, LookupError)


@pytest.mark.asyncio
async def test_bad_bodies_are_bad_requests_naming_the_field(cluster: Cluster) -> None:
    cluster.start_brain()
    good = {"endpoint": "http://127.0.0.1:9", "region": "r", "capacity_bytes": 1 << 20}
    async with ZatabaseClient(cluster.brain.url) as client:
        for body, field in ((good | {"region": None}, "region"), ({"endpoint": "http://127.0.0.1:9"}, "region"),
                            (good | {"capacity_bytes": "1GiB"}, "capacity_bytes"),
                            (good | {"capacity_bytes": 0}, "capacity_bytes"),
                            (good | {"endpoint": "not a url"}, "endpoint")):
            with pytest.raises(BadRequestError, match=field) as info:
                await client.cache.register_node(body)
            assert info.value.http_status == 400 and info.value.code == "bad_request"
        with pytest.raises(BadRequestError):
            await client.cache.register_node(endpoint="http://127.0.0.1:9")  # the rest missing
        for selector in ({}, {"keys": []}, {"prefix": ""}, {"keys": "a"}):
            with pytest.raises(BadRequestError) as info:
                await client.cache.purge(selector)
            assert info.value.http_status == 400
        assert await client.cache.list_nodes() == []


@pytest.mark.asyncio
async def test_a_stopped_brain_is_unavailable_within_the_budget(cluster: Cluster) -> None:
    two_workers(cluster)
    async with ZatabaseClient(cluster.brain.url, timeout=2) as client:
        assert (await client.cache.get_status())["total_nodes"] == 2
        assert cluster.brain is not None and cluster.brain.stop() == 0
        for attempt in (client.cache.get_status, client.cache.list_nodes, lambda: client.cache.purge(prefix="p"),
                        client.health):
            start = time.monotonic()
            with pytest.raises(UnavailableError) as info:
                await attempt()
            assert time.monotonic() - start < 2 + SLACK_S
            assert info.value.code == "unavailable" and info.value.http_status == 0
    with pytest.raises(ClosedError):
        await client.cache.get_status()


@pytest.mark.asyncio
async def test_zcache_enabled_false_makes_every_call_a_no_op(cluster: Cluster, client_env: pytest.MonkeyPatch) -> None:
    two_workers(cluster)
    brain = cluster.brain.url
    node_id = call("GET", brain + "/v1/cache/nodes")[2][0]["node_id"]
    client_env.setenv("ZCACHE_ENABLED", "false")
    async with ZatabaseClient(brain) as client:
        assert client.enabled is False
        status = await client.cache.get_status()
        assert status["brain_healthy"] is False and status["total_nodes"] == 0
        assert_shape(status, cluster_types.ClusterStatus)
        assert await client.cache.list_nodes() == []
        assert await client.cache.get_node(node_id) is None
        assert await client.cache.get_node_metrics(node_id) is None
        assert await client.cache.deregister_node(node_id) is None
        assert await client.cache.register_node(endpoint="http://127.0.0.1:9", region="r", capacity_bytes=1) is None
        metrics = await client.cache.get_metrics()
        assert_shape(metrics, cluster_types.ClusterMetrics)
        assert metrics["total_hits"] == 0 and metrics["collected_at"] is None
        assert await client.cache.purge(prefix="images/") == {"objects_purged": 0, "bytes_freed": 0,
                                                               "nodes_affected": 0}
        assert await client.health() == {"status": "disabled"}
    nodes = call("GET", brain + "/v1/cache/nodes")[2]
    assert [n["node_id"] for n in nodes].count(node_id) == 1 and len(nodes) == 2  # the brain saw nothing


# ---------------------------------------------------------------------------------------------- the CLI

SCRIPT = Path(sys.executable).parent / "zatabase"


def zatabase_cmd(*args: str, env: Optional[dict[str, str]] = None, module: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "zatabase", *args] if module else [str(SCRIPT), *args]
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES} | (env or {})
    return subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=60)


def test_the_cli_installed_as_zatabase_and_python_m_zatabase(cluster: Cluster) -> None:
    assert SCRIPT.exists(), f"{SCRIPT}: run scripts/py-install"
    workers = two_workers(cluster)
    put(workers[0], "images/a.png", b"x" * 100)
    env = {"ZATABASE_URL": cluster.brain.url, "ZATABASE_TOKEN": token(), "ZCACHE_TIMEOUT": "5"}

    for module in (False, True):
        r = zatabase_cmd("cache", "status", env=env, module=module)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert r.stdout.strip()
        r = zatabase_cmd("--json", "cache", "status", env=env, module=module)
        assert r.returncode == 0 and json.loads(r.stdout)["total_nodes"] == 2

    r = zatabase_cmd("cache", "nodes", "--json", env=env)
    assert r.returncode == 0
    nodes = json.loads(r.stdout)
    assert {n["endpoint"] for n in nodes} == {w.url for w in workers}
    r = zatabase_cmd("cache", "nodes", env=env)  # a table naming every node
    assert r.returncode == 0 and all(n["node_id"] in r.stdout for n in nodes)
    node_id = nodes[0]["node_id"]
    r = zatabase_cmd("--json", "cache", "node", node_id, env=env)
    assert r.returncode == 0 and json.loads(r.stdout)["node_id"] == node_id
    r = zatabase_cmd("--json", "cache", "metrics", "--node", node_id, env=env)
    assert r.returncode == 0 and json.loads(r.stdout)["node_id"] == node_id
    r = zatabase_cmd("--json", "cache", "metrics", env=env)
    assert r.returncode == 0 and "p99_latency_ms" in json.loads(r.stdout)

    r = zatabase_cmd("--json", "cache", "register", "--endpoint", "http://127.0.0.1:9", "--region", "r",
                     "--capacity", "1GiB", env=env)
    assert r.returncode == 0, r.stderr
    registered = json.loads(r.stdout)
    assert registered["capacity_bytes"] == 1 << 30
    r = zatabase_cmd("cache", "deregister", registered["node_id"], env=env)
    assert r.returncode == 0, r.stderr

    r = zatabase_cmd("--json", "cache", "purge", "--prefix", "images/", env=env)
    assert r.returncode == 0 and json.loads(r.stdout)["objects_purged"] == 1

    # --url and --token win over the environment
    r = zatabase_cmd("--url", cluster.brain.url, "--token", token(), "--json", "cache", "status",
                     env={"ZATABASE_URL": "http://127.0.0.1:1", "ZATABASE_TOKEN": "wrong"})
    assert r.returncode == 0, r.stderr


def test_the_cli_exit_codes(cluster: Cluster) -> None:
    cluster.start_brain()
    env = {"ZATABASE_URL": cluster.brain.url, "ZATABASE_TOKEN": token(), "ZCACHE_TIMEOUT": "2"}

    r = zatabase_cmd("cache", "node", "n_0000000000000000", env=env)  # 404
    assert r.returncode == 1 and r.stdout == "" and r.stderr
    r = zatabase_cmd("cache", "status", env=env | {"ZATABASE_TOKEN": "garbage"})  # 401
    assert r.returncode == 1 and r.stderr
    r = zatabase_cmd("cache", "register", "--endpoint", "not a url", "--region", "r", "--capacity", "1", env=env)
    assert r.returncode == 1 and "endpoint" in r.stderr  # the brain's 400
    for usage in (("cache", "frobnicate"), ("--bogus", "cache", "status"), ("cache", "node"), ()):
        r = zatabase_cmd(*usage, env=env)
        assert r.returncode == 2, (usage, r.stdout, r.stderr)
        assert r.stderr
    r = zatabase_cmd("--help", env=env, module=True)
    assert r.returncode == 0 and "Usage: zatabase" in r.stdout

    r = zatabase_cmd("--json", "cache", "status", env=env | {"ZCACHE_ENABLED": "false"})
    assert r.returncode == 0 and json.loads(r.stdout)["brain_healthy"] is False

    assert cluster.brain.stop() == 0
    start = time.monotonic()
    r = zatabase_cmd("cache", "status", env=env)  # unreachable
    assert r.returncode == 3 and r.stderr
    assert time.monotonic() - start < 2 + SLACK_S + 5  # + the interpreter's start
