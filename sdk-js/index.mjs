// @zatabase/sdk (ESM entry): the same objects as the CommonJS entry, so `instanceof` agrees.
import { createRequire } from 'node:module';

const sdk = createRequire(import.meta.url)('./index.js');

export const {
  Cache,
  ZatabaseClient,
  ManualClock,
  cacheStatusHeader,
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
} = sdk;
export default sdk;
