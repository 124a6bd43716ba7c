'use strict';
// Named caches: every worker_thread that opens Cache({name}) gets the same engine, and single
// flight holds across threads — the fetcher runs once for the whole process.
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const SDK = path.join(__dirname, '..', '..', 'sdk-js');

// Each worker opens the named cache, starts swr() on one key, and announces that its lookup is
// done (`arrived`). A fetcher, wherever it runs, counts itself and holds its fetch open until
// both workers have arrived, so the second lookup surely finds the flight in progress.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { Cache } = require(workerData.sdk);
const shared = new Int32Array(workerData.shared); // [arrived, fetches]
(async () => {
  const cache = new Cache({ name: workerData.name, maxBytes: 8 << 20 });
  const status = {};
  const call = cache.swr('product:1', async () => {
    Atomics.add(shared, 1, 1);
    // Polled on the event loop (an immediate is a GC root; an Atomics.waitAsync promise is not
    // guaranteed to be, and a fetch nothing refers to may be collected: its flight then ends
    // as Cancelled, by design).
    while (Atomics.load(shared, 0) < 2) await new Promise((resolve) => setImmediate(resolve));
    return { id: 1, from: workerData.me };
  }, { status });
  Atomics.add(shared, 0, 1);
  const value = await call;
  parentPort.postMessage({ value, outcome: status.cache, engine: cache.stats().max_bytes });
  cache.close();
})().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

function run(name, me, shared) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { sdk: SDK, name, me, shared } });
    let result;
    worker.on('message', (m) => { result = m; });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 && result && !result.error ? resolve(result) : reject(new Error(`worker ${me}: exit ${code}, ${result && result.error}`))));
  });
}

test('two worker_threads with Cache({name}) share one engine: the fetcher runs once in total', async () => {
  const shared = new SharedArrayBuffer(8);
  const [a, b] = await Promise.all([run('products-ws', 'a', shared), run('products-ws', 'b', shared)]);
  const counters = new Int32Array(shared);
  expect(counters[1]).toBe(1); // one fetch for the whole process
  expect(a.value).toEqual(b.value); // both got the one fetched value
  expect([a.outcome, b.outcome].sort()).toEqual(['miss', 'miss']);
});

test('a purge in one thread is seen at once by the decoded values of another', async () => {
  const { Cache } = require(SDK);
  const main = new Cache({ name: 'purge-ws', maxBytes: 8 << 20 });
  main.set('k', { v: 1 });
  expect(main.get('k')).toEqual({ v: 1 }); // now decoded and remembered in this thread
  const code = `
    const { workerData } = require('node:worker_threads');
    const { Cache } = require(workerData.sdk);
    const c = new Cache({ name: 'purge-ws', maxBytes: 8 << 20 });
    c.set('k', { v: 2 });
    c.purge({ keys: ['other'] });
    c.close();`;
  await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { sdk: SDK } });
    w.on('error', reject);
    w.on('exit', resolve);
  });
  expect(main.get('k')).toEqual({ v: 2 });
  main.close();
});
