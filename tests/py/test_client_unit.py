"""ZatabaseClient without a brain: arguments, options from the environment, the no-op results of a
disabled client, timeouts and unreachable brains, the HTTP status → error class mapping against a
stub, close(), cancellation, several loops and threads, interpreter exit, and the CLI's local paths.

The end-to-end tests against a real brain and workers are in tests/e2e/test_client_py.py."""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest

import zatabase
from zatabase import (
    BadRequestError,
    ClosedError,
    ForbiddenError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    UnauthorizedError,
    UnavailableError,
    ZatabaseClient,
    ZatabaseError,
    _native,
    cli,
)

# Generous: these bound "within the timeout budget" on a shared, loaded machine.
SLACK_S = 5.0

NOOP_STATUS = {"brain_healthy": False, "total_nodes": 0, "online_nodes": 0, "total_cache_bytes": 0,
               "used_cache_bytes": 0, "hit_ratio": 0.0}
NOOP_METRICS = {"total_hits": 0, "total_misses": 0, "hit_ratio": 0.0, "bytes_served": 0, "bytes_stored": 0,
                "bytes_capacity": 0, "object_count": 0, "evictions": 0, "active_nodes": 0, "avg_latency_ms": 0.0,
                "p95_latency_ms": 0.0, "p99_latency_ms": 0.0, "collected_at": None}
NOOP_PURGE = {"objects_purged": 0, "bytes_freed": 0, "nodes_affected": 0}


# ---------------------------------------------------------------------------------------------- helpers

def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


Answer = tuple[int, str]  # (status, body)


class Stub:
    """A stub brain on its own thread: records each request, answers with `respond(method, path, body)`."""

    def __init__(self, respond: Callable[[str, str, bytes], Answer]) -> None:
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append({"method": self.command, "path": self.path, "body": body,
                                      "headers": dict(self.headers)})
                status, text = stub.respond(self.command, self.path, body)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # concurrent connects must not overflow the backlog (SYN retries)
            daemon_threads = True
            block_on_close = False

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def stub() -> Iterator[Callable[[Callable[[str, str, bytes], Answer]], Stub]]:
    made: list[Stub] = []

    def make(respond: Callable[[str, str, bytes], Answer]) -> Stub:
        s = Stub(respond)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def error_body(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}})


# ---------------------------------------------------------------------------------------------- exports

def test_the_package_exports_the_client_and_its_errors() -> None:
    assert ZatabaseError is zatabase.ZcacheError
    for name in ("UnavailableError", "UnauthorizedError", "ForbiddenError", "NotFoundError", "BadRequestError",
                 "RateLimitedError", "ProtocolError", "TimeoutError", "ClosedError", "InvalidArgumentError"):
        cls = getattr(zatabase, name)
        assert issubclass(cls, ZatabaseError) and name in zatabase.__all__
    assert "ZatabaseClient" in zatabase.__all__ and "ZatabaseError" in zatabase.__all__
    assert issubclass(zatabase.TimeoutError, TimeoutError)  # the builtin, as asyncio code expects


# ---------------------------------------------------------------------------------------------- options

@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("ZCACHE_BRAIN_URL", "ZATABASE_URL", "ZATABASE_TOKEN", "ZCACHE_TIMEOUT", "ZCACHE_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"base_url": 8081}, TypeError, "base_url must be a str, not int"),
        ({"base_url": b"http://x"}, TypeError, "base_url must be a str, not bytes"),
        ({"base_url": "ftp://brain"}, InvalidArgumentError, "base_url"),
        ({"base_url": "brain:8081"}, InvalidArgumentError, "base_url"),
        ({"token": 1}, TypeError, "token must be a str"),
        ({"timeout": "10"}, TypeError, "timeout must be a number of seconds"),
        ({"timeout": True}, TypeError, "timeout must be a number of seconds"),
        ({"timeout": 0}, ValueError, "timeout must be a number of seconds in"),
        ({"timeout": -1}, ValueError, "timeout must be a number of seconds in"),
        ({"timeout": math.nan}, ValueError, "timeout must be a number of seconds in"),
        ({"timeout": math.inf}, ValueError, "timeout must be a number of seconds in"),
        ({"enabled": "false"}, TypeError, "enabled must be a bool"),
        ({"enabled": 0}, TypeError, "enabled must be a bool"),
    ],
)
def test_bad_options(clean_env: pytest.MonkeyPatch, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        ZatabaseClient(**kwargs)


def test_invalid_argument_errors_are_value_errors_with_a_code(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError) as info:
        ZatabaseClient(base_url="ftp://brain")
    assert isinstance(info.value, InvalidArgumentError)
    assert info.value.code == "invalid_argument" and info.value.http_status == 0


@pytest.mark.parametrize(("name", "value"), [("ZCACHE_TIMEOUT", "soon"), ("ZCACHE_TIMEOUT", "-1"),
                                              ("ZCACHE_ENABLED", "maybe"), ("ZCACHE_BRAIN_URL", "brain:8081")])
def test_unusable_environment_is_named(clean_env: pytest.MonkeyPatch, name: str, value: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(InvalidArgumentError, match=name):
        ZatabaseClient()


@pytest.mark.asyncio
async def test_options_come_from_the_environment_unless_given(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ZCACHE_BRAIN_URL", "http://from-brain-url:2")
    clean_env.setenv("ZCACHE_TIMEOUT", "2.5")
    clean_env.setenv("ZCACHE_ENABLED", "off")
    async with ZatabaseClient() as client:
        assert (client.base_url, client.timeout, client.enabled) == ("http://from-brain-url:2", 2.5, False)
    clean_env.setenv("ZATABASE_URL", "http://from-zatabase-url:1")  # the SDKs' own wins over ZCACHE_BRAIN_URL
    async with ZatabaseClient() as client:
        assert client.base_url == "http://from-zatabase-url:1"
    async with ZatabaseClient("https://given:3", timeout=0.25, enabled=True) as client:
        assert (client.base_url, client.timeout, client.enabled) == ("https://given:3", 0.25, True)
    clean_env.delenv("ZCACHE_BRAIN_URL")
    clean_env.delenv("ZATABASE_URL")
    clean_env.delenv("ZCACHE_TIMEOUT")
    async with ZatabaseClient() as client:
        assert (client.base_url, client.timeout) == ("http://127.0.0.1:8081", 10.0)  # the seed's defaults


@pytest.mark.asyncio
async def test_the_token_comes_from_zatabase_token(clean_env: pytest.MonkeyPatch, stub: Any) -> None:
    s = stub(lambda m, p, b: (200, "{}"))
    clean_env.setenv("ZATABASE_TOKEN", "from-env")
    async with ZatabaseClient(s.url) as client:
        await client.cache.get_status()
        await client.health()
    async with ZatabaseClient(s.url, token="given") as client:
        await client.cache.list_nodes()
    auth = [r["headers"].get("Authorization") for r in s.requests]
    assert auth == ["Bearer from-env", None, "Bearer given"]  # /health needs no token; it is not sent


# ---------------------------------------------------------------------------------------------- call arguments

@pytest.mark.asyncio
async def test_bad_call_arguments(clean_env: pytest.MonkeyPatch) -> None:
    async with ZatabaseClient(enabled=False) as client:
        c = client.cache
        cases: list[tuple[Any, type[Exception], str]] = [
            (c.get_node(5), TypeError, "node_id must be a str, not int"),
            (c.get_node(""), ValueError, "node_id must not be empty"),
            (c.deregister_node(None), TypeError, "node_id must be a str"),
            (c.get_node_metrics(b"id"), TypeError, "node_id must be a str, not bytes"),
            (c.register_node(), TypeError, "register_node\\(\\) needs"),
            (c.register_node([("endpoint", "x")]), TypeError, "register_node\\(\\) needs a dict, not list"),
            (c.register_node({"region": "r"}, endpoint="http://x:1"), TypeError, "not both"),
            (c.register_node({"endpoint": {1, 2}}), TypeError, "body\\['endpoint'\\] must be JSON data"),
            (c.register_node({1: "x"}), TypeError, "JSON keys are str"),
            (c.register_node({"capacity_bytes": 2**70}), ValueError, "outside the 64-bit range"),
            (c.purge(), ValueError, "at least one of prefix=, keys= or tags="),
            (c.purge(keys=[]), ValueError, "at least one of"),
            (c.purge(keys="images/a.png"), TypeError, "keys must be a list of str, not a single str"),
            (c.purge(tags=[1]), TypeError, "every item of tags must be a str"),
            (c.purge(prefix=1), TypeError, "prefix must be a str"),
            (c.purge(prefix="p", soft="yes"), TypeError, "soft must be a bool"),
            (c.purge({"prefix": "p"}, keys=["k"]), TypeError, "not both"),
            (c.purge({"prefix": math.nan}), ValueError, "JSON cannot carry"),
            (c.purge("prefix"), TypeError, "purge\\(\\) needs a dict, not str"),
        ]
        for call, error, match in cases:
            with pytest.raises(error, match=match):
                await call


def test_native_bodies_may_be_json_text_and_are_checked() -> None:
    native = _native.BrainClient(enabled=False)
    try:
        with pytest.raises(InvalidArgumentError, match="not valid JSON"):
            native.purge("{nope", lambda r, e: None)
        with pytest.raises(InvalidArgumentError, match="must be a JSON object"):
            native.purge("[1]", lambda r, e: None)
        with pytest.raises(TypeError, match="done must be callable"):
            native.get_status(None)
        with pytest.raises(TypeError, match="timeout_ms must be an int"):
            _native.BrainClient(timeout_ms=1.5)
        deep: Any = []
        for _ in range(100):
            deep = [deep]
        with pytest.raises(ValueError, match="nested too deeply"):
            native.purge({"keys": deep}, lambda r, e: None)
        looped: dict[str, Any] = {}
        looped["self"] = looped
        with pytest.raises(ValueError, match="nested too deeply"):
            native.purge(looped, lambda r, e: None)
    finally:
        native.close()


def test_callables_and_results_are_released(stub: Any) -> None:
    s = stub(lambda m, p, b: (404, error_body("not_found", "no")) if "missing" in p else (200, '{"a": [1]}'))
    got: list[Any] = []
    delivered = threading.Semaphore(0)

    class Done:
        def __call__(self, result: Any, error: Any) -> None:
            got.append((result, error))
            delivered.release()

    done = Done()
    before = sys.getrefcount(done)
    for enabled in (False, True):
        native = _native.BrainClient(base_url=s.url, enabled=enabled)
        for i in range(200):
            native.get_node("missing" if i % 2 else "n1", done)
        for _ in range(200):
            assert delivered.acquire(timeout=10)
        native.close()
    assert sys.getrefcount(done) == before
    assert got[:200] == [(None, None)] * 200  # disabled: get_node's no-op
    errors = [e for r, e in got[200:] if e is not None]
    assert len(errors) == 100 and all(isinstance(e, NotFoundError) and e.http_status == 404 for e in errors)
    assert [r for r, e in got[200:] if e is None] == [{"a": [1]}] * 100
    refs = [weakref.ref(e) for e in errors]
    del errors, got[:]
    assert all(ref() is None for ref in refs)  # nothing else holds an error (or its traceback's frames)


# ---------------------------------------------------------------------------------------------- disabled

async def every_call(client: ZatabaseClient) -> dict[str, Any]:
    c = client.cache
    return {
        "get_status": await c.get_status(),
        "list_nodes": await c.list_nodes(),
        "register_node": await c.register_node(endpoint="https://w:9001", region="r", capacity_bytes=1),
        "get_node": await c.get_node("n1"),
        "deregister_node": await c.deregister_node("n1"),
        "get_node_metrics": await c.get_node_metrics("n1"),
        "get_metrics": await c.get_metrics(),
        "purge": await c.purge(prefix="images/"),
        "health": await client.health(),
    }


NOOPS = {"get_status": NOOP_STATUS, "list_nodes": [], "register_node": None, "get_node": None,
         "deregister_node": None, "get_node_metrics": None, "get_metrics": NOOP_METRICS, "purge": NOOP_PURGE,
         "health": {"status": "disabled"}}


@pytest.mark.asyncio
async def test_a_disabled_client_returns_the_no_op_values_without_the_network(
        clean_env: pytest.MonkeyPatch, loop_errors: list[Any]) -> None:
    async with ZatabaseClient(f"http://127.0.0.1:{unused_port()}", enabled=False) as client:
        assert not client.enabled
        assert await every_call(client) == NOOPS


@pytest.mark.asyncio
async def test_zcache_enabled_false_makes_every_call_a_no_op(clean_env: pytest.MonkeyPatch, stub: Any) -> None:
    s = stub(lambda m, p, b: (500, "{}"))
    clean_env.setenv("ZCACHE_ENABLED", "false")
    async with ZatabaseClient(s.url) as client:
        assert await every_call(client) == NOOPS
    assert s.requests == []


# ---------------------------------------------------------------------------------------------- failures

@pytest.mark.asyncio
async def test_a_brain_that_never_answers_times_out_within_the_budget(clean_env: pytest.MonkeyPatch,
                                                                     silent_url: str) -> None:
    async with ZatabaseClient(silent_url, timeout=0.5) as client:
        for call in (client.cache.get_status, client.cache.list_nodes, lambda: client.cache.purge(prefix="p")):
            start = time.monotonic()
            with pytest.raises(zatabase.TimeoutError) as info:
                await call()
            assert time.monotonic() - start < 0.5 + SLACK_S
            assert info.value.code == "timeout" and info.value.http_status == 0
            assert isinstance(info.value, TimeoutError)


@pytest.mark.asyncio
async def test_an_unused_port_is_unavailable_within_the_budget(clean_env: pytest.MonkeyPatch) -> None:
    async with ZatabaseClient(f"http://127.0.0.1:{unused_port()}", timeout=1) as client:
        start = time.monotonic()
        with pytest.raises(UnavailableError) as info:
            await client.cache.get_status()
        assert time.monotonic() - start < 1 + SLACK_S
        assert info.value.code == "unavailable" and info.value.http_status == 0
        with pytest.raises(UnavailableError):
            await client.cache.register_node(endpoint="https://w:1", region="r", capacity_bytes=1)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (400, error_body("invalid_request", "region: is required"), BadRequestError, "region: is required"),
        (422, error_body("invalid", "no"), BadRequestError, "no"),
        (401, error_body("unauthorized", "bad token"), UnauthorizedError, "bad token"),
        (403, error_body("forbidden", "not yours"), ForbiddenError, "not yours"),
        (404, error_body("not_found", "no node n1"), NotFoundError, "no node n1"),
        (429, error_body("rate_limited", "slow down"), RateLimitedError, "slow down"),
        (500, "<html>oops</html>", InternalError, "HTTP 500: <html>oops</html>"),
        (503, error_body("store_unavailable", "try later"), UnavailableError, "try later"),
        (200, "not json", ProtocolError, "not JSON"),
    ],
)
async def test_http_errors_map_to_classes_with_status_and_message(
        clean_env: pytest.MonkeyPatch, stub: Any, status: int, body: str, error: type[ZatabaseError],
        message: str) -> None:
    s = stub(lambda m, p, b: (status, body))
    async with ZatabaseClient(s.url, token="t", timeout=2) as client:
        with pytest.raises(error) as info:
            await client.cache.get_node("n1")
    assert info.value.http_status == status
    assert message in str(info.value)
    assert info.value.code == error.code


@pytest.mark.asyncio
async def test_requests_as_sent_and_json_converted_back(clean_env: pytest.MonkeyPatch, stub: Any) -> None:
    answer = {"big": 2**64 - 1, "neg": -(2**63), "f": 1.5, "s": "é ✓ \U0001F600", "none": None, "t": True,
              "nested": [1, [2, {"x": []}]], "empty": {}}
    s = stub(lambda m, p, b: (204, "") if m == "DELETE" else (200, json.dumps(answer)))
    async with ZatabaseClient(s.url + "/", token="tok") as client:  # a trailing "/" is fine
        assert await client.cache.get_status() == answer
        assert await client.cache.register_node({"endpoint": "https://w:9001", "region": "eu", "capacity_bytes": 2**40})
        await client.cache.register_node(endpoint="https://w:9002", region="us", capacity_bytes=5)
        assert await client.cache.deregister_node("a/b c") is None  # 204: no body
        await client.cache.get_node_metrics("n1")
        await client.cache.purge(prefix="images/", keys=("a", "b"), soft=True)
        await client.cache.purge({"tags": ["t"], "keys": None})
    sent = [(r["method"], r["path"], json.loads(r["body"]) if r["body"] else None) for r in s.requests]
    assert sent == [
        ("GET", "/v1/cache/status", None),
        ("POST", "/v1/cache/nodes/register", {"endpoint": "https://w:9001", "region": "eu", "capacity_bytes": 2**40}),
        ("POST", "/v1/cache/nodes/register", {"endpoint": "https://w:9002", "region": "us", "capacity_bytes": 5}),
        ("DELETE", "/v1/cache/nodes/a%2Fb%20c", None),
        ("GET", "/v1/cache/nodes/n1/metrics", None),
        ("POST", "/v1/cache/purge", {"prefix": "images/", "keys": ["a", "b"], "soft": True}),
        ("POST", "/v1/cache/purge", {"tags": ["t"], "keys": None}),
    ]
    assert all(r["headers"]["Authorization"] == "Bearer tok" for r in s.requests)


# ---------------------------------------------------------------------------------------------- close

@pytest.mark.asyncio
async def test_close_is_idempotent_and_later_calls_raise_closed_error(clean_env: pytest.MonkeyPatch) -> None:
    for enabled in (True, False):
        client = ZatabaseClient(f"http://127.0.0.1:{unused_port()}", enabled=enabled)
        assert not client.closed
        await client.close()
        await client.close()
        assert client.closed and "closed" in repr(client)
        for call in (client.cache.get_status(), client.cache.get_node("n"), client.health(),
                     client.cache.purge(prefix="p")):
            with pytest.raises(ClosedError) as info:
                await call
            assert info.value.code == "closed"


@pytest.mark.asyncio
async def test_close_ends_calls_in_flight_with_closed_error(clean_env: pytest.MonkeyPatch, silent_url: str,
                                                            loop_errors: list[Any]) -> None:
    async with ZatabaseClient(silent_url, timeout=30) as client:
        calls = [asyncio.create_task(client.cache.get_status()),
                 asyncio.create_task(client.cache.purge(prefix="p"))]
        await asyncio.sleep(0.2)  # both sent
        start = time.monotonic()
    assert client.closed  # async with closed it
    for task in calls:
        with pytest.raises(ClosedError, match="closed before the call finished"):
            await task
    assert time.monotonic() - start < SLACK_S  # at once, not after the 30 s timeout


@pytest.mark.asyncio
async def test_a_cancelled_call_drops_its_result(clean_env: pytest.MonkeyPatch, silent_url: str,
                                                 loop_errors: list[Any]) -> None:
    async with ZatabaseClient(silent_url, timeout=0.3) as client:
        task = asyncio.create_task(client.cache.get_status())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.6)  # the TimeoutError arrives meanwhile and goes nowhere
        with pytest.raises(asyncio.TimeoutError):  # and the client still works
            await asyncio.wait_for(client.cache.list_nodes(), 0.05)


# ---------------------------------------------------------------------------------------------- loops and threads

def test_one_client_from_two_loops_in_two_threads(clean_env: pytest.MonkeyPatch, stub: Any) -> None:
    s = stub(lambda m, p, b: (200, json.dumps({"path": p})))
    client = ZatabaseClient(s.url)
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        async def main() -> list[Any]:
            loop = asyncio.get_running_loop()
            futures = [client.cache.get_node(f"{name}-{i}") for i in range(20)]
            out = await asyncio.gather(*futures)
            assert asyncio.get_running_loop() is loop
            return out

        try:
            results[name] = asyncio.run(main())
        except BaseException as e:  # surfaced below
            results[name] = e

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for name in ("a", "b"):
        assert results[name] == [{"path": f"/v1/cache/nodes/{name}-{i}"} for i in range(20)]
    asyncio.run(client.close())  # from a third loop


def test_close_racing_calls_on_other_threads(stub: Any) -> None:
    s = stub(lambda m, p, b: (200, "{}"))
    for enabled in (False, True):
        client = ZatabaseClient(s.url, enabled=enabled, timeout=10)
        outcomes: list[str] = []

        def hammer() -> None:
            async def main() -> None:
                for _ in range(200):
                    try:
                        await client.cache.get_status()
                        outcomes.append("ok")
                    except ClosedError:
                        outcomes.append("closed")
                        return
            asyncio.run(main())

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.1)  # calls in full swing
        asyncio.run(client.close())
        for t in threads:
            t.join(30)
            assert not t.is_alive()
        assert outcomes.count("closed") + outcomes.count("ok") == len(outcomes)
        assert client.closed


def test_a_result_for_a_loop_that_has_closed_goes_nowhere(clean_env: pytest.MonkeyPatch, silent_url: str) -> None:
    client = ZatabaseClient(silent_url, timeout=0.3)

    async def give_up() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.cache.get_status(), 0.05)

    asyncio.run(give_up())  # that loop is closed when the TimeoutError arrives
    time.sleep(0.6)
    asyncio.run(client.close())


def test_interpreter_exit_with_calls_in_flight_and_clients_left_open(silent_url: str) -> None:
    code = f"""
import asyncio, zatabase
leaked = zatabase.ZatabaseClient({silent_url!r}, timeout=30)
async def main():
    global pending
    pending = [asyncio.ensure_future(leaked.cache.get_status()) for _ in range(5)]
    pending.append(asyncio.ensure_future(leaked.cache.purge(prefix="p")))
    await asyncio.sleep(0.2)
    print("leaving")
loop = asyncio.new_event_loop()
loop.run_until_complete(main())
"""
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "leaving\n"
    assert "Fatal" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
    assert time.monotonic() - start < 30  # closed at exit, not left to time out


# ---------------------------------------------------------------------------------------------- the CLI



def test_cli_usage_and_help(clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out, err = capsys.readouterr()
    assert "Usage: zatabase" in out and err == ""
    assert cli.main(["cache", "frobnicate"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "frobnicate" in err
    assert cli.main(["--no-such-option"]) == 2


def test_cli_unreachable_brain_exits_3(clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("ZATABASE_URL", f"http://127.0.0.1:{unused_port()}")
    clean_env.setenv("ZCACHE_TIMEOUT", "1")
    assert cli.main(["cache", "status"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err


def test_cli_reads_only_its_variables(clean_env: pytest.MonkeyPatch, stub: Any,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    s = stub(lambda m, p, b: (200, json.dumps(NOOP_STATUS | {"brain_healthy": True})))
    clean_env.setenv("ZCACHE_BRAIN_URL", s.url)
    clean_env.setenv("ZATABASE_TOKEN", "cli-token")
    assert cli.main(["--json", "cache", "status"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["brain_healthy"] is True
    assert s.requests[0]["headers"]["Authorization"] == "Bearer cli-token"


def test_cli_main_defaults_to_sys_argv(clean_env: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    clean_env.setattr(cli._native, "run_admin_cli", lambda args, env: seen.append((args, env)) or (7, "", ""))
    clean_env.setattr(sys, "argv", ["zatabase", "cache", "nodes"])
    clean_env.setenv("ZATABASE_TOKEN", "t")
    clean_env.setenv("UNRELATED", "x")
    assert cli.main() == 7
    assert seen == [(["cache", "nodes"], {"ZATABASE_TOKEN": "t"})]


def test_python_m_zatabase_runs_the_cli() -> None:
    r = subprocess.run([sys.executable, "-m", "zatabase", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Usage: zatabase" in r.stdout

