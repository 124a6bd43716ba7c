// Seed 003's stale-while-revalidate, in Node: fresh hit, stale hit (revalidated in the
// background), miss, and a tag purge, on a clock the example moves by hand.
import { Cache, ManualClock } from '@zatabase/sdk';

const clock = new ManualClock();
const cache = new Cache({ maxBytes: 64 << 20, clock });
let version = 0;
const findProduct = async () => {  // the "database"
  version += 1;
  await new Promise((r) => setTimeout(r, 10));
  return { id: 42, name: 'lamp', version };
};

async function show(when) {
  const status = {};
  const product = await cache.swr('product:42', findProduct, { ttl: 300, stale: 3600, tags: ['products'], status });
  console.log(`  node    ${when.padEnd(28)} cache=${status.cache.padEnd(6)} value=${JSON.stringify(product)}`);
}

await show('first request');
await show('again');
clock.advance(301_000);  // milliseconds
await show('after ttl (300 s)');
await new Promise((r) => setTimeout(r, 50));  // the background revalidation lands
await show('after the revalidation');
const purged = await cache.purge({ tags: ['products'] });
console.log(`  node    purge tags=['products']       -> ${JSON.stringify(purged)}`);
await show('after the purge');
cache.close();
