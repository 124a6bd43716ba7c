'use strict';
// The outcome of one call, for a response header (seed 003's `hit | stale | miss | bypass`).
// Pass `{ status: {} }` to swr()/get() (as with lru-cache) and read `status.cache` afterwards.

const RFC9211 = {
  hit: 'hit',
  stale: 'fwd=stale',
  miss: 'fwd=miss; stored',
  bypass: 'fwd=bypass',
};

/**
 * An RFC 9211 Cache-Status header value for a call's outcome, e.g.
 * `res.setHeader('Cache-Status', cacheStatusHeader(status))` → "zatabase; hit".
 */
function cacheStatusHeader(status, cacheName = 'zatabase') {
  const outcome = status && status.cache;
  const params = RFC9211[outcome];
  if (params === undefined) throw new TypeError(`status.cache must be 'hit', 'stale', 'miss' or 'bypass', not ${String(outcome)}`);
  return `${cacheName}; ${params}`;
}

module.exports = { cacheStatusHeader };
