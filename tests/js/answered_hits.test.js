'use strict';
// Hits answered without calling the engine (sdk-js/cache.js #answers): a decoded value is served
// again while its shard's change count is unchanged and its fresh window is open. These tests
// check that nothing the engine would answer differently slips through: writes and purges from
// another thread, the end of the fresh window on the real clock, the stats, the eviction policy.
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { Cache } = require('../../sdk-js');

const SDK = path.join(__dirname, '..', '..', 'sdk-js');

function inWorker(code) {
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { sdk: SDK } });
    w.on('error', reject);
    w.on('exit', (exitCode) => (exitCode === 0 ? resolve() : reject(new Error(`worker exit ${exitCode}`))));
  });
}

// Reads the key until this thread answers it itself (decoded, remembered, stamped).
function warm(cache, key) {
  for (let i = 0; i < 4; i++) cache.get(key);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test('a write, a soft purge and a delete from another thread are seen by the next hit', async () => {
  const main = new Cache({ name: 'answered-ws', maxBytes: 8 << 20 });
  main.set('k', { v: 1 }, { ttl: 600, stale: 600, tags: ['t'] });
  warm(main, 'k');
  const before = main.stats();
  expect(main.get('k')).toEqual({ v: 1 });
  expect(main.stats().decoded_entries).toBeGreaterThan(0);
  expect(main.stats().hits).toBe(before.hits + 1);

  await inWorker(`
    const { Cache } = require(require('node:worker_threads').workerData.sdk);
    const c = new Cache({ name: 'answered-ws', maxBytes: 8 << 20 });
    c.set('k', { v: 2 }, { ttl: 600, stale: 600, tags: ['t'] });
    c.close();`);
  expect(main.get('k')).toEqual({ v: 2 });
  warm(main, 'k');

  await inWorker(`
    const { Cache } = require(require('node:worker_threads').workerData.sdk);
    const c = new Cache({ name: 'answered-ws', maxBytes: 8 << 20 });
    c.purge({ tags: ['t'], soft: true }).then(() => c.close());`);
  const status = {};
  expect(main.get('k', { status })).toEqual({ v: 2 });
  expect(status.cache).toBe('stale');

  await inWorker(`
    const { Cache } = require(require('node:worker_threads').workerData.sdk);
    const c = new Cache({ name: 'answered-ws', maxBytes: 8 << 20 });
    c.delete('k');
    c.close();`);
  expect(main.get('k')).toBeUndefined();
  await main.close();
});

test('on the system clock, a value answered here goes stale once its ttl has passed', async () => {
  const cache = new Cache({ maxBytes: 8 << 20 });
  const fetches = [];
  const fetcher = async () => {
    fetches.push(1);
    return { n: fetches.length };
  };
  await cache.swr('k', fetcher, { ttl: 0.05, stale: 60 });
  const status = {};
  for (let i = 0; i < 4; i++) await cache.swr('k', fetcher, { ttl: 0.05, stale: 60, status });
  expect(status.cache).toBe('hit');
  await sleep(150); // past the 50 ms ttl (the clock reading cached for hits is forgotten within 1 ms)
  expect(await cache.swr('k', fetcher, { ttl: 0.05, stale: 60, status })).toEqual({ n: 1 });
  expect(status.cache).toBe('stale');
  await cache.whenIdle();
  expect(fetches.length).toBe(2);
  await cache.close();
});

test('every hit answered here is counted in stats(), and only once', () => {
  const cache = new Cache({ maxBytes: 8 << 20 });
  for (let i = 0; i < 10; i++) cache.set(`k${i}`, { i });
  for (let i = 0; i < 10; i++) warm(cache, `k${i}`);
  const before = cache.stats().hits;
  for (let round = 0; round < 101; round++) for (let i = 0; i < 10; i++) cache.get(`k${i}`);
  expect(cache.stats().hits).toBe(before + 1010);
  expect(cache.stats().hits).toBe(before + 1010);
  expect(cache.stats().misses).toBe(0);
  cache.close();
});

test('hits answered here reach the eviction policy: a hot entry outlives a stream of new keys', () => {
  // One shard of 64 KiB. "hot" is read 400 times with no write in between (so all but the first
  // reads are answered here, never by an engine lookup), then 300 new keys stream through, each
  // written four times (each write counts as a use). Only the frequency the answered hits gave
  // "hot" keeps it over them.
  const cache = new Cache({ maxBytes: 64 * 1024, shards: 1 });
  cache.set('hot', 'h'.repeat(500));
  for (let i = 0; i < 400; i++) cache.get('hot');
  // The policy gets sampled hits on the engine's next maintenance pass (every 100 ms); run it now.
  cache.runMaintenance();
  for (let i = 0; i < 300; i++) {
    for (let j = 0; j < 4; j++) cache.set(`new${i}`, 'n'.repeat(500));
  }
  expect(cache.stats().evictions).toBeGreaterThan(100);
  expect(cache.has('hot')).toBe(true);
  cache.close();
});

// A remembered value's slot is the promise swr() hands out (sdk-js/hot_values.js HotSlot).
test('an swr() hit is a plain settled Promise that shows none of the slot bookkeeping', async () => {
  const cache = new Cache({ maxBytes: 8 << 20 });
  await cache.swr('k', async () => ({ v: 1 }));
  const hit = cache.swr('k', async () => ({ v: 2 }));
  expect(Object.getPrototypeOf(hit)).toBe(Promise.prototype);
  expect(hit.constructor).toBe(Promise);
  expect(Object.getOwnPropertyNames(hit)).toEqual([]);
  // Whatever the environment's async hooks tag every promise with, and nothing more.
  const plain = Promise.resolve({ v: 1 });
  expect(Object.getOwnPropertySymbols(hit).map(String)).toEqual(Object.getOwnPropertySymbols(plain).map(String));
  expect(require('node:util').inspect(hit)).not.toMatch(/shard|count|fresh|charge|hash/);
  const chained = hit.then((v) => v.v);
  expect(Object.getPrototypeOf(chained)).toBe(Promise.prototype);
  expect(await chained).toBe(1);
  expect(cache.swr('k', async () => ({ v: 3 }))).toBe(hit); // shared by the hits of that version
  cache.set('k', { v: 4 });
  expect(await cache.swr('k', async () => ({ v: 5 }))).toEqual({ v: 4 });
  await cache.close();
});

test('the decoded-value map never keeps a thenable, which a settled promise cannot hold', () => {
  const { HotValues } = require('../../sdk-js/hot_values');
  const unpinned = [];
  const hot = new HotValues(1 << 20, (id) => unpinned.push(id));
  expect(hot.remember('a', 1, { then() {} }, 10)).toBeUndefined();
  const throwing = Object.defineProperty({}, 'then', { get() { throw new Error('no'); } });
  expect(hot.remember('b', 2, throwing, 10)).toBeUndefined();
  expect(unpinned).toEqual([1, 2]);
  expect(hot.slots.size).toBe(0);
  const slot = hot.remember('c', 3, { x: 1 }, 10);
  expect(hot.get('c')).toBe(slot);
  hot.forget('c');
  expect(unpinned).toEqual([1, 2, 3]);
  expect(hot.bytes).toBe(0);
});

test('an awaited hit resumes in the awaiting caller\'s AsyncLocalStorage context', async () => {
  const { AsyncLocalStorage } = require('node:async_hooks');
  const als = new AsyncLocalStorage();
  const cache = new Cache({ maxBytes: 8 << 20 });
  await als.run({ request: 1 }, async () => {
    await cache.swr('k', async () => 'v');
    await cache.swr('k', async () => 'v'); // the slot's promise is made in request 1's context
  });
  const seen = await Promise.all([2, 3].map((request) => als.run({ request }, async () => {
    expect(await cache.swr('k', async () => 'other')).toBe('v');
    return als.getStore().request;
  })));
  expect(seen).toEqual([2, 3]);
  await cache.close();
});

test('the decoded-value map admits a value at once while it has room, then only on a second read', () => {
  const { HotValues } = require('../../sdk-js/hot_values');
  const hot = new HotValues(1000, () => {});
  expect(hot.admit('a', 300)).toBe(true); // 'a' + 300 + the slot overhead fits
  hot.remember('a', 1, 'x', 300);
  expect(hot.admit('b', 600)).toBe(false); // would overflow: first read only noted
  expect(hot.admit('b', 600)).toBe(true); // its second read
  expect(hot.admit('c', 600)).toBe(false);
});

test('values read uniformly over more keys than the doorkeeper remembers are still kept when they fit', () => {
  const cache = new Cache({ maxBytes: 64 << 20, hotBytes: 32 << 20 });
  const keys = 70_000; // beyond the doorkeeper's 65,536 keys
  for (let i = 0; i < keys; i++) cache.set(`k${i}`, i);
  for (let i = 0; i < keys; i++) cache.get(`k${i}`);
  expect(cache.stats().decoded_entries).toBe(keys);
  cache.close();
});
