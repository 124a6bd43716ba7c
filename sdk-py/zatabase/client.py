"""ZatabaseClient: the edge cache's cluster API (seed 000) for asyncio.

    from zatabase import ZatabaseClient
    async with ZatabaseClient(base_url="https://your-project.zatabase.io") as client:
        status = await client.cache.get_status()
        print(f"Hit ratio: {status['hit_ratio']}")

Everything that matters happens in the core's BrainClient (bindings/python/brain_client.h): HTTP,
retries of idempotent calls within the timeout, the circuit breaker, the HTTP status → error class
mapping, and the no-op results when the cache layer is disabled. This layer owns the options
(seconds, keyword arguments), argument checks with clear messages, and awaitables.

Results are plain dicts (and lists) with the brain's snake_case fields, typed by the TypedDicts of
``zatabase.cluster_types``. Failures raise ``ZatabaseError`` subclasses, each with ``code`` and
``http_status`` (0 when no HTTP status was involved): ``UnauthorizedError`` (401), ``ForbiddenError``
(403), ``NotFoundError`` (404), ``BadRequestError`` (400/422), ``RateLimitedError`` (429),
``UnavailableError`` (brain unreachable, 502/503, circuit open), ``TimeoutError`` (no answer within
``timeout``, 504), ``ProtocolError`` (an answer that is not the brain's JSON), ``ClosedError``. Bad
arguments raise ``TypeError``/``ValueError``.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import math
import weakref
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, Optional, Union

from . import _native
from ._options import str_list
from .cluster_types import (
    BrainHealth,
    CacheNode,
    ClusterMetrics,
    ClusterPurgeResult,
    ClusterStatus,
    NodeMetrics,
    NodeRegistration,
    PurgeRequest,
)
from .errors import ClosedError

__all__ = ["ZatabaseClient", "ZatabaseCacheApi"]

_MAX_TIMEOUT_S = 86_400  # as for ZCACHE_TIMEOUT

# Every native client not yet collected: closed at exit, so that no client thread is still talking
# to the network while the process tears down. (Registered before zatabase/__init__.py registers
# _native._shutdown, so it runs after it: results cancelled then are dropped, not delivered.)
_live: weakref.WeakSet[Any] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for native in list(_live):
        native.close()


def _settle(future: asyncio.Future[Any], result: Any, error: Optional[BaseException]) -> None:
    if future.done():  # the caller was cancelled: the result is dropped
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _deliver(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any,
             error: Optional[BaseException]) -> None:
    # Runs on a client thread (with the GIL): hop into the loop that made the call.
    try:
        loop.call_soon_threadsafe(_settle, future, result, error)
    except RuntimeError:  # that loop is closed: nobody waits for this result any more
        pass


def _type_name(value: object) -> str:
    return type(value).__name__


def _optional_str(name: str, value: object) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_type_name(value)}")
    return value


def _timeout_ms(timeout: object) -> Optional[int]:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {_type_name(timeout)}")
    if math.isnan(timeout) or not 0 < timeout <= _MAX_TIMEOUT_S:
        raise ValueError(f"timeout must be a number of seconds in (0, {_MAX_TIMEOUT_S}], not {timeout!r}")
    return max(1, round(timeout * 1000))


def _node_id(node_id: object) -> str:
    if not isinstance(node_id, str):
        raise TypeError(f"node_id must be a str, not {_type_name(node_id)}")
    if not node_id:
        raise ValueError("node_id must not be empty")
    return node_id


def _body(call: str, body: object, fields: dict[str, Any]) -> dict[str, Any]:
    """A request body: the mapping given, or the keyword arguments that are not None."""
    given = {name: value for name, value in fields.items() if value is not None}
    if body is None:
        return given
    if given:
        raise TypeError(f"{call} takes a dict or keyword arguments, not both")
    if not isinstance(body, Mapping):
        raise TypeError(f"{call} needs a dict, not {_type_name(body)}")
    return dict(body)


class ZatabaseCacheApi:
    """``client.cache``: the eight ``/v1/cache`` calls of seed 000."""

    __slots__ = ("_client",)

    def __init__(self, client: ZatabaseClient) -> None:
        self._client = client

    async def get_status(self) -> ClusterStatus:
        """``GET /v1/cache/status``: node counts, capacity and the cluster's hit ratio."""
        return await self._client._call("get_status")  # type: ignore[no-any-return]

    async def list_nodes(self) -> list[CacheNode]:
        """``GET /v1/cache/nodes``: every registered worker (``[]`` when disabled)."""
        return await self._client._call("list_nodes")  # type: ignore[no-any-return]

    async def register_node(
        self,
        registration: Optional[Union[NodeRegistration, Mapping[str, Any]]] = None,
        /,
        *,
        endpoint: Optional[str] = None,
        region: Optional[str] = None,
        capacity_bytes: Optional[int] = None,
    ) -> Optional[CacheNode]:
        """``POST /v1/cache/nodes/register`` with ``{"endpoint", "region", "capacity_bytes"}`` (a dict, or
        the same as keyword arguments): the node as registered (``None`` when disabled). Registering
        the same endpoint again updates it and keeps its ``node_id``. Never retried."""
        body = _body("register_node()", registration,
                     {"endpoint": endpoint, "region": region, "capacity_bytes": capacity_bytes})
        if not body:
            raise TypeError("register_node() needs {'endpoint', 'region', 'capacity_bytes'} as a dict or keyword arguments")
        return await self._client._call("register_node", body)  # type: ignore[no-any-return]

    async def get_node(self, node_id: str) -> Optional[CacheNode]:
        """``GET /v1/cache/nodes/{node_id}`` (``None`` when disabled); ``NotFoundError`` if unknown."""
        return await self._client._call("get_node", _node_id(node_id))  # type: ignore[no-any-return]

    async def deregister_node(self, node_id: str) -> None:
        """``DELETE /v1/cache/nodes/{node_id}``; ``NotFoundError`` if unknown."""
        await self._client._call("deregister_node", _node_id(node_id))

    async def get_node_metrics(self, node_id: str) -> Optional[NodeMetrics]:
        """``GET /v1/cache/nodes/{node_id}/metrics``: the node's newest sample (``None`` when disabled)."""
        return await self._client._call("get_node_metrics", _node_id(node_id))  # type: ignore[no-any-return]

    async def get_metrics(self) -> ClusterMetrics:
        """``GET /v1/cache/metrics``: counters and latency percentiles summed over the cluster."""
        return await self._client._call("get_metrics")  # type: ignore[no-any-return]

    async def purge(
        self,
        request: Optional[Union[PurgeRequest, Mapping[str, Any]]] = None,
        /,
        *,
        prefix: Optional[str] = None,
        keys: Optional[Iterable[str]] = None,
        tags: Optional[Iterable[str]] = None,
        soft: Optional[bool] = None,
    ) -> ClusterPurgeResult:
        """``POST /v1/cache/purge``: removes (``soft=True``: marks stale) every object matching any of
        ``prefix``, ``keys``, ``tags`` on every online worker; a dict, or the same as keyword
        arguments. Returns the summed counts. Never retried."""
        if request is None:
            if prefix is not None and not isinstance(prefix, str):
                raise TypeError(f"prefix must be a str, not {_type_name(prefix)}")
            if soft is not None and not isinstance(soft, bool):
                raise TypeError(f"soft must be a bool, not {_type_name(soft)}")
            fields: dict[str, Any] = {
                "prefix": prefix,
                "keys": None if keys is None else str_list("keys", keys, "every item of keys"),
                "tags": None if tags is None else str_list("tags", tags, "every item of tags"),
                "soft": soft,
            }
            if not (prefix or fields["keys"] or fields["tags"]):
                raise ValueError("purge() needs at least one of prefix=, keys= or tags= (or a dict)")
        else:
            fields = {"prefix": prefix, "keys": keys, "tags": tags, "soft": soft}
        body = _body("purge()", request, fields)
        return await self._client._call("purge", body)  # type: ignore[no-any-return]


class ZatabaseClient:
    """The cluster API of the edge cache: ``client.cache.*`` and ``client.health()``.

    ``base_url``: the brain's API (else ``ZATABASE_URL``, else ``ZCACHE_BRAIN_URL``, else
    ``http://127.0.0.1:8081``); ``token``: the bearer token (else ``ZATABASE_TOKEN``); ``timeout``:
    seconds a whole call may take, retries included (else ``ZCACHE_TIMEOUT``, else 10);
    ``enabled``: ``False`` makes every call return its no-op value without touching the network
    (else ``ZCACHE_ENABLED``, else ``True``). Unusable values, given or from the environment, raise
    ``InvalidArgumentError``.

    Calls may be made from any running event loop (and any thread); each result comes back to the
    loop that made the call. Cancelling a call drops its result (the request itself runs to its
    end). ``await client.close()`` (or leaving ``async with``) ends the calls still running with
    ``ClosedError``; later calls raise ``ClosedError``.
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        *,
        token: Optional[str] = None,
        timeout: Optional[float] = None,
        enabled: Optional[bool] = None,
    ) -> None:
        if enabled is not None and not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {_type_name(enabled)}")
        native = _native.BrainClient(
            base_url=_optional_str("base_url", base_url),
            token=_optional_str("token", token),
            timeout_ms=_timeout_ms(timeout),
            enabled=enabled,
        )
        _live.add(native)
        self._native: Any = native
        self._base_url: str = native.base_url
        self._timeout: float = native.timeout_ms / 1000
        self._enabled: bool = native.enabled
        self.cache = ZatabaseCacheApi(self)

    @property
    def base_url(self) -> str:
        """The brain's URL in use."""
        return self._base_url

    @property
    def timeout(self) -> float:
        """Seconds a call may take, retries included."""
        return self._timeout

    @property
    def enabled(self) -> bool:
        """False when the cache layer is switched off (every call is a no-op)."""
        return self._enabled

    @property
    def closed(self) -> bool:
        return self._native.closed  # type: ignore[no-any-return]

    async def health(self) -> BrainHealth:
        """``GET /health`` (no token needed): ``{"status": "ok"}`` (``"disabled"`` when disabled)."""
        return await self._call("health")  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Ends the calls still running (``ClosedError``) and the client's threads; idempotent."""
        self._native.close()  # brief: cancels and joins, with the GIL released

    async def __aenter__(self) -> ZatabaseClient:
        return self

    async def __aexit__(
        self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("enabled" if self._enabled else "disabled")
        return f"<ZatabaseClient {self._base_url} {state}>"

    async def _call(self, name: str, *args: Any) -> Any:
        native = self._native
        if native.closed:
            raise ClosedError("the client is closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        getattr(native, name)(*args, functools.partial(_deliver, loop, future))  # ClosedError if close() raced
        return await future
