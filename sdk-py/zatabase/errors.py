"""The exception hierarchy of zatabase: one class per error kind of the core (core/include/zcache/error.h).

Native code builds these classes (it is handed ``CLASSES_BY_CODE`` at import) and never invents its
own. Every class has ``code``, the core's stable error code. Some also derive from the builtin that
Python code already catches for the same condition (``ValueError``, ``TimeoutError``, ...).
"""

from __future__ import annotations

import builtins

__all__ = [
    "ZcacheError",
    "ZatabaseError",
    "InvalidArgumentError",
    "TooLargeError",
    "NotFoundError",
    "ConflictError",
    "TimeoutError",
    "CancelledError",
    "FetchFailedError",
    "ClosedError",
    "UnavailableError",
    "UnauthorizedError",
    "ForbiddenError",
    "BadRequestError",
    "RateLimitedError",
    "ProtocolError",
    "IoError",
    "CorruptError",
    "InternalError",
    "CLASSES_BY_CODE",
]


class ZcacheError(Exception):
    """Base class of every error the cache and the cluster client report."""

    code: str = "internal"

    def __init__(self, message: str, *, http_status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        #: The HTTP status that caused the error, or 0 when it did not come from HTTP.
        self.http_status = http_status

    def __reduce__(self) -> tuple[object, ...]:  # picklable across processes despite keyword args
        return (_rebuild, (type(self), self.message, self.http_status))


def _rebuild(cls: type[ZcacheError], message: str, http_status: int) -> ZcacheError:
    return cls(message, http_status=http_status)


#: The same class under the name the JS SDK gives its base class (``ZatabaseError``).
ZatabaseError = ZcacheError


class InvalidArgumentError(ZcacheError, ValueError):
    """A caller passed a bad value (bad key, option or selector)."""

    code = "invalid_argument"


class TooLargeError(ZcacheError, ValueError):
    """An entry or body is over a limit."""

    code = "too_large"


class NotFoundError(ZcacheError, LookupError):
    code = "not_found"


class ConflictError(ZcacheError):
    """E.g. a named cache re-opened with a different ``max_bytes``."""

    code = "conflict"


class TimeoutError(ZcacheError, builtins.TimeoutError):  # noqa: A001 - like asyncio.TimeoutError
    """A fetch or a request ran past its deadline (``hard_timeout``)."""

    code = "timeout"


class CancelledError(ZcacheError):
    """A fetch was abandoned by its leader. Unlike ``asyncio.CancelledError``, an ordinary error."""

    code = "cancelled"


class FetchFailedError(ZcacheError):
    """A fetcher failed. Waiters in this process get the fetcher's own exception instead; this class
    is what they get when that exception is not available (e.g. raised in another interpreter)."""

    code = "fetch_failed"


class ClosedError(ZcacheError):
    """The cache (or client) was closed."""

    code = "closed"


class UnavailableError(ZcacheError):
    code = "unavailable"


class UnauthorizedError(ZcacheError):
    code = "unauthorized"


class ForbiddenError(ZcacheError):
    code = "forbidden"


class BadRequestError(ZcacheError):
    code = "bad_request"


class RateLimitedError(ZcacheError):
    code = "rate_limited"


class ProtocolError(ZcacheError):
    code = "protocol"


class IoError(ZcacheError):
    code = "io"


class CorruptError(ZcacheError):
    code = "corrupt"


class InternalError(ZcacheError):
    """A bug: never caused by input."""

    code = "internal"


CLASSES_BY_CODE: dict[str, type[ZcacheError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError, TooLargeError, NotFoundError, ConflictError, TimeoutError, CancelledError,
        FetchFailedError, ClosedError, UnavailableError, UnauthorizedError, ForbiddenError, BadRequestError,
        RateLimitedError, ProtocolError, IoError, CorruptError, InternalError,
    )
}
