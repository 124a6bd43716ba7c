"""``@cache.cached(...)``: an async function whose calls go through ``cache.swr``.

The key is ``module.qualname:`` plus the ``repr`` of the arguments, unless ``key=`` builds it;
``tags`` may be a list or a function of the arguments (e.g. ``lambda id: [f"product:{id}"]``).
Arguments without a stable ``repr`` (objects showing their address) need ``key=``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any, Callable, Generic, Optional, TypeVar, Union

from ._options import Seconds, optional_ms, tag_list

if TYPE_CHECKING:
    from .cache import Cache
    from .outcome import CallStatus

T = TypeVar("T")

__all__ = ["cached", "CachedFunction"]


class CachedFunction(Generic[T]):
    """The decorated function: call it like the original; ``key_for(...)`` tells its cache key."""

    def __init__(self, cache: Cache, fn: Callable[..., Awaitable[T]], options: dict[str, Any],
                 tags: Union[list[str], Callable[..., Iterable[str]]], key: Optional[Callable[..., str]]) -> None:
        self._cache = cache
        self._fn = fn
        self._options = options
        self._tags = tags
        self._key = key
        self._prefix = f"{fn.__module__}.{fn.__qualname__}:"
        functools.update_wrapper(self, fn)

    def key_for(self, *args: Any, **kwargs: Any) -> str:
        if self._key is not None:
            key = self._key(*args, **kwargs)
            if not isinstance(key, str):
                raise TypeError(f"key= must return a str, not {type(key).__name__}")
            return key
        parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in sorted(kwargs.items())]
        return self._prefix + ",".join(parts)

    async def __call__(self, *args: Any, status: Optional[CallStatus] = None, **kwargs: Any) -> T:
        tags = self._tags(*args, **kwargs) if callable(self._tags) else self._tags
        return await self._cache.swr(self.key_for(*args, **kwargs), lambda: self._fn(*args, **kwargs),
                                     tags=tags, status=status, **self._options)

    def __get__(self, instance: object, owner: Optional[type] = None) -> Any:
        # Decorating a method: bind like a function would.
        return self if instance is None else functools.partial(self.__call__, instance)


def cached(
    cache: Cache,
    *,
    ttl: Optional[Seconds] = None,
    stale: Optional[Seconds] = None,
    stale_if_error: Optional[Seconds] = None,
    tags: Union[Iterable[str], Callable[..., Iterable[str]], None] = None,
    key: Optional[Callable[..., str]] = None,
) -> Callable[[Callable[..., Awaitable[T]]], CachedFunction[T]]:
    # Checked now, so that a typo fails at import time rather than on the first miss.
    optional_ms("ttl", ttl), optional_ms("stale", stale), optional_ms("stale_if_error", stale_if_error)
    fixed_tags: Union[list[str], Callable[..., Iterable[str]]] = tags if callable(tags) else tag_list(tags)
    if key is not None and not callable(key):
        raise TypeError("key= must be a callable taking the function's arguments and returning a str")
    options = {"ttl": ttl, "stale": stale, "stale_if_error": stale_if_error}

    def decorate(fn: Callable[..., Awaitable[T]]) -> CachedFunction[T]:
        if not inspect.iscoroutinefunction(fn):
            raise TypeError(f"@cache.cached decorates async functions; {getattr(fn, '__qualname__', fn)!r} is not one")
        return CachedFunction(cache, fn, options, fixed_tags, key)

    return decorate
