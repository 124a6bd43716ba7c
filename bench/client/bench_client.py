#!/usr/bin/env python3
"""bench/client/bench_client.py [--json FILE] [--quick] — the `client` suite (issue 7, DESIGN.md §10).

Against one `zcache brain` on loopback, 64 calls in flight, GET /v1/cache/status:
  * Node: ZatabaseClient.cache.getStatus() vs plain fetch (undici, keep-alive);
  * Python: ZatabaseClient.cache.get_status() vs httpx.AsyncClient and aiohttp.ClientSession.
Every client parses the JSON answer. Figures: js_status_p50_us, js_fetch_status_p50_us,
js_status_calls_per_s, py_status_p50_us, py_httpx_status_p50_us, py_aiohttp_status_p50_us,
py_status_calls_per_s, and the ratios js_vs_fetch_p50 / py_vs_httpx_p50 (targets <= 1.2;
calls/s targets >= 10,000). Rounds alternate between clients; each keeps its best round.
Needs build/bench/server/zcache (bench/run builds it) and .venv with the `bench` extra (bench-client).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("ZCACHE_BIN", str(ROOT / "build" / "bench" / "server" / "zcache"))
sys.path.insert(0, str(ROOT / "scripts"))
from zcache_cluster import Process, token  # noqa: E402

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from zatabase import ZatabaseClient  # noqa: E402

INFLIGHT = 64
SECRET = "bench-client-secret"


async def load(call, calls: int) -> dict[str, float]:
    latencies: list[float] = [0.0] * calls
    next_index = 0

    async def lane() -> None:
        nonlocal next_index
        while next_index < calls:
            i = next_index
            next_index += 1
            t0 = time.perf_counter()
            status = await call()
            if not isinstance(status.get("hit_ratio"), (int, float)):
                raise RuntimeError(f"unexpected answer {status!r}")
            latencies[i] = (time.perf_counter() - t0) * 1e6

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(INFLIGHT)))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {"p50_us": latencies[calls // 2], "calls_per_s": calls / seconds}


def better(a, b):
    if a is None:
        return b
    return {"p50_us": min(a["p50_us"], b["p50_us"]), "calls_per_s": max(a["calls_per_s"], b["calls_per_s"])}


async def python_rounds(url: str, bearer: str, calls: int) -> dict[str, dict[str, float]]:
    headers = {"Authorization": f"Bearer {bearer}"}
    status_url = f"{url}/v1/cache/status"
    async with ZatabaseClient(base_url=url, token=bearer) as client, \
            httpx.AsyncClient(headers=headers, limits=httpx.Limits(max_connections=INFLIGHT)) as hx, \
            aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=INFLIGHT)) as aio:
        async def via_httpx():
            r = await hx.get(status_url)
            r.raise_for_status()
            return r.json()

        async def via_aiohttp():
            async with aio.get(status_url) as r:
                r.raise_for_status()
                return await r.json()

        clients = {"ours": client.cache.get_status, "httpx": via_httpx, "aiohttp": via_aiohttp}
        for call in clients.values():  # warm-up: connections
            await load(call, min(calls, 1000))
        best: dict[str, dict[str, float] | None] = {name: None for name in clients}
        for name in ["ours", "httpx", "aiohttp", "aiohttp", "httpx", "ours"]:
            best[name] = better(best[name], await load(clients[name], calls))
        return best  # type: ignore[return-value]


def figure(value: float, unit: str, anchor: str = "", target: str = "") -> dict:
    f: dict = {"value": round(value, 3), "unit": unit}
    if anchor:
        f["anchor"] = anchor
    if target:
        f["target"] = target
    return f


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    js_calls, py_calls = (5_000, 3_000) if args.quick else (40_000, 20_000)

    with tempfile.TemporaryDirectory(prefix="bench-client-") as tmp:
        brain = Process(["brain", "--port", "0", "--secret", SECRET, "--replica-file", str(Path(tmp) / "brain.db")])
        try:
            bearer = token(SECRET, "1h")
            url = brain.url
            js = subprocess.run(["node", str(ROOT / "bench" / "client" / "js_status_load.js"), url, bearer,
                                 str(js_calls), str(INFLIGHT)], capture_output=True, text=True, timeout=600)
            if js.returncode != 0:
                print(js.stdout + js.stderr, file=sys.stderr)
                return 1
            js_best = json.loads(js.stdout.strip().splitlines()[-1])
            py_best = asyncio.run(python_rounds(url, bearer, py_calls))
        finally:
            brain.stop()

    figures = {
        "js_status_p50_us": figure(js_best["ours"]["p50_us"], "us", f"{INFLIGHT} in flight"),
        "js_fetch_status_p50_us": figure(js_best["fetch"]["p50_us"], "us", "plain fetch (undici)"),
        "js_vs_fetch_p50": figure(js_best["ours"]["p50_us"] / js_best["fetch"]["p50_us"], "ratio", "", "<= 1.2"),
        "js_status_calls_per_s": figure(js_best["ours"]["calls_per_s"], "calls/s", "", ">= 10000"),
        "js_fetch_status_calls_per_s": figure(js_best["fetch"]["calls_per_s"], "calls/s", "plain fetch"),
        "py_status_p50_us": figure(py_best["ours"]["p50_us"], "us", f"{INFLIGHT} in flight"),
        "py_httpx_status_p50_us": figure(py_best["httpx"]["p50_us"], "us", "httpx.AsyncClient"),
        "py_aiohttp_status_p50_us": figure(py_best["aiohttp"]["p50_us"], "us", "aiohttp.ClientSession"),
        "py_vs_httpx_p50": figure(py_best["ours"]["p50_us"] / py_best["httpx"]["p50_us"], "ratio", "", "<= 1.2"),
        "py_vs_aiohttp_p50": figure(py_best["ours"]["p50_us"] / py_best["aiohttp"]["p50_us"], "ratio"),
        "py_status_calls_per_s": figure(py_best["ours"]["calls_per_s"], "calls/s", "", ">= 10000"),
        "py_httpx_status_calls_per_s": figure(py_best["httpx"]["calls_per_s"], "calls/s", "httpx"),
        "py_aiohttp_status_calls_per_s": figure(py_best["aiohttp"]["calls_per_s"], "calls/s", "aiohttp"),
    }
    width = max(len(n) for n in figures)
    for name, f in figures.items():
        print(f"{name:<{width}}  {f['value']:>12.2f}  {f['unit']:<8} {f.get('anchor', '')} {f.get('target', '')}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"figures": figures}, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
