'use strict';
// node bench/client/js_status_load.js URL TOKEN CALLS INFLIGHT — GET /v1/cache/status through
// ZatabaseClient and through plain fetch (undici, keep-alive), INFLIGHT calls at a time; prints
// one JSON line: {ours: {p50_us, calls_per_s}, fetch: {...}}. Rounds alternate ours/fetch/fetch/ours
// and each client keeps its best round (a busy machine only ever slows a round down).
const { ZatabaseClient } = require('../../sdk-js');

async function load(call, calls, inflight) {
  const latencies = new Float64Array(calls);
  let next = 0;
  const started = process.hrtime.bigint();
  async function lane() {
    for (;;) {
      const i = next++;
      if (i >= calls) return;
      const t0 = process.hrtime.bigint();
      const status = await call();
      if (typeof status.hit_ratio !== 'number') throw new Error(`unexpected answer ${JSON.stringify(status)}`);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    }
  }
  await Promise.all(Array.from({ length: inflight }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  return { p50_us: latencies[Math.floor(calls / 2)], calls_per_s: calls / seconds };
}

function better(a, b) {
  if (!a) return b;
  return { p50_us: Math.min(a.p50_us, b.p50_us), calls_per_s: Math.max(a.calls_per_s, b.calls_per_s) };
}

async function main() {
  const [url, token, callsText, inflightText] = process.argv.slice(2);
  const calls = Number(callsText);
  const inflight = Number(inflightText);
  const client = new ZatabaseClient({ baseUrl: url, token });
  const headers = { authorization: `Bearer ${token}` };
  const ours = () => client.cache.getStatus();
  const plain = async () => {
    const res = await fetch(`${url}/v1/cache/status`, { headers });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  };
  await load(ours, Math.min(calls, 2000), inflight);  // warm-up: connections, JIT
  await load(plain, Math.min(calls, 2000), inflight);
  const best = { ours: null, fetch: null };
  for (const who of ['ours', 'fetch', 'fetch', 'ours']) {
    best[who] = better(best[who], await load(who === 'ours' ? ours : plain, calls, inflight));
  }
  client.close();
  console.log(JSON.stringify(best));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
