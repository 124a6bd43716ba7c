'use strict';
// The replica tier from Node: new Cache({ replicaFile }) — entries and their windows across
// restarts (child processes), read-through in swr() (hit / stale + one revalidation / the Lead
// path), purge counts over both tiers, flush(), named engines across worker_threads, opening
// errors, option checks, and no handle left open.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const {
  Cache, ManualClock, ZatabaseCorruptError, ZatabaseIoError, ZatabaseConflictError,
} = require('../../sdk-js');

const SDK = path.resolve(__dirname, '../../sdk-js');
const T0 = 1_700_000_000_000;

let dir;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zatabase-replica-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
function fileName() {
  return path.join(dir, `cache-${++seq}.db`);
}

// Runs `body` (async, with Cache, ManualClock, FILE, T0 in scope) in a fresh `node` process.
function child(file, body) {
  const code = `
    const { Cache, ManualClock } = require(${JSON.stringify(SDK)});
    const FILE = ${JSON.stringify(file)};
    const T0 = ${T0};
    (async () => { ${body} })().catch((err) => { console.error(err); process.exit(3); });`;
  return spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 15_000 });
}

function counter(value) {
  const f = async () => {
    f.calls += 1;
    return typeof value === 'function' ? value(f.calls) : value;
  };
  f.calls = 0;
  return f;
}

describe('restart', () => {
  test('entries and their windows survive a crash after flush(): hit, then stale with one revalidation, then miss', async () => {
    const file = fileName();
    // Write, flush, then die without closing: what flush() acknowledged must be in the file.
    const r = child(file, `
      const cache = new Cache({ replicaFile: FILE, clock: new ManualClock(T0) });
      await cache.swr('k', async () => ({ v: 1 }), { ttl: 10, stale: 100 });
      await cache.flush();
      process.kill(process.pid, 'SIGKILL');`);
    expect(r.signal).toBe('SIGKILL');

    const clock = new ManualClock(T0 + 5_000);
    const cache = new Cache({ replicaFile: file, clock });
    const status = {};
    const unused = counter('unused');
    expect(cache.get('k')).toBeUndefined(); // get() is memory-only
    expect(await cache.swr('k', unused, { status, ttl: 10, stale: 100 })).toEqual({ v: 1 });
    expect(status.cache).toBe('hit');
    expect(unused.calls).toBe(0);
    expect(cache.get('k')).toEqual({ v: 1 }); // promoted into memory
    let s = cache.stats();
    expect(s).toMatchObject({ replica_reads: 1, replica_hits: 1, promotions: 1 });

    // Past ttl (10 s) within stale (100 s), memory emptied: read through as stale; every caller
    // is served the old value and exactly one revalidates in the background.
    clock.set(T0 + 20_000);
    cache.clear();
    const refresh = counter({ v: 2 });
    const statuses = Array.from({ length: 5 }, () => ({}));
    const values = await Promise.all(statuses.map((st) => cache.swr('k', refresh, { status: st, ttl: 10, stale: 100 })));
    expect(values).toEqual(Array(5).fill({ v: 1 }));
    expect(statuses.map((st) => st.cache)).toEqual(Array(5).fill('stale'));
    await cache.whenIdle();
    expect(refresh.calls).toBe(1);
    expect(cache.get('k')).toEqual({ v: 2 });

    // Past the revalidated value's last window: nothing servable in the file → one fetch.
    clock.set(T0 + 20_000 + 200_000);
    cache.clear();
    const fetcher = counter({ v: 3 });
    expect(await cache.swr('k', fetcher, { status })).toEqual({ v: 3 });
    expect(status.cache).toBe('miss');
    expect(fetcher.calls).toBe(1);
    s = cache.stats();
    expect(s.replica_reads).toBe(3);
    expect(s.replica_hits).toBe(2);
    await cache.close();
  });
});

describe('read-through', () => {
  test('a disk miss under 100 concurrent swr calls runs the fetcher once (the Lead path)', async () => {
    const cache = new Cache({ replicaFile: fileName(), clock: new ManualClock(T0) });
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    const fetcher = counter(async () => { await gate; return 'fetched'; });
    const statuses = Array.from({ length: 100 }, () => ({}));
    const calls = statuses.map((status) => cache.swr('cold', fetcher, { status }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await Promise.all(calls)).toEqual(Array(100).fill('fetched'));
    expect(fetcher.calls).toBe(1);
    expect(statuses.every((st) => st.cache === 'miss')).toBe(true);
    expect(cache.stats()).toMatchObject({ replica_reads: 1, replica_hits: 0, fills: 1 });
    await cache.flush();
    expect(cache.stats().replica_entries).toBe(1);
    await cache.close();
  });

  test('a failing leader after a disk miss rejects every caller with its error', async () => {
    const cache = new Cache({ replicaFile: fileName(), clock: new ManualClock(T0) });
    const boom = new Error('boom');
    const fetcher = counter(async () => { throw boom; });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => cache.swr('bad', fetcher)));
    expect(fetcher.calls).toBe(1);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: boom });
    expect(await cache.swr('bad', counter('ok'))).toBe('ok');
    await cache.close();
  });
});

describe('purge', () => {
  test('counts an object in both tiers once, bytes of both; the file no longer serves it after a restart', async () => {
    const file = fileName();
    const clock = new ManualClock(T0);
    const cache = new Cache({ replicaFile: file, clock });
    cache.set('p', 'x'.repeat(1000), { tags: ['t'] });
    cache.set('q', 'kept');
    await cache.flush();
    const before = cache.stats();
    expect(before.replica_entries).toBe(2);
    const memoryBytes = before.bytes;
    const r = await cache.purge({ tags: ['t'] });
    expect(r.objects_purged).toBe(1);
    const after = cache.stats();
    const fileFreed = before.replica_bytes - after.replica_bytes;
    expect(fileFreed).toBeGreaterThan(1000);
    expect(r.bytes_freed).toBe(memoryBytes - after.bytes + fileFreed);
    expect(await cache.purge({ keys: ['nothing'] })).toEqual({ objects_purged: 0, bytes_freed: 0 });
    await cache.close();

    const reopened = new Cache({ replicaFile: file, clock });
    const status = {};
    expect(await reopened.swr('p', async () => 'refetched', { status })).toBe('refetched');
    expect(status.cache).toBe('miss');
    expect(await reopened.swr('q', async () => 'unused', { status })).toBe('kept');
    expect(status.cache).toBe('hit');
    await reopened.close();
  });
});

describe('named engines', () => {
  test('two worker_threads with the same name and replicaFile share one engine', async () => {
    const file = fileName();
    const name = `replica-ws-${process.pid}`;
    const main = new Cache({ name, replicaFile: file });
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { Cache } = require(workerData.sdk);
      const c = new Cache({ name: workerData.name, replicaFile: workerData.file });
      c.set('from' + workerData.i, workerData.i);
      c.close().then(() => parentPort.postMessage('done'));`;
    await Promise.all([1, 2].map((i) => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { sdk: SDK, name, file, i } });
      w.on('error', reject);
      w.on('exit', resolve);
    })));
    // get() is memory-only: these come from the one engine the workers wrote to.
    expect(main.get('from1')).toBe(1);
    expect(main.get('from2')).toBe(2);
    expect(() => new Cache({ name, replicaFile: fileName() })).toThrow(ZatabaseConflictError);
    expect(() => new Cache({ name, replicaFile: path.relative(process.cwd(), file) }).close()).not.toThrow();
    await main.flush();
    expect(main.stats().replica_entries).toBe(2);
    await main.close();
  });
});

describe('opening', () => {
  test('a file of garbage is a ZatabaseCorruptError naming the file; replicaRebuild recovers', async () => {
    const file = fileName();
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    let err;
    try {
      new Cache({ replicaFile: file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZatabaseCorruptError);
    expect(err.code).toBe('corrupt');
    expect(err.message).toContain(file);

    const cache = new Cache({ replicaFile: file, replicaRebuild: true });
    expect(await cache.swr('k', async () => 'v')).toBe('v');
    await cache.flush();
    await cache.close();
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${path.basename(file)}.unreadable-`))).toBe(true);
  });

  test('an unreachable path is a ZatabaseIoError naming the file', () => {
    const file = path.join(dir, 'no', 'such', 'dir', 'cache.db');
    let err;
    try {
      new Cache({ replicaFile: file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZatabaseIoError);
    expect(err.message).toContain(file);
  });

  test('bad option types and values are TypeError / RangeError', () => {
    const file = fileName();
    expect(() => new Cache({ replicaFile: 42 })).toThrow(TypeError);
    expect(() => new Cache({ replicaFile: '' })).toThrow(RangeError);
    expect(() => new Cache({ replicaFile: file, replicaMaxBytes: '1' })).toThrow(TypeError);
    expect(() => new Cache({ replicaFile: file, replicaMaxBytes: -1 })).toThrow(RangeError);
    expect(() => new Cache({ replicaFile: file, replicaMaxBytes: 1.5 })).toThrow(RangeError);
    expect(() => new Cache({ replicaFile: file, replicaRebuild: 'yes' })).toThrow(TypeError);
    expect(() => new Cache({ replicaMaxBytes: 1 << 20 })).toThrow(TypeError);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a relative replicaFile resolves against the cwd; flush() and purge() without a replica resolve at once', async () => {
    const file = fileName();
    const cache = new Cache({ replicaFile: path.relative(process.cwd(), file), replicaMaxBytes: 1 << 20 });
    cache.set('k', 'v');
    await cache.flush();
    expect(fs.existsSync(file)).toBe(true);
    await cache.close();
    const plain = new Cache();
    await expect(plain.flush()).resolves.toBeUndefined();
    plain.set('k', 'v');
    expect((await plain.purge({ keys: ['k'] })).objects_purged).toBe(1);
    expect(plain.stats().replica_reads).toBe(0);
    expect(plain.stats().replica_bytes).toBeUndefined();
    const closing = plain.close();
    expect(plain.close()).toBe(closing);
    await closing;
  });
});

describe('lifetime', () => {
  test('no handle is left open: a process that never closes its cache exits, and its writes are committed', () => {
    const file = fileName();
    const r = child(file, `
      const cache = new Cache({ replicaFile: FILE });
      await cache.swr('a', async () => 'A');
      cache.set('b', 'B');
      await cache.purge({ keys: ['zzz'] });
      await cache.flush();
      cache.set('c', 'C');  // not flushed: committed when the environment closes the cache
      console.log('ok');`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
    const r2 = child(file, `
      const cache = new Cache({ replicaFile: FILE });
      const out = [];
      for (const k of ['a', 'b', 'c']) out.push(await cache.swr(k, async () => 'missing'));
      console.log(out.join(','));
      cache.close();`);
    expect(r2.status).toBe(0);
    expect(r2.stdout.trim()).toBe('A,B,C');
  });
});
