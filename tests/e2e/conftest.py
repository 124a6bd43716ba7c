"""A real cluster for the end-to-end tests: the zcache executable as brain and workers, on
loopback ports they pick themselves (port 0), with SQLite files in a temp dir, torn down after.

ZCACHE_BIN points at the executable (default: build/release/server/zcache, which `make test`
builds)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("ZCACHE_BIN", ROOT / "build" / "release" / "server" / "zcache"))
SECRET = "e2e-secret"
_PORT_LINE = re.compile(r"(?:listening|serving) on [^:\s]+:(\d+)")


class Process:
    """A zcache process whose stderr is collected; `port` is read from its first log line."""

    def __init__(self, args: list[str], env: Optional[dict[str, str]] = None) -> None:
        self.args = args
        self.lines: list[str] = []
        self._port: Optional[int] = None
        self._ready = threading.Event()
        full_env = {**os.environ, **(env or {})}
        self.proc = subprocess.Popen([str(BIN), *args], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     text=True, env=full_env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            m = _PORT_LINE.search(line)
            if m and self._port is None:
                self._port = int(m.group(1))
                self._ready.set()
        self._ready.set()

    @property
    def port(self) -> int:
        if not self._ready.wait(10) or self._port is None:
            raise RuntimeError(f"zcache {' '.join(self.args)} printed no port:\n" + "\n".join(self.lines))
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for_line(self, pattern: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._reader.join(5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return code


def token(ttl: str = "1h", secret: str = SECRET) -> str:
    out = subprocess.run([str(BIN), "token", "--secret", secret, "--ttl", ttl], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def call(method: str, url: str, body: Any = None, *, auth: Optional[str] = "default", raw: Optional[bytes] = None,
         headers: Optional[dict[str, str]] = None, timeout: float = 10) -> tuple[int, dict[str, str], Any]:
    """One HTTP call; returns (status, headers, parsed JSON body or raw text)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    if auth == "default":
        auth = token()
    if auth:
        req.add_header("Authorization", f"Bearer {auth}")
    if data is not None and raw is None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, payload = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, payload = e.code, dict(e.headers), e.read()
    text = payload.decode(errors="replace")
    try:
        return status, hdrs, json.loads(text) if text else None
    except ValueError:
        return status, hdrs, text


def eventually(check, timeout: float = 15, interval: float = 0.1):
    """Polls `check` until it returns a truthy value (bounded; not a timing assertion)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


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

    def start_worker(self, region: str = "local", listen: str = "127.0.0.1:0") -> Process:
        assert self.brain is not None
        w = Process(["worker", "--brain", self.brain.url, "--listen", listen, "--secret", SECRET,
                     "--region", region, "--capacity", "64MiB", "--heartbeat-interval", "200ms"])
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
