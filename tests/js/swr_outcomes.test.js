'use strict';
// Every outcome of swr() on a clock the test moves: hit, stale (+ one background revalidation),
// miss, bypass, expiry past the stale window, stale-if-error.
const { Cache, ManualClock, cacheStatusHeader } = require('../../sdk-js');
const { deferred } = require('./helpers');

function setup(options = {}) {
  const clock = new ManualClock();
  const cache = new Cache({ clock, ttl: 10, stale: 60, ...options });
  return { clock, cache };
}

describe('swr outcomes', () => {
  test('miss runs the fetcher, then fresh hits do not', async () => {
    const { cache } = setup();
    const fetcher = jest.fn(async (key) => ({ key, n: 1 }));
    const status = {};
    expect(await cache.swr('a', fetcher, { status })).toEqual({ key: 'a', n: 1 });
    expect(status.cache).toBe('miss');
    expect(await cache.swr('a', fetcher, { status })).toEqual({ key: 'a', n: 1 });
    expect(status.cache).toBe('hit');
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(fetcher).toHaveBeenCalledWith('a');
    cache.close();
  });

  test('stale serves the old value at once and revalidates exactly once in the background', async () => {
    const { clock, cache } = setup();
    await cache.swr('a', async () => 'v1');
    clock.advance(10_000); // past ttl, inside stale
    const refetch = deferred();
    const fetcher = jest.fn(() => refetch.promise);
    const s1 = {};
    const s2 = {};
    expect(await cache.swr('a', fetcher, { status: s1 })).toBe('v1');
    expect(await cache.swr('a', fetcher, { status: s2 })).toBe('v1');
    expect([s1.cache, s2.cache]).toEqual(['stale', 'stale']);
    expect(fetcher).toHaveBeenCalledTimes(1);
    refetch.resolve('v2');
    await cache.whenIdle();
    const s3 = {};
    expect(await cache.swr('a', fetcher, { status: s3 })).toBe('v2');
    expect(s3.cache).toBe('hit');
    cache.close();
  });

  test('past the stale window the value is gone: miss', async () => {
    const { clock, cache } = setup();
    await cache.swr('a', async () => 'v1');
    clock.advance(70_000);
    const status = {};
    expect(await cache.swr('a', async () => 'v2', { status })).toBe('v2');
    expect(status.cache).toBe('miss');
    cache.close();
  });

  test('per-call ttl and stale (fractional seconds) override the defaults', async () => {
    const { clock, cache } = setup();
    await cache.swr('a', async () => 1, { ttl: 0.5, stale: 0.25 });
    clock.advance(499);
    expect(cache.get('a')).toBe(1);
    clock.advance(1);
    const status = {};
    expect(cache.get('a', { status })).toBe(1);
    expect(status.cache).toBe('stale');
    clock.advance(250);
    expect(cache.get('a', { status })).toBeUndefined();
    expect(status.cache).toBe('miss');
    cache.close();
  });

  test('defaults are 60 s fresh and 600 s stale (seed 003)', async () => {
    const clock = new ManualClock();
    const cache = new Cache({ clock });
    cache.set('a', 'x');
    const status = {};
    clock.advance(59_999);
    cache.get('a', { status });
    expect(status.cache).toBe('hit');
    clock.advance(1);
    cache.get('a', { status });
    expect(status.cache).toBe('stale');
    clock.advance(600_000);
    expect(cache.get('a', { status })).toBeUndefined();
    cache.close();
  });

  test('bypass runs the fetcher without touching the cache', async () => {
    const { cache } = setup();
    const status = {};
    expect(await cache.swr('a', async () => 5, { bypass: true, status })).toBe(5);
    expect(status.cache).toBe('bypass');
    expect(cache.has('a')).toBe(false);
    cache.close();
  });

  test('stale-if-error: a failing fetch serves the old value inside the window', async () => {
    const { clock, cache } = setup({ ttl: 1, stale: 0, staleIfError: 30 });
    await cache.swr('a', async () => 'old');
    clock.advance(2_000); // past fresh and stale, inside stale-if-error
    const status = {};
    expect(await cache.swr('a', async () => { throw new Error('db down'); }, { status })).toBe('old');
    expect(status.cache).toBe('stale');
    clock.advance(30_000); // past stale-if-error: the error comes through
    await expect(cache.swr('a', async () => { throw new Error('db down'); })).rejects.toThrow('db down');
    cache.close();
  });

  test('cacheStatusHeader renders RFC 9211 values', () => {
    expect(cacheStatusHeader({ cache: 'hit' })).toBe('zatabase; hit');
    expect(cacheStatusHeader({ cache: 'stale' })).toBe('zatabase; fwd=stale');
    expect(cacheStatusHeader({ cache: 'miss' }, 'edge')).toBe('edge; fwd=miss; stored');
    expect(cacheStatusHeader({ cache: 'bypass' })).toBe('zatabase; fwd=bypass');
    expect(() => cacheStatusHeader({})).toThrow(TypeError);
  });

  test('stats count hits, stale hits and misses', async () => {
    const { clock, cache } = setup();
    await cache.swr('a', async () => 1);
    await cache.swr('a', async () => 1);
    clock.advance(10_000);
    await cache.swr('a', async () => 2);
    await cache.whenIdle();
    const s = cache.stats();
    expect(s).toMatchObject({ hits: 1, stale_hits: 1, misses: 1, fills: 2, entries: 1 });
    expect(s.bytes).toBeGreaterThan(0);
    cache.close();
  });
});
