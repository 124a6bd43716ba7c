#!/usr/bin/env node
'use strict';
// Hit latency against the anchors, in one run (issue 4): 100k keys, every key read in a shuffled
// order each round (uniform access: the whole key set is the working set — no skew helps anyone),
// values a small object and a 4 KiB string. Ours: swr() and get(); lru-cache: fetch() with
// allowStale and get(); bentocache: getOrSet() on its memory store. Each figure is the median
// of several rounds (interleaved, see measure), in ns per call including the `await` of async calls.
const { Cache } = require('../../sdk-js');
const { LRUCache } = require('lru-cache');
const { parseArgs, report } = require('./figures');

const args = parseArgs(process.argv.slice(2));
const KEYS = 100_000;
const ROUNDS = args.quick ? 3 : 7;

const smallObject = (i) => ({ id: i, name: `widget ${i}`, price: 9.99, tags: ['a', 'b'], active: true });
const string4k = (i) => `${i}:`.padEnd(4096, 'x');

function shuffled(n) {
  const a = Array.from({ length: n }, (_, i) => i);
  let seed = 42;
  for (let i = n - 1; i > 0; i--) {
    seed ^= seed << 13; // xorshift32
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const j = (seed >>> 0) % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// Every variant is timed once per round, the rounds rotating their order, so noise on this VM
// (GC after the fill, a neighbour's load) falls on all of them alike rather than on whichever ran
// its rounds at that moment. Round 0 warms up.
async function measure(order, keys, variants) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (let v = 0; v < names.length; v++) {
      const name = names[(r + v) % names.length];
      const [call, isAsync] = variants[name];
      const t0 = process.hrtime.bigint();
      if (isAsync) for (const i of order) await call(keys[i]);
      else for (const i of order) call(keys[i]);
      if (r > 0) samples[name].push(Number(process.hrtime.bigint() - t0) / order.length);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

async function suite(make) {
  const keys = Array.from({ length: KEYS }, (_, i) => `product:${i}`);
  const order = shuffled(KEYS);
  const { BentoCache, bentostore } = await import('bentocache');
  const { memoryDriver } = await import('bentocache/drivers/memory');

  const ours = new Cache({ maxBytes: 1 << 30, ttl: 3600 });
  const lru = new LRUCache({ max: KEYS * 2, ttl: 3_600_000, allowStale: true, fetchMethod: async (k) => make(Number(k.slice(8))) });
  const bento = new BentoCache({ default: 'memory', stores: { memory: bentostore().useL1Layer(memoryDriver({ maxSize: '2gb', maxItems: KEYS * 2 })) } });
  for (let i = 0; i < KEYS; i++) {
    await ours.swr(keys[i], async () => make(i));
    await lru.fetch(keys[i], { allowStale: true });
    await bento.getOrSet({ key: keys[i], factory: () => make(i), ttl: '1h' });
  }
  const never = async () => { throw new Error('a hit must not fetch'); };
  const r = await measure(order, keys, {
    swr: [(k) => ours.swr(k, never), true],
    lruFetch: [(k) => lru.fetch(k, { allowStale: true }), true],
    get: [(k) => ours.get(k), false],
    lruGet: [(k) => lru.get(k), false],
  });
  // Apart: its garbage (~20x the others' time) would land as GC work in whichever round followed.
  Object.assign(r, await measure(order, keys, { bento: [(k) => bento.getOrSet({ key: k, factory: never, ttl: '1h' }), true] }));
  const s = ours.stats();
  if (s.misses !== KEYS) throw new Error(`expected only the ${KEYS} fill misses, saw ${s.misses}`);
  ours.close();
  await bento.disconnectAll();
  return r;
}

(async () => {
  const obj = await suite(smallObject);
  const str = await suite(string4k);
  const figures = {
    swr_hit_ns: { value: obj.swr, unit: 'ns/op' },
    lru_fetch_hit_ns: { value: obj.lruFetch, unit: 'ns/op', anchor: 'lru-cache fetch, allowStale' },
    bento_getorset_hit_ns: { value: obj.bento, unit: 'ns/op', anchor: 'bentocache getOrSet, memory store' },
    get_hit_ns: { value: obj.get, unit: 'ns/op' },
    lru_get_hit_ns: { value: obj.lruGet, unit: 'ns/op', anchor: 'lru-cache get' },
    swr_hit_vs_lru_fetch: { value: obj.swr / obj.lruFetch, unit: 'ratio', anchor: 'lru-cache fetch hit', target: '<= 1.0' },
    get_hit_vs_lru_get: { value: obj.get / obj.lruGet, unit: 'ratio', anchor: 'lru-cache get', target: '<= 3.0' },
    swr_hit_str4k_ns: { value: str.swr, unit: 'ns/op' },
    lru_fetch_hit_str4k_ns: { value: str.lruFetch, unit: 'ns/op', anchor: 'lru-cache fetch, allowStale' },
    bento_getorset_hit_str4k_ns: { value: str.bento, unit: 'ns/op', anchor: 'bentocache getOrSet, memory store' },
    get_hit_str4k_ns: { value: str.get, unit: 'ns/op' },
    lru_get_hit_str4k_ns: { value: str.lruGet, unit: 'ns/op', anchor: 'lru-cache get' },
    swr_hit_vs_lru_fetch_str4k: { value: str.swr / str.lruFetch, unit: 'ratio', anchor: 'lru-cache fetch hit', target: '<= 1.0' },
  };
  report(figures, args.json);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
