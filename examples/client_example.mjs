// Seed 000's cluster client example, in Node, as the seed writes it; only the base URL comes
// from ZATABASE_URL (and the token, as documented, from ZATABASE_TOKEN). Prints what it got.
import { ZatabaseClient } from '@zatabase/sdk';

const client = new ZatabaseClient({ baseUrl: process.env.ZATABASE_URL ?? 'https://your-project.zatabase.io' });
// Get cluster status
const status = await client.cache.getStatus();
console.log(`Hit ratio: ${status.hit_ratio}`);
// List nodes
const nodes = await client.cache.listNodes();
// Register a new node
const registration = await client.cache.registerNode({
  endpoint: 'https://my-node.example.com:9001',
  region: 'eu-west-1',
  capacity_bytes: 10737418240,
});
// Get cluster metrics
const metrics = await client.cache.getMetrics();
// Purge objects
const result = await client.cache.purge({ prefix: 'images/' });

console.log(`nodes: ${nodes.length}; registered ${registration.node_id} (${registration.endpoint}, ${registration.region})`);
console.log(`metrics: ${metrics.total_hits} hits, ${metrics.total_misses} misses, p99 ${metrics.p99_latency_ms} ms`);
console.log(`purge images/: ${JSON.stringify(result)}`);
// No close() in the seed: an idle client does not keep the process alive.
