'use strict';
// Error paths: bad arguments (TypeError/RangeError with clear messages, from the SDK and from
// the native layer that never trusts it), closed caches, and the error classes themselves.
const sdk = require('../../sdk-js');
const native = require('../../sdk-js/native');

const { Cache, ZatabaseError, ZatabaseClosedError, ZatabaseConflictError } = sdk;

describe('bad arguments', () => {
  const cache = new Cache();
  afterAll(() => cache.close());

  test.each([
    ['non-string key in get', () => cache.get(42), TypeError, /key must be a string/],
    ['non-string key in set', () => cache.set({}, 1), TypeError, /key must be a string/],
    ['negative ttl', () => cache.set('k', 1, { ttl: -1 }), RangeError, /ttl must be a finite number of seconds/],
    ['NaN stale', () => cache.set('k', 1, { stale: NaN }), RangeError, /stale/],
    ['ttl as a string', () => cache.set('k', 1, { ttl: '60' }), TypeError, /ttl must be a number of seconds/],
    ['tags not strings', () => cache.set('k', 1, { tags: ['a', 2] }), TypeError, /tags\[1\] must be a string/],
    ['a key over 64 KiB', () => cache.set('k'.repeat(70_000), 1), RangeError, /key/],
    ['too many tags', () => cache.set('k', 1, { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }), RangeError, /tag/],
    ['status not an object', () => cache.get('k', { status: 'x' }), TypeError, /status must be an object/],
  ])('%s', (_, call, cls, message) => {
    expect(call).toThrow(cls);
    expect(call).toThrow(message);
    try {
      call();
    } catch (err) {
      expect(err.code).toBe('invalid_argument');
    }
  });

  test('swr rejects (never throws) on bad arguments', async () => {
    await expect(cache.swr(1, async () => 1)).rejects.toThrow(TypeError);
    await expect(cache.swr('k', 'not a function')).rejects.toThrow(/fetcher must be a function/);
    await expect(cache.swr('k', async () => 1, { ttl: -5 })).rejects.toThrow(RangeError);
  });

  test.each([
    [{ maxBytes: 0 }, RangeError],
    [{ maxBytes: '1' }, TypeError],
    [{ ttl: -1 }, RangeError],
    [{ name: '' }, TypeError],
    [{ clock: {} }, TypeError],
    [{ onError: 'log' }, TypeError],
    [{ ttlJitter: 1 }, RangeError],
    [{ shards: 3 }, RangeError],
    [{ lockTimeout: 0 }, RangeError],
  ])('new Cache(%p) throws %p', (options, cls) => {
    expect(() => new Cache(options)).toThrow(cls);
  });

  test('the native layer checks types itself', () => {
    const raw = new native.NativeCache({}, () => {});
    expect(() => raw.lookup(1, 0)).toThrow(/key must be a string/);
    expect(() => raw.lookup('k', 'x')).toThrow(/knownIdentity must be a number/);
    expect(() => raw.set('k', 5, 1)).toThrow(/data must be a string, an ArrayBuffer or an ArrayBuffer view/);
    expect(() => raw.set('k', 'v', 300)).toThrow(RangeError);
    expect(() => raw.fill({}, 'v', 1)).toThrow(/ticket must be a ticket/);
    expect(() => raw.takeTicket()).toThrow(/no ticket to take/);
    expect(() => new native.NativeCache({ maxBytes: 'x' }, () => {})).toThrow(TypeError);
    expect(() => new native.NativeCache({}, 'not a function')).toThrow(TypeError);
    raw.close();
  });

  test('a ticket can be used once', () => {
    const raw = new native.NativeCache({}, () => {});
    expect(raw.lookup('k', 0)).toBe(native.MISS | native.TICKET);
    const ticket = raw.takeTicket();
    raw.fill(ticket, 'v', 1, undefined, undefined, undefined, undefined);
    expect(() => raw.fill(ticket, 'v', 1)).toThrow(/already used/);
    raw.close();
  });
});

describe('closed caches', () => {
  test('every operation throws ZatabaseClosedError; close() is idempotent', async () => {
    const cache = new Cache();
    cache.close();
    cache.close();
    expect(cache.closed).toBe(true);
    for (const call of [() => cache.get('k'), () => cache.set('k', 1), () => cache.has('k'), () => cache.delete('k'),
      () => cache.clear(), () => cache.stats()]) {
      expect(call).toThrow(ZatabaseClosedError);
    }
    await expect(cache.purge({ keys: ['k'] })).rejects.toThrow(ZatabaseClosedError);
    await expect(cache.flush()).rejects.toThrow(ZatabaseClosedError);
    await expect(cache.swr('k', async () => 1)).rejects.toMatchObject({ code: 'closed', name: 'ZatabaseClosedError' });
  });
});

describe('error classes', () => {
  test('a named cache reopened with another maxBytes is a ZatabaseConflictError', () => {
    const a = new Cache({ name: 'conflict-test', maxBytes: 1 << 20 });
    let err;
    try {
      new Cache({ name: 'conflict-test', maxBytes: 2 << 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZatabaseConflictError);
    expect(err).toBeInstanceOf(ZatabaseError);
    expect(err.code).toBe('conflict');
    expect(err.name).toBe('ZatabaseConflictError');
    a.close();
  });

  test('every core error kind has its class and code', () => {
    const codes = Object.entries(sdk).filter(([n]) => /^Zatabase.*Error$/.test(n)).map(([, c]) => c.prototype.code);
    expect(new Set(codes)).toEqual(new Set(['internal', 'invalid_argument', 'too_large', 'not_found', 'conflict',
      'timeout', 'cancelled', 'fetch_failed', 'closed', 'unavailable', 'unauthorized', 'forbidden', 'bad_request',
      'rate_limited', 'protocol', 'io', 'corrupt']));
  });
});
