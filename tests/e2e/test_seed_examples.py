"""Seed 000's client examples as written (examples/client_example.{py,mjs}), run by the Python and
Node packages against a real brain and workers: only the base URL and the token differ."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cluster, call, eventually, token

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ENDPOINT = "https://my-node.example.com:9001"


def run_example(cmd: list[str], brain_url: str) -> str:
    env = {**os.environ, "ZATABASE_URL": brain_url, "ZATABASE_TOKEN": token()}
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("runner", ["python", "node"])
def test_the_seeds_client_example_runs_as_written(cluster: Cluster, runner: str) -> None:
    brain = cluster.start_brain()
    worker = cluster.start_worker(region="eu-west-1")
    eventually(lambda: len(call("GET", brain.url + "/v1/cache/nodes")[2] or []) == 1)
    for key in ("images/a.png", "images/b.png", "pages/home"):
        assert call("PUT", f"{worker.url}/objects/{key}", raw=b"x" * 100)[0] in (200, 201, 204)

    cmd = [sys.executable, str(ROOT / "examples" / "client_example.py")] if runner == "python" else \
        ["node", str(ROOT / "examples" / "client_example.mjs")]
    out = run_example(cmd, brain.url)

    assert "Hit ratio: " in out
    assert "nodes: 1; registered " in out and f"({EXAMPLE_ENDPOINT}, eu-west-1)" in out
    assert "objects_purged" in out
    nodes = call("GET", brain.url + "/v1/cache/nodes")[2]
    assert EXAMPLE_ENDPOINT in [n["endpoint"] for n in nodes]
    # The purge of images/ reached the worker; pages/ is untouched.
    assert call("GET", f"{worker.url}/objects/images/a.png")[0] == 404
    assert call("GET", f"{worker.url}/objects/pages/home")[0] == 200
