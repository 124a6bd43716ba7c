"""A hybrid worker (`zcache worker --data FILE`): a real process keeps its objects in a SQLite file
beneath memory, so a restart (SIGTERM, then a new process on the same file) still serves them."""
from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from conftest import BIN, SECRET, Cluster, Process, call, eventually
from test_cluster import put


def start(data: Path, *extra: str) -> Process:
    w = Process(["worker", "--listen", "127.0.0.1:0", "--secret", SECRET, "--capacity", "64MiB",
                 "--data", str(data), "--disk-capacity", "256MiB", *extra])
    _ = w.port
    return w


def test_a_restarted_worker_keeps_its_objects(tmp_path: Path) -> None:
    data = tmp_path / "objects.db"
    w = start(data)
    try:
        status, _, _ = call("PUT", f"{w.url}/objects/img/logo.png", raw=b"PNGDATA", headers={"Content-Type": "image/png"})
        assert status == 201
        status, _, _ = call("PUT", f"{w.url}/objects/doc/1", raw=b"doc")
        assert status == 201
    finally:
        assert w.stop(signal.SIGTERM) == 0

    w = start(data)
    try:
        status, headers, body = call("GET", f"{w.url}/objects/img/logo.png")
        assert (status, body, headers["Cache-Status"]) == (200, "PNGDATA", "zcache; hit; detail=disk")
        assert headers["Content-Type"] == "image/png"
        status, headers, _ = call("GET", f"{w.url}/objects/img/logo.png")
        assert (status, headers["Cache-Status"]) == (200, "zcache; hit; detail=memory")
        status, headers, _ = call("GET", f"{w.url}/objects/nope")
        assert (status, headers["Cache-Status"]) == (404, "zcache; fwd=miss")
        status, _, counts = call("POST", f"{w.url}/purge", {"prefix": "doc/"})
        assert (status, counts["objects_purged"]) == (200, 1)
        status, _, metrics = call("GET", f"{w.url}/metrics")
        assert status == 200 and metrics["disk"]["object_count"] == 1 and "latency" in metrics
    finally:
        assert w.stop(signal.SIGTERM) == 0

    w = start(data)
    try:
        assert call("GET", f"{w.url}/objects/doc/1")[0] == 404
        assert call("GET", f"{w.url}/objects/img/logo.png")[0] == 200
    finally:
        assert w.stop(signal.SIGTERM) == 0


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=20, env={"PATH": "/usr/bin:/bin"})


def test_disk_capacity_without_data_is_a_usage_error() -> None:
    r = run("worker", "--secret", "s", "--disk-capacity", "1GiB")
    assert r.returncode == 2, r.stderr
    assert "--disk-capacity (ZCACHE_DISK_CAPACITY)" in r.stderr


def test_an_unreadable_data_file_stops_start_up_naming_it(tmp_path: Path) -> None:
    data = tmp_path / "objects.db"
    data.write_bytes(b"not a SQLite database " * 100)
    r = run("worker", "--secret", "s", "--listen", "127.0.0.1:0", "--data", str(data))
    assert r.returncode == 1, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(data) in lines[0], r.stderr

    r = run("worker", "--secret", "s", "--listen", "127.0.0.1:0", "--data", str(tmp_path / "no-dir" / "x.db"))
    assert r.returncode == 1 and str(tmp_path / "no-dir" / "x.db") in r.stderr, r.stderr


def test_a_cluster_purge_reaches_the_file_with_its_sequence(cluster: Cluster) -> None:
    cluster.start_brain()
    w = cluster.start_worker("local", "127.0.0.1:0", "--data", str(cluster.tmp / "objects.db"))
    eventually(lambda: len(call("GET", cluster.brain.url + "/v1/cache/nodes")[2]) == 1)
    put(w, "pages/a", b"a")
    put(w, "pages/b", b"b")
    status, _, first = call("POST", cluster.brain.url + "/v1/cache/purge", {"keys": ["pages/a"]})
    assert status == 200 and first["objects_purged"] == 1
    status, _, second = call("POST", cluster.brain.url + "/v1/cache/purge", {"prefix": "pages/"})
    assert status == 200 and second["objects_purged"] == 1 and second["sequence"] > first["sequence"]
    status, _, metrics = call("GET", f"{w.url}/metrics")
    assert status == 200
    assert metrics["disk"]["last_purge_sequence"] == second["sequence"]
    assert metrics["disk"]["object_count"] == 0
