'use strict';
// Purge selectors (keys, prefix, tags, their union; hard and soft) and the byte budget.
const { Cache, ManualClock } = require('../../sdk-js');

describe('purge', () => {
  function filled() {
    const cache = new Cache({ clock: new ManualClock() });
    cache.set('user:1', 'a', { tags: ['users', 'user:1'] });
    cache.set('user:2', 'b', { tags: ['users', 'user:2'] });
    cache.set('product:1', 'c', { tags: ['products'] });
    cache.set('product:2', 'd');
    return cache;
  }

  test('by keys', async () => {
    const cache = filled();
    const r = await cache.purge({ keys: ['user:1', 'missing'] });
    expect(r.objects_purged).toBe(1);
    expect(r.bytes_freed).toBeGreaterThan(0);
    expect(cache.has('user:1')).toBe(false);
    expect(cache.has('user:2')).toBe(true);
    cache.close();
  });

  test('by prefix', async () => {
    const cache = filled();
    expect((await cache.purge({ prefix: 'product:' })).objects_purged).toBe(2);
    expect(cache.has('product:1') || cache.has('product:2')).toBe(false);
    expect(cache.has('user:1')).toBe(true);
    cache.close();
  });

  test('by tags', async () => {
    const cache = filled();
    expect((await cache.purge({ tags: ['user:2'] })).objects_purged).toBe(1);
    expect((await cache.purge({ tags: ['users'] })).objects_purged).toBe(1);
    expect(cache.stats().entries).toBe(2);
    cache.close();
  });

  test('the union of selectors counts each entry once', async () => {
    const cache = filled();
    const r = await cache.purge({ keys: ['user:1'], tags: ['users'], prefix: 'product:1' });
    expect(r.objects_purged).toBe(3);
    expect(cache.stats().entries).toBe(1);
    cache.close();
  });

  test('soft purge keeps the value servable as stale and frees nothing', async () => {
    const cache = filled();
    const r = await cache.purge({ tags: ['products'], soft: true });
    expect(r).toEqual({ objects_purged: 1, bytes_freed: 0 });
    const status = {};
    expect(await cache.swr('product:1', async () => 'fresh', { status })).toBe('c');
    expect(status.cache).toBe('stale');
    await cache.whenIdle();
    expect(cache.get('product:1', { status })).toBe('fresh');
    expect(status.cache).toBe('hit');
    cache.close();
  });

  test('a purge reaches values this thread holds decoded, before its promise settles', async () => {
    const cache = filled();
    expect(cache.get('user:1')).toBe('a');
    const purged = cache.purge({ tags: ['user:1'] });
    expect(cache.get('user:1')).toBeUndefined();
    await purged;
    cache.close();
  });

  test('a selector with nothing in it is a RangeError (the promise rejects)', async () => {
    const cache = filled();
    await expect(cache.purge({})).rejects.toThrow(RangeError);
    await expect(cache.purge({ tags: 'users' })).rejects.toThrow(TypeError);
    cache.close();
  });
});

describe('byte budget', () => {
  test('the engine never holds more than maxBytes, keys, values and overhead counted', () => {
    const maxBytes = 1 << 20;
    const cache = new Cache({ maxBytes });
    const value = 'x'.repeat(1024);
    for (let i = 0; i < 5000; i++) cache.set(`k:${i}`, value);
    const s = cache.stats();
    expect(s.bytes).toBeLessThanOrEqual(maxBytes);
    expect(s.max_bytes).toBe(maxBytes);
    expect(s.entries).toBeLessThan(1024); // 5 MB of values did not fit
    expect(s.evictions).toBeGreaterThan(0);
    cache.close();
  });

  test('a value larger than the cache is refused, and the old one does not survive', () => {
    const cache = new Cache({ maxBytes: 64 * 1024 });
    expect(cache.set('k', 'small')).toBe(true);
    expect(cache.set('k', 'x'.repeat(128 * 1024))).toBe(false);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.stats().rejected).toBe(1);
    cache.close();
  });

  test('values are stored off the V8 heap', () => {
    const cache = new Cache({ maxBytes: 64 << 20, hotBytes: 0 });
    const before = process.memoryUsage().heapUsed;
    const value = Buffer.alloc(1024, 7);
    for (let i = 0; i < 20_000; i++) cache.set(`k:${i}`, value);
    const grown = process.memoryUsage().heapUsed - before;
    expect(cache.stats().bytes).toBeGreaterThan(20 << 20);
    expect(grown).toBeLessThan(8 << 20); // 20 MB of values, a few MB of garbage at most
    cache.close();
  });
});
