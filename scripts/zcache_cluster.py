"""Running zcache processes from Python: a local cluster for the demo and the end-to-end tests.

Each process picks its own loopback port (port 0) and prints it in its first log line, which is
read back here; stderr is collected so a failure can show what the process said."""
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
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(os.environ.get("ZCACHE_BIN", ROOT / "build" / "release" / "server" / "zcache"))
_PORT_LINE = re.compile(r"(?:listening|serving) on [^:\s]+:(\d+)")


class Process:
    """A zcache process; `port` is read from its first log line."""

    def __init__(self, args: list[str], echo: Optional[Callable[[str], None]] = None) -> None:
        self.args = args
        self.lines: list[str] = []
        self._echo = echo
        self._port: Optional[int] = None
        self._ready = threading.Event()
        self.proc = subprocess.Popen([str(BIN), *args], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            self.lines.append(line)
            if self._echo:
                self._echo(line)
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


def token(secret: str, ttl: str = "1h") -> str:
    out = subprocess.run([str(BIN), "token", "--secret", secret, "--ttl", ttl], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def call(method: str, url: str, body: Any = None, *, bearer: Optional[str] = None, raw: Optional[bytes] = None,
         headers: Optional[dict[str, str]] = None, timeout: float = 10) -> tuple[int, dict[str, str], Any]:
    """One HTTP call; returns (status, headers, parsed JSON body or text)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    if bearer:
        req.add_header("Authorization", f"Bearer {bearer}")
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


def eventually(check: Callable[[], Any], timeout: float = 15, interval: float = 0.1) -> Any:
    """Polls `check` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")
