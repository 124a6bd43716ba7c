'use strict';
// The error classes of @zatabase/sdk: one per error kind of the core
// (core/include/zcache/error.h), each with the kind's stable `code`. Defined here, in JS, and
// handed to the native addon, which builds them (bindings/node/errors.cc, one table).
//
// Bad arguments are not ZatabaseErrors but the builtins every JS API throws: TypeError for a
// wrong type, RangeError for a value out of range — both with code 'invalid_argument'.

class ZatabaseError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}
ZatabaseError.prototype.code = 'internal';
/** The HTTP status behind the error; 0 when no HTTP answer caused it. */
ZatabaseError.prototype.status = 0;

/** A wrong type of argument. */
class ZatabaseTypeError extends TypeError {
  constructor(message, options) {
    super(message, options);
    this.name = 'TypeError';
  }
}
ZatabaseTypeError.prototype.code = 'invalid_argument';

/** A value out of range (negative ttl, key too long, too many tags…). */
class ZatabaseRangeError extends RangeError {
  constructor(message, options) {
    super(message, options);
    this.name = 'RangeError';
  }
}
ZatabaseRangeError.prototype.code = 'invalid_argument';

function kind(name, code) {
  const cls = { [name]: class extends ZatabaseError {} }[name];
  cls.prototype.code = code;
  return cls;
}

const ZatabaseTooLargeError = kind('ZatabaseTooLargeError', 'too_large');
const ZatabaseNotFoundError = kind('ZatabaseNotFoundError', 'not_found');
const ZatabaseConflictError = kind('ZatabaseConflictError', 'conflict');
const ZatabaseTimeoutError = kind('ZatabaseTimeoutError', 'timeout');
const ZatabaseCancelledError = kind('ZatabaseCancelledError', 'cancelled');
/** The fetcher of a single-flight fill failed (seen by waiters in other threads). */
const ZatabaseFetchError = kind('ZatabaseFetchError', 'fetch_failed');
const ZatabaseClosedError = kind('ZatabaseClosedError', 'closed');
const ZatabaseUnavailableError = kind('ZatabaseUnavailableError', 'unavailable');
const ZatabaseUnauthorizedError = kind('ZatabaseUnauthorizedError', 'unauthorized');
const ZatabaseForbiddenError = kind('ZatabaseForbiddenError', 'forbidden');
const ZatabaseBadRequestError = kind('ZatabaseBadRequestError', 'bad_request');
const ZatabaseRateLimitedError = kind('ZatabaseRateLimitedError', 'rate_limited');
const ZatabaseProtocolError = kind('ZatabaseProtocolError', 'protocol');
const ZatabaseIoError = kind('ZatabaseIoError', 'io');
const ZatabaseCorruptError = kind('ZatabaseCorruptError', 'corrupt');
const ZatabaseInternalError = kind('ZatabaseInternalError', 'internal');

/** The table handed to the addon: every core error code → its class. */
const nativeErrorClasses = {
  kinds: {
    invalid_argument: ZatabaseRangeError,
    too_large: ZatabaseTooLargeError,
    not_found: ZatabaseNotFoundError,
    conflict: ZatabaseConflictError,
    timeout: ZatabaseTimeoutError,
    cancelled: ZatabaseCancelledError,
    fetch_failed: ZatabaseFetchError,
    closed: ZatabaseClosedError,
    unavailable: ZatabaseUnavailableError,
    unauthorized: ZatabaseUnauthorizedError,
    forbidden: ZatabaseForbiddenError,
    bad_request: ZatabaseBadRequestError,
    rate_limited: ZatabaseRateLimitedError,
    protocol: ZatabaseProtocolError,
    io: ZatabaseIoError,
    corrupt: ZatabaseCorruptError,
    internal: ZatabaseInternalError,
  },
  typeError: ZatabaseTypeError,
};

module.exports = {
  ZatabaseError,
  ZatabaseTypeError,
  ZatabaseRangeError,
  ZatabaseTooLargeError,
  ZatabaseNotFoundError,
  ZatabaseConflictError,
  ZatabaseTimeoutError,
  ZatabaseCancelledError,
  ZatabaseFetchError,
  ZatabaseClosedError,
  ZatabaseUnavailableError,
  ZatabaseUnauthorizedError,
  ZatabaseForbiddenError,
  ZatabaseBadRequestError,
  ZatabaseRateLimitedError,
  ZatabaseProtocolError,
  ZatabaseIoError,
  ZatabaseCorruptError,
  ZatabaseInternalError,
  nativeErrorClasses,
};
