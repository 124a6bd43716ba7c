"""Cache: the asyncio stale-while-revalidate cache (seed 003) on the shared native engine.

The engine (core/, via zatabase._native) owns every cache decision: freshness windows, single-flight,
purges, eviction, stale-if-error, lock timeouts. This class makes it idiomatic: seconds and kwargs,
awaitables, serialization, background revalidation tasks, and errors as exceptions.

Values: a hit returns the object decoded from the engine's bytes. Decoded objects are kept per
Cache object (``decoded_cache_bytes``) and reused while the engine still holds that very version, so
callers reading the same entry share one object: treat cached values as immutable, or pass
``decoded_cache_bytes=0`` to get a fresh copy on every hit (one ``pickle.loads`` each).

Replica: ``Cache(replica_file="cache.db")`` keeps every entry also in a SQLite file beneath memory
(the core's ReplicaStore), so entries and their windows survive restarts and are shared by the
processes of a host. Writes reach the file in the background; ``swr()`` reads through on a memory
miss (one read per key at a time; a hit in memory never touches the file); ``get()`` looks at memory
only. ``await flush()`` waits until the file committed what was written so far.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any, Callable, Optional, TypedDict, TypeVar, Union

from . import _native
from ._background import BackgroundTasks
from ._options import Seconds, check_key, optional_ms, positive_int, replica_path, tag_list, to_ms
from .errors import CancelledError as FlightCancelledError
from .errors import ClosedError
from .outcome import CallStatus, Outcome
from .serializers import SerializerName, decode, encoder_for

if TYPE_CHECKING:
    from .decorator import CachedFunction
    from .testing import ManualClock

__all__ = ["Cache", "PurgeResult", "CacheStats", "Fetcher", "ErrorHook"]

T = TypeVar("T")
Fetcher = Callable[[], Union[T, Awaitable[T]]]
ErrorHook = Callable[[BaseException, str], None]

logger = logging.getLogger("zatabase")

_FRESH, _STALE, _MISS, _WAIT = _native.FRESH, _native.STALE, _native.MISS, _native.WAIT
_ABSENT, _LOCK_TIMEOUT, _FILLED, _LEAD = _native.ABSENT, _native.LOCK_TIMEOUT, _native.FILLED, _native.LEAD
_HIT, _STALE_OUTCOME, _MISS_OUTCOME, _BYPASS = Outcome.HIT, Outcome.STALE, Outcome.MISS, Outcome.BYPASS

# A waiter whose leader was cancelled looks the key up again; this many times at most.
_MAX_LEADER_RETRIES = 3

_EntryOptions = tuple[Optional[int], Optional[int], Optional[int], list[str]]


class PurgeResult(TypedDict):
    objects_purged: int
    bytes_freed: int


class CacheStats(TypedDict):
    hits: int
    stale_hits: int
    misses: int
    fills: int
    sets: int
    evictions: int
    expirations: int
    purged: int
    rejected: int
    bytes: int
    entries: int
    max_bytes: int
    # The replica tier (0 without one): read-throughs started, those that found a servable value,
    # entries copied from the file into memory; the file's charged bytes and entries (as of its
    # last transaction), its budget, writes dropped (queue full or too large), bytes queued now.
    replica_reads: int
    replica_hits: int
    promotions: int
    replica_bytes: int
    replica_entries: int
    replica_max_bytes: int
    replica_dropped: int
    replica_queue_bytes: int


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():  # a cancelled waiter leaves the others alone
        future.set_result(result)
    else:
        _give_up(result)


def _give_up(result: Any) -> None:
    """A result nobody will read: its ticket (the lead, or a revalidation) is given up at once, so
    the other waiters take over (they get Cancelled and look again) instead of waiting for a timeout."""
    ticket = result.ticket
    if ticket is not None:
        ticket.drop()


def _settle_purge(future: asyncio.Future[Any], objects: int, freed: int, error: Optional[BaseException]) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result({"objects_purged": objects, "bytes_freed": freed})


class Cache:
    """An in-process SWR cache. ``Cache(name=...)`` shares one engine with every thread of the process.

    Durations are in seconds. ``ttl``: fresh time (60); ``stale``: then servable while one
    revalidation runs (600); ``stale_if_error``: past freshness, served when a fetch fails (0).
    ``lock_timeout``: waiters stop waiting for a silent leader and fetch themselves (10);
    ``soft_timeout``/``hard_timeout``: past them waiters get the old value / a TimeoutError.
    ``on_error(exc, key)`` hears about fetch failures nobody else sees (background revalidations,
    errors answered with a stale value); they are also logged on the ``zatabase`` logger.

    ``replica_file`` (str or path): a SQLite file beneath memory (see the module docstring), with its
    own byte budget ``replica_max_bytes`` (1 GiB). An unreadable or foreign file raises CorruptError
    naming it, unless ``replica_rebuild=True``, which moves it aside (``<file>.unreadable-<ms>``) and
    starts empty. Named caches: the first handle of a name creates the engine and opens the file;
    later handles join that engine without opening it again (with ``replica_file`` it must be the
    same file, else ConflictError; without it they use whatever the engine has).
    """

    def __init__(
        self,
        *,
        max_bytes: int = 256 << 20,
        ttl: Seconds = 60,
        stale: Seconds = 600,
        stale_if_error: Seconds = 0,
        name: Optional[str] = None,
        serializer: SerializerName = "pickle",
        lock_timeout: Seconds = 10,
        soft_timeout: Optional[Seconds] = None,
        hard_timeout: Optional[Seconds] = None,
        ttl_jitter: float = 0.0,
        shards: int = 0,
        decoded_cache_bytes: Optional[int] = None,
        on_error: Optional[ErrorHook] = None,
        clock: Optional[ManualClock] = None,
        replica_file: Union[str, os.PathLike[str], None] = None,
        replica_max_bytes: int = 1 << 30,
        replica_rebuild: bool = False,
    ) -> None:
        positive_int("max_bytes", max_bytes)
        replica = None if replica_file is None else replica_path(replica_file)
        positive_int("replica_max_bytes", replica_max_bytes)
        if not isinstance(replica_rebuild, bool):
            raise TypeError(f"replica_rebuild must be a bool, not {type(replica_rebuild).__name__}")
        if isinstance(shards, bool) or not isinstance(shards, int) or shards < 0:
            raise TypeError(f"shards must be a non-negative int, not {shards!r}")
        if isinstance(ttl_jitter, bool) or not isinstance(ttl_jitter, (int, float)) or not 0 <= ttl_jitter < 1:
            raise ValueError(f"ttl_jitter must be a number in [0, 1), not {ttl_jitter!r}")
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"name must be a non-empty str, not {name!r}")
        if decoded_cache_bytes is None:
            decoded_cache_bytes = max_bytes // 8
        elif isinstance(decoded_cache_bytes, bool) or not isinstance(decoded_cache_bytes, int) or decoded_cache_bytes < 0:
            raise ValueError(f"decoded_cache_bytes must be a non-negative int, not {decoded_cache_bytes!r}")
        if on_error is not None and not callable(on_error):
            raise TypeError("on_error must be a callable taking (exception, key)")
        native_clock = None
        if clock is not None:
            native_clock = getattr(clock, "_native", None)
            if not isinstance(native_clock, _native.ManualClock):
                raise TypeError("clock must be a zatabase.testing.ManualClock")
        self._encode = encoder_for(serializer)
        self._serializer = serializer
        self._engine = _native.Engine(
            max_bytes=max_bytes,
            shards=shards,
            ttl_ms=to_ms("ttl", ttl),
            stale_ms=to_ms("stale", stale),
            stale_if_error_ms=to_ms("stale_if_error", stale_if_error),
            ttl_jitter=float(ttl_jitter),
            lock_timeout_ms=to_ms("lock_timeout", lock_timeout, allow_zero=False),
            soft_timeout_ms=0 if soft_timeout is None else to_ms("soft_timeout", soft_timeout, allow_zero=False),
            hard_timeout_ms=0 if hard_timeout is None else to_ms("hard_timeout", hard_timeout, allow_zero=False),
            clock=native_clock,
            name=name,
            decoder=decode,
            memo_bytes=decoded_cache_bytes,
            replica_file=replica,
            replica_max_bytes=replica_max_bytes,
            replica_rebuild=replica_rebuild,
        )
        self._lookup = self._engine.lookup  # bound once: the hit path is one native call
        self._name = name
        self._replica_file = replica
        self._on_error = on_error
        self._tasks = BackgroundTasks()

    # ------------------------------------------------------------------ stale-while-revalidate

    async def swr(
        self,
        key: str,
        fetcher: Fetcher[T],
        *,
        ttl: Optional[Seconds] = None,
        stale: Optional[Seconds] = None,
        stale_if_error: Optional[Seconds] = None,
        tags: Optional[Iterable[str]] = None,
        status: Optional[CallStatus] = None,
        bypass: bool = False,
    ) -> T:
        """The value of ``key``: fresh from the cache, stale while one background revalidation runs, or
        fetched (exactly one fetch per key at a time, across tasks and threads; the others wait).
        With a replica, a memory miss first reads the file (once per key, the others wait): a value
        found there is served (``hit``, or ``stale`` with one background revalidation); otherwise one
        waiting call runs its fetcher (``miss``).

        ``fetcher`` is a plain or async callable. Options apply to the value this call stores and are
        checked when it stores one. ``status`` receives the outcome; ``bypass=True`` runs the fetcher
        without touching the cache (outcome ``bypass``).
        """
        if bypass:
            return await self._bypass(fetcher, status)
        state, value, handle = self._lookup(key)
        if state == _FRESH:
            if status is not None:
                status.outcome, status.fetched = _HIT, False
            return value  # type: ignore[no-any-return]
        return await self._swr_slow(key, fetcher, state, value, handle, (ttl, stale, stale_if_error, tags), status)

    async def _swr_slow(
        self, key: str, fetcher: Fetcher[T], state: int, value: Any, handle: Any,
        raw_options: tuple[Any, Any, Any, Any], status: Optional[CallStatus],
    ) -> T:
        options = self._options_or_fail(handle, raw_options)
        if not callable(fetcher):
            self._fail_quietly(handle, TypeError("fetcher is not callable"))
            raise TypeError(f"fetcher must be a callable returning the value (or an awaitable), not {type(fetcher).__name__}")
        for attempt in range(_MAX_LEADER_RETRIES + 1):
            if state == _FRESH:
                if status is not None:
                    status.outcome, status.fetched = _HIT, False
                return value  # type: ignore[no-any-return]
            if state == _STALE:
                if handle is not None:  # this call revalidates; exactly one does
                    self._tasks.spawn(self._revalidate(key, handle, fetcher, options), name=f"zatabase revalidate {key}")
                if status is not None:
                    status.outcome, status.fetched = _STALE_OUTCOME, False
                return value  # type: ignore[no-any-return]
            if state == _MISS:
                return await self._lead(key, handle, fetcher, options, status)
            try:
                return await self._follow(key, handle, fetcher, options, status)
            except FlightCancelledError:
                if attempt == _MAX_LEADER_RETRIES:
                    raise
            # The leader was cancelled, not this call: look again (and maybe lead this time).
            state, value, handle = self._lookup(key)
        raise AssertionError("unreachable")

    async def _lead(self, key: str, ticket: Any, fetcher: Fetcher[T], options: _EntryOptions,
                    status: Optional[CallStatus]) -> T:
        if status is not None:
            status.outcome, status.fetched = _MISS_OUTCOME, True
        try:
            value = fetcher()
            if inspect.isawaitable(value):
                value = await value
            data, encoding = self._encode(value)
        except Exception as exc:
            state, old = self._engine.fail(ticket, exc)
            if state != _STALE:
                raise
            self._report(exc, key, "a fetch failed; serving the stale value (stale-if-error)")
            if status is not None:
                status.outcome = _STALE_OUTCOME
            return old  # type: ignore[no-any-return]
        except BaseException:  # asyncio.CancelledError and friends: free the waiters, then go
            self._engine.fail(ticket, None, True)
            raise
        self._engine.fill(ticket, data, encoding, *options)
        return value  # type: ignore[no-any-return]

    async def _follow(self, key: str, waiter: Any, fetcher: Fetcher[T], options: _EntryOptions,
                      status: Optional[CallStatus]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        waiter.attach(functools.partial(loop.call_soon_threadsafe, _settle, future))
        try:
            result = await future
        except asyncio.CancelledError:
            # The other waiters are left alone: withdrawn, or — if the result already came (the
            # lead, say) — it is given up here or by _settle.
            if not self._engine.cancel_wait(key, waiter.id) and future.done() and not future.cancelled():
                _give_up(future.result())
            raise
        state, value, ticket = self._engine.resolve(result)  # raises the leader's error
        if state == _LEAD:  # the replica had nothing servable: this call fetches for everyone
            if self._engine.closed:
                ticket.drop()
                raise ClosedError("the cache is closed")
            return await self._lead(key, ticket, fetcher, options, status)
        if ticket is not None:  # a stale value read through from the replica: this call revalidates
            if self._engine.closed:
                ticket.drop()
            else:
                self._tasks.spawn(self._revalidate(key, ticket, fetcher, options), name=f"zatabase revalidate {key}")
        if state == _LOCK_TIMEOUT:  # the leader went silent: fetch ourselves (seed 004)
            if status is not None:
                status.outcome, status.fetched = _MISS_OUTCOME, True
            value = fetcher()
            if inspect.isawaitable(value):
                value = await value
            data, encoding = self._encode(value)
            self._engine.set(key, data, encoding, *options)
            return value  # type: ignore[no-any-return]
        if status is not None:
            status.outcome = _STALE_OUTCOME if state == _STALE else _HIT if state == _FRESH else _MISS_OUTCOME
            status.fetched = False
        return value  # type: ignore[no-any-return]

    async def _revalidate(self, key: str, ticket: Any, fetcher: Fetcher[Any], options: _EntryOptions) -> None:
        try:
            value = fetcher()
            if inspect.isawaitable(value):
                value = await value
            data, encoding = self._encode(value)
        except Exception as exc:
            self._engine.fail(ticket, exc)  # the stale entry stays in place
            self._report(exc, key, "a background revalidation failed")
            return
        except BaseException:
            self._engine.fail(ticket, None, True)
            raise
        self._engine.fill(ticket, data, encoding, *options)

    async def _bypass(self, fetcher: Fetcher[T], status: Optional[CallStatus]) -> T:
        if status is not None:
            status.outcome, status.fetched = _BYPASS, True
        value = fetcher()
        if inspect.isawaitable(value):
            value = await value
        return value  # type: ignore[no-any-return]

    def _options_or_fail(self, handle: Any, raw: tuple[Any, Any, Any, Any]) -> _EntryOptions:
        ttl, stale, stale_if_error, tags = raw
        try:
            return (optional_ms("ttl", ttl), optional_ms("stale", stale),
                    optional_ms("stale_if_error", stale_if_error), tag_list(tags))
        except (TypeError, ValueError) as exc:
            self._fail_quietly(handle, exc)
            raise

    def _fail_quietly(self, handle: Any, exc: BaseException) -> None:
        if isinstance(handle, _native.Ticket):
            self._engine.fail(handle, exc)

    def _report(self, exc: BaseException, key: str, what: str) -> None:
        logger.warning("zatabase: %s for key %r", what, key, exc_info=exc)
        if self._on_error is not None:
            try:
                self._on_error(exc, key)
            except Exception:
                logger.exception("zatabase: the on_error hook raised")

    # ------------------------------------------------------------------ plain operations

    async def get(self, key: str, default: Any = None, *, status: Optional[CallStatus] = None) -> Any:
        """The cached value (fresh or stale) or ``default``; never fetches or revalidates.

        Looks at memory only, never at the replica file: read-through happens in :meth:`swr`.
        """
        state, value = self._engine.get(key)
        if state == _ABSENT:
            if status is not None:
                status.outcome, status.fetched = _MISS_OUTCOME, False
            return default
        if status is not None:
            status.outcome, status.fetched = (_HIT if state == _FRESH else _STALE_OUTCOME), False
        return value

    async def set(
        self,
        key: str,
        value: Any,
        *,
        ttl: Optional[Seconds] = None,
        stale: Optional[Seconds] = None,
        stale_if_error: Optional[Seconds] = None,
        tags: Optional[Iterable[str]] = None,
    ) -> bool:
        """Stores ``value``; False when it is larger than the cache can hold (then nothing is stored,
        and an older value of ``key`` is gone). Wins over a fetch of ``key`` already in flight."""
        check_key(key)
        options = (optional_ms("ttl", ttl), optional_ms("stale", stale),
                   optional_ms("stale_if_error", stale_if_error), tag_list(tags))
        data, encoding = self._encode(value)
        return self._engine.set(key, data, encoding, *options)  # type: ignore[no-any-return]

    async def delete(self, key: str) -> bool:
        """Removes ``key``; True when something was removed."""
        check_key(key)
        return self._engine.erase(key)  # type: ignore[no-any-return]

    async def purge(
        self,
        *,
        keys: Optional[Iterable[str]] = None,
        prefix: Optional[str] = None,
        tags: Optional[Iterable[str]] = None,
        soft: bool = False,
    ) -> PurgeResult:
        """Removes every entry matching any selector; a fetch in flight for one of them is not stored.

        ``soft=True`` marks them stale instead: readers get the old value while one revalidation runs.
        With a replica, both tiers are purged and the counts are one set for both (an object in memory
        and in the file counts once; bytes are the sum), reported once the file committed the purge;
        if that fails, memory was purged and the file's error (e.g. IoError) is raised.
        """
        key_list = tag_list(keys) if keys is not None else []
        if prefix is not None and (not isinstance(prefix, str) or not prefix):
            raise TypeError(f"prefix must be a non-empty str, not {prefix!r}")
        tag_values = tag_list(tags)
        if not key_list and prefix is None and not tag_values:
            raise ValueError("purge() needs at least one of keys=, prefix= or tags= (use clear() to remove everything)")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[PurgeResult] = loop.create_future()

        def done(objects: int, freed: int, error: Optional[BaseException]) -> None:
            # On the replica's writer thread, or right here (no replica): either way via the loop.
            loop.call_soon_threadsafe(_settle_purge, future, objects, freed, error)

        self._engine.purge(keys=key_list, prefix=prefix, tags=tag_values, soft=bool(soft), done=done)
        return await future

    async def flush(self) -> None:
        """Waits until the replica file has committed every write and purge made so far (off the event
        loop); returns at once without a replica. Raises the error of a failed commit (e.g. IoError)."""
        if not self._engine.has_replica:
            self._engine.flush()  # ClosedError once closed
            return
        await asyncio.get_running_loop().run_in_executor(None, self._engine.flush)

    async def clear(self) -> None:
        """Removes every entry (of the shared engine, for a named cache)."""
        self._engine.clear()

    def stats(self) -> CacheStats:
        """Counters and sizes of the engine (shared by every handle of a named cache)."""
        return self._engine.stats()  # type: ignore[no-any-return]

    def run_maintenance(self) -> None:
        """Reclaims expired entries and times out silent fetches now (tests with a ManualClock)."""
        self._engine.run_maintenance()

    def cached(
        self,
        *,
        ttl: Optional[Seconds] = None,
        stale: Optional[Seconds] = None,
        stale_if_error: Optional[Seconds] = None,
        tags: Union[Iterable[str], Callable[..., Iterable[str]], None] = None,
        key: Optional[Callable[..., str]] = None,
    ) -> Callable[[Callable[..., Awaitable[T]]], CachedFunction[T]]:
        """Decorates an async function so that its calls go through :meth:`swr` (see decorator.py)."""
        from .decorator import cached

        return cached(self, ttl=ttl, stale=stale, stale_if_error=stale_if_error, tags=tags, key=key)

    # ------------------------------------------------------------------ lifetime

    @property
    def closed(self) -> bool:
        return self._engine.closed  # type: ignore[no-any-return]

    @property
    def name(self) -> Optional[str]:
        return self._name

    @property
    def replica_file(self) -> Optional[str]:
        """The replica file this handle asked for (absolute), or None."""
        return self._replica_file

    async def close(self) -> None:
        """Cancels this cache's background revalidations and closes the handle; idempotent.

        Later calls raise ``ClosedError``. A named cache's engine lives on for its other handles.
        The last handle of an engine with a replica closes the file: its queued writes are committed
        and its threads joined, off the event loop (a worker thread; about 1 ms for a small queue,
        longer with many writes queued). A fetch still running elsewhere keeps the engine until it ends.
        """
        self._engine.close()
        await self._tasks.cancel_all()
        if self._engine.has_replica:
            await asyncio.get_running_loop().run_in_executor(None, self._engine.release)
        else:
            self._engine.release()

    async def wait_background(self) -> None:
        """Waits for the background revalidations started on this loop (tests, graceful shutdown)."""
        await self._tasks.drain()

    async def __aenter__(self) -> Cache:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        label = f"name={self._name!r}" if self._name else "private"
        replica = f" replica_file={self._replica_file!r}" if self._replica_file else ""
        return f"<zatabase.Cache {label} serializer={self._serializer!r}{replica} {state}>"
