'use strict';
// Long ASCII strings kept in the decoded-value map as external strings over their entries' bytes
// (sdk-js/hot_values.js, bindings/node/removal_watch.h): charged for their handles only, so they
// must be dropped as soon as their entries leave the engine — by this cache instance, by another
// instance of the same named engine, by another thread, by eviction or by expiry — not when the
// key happens to be read again.
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { Cache, ManualClock } = require('../../sdk-js');

const long = (i) => `${i}:`.padEnd(4096, String.fromCharCode(97 + (i % 26)));
let names = 0;
const uniqueName = () => `kept-strings-${process.pid}-${++names}`;

const kept = (cache) => cache.stats().decoded_entries;

// Writes 'k' and reads it twice, so that `cache` keeps it.
function keepOne(cache, options) {
  cache.set('k', long(1), options);
  expect(readTwice(cache, 'k')).toBe(long(1));
  expect(kept(cache)).toBe(1);
}

// Lets the loop run until `cache` keeps nothing (the removal report is a message to this
// thread, bounded at 200 turns), then checks.
async function expectNothingKept(cache) {
  for (let i = 0; i < 200 && kept(cache) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(kept(cache)).toBe(0);
}
// Reads `key` twice: a long string is kept from its key's second read.
function readTwice(cache, key) {
  cache.get(key);
  return cache.get(key);
}

test('a long ASCII string is kept from its second read, for its handle only, and hits return it', async () => {
  const cache = new Cache({ maxBytes: 8 << 20 });
  cache.set('k', long(1));
  expect(cache.get('k')).toBe(long(1));
  expect(kept(cache)).toBe(0); // read once: maybe never again
  expect(cache.get('k')).toBe(long(1));
  const s = cache.stats();
  expect(s.decoded_entries).toBe(1);
  expect(s.decoded_bytes).toBeLessThan(1024); // not its 4 KiB: those stay the engine's
  expect(cache.get('k')).toBe(long(1));
  await expect(cache.swr('k', async () => 'fetched')).resolves.toBe(long(1));
  expect(cache.stats().hits).toBe(4);
  await cache.close();
});

test('long strings that are not ASCII, and byte buffers, are not kept', async () => {
  const cache = new Cache({ maxBytes: 8 << 20 });
  cache.set('latin', 'é'.repeat(2048));
  cache.set('bytes', Buffer.alloc(4096, 1));
  expect(readTwice(cache, 'latin')).toBe('é'.repeat(2048));
  expect(readTwice(cache, 'bytes').length).toBe(4096);
  expect(kept(cache)).toBe(0);
  await cache.close();
});

test('with hotBytes 0 no string is kept, and nothing stays pinned', async () => {
  const cache = new Cache({ maxBytes: 8 << 20, hotBytes: 0 });
  cache.set('k', long(1));
  expect(readTwice(cache, 'k')).toBe(long(1));
  expect(cache.get('k')).toBe(long(1));
  expect(kept(cache)).toBe(0);
  await cache.close();
});

describe.each([
  ['deleted', (other) => other.delete('k')],
  ['replaced', (other) => other.set('k', long(2))],
  ['purged by key', (other) => other.purge({ keys: ['k'] })],
  ['purged by tag', (other) => other.purge({ tags: ['t'] })],
  ['purged by prefix', (other) => other.purge({ prefix: 'k' })],
  ['cleared', (other) => other.clear()],
])('a kept string is dropped when another instance of its engine has it %s', (_, change) => {
  test('without reading the key again', async () => {
    const name = uniqueName();
    const a = new Cache({ name, maxBytes: 8 << 20 });
    const b = new Cache({ name, maxBytes: 8 << 20 });
    keepOne(a, { tags: ['t'] });
    await change(b);
    await expectNothingKept(a);
    expect(a.get('k')).toBe(b.get('k')); // the engine's answer, whatever it now is
    await Promise.all([a.close(), b.close()]);
  });
});

test('a kept string is dropped when its entry is evicted', async () => {
  const name = uniqueName();
  const a = new Cache({ name, maxBytes: 256 << 10, shards: 1 });
  const b = new Cache({ name, maxBytes: 256 << 10, shards: 1 });
  a.set('k', long(0));
  expect(readTwice(a, 'k')).toBe(long(0));
  expect(kept(a)).toBe(1);
  // New keys, each written more often than 'k' was used, so that the policy prefers them.
  for (let i = 1; i < 5000 && a.has('k'); i++) {
    for (let r = 0; r < 6; r++) b.set(`n${i}`, long(i));
  }
  expect(a.has('k')).toBe(false);
  expect(b.stats().evictions).toBeGreaterThan(0);
  await expectNothingKept(a);
  await Promise.all([a.close(), b.close()]);
});

test('a kept string is dropped when its entry expires and is reclaimed', async () => {
  const clock = new ManualClock();
  const cache = new Cache({ maxBytes: 8 << 20, clock });
  keepOne(cache, { ttl: 1, stale: 1 });
  clock.advance(5000);
  cache.runMaintenance();
  await expectNothingKept(cache);
  expect(cache.get('k')).toBeUndefined();
  await cache.close();
});

test('a kept string is dropped when a worker_thread deletes its entry', async () => {
  const name = uniqueName();
  const main = new Cache({ name, maxBytes: 8 << 20 });
  keepOne(main);
  const code = `
    const { workerData } = require('node:worker_threads');
    const { Cache } = require(workerData.sdk);
    const c = new Cache({ name: workerData.name, maxBytes: 8 << 20 });
    if (!c.delete('k')) process.exit(3);
    c.close();`;
  const sdk = path.join(__dirname, '..', '..', 'sdk-js');
  const exitCode = await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { sdk, name } });
    w.on('error', reject);
    w.on('exit', resolve);
  });
  expect(exitCode).toBe(0);
  await expectNothingKept(main);
  expect(main.get('k')).toBeUndefined();
  await main.close();
});

test('removals after a cache instance closed reach nothing of it', async () => {
  const name = uniqueName();
  const a = new Cache({ name, maxBytes: 8 << 20 });
  const b = new Cache({ name, maxBytes: 8 << 20 });
  for (let i = 0; i < 20; i++) {
    a.set(`k${i}`, long(i));
    readTwice(a, `k${i}`);
  }
  expect(kept(a)).toBe(20);
  const held = a.get('k3');
  await a.close();
  b.clear();
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(held).toBe(long(3)); // still readable: the string holds its entry
  expect(b.get('k3')).toBeUndefined();
  await b.close();
});

test('strings kept and dropped in a churn all read back right', async () => {
  const name = uniqueName();
  const a = new Cache({ name, maxBytes: 1 << 20, hotBytes: 16 << 10 });
  const b = new Cache({ name, maxBytes: 1 << 20 });
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 100; i++) {
      const key = `k${(i * 7 + round) % 150}`;
      if ((i + round) % 5 === 0) b.set(key, long(i + round));
      const got = a.get(key);
      if (got !== undefined) expect(got).toBe(b.get(key));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const s = a.stats();
  expect(s.decoded_bytes).toBeLessThanOrEqual(16 << 10);
  await Promise.all([a.close(), b.close()]);
});
