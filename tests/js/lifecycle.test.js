'use strict';
// Handles: an idle cache never keeps a process alive; a cache with waiters does until they are
// answered; the CommonJS and ESM entry points are the same objects.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const SDK = path.join(__dirname, '..', '..', 'sdk-js');

function runNode(args, code) {
  // The timeout only guards against a hang (a failure); nothing here is timed.
  return spawnSync(process.execPath, [...args, '-e', code], { encoding: 'utf8', timeout: 30_000 });
}

test('a process with an idle Cache (private and named) exits by itself', () => {
  const r = runNode([], `
    const { Cache } = require(${JSON.stringify(SDK)});
    const a = new Cache();
    const b = new Cache({ name: 'idle' });
    a.set('k', 'v');
    b.swr('k', async () => 1).then((v) => console.log('done', v, a.get('k')));
  `);
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('done 1 v');
});

test('a process whose waiters are answered from another thread exits by itself', () => {
  const r = runNode([], `
    const { Worker } = require('node:worker_threads');
    const { Cache } = require(${JSON.stringify(SDK)});
    const cache = new Cache({ name: 'exit-test' });
    let release;
    cache.swr('k', () => new Promise((r) => { release = r; })).then((v) => console.log('leader', v));
    const w = new Worker(\`
      const { Cache } = require(\${JSON.stringify(${JSON.stringify(SDK)})});
      const c = new Cache({ name: 'exit-test' });
      c.swr('k', async () => 'unused').then((v) => { console.log('worker', v); c.close(); });
      require('node:worker_threads').parentPort.postMessage('waiting');
    \`, { eval: true });
    w.once('message', () => release('v'));
  `);
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['leader v', 'worker v']);
});

test('the ESM entry exports the very same classes', () => {
  const r = runNode(['--input-type=module'], `
    import { Cache, ZatabaseError } from ${JSON.stringify(path.join(SDK, 'index.mjs'))};
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)(${JSON.stringify(SDK)});
    const c = new Cache();
    console.log(Cache === cjs.Cache && ZatabaseError === cjs.ZatabaseError, c instanceof cjs.Cache);
    c.close();
  `);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('true true');
});

test('package.json exports resolve for require and import', () => {
  const pkg = require('../../package.json');
  expect(pkg.exports['.'].require).toBe('./sdk-js/index.js');
  expect(pkg.exports['.'].import).toBe('./sdk-js/index.mjs');
  expect(pkg.exports['.'].types).toBe('./sdk-js/index.d.ts');
});
