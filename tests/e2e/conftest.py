"""A real cluster for the end-to-end tests: the zcache executable as brain and workers, on
loopback ports they pick themselves (port 0), with SQLite files in a temp dir, torn down after.

ZCACHE_BIN points at the executable (default: build/release/server/zcache, which `make test`
builds)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import zcache_cluster  # noqa: E402
from zcache_cluster import BIN, Process, eventually  # noqa: E402,F401  (re-exported for the tests)

SECRET = "e2e-secret"


def token(ttl: str = "1h", secret: str = SECRET) -> str:
    return zcache_cluster.token(secret, ttl)


def call(method: str, url: str, body: Any = None, *, auth: Optional[str] = "default", **kwargs: Any) -> tuple[int, dict[str, str], Any]:
    """zcache_cluster.call with a valid token unless `auth` says otherwise (None: no header)."""
    return zcache_cluster.call(method, url, body, bearer=token() if auth == "default" else auth, **kwargs)


class Cluster:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.brain: Optional[Process] = None
        self.workers: list[Process] = []

    def start_brain(self, *extra: str) -> Process:
        self.brain = Process(["brain", "--port", "0", "--secret", SECRET, "--replica-file", str(self.tmp / "brain.db"),
                              "--health-interval", "200ms", "--offline-after", "2", "--metrics-interval", "300ms", *extra])
        _ = self.brain.port
        return self.brain

    def start_worker(self, region: str = "local", listen: str = "127.0.0.1:0", *extra: str) -> Process:
        assert self.brain is not None
        w = Process(["worker", "--brain", self.brain.url, "--listen", listen, "--secret", SECRET,
                     "--region", region, "--capacity", "64MiB", "--heartbeat-interval", "200ms", *extra])
        _ = w.port
        self.workers.append(w)
        return w

    def stop(self) -> None:
        for p in [*self.workers, self.brain]:
            if p is not None:
                p.stop()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if not BIN.exists():
        pytest.fail(f"{BIN} does not exist: build it first (make test does)")
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.stop()
