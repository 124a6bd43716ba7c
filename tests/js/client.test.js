'use strict';
// ZatabaseClient and the `zatabase` CLI end to end: a real brain and a real worker (zcache
// processes, tests/js/cluster.js), plus small node:http servers for what a healthy brain never
// does (never answer, answer garbage, answer 403/429/5xx). Nothing here times anything except
// generous bounds on "failed within the timeout budget".
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Worker } = require('node:worker_threads');

const cluster = require('./cluster');
const sdk = require('../../sdk-js');

const {
  ZatabaseClient, ZatabaseError, ZatabaseUnavailableError, ZatabaseUnauthorizedError, ZatabaseNotFoundError,
  ZatabaseBadRequestError, ZatabaseTimeoutError, ZatabaseClosedError, ZatabaseProtocolError, ZatabaseForbiddenError,
  ZatabaseRateLimitedError, ZatabaseConflictError, ZatabaseTooLargeError, ZatabaseInternalError,
} = sdk;

const SECRET = 'js-client-test-secret';
const SDK = path.join(cluster.ROOT, 'sdk-js');
const CLI = path.join(SDK, 'bin', 'zatabase.js');

const NODE_FIELDS = ['capacity_bytes', 'endpoint', 'last_seen_at', 'node_id', 'object_count', 'region', 'registered_at',
  'status', 'used_bytes'];
const STATUS_FIELDS = ['brain_healthy', 'hit_ratio', 'online_nodes', 'total_cache_bytes', 'total_nodes', 'used_cache_bytes'];
const METRICS_FIELDS = ['active_nodes', 'avg_latency_ms', 'bytes_capacity', 'bytes_served', 'bytes_stored', 'collected_at',
  'evictions', 'hit_ratio', 'object_count', 'p95_latency_ms', 'p99_latency_ms', 'total_hits', 'total_misses'];
const NODE_METRICS_FIELDS = ['avg_latency_ms', 'bytes_served', 'bytes_stored', 'capacity_bytes', 'collected_at', 'evictions',
  'hit_ratio', 'hits', 'misses', 'node_id', 'object_count', 'p95_latency_ms', 'p99_latency_ms'];
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let brain;
let worker;
let token;
let stub; // {url, close}: a node:http server whose answers each test picks by path
const clients = [];

function client(options = {}) {
  const c = new ZatabaseClient({ baseUrl: brain.url, token, ...options });
  clients.push(c);
  return c;
}

async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

// A node:http server. Paths: /v1/cache/status never answers; /v1/cache/nodes answers 200 with text;
// /v1/cache/nodes/s<NNN> answers status NNN with the brain's error body; /health answers ok.
function startStub() {
  const server = http.createServer((req, res) => {
    const m = /^\/v1\/cache\/nodes\/s(\d{3})$/.exec(req.url);
    if (req.url === '/v1/cache/status') return; // never answers
    if (req.url === '/v1/cache/nodes') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('this is not JSON');
    }
    if (m) {
      res.writeHead(Number(m[1]), { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { code: 'stub', message: `stub says ${m[1]}` } }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(done);
        }),
      });
    });
  });
}

// A port nothing listens on.
function closedPort() {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Runs `node args...` asynchronously (servers of this process keep answering meanwhile).
function runNode(args, { env, cwd, killAfterMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: cluster.cleanEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs); // only guards against a hang
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  brain = await cluster.startBrain(SECRET, ['--metrics-interval', '1', '--health-interval', '1', '--purge-timeout', '3']);
  worker = await cluster.startWorker(brain.url, SECRET);
  token = cluster.mintToken(SECRET);
  stub = await startStub();
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.close();
  if (stub) await stub.close();
  await cluster.stopAll();
}, 30_000);

describe('the seed example', () => {
  test('runs as written (ESM, token from ZATABASE_TOKEN) and the process exits by itself', async () => {
    // Its own brain: the example registers a node that is never reachable.
    const seedBrain = await cluster.startBrain(SECRET, ['--purge-timeout', '2']);
    const dir = cluster.tmpDir();
    fs.mkdirSync(path.join(dir, 'node_modules', '@zatabase'), { recursive: true });
    fs.symlinkSync(cluster.ROOT, path.join(dir, 'node_modules', '@zatabase', 'sdk'), 'dir');
    // Seed 000's JavaScript, verbatim but for the base URL; the last line reports the results.
    const example = `import { ZatabaseClient } from '@zatabase/sdk';
const client = new ZatabaseClient({ baseUrl: '${seedBrain.url}' });
// Get cluster status
const status = await client.cache.getStatus();
console.log(\`Hit ratio: \${status.hit_ratio}\`);
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
console.log(JSON.stringify({ nodes, registration, metrics, result }));
`;
    fs.writeFileSync(path.join(dir, 'example.mjs'), example);
    const r = await runNode(['example.mjs'], { cwd: dir, env: { ZATABASE_TOKEN: cluster.mintToken(SECRET) } });
    await seedBrain.stop();
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0); // never closed: an idle client does not hold the process
    const [first, report] = r.stdout.trim().split('\n');
    expect(first).toBe('Hit ratio: 0');
    const { nodes, registration, metrics, result } = JSON.parse(report);
    expect(nodes).toEqual([]);
    expect(registration).toMatchObject({ endpoint: 'https://my-node.example.com:9001', region: 'eu-west-1',
      capacity_bytes: 10737418240, status: 'online' });
    expect(Object.keys(metrics).sort()).toEqual(METRICS_FIELDS);
    expect(result).toMatchObject({ objects_purged: 0, bytes_freed: 0, nodes_affected: expect.any(Number) });
  }, 40_000);
});

describe('each call against a real brain and worker', () => {
  test('getStatus', async () => {
    const status = await client().cache.getStatus();
    expect(Object.keys(status).sort()).toEqual(STATUS_FIELDS);
    expect(status).toMatchObject({ brain_healthy: true, total_nodes: 1, online_nodes: 1, used_cache_bytes: 0 });
    expect(status.total_cache_bytes).toBeGreaterThan(0);
    expect(typeof status.hit_ratio).toBe('number');
  });

  test('listNodes and getNode show the worker', async () => {
    const c = client();
    const nodes = await c.cache.listNodes();
    expect(Array.isArray(nodes)).toBe(true);
    expect(nodes).toHaveLength(1);
    expect(Object.keys(nodes[0]).sort()).toEqual(NODE_FIELDS);
    expect(nodes[0]).toMatchObject({ node_id: worker.nodeId, endpoint: worker.url, region: 'local', status: 'online' });
    expect(nodes[0].registered_at).toMatch(RFC3339);
    const node = await c.cache.getNode(worker.nodeId);
    expect(node).toMatchObject({ node_id: worker.nodeId, endpoint: worker.url, capacity_bytes: nodes[0].capacity_bytes });
  });

  test('registerNode (a BigInt capacity too), getNode, deregisterNode', async () => {
    const c = client();
    const reg = await c.cache.registerNode({ endpoint: 'http://127.0.0.1:9', region: 'test-1', capacity_bytes: 5368709120n });
    expect(Object.keys(reg).sort()).toEqual(NODE_FIELDS);
    expect(reg).toMatchObject({ endpoint: 'http://127.0.0.1:9', region: 'test-1', capacity_bytes: 5368709120, used_bytes: 0 });
    expect(reg.node_id).toMatch(/^node_[0-9a-f]{16}$/);
    // Registration is idempotent by endpoint: the same id again.
    const again = await c.cache.registerNode({ endpoint: 'http://127.0.0.1:9', region: 'test-1', capacity_bytes: 1 << 20 });
    expect(again.node_id).toBe(reg.node_id);
    expect((await c.cache.getNode(reg.node_id)).capacity_bytes).toBe(1 << 20);
    expect(await c.cache.deregisterNode(reg.node_id)).toBeNull();
    const err = await failure(c.cache.getNode(reg.node_id));
    expect(err).toBeInstanceOf(ZatabaseNotFoundError);
    expect((await c.cache.listNodes()).map((n) => n.node_id)).toEqual([worker.nodeId]);
  });

  test('getNodeMetrics and getMetrics (once the brain has polled the worker)', async () => {
    const c = client();
    let nodeMetrics;
    for (let i = 0; i < 150; i++) { // the brain polls every second; bounded at ~15 s
      nodeMetrics = await c.cache.getNodeMetrics(worker.nodeId);
      if (nodeMetrics.collected_at !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(Object.keys(nodeMetrics).sort()).toEqual(NODE_METRICS_FIELDS);
    expect(nodeMetrics.node_id).toBe(worker.nodeId);
    expect(nodeMetrics.collected_at).toMatch(RFC3339);
    const metrics = await c.cache.getMetrics();
    expect(Object.keys(metrics).sort()).toEqual(METRICS_FIELDS);
    expect(metrics.active_nodes).toBe(1);
    expect(metrics.bytes_capacity).toBeGreaterThan(0);
    expect(metrics.collected_at).toMatch(RFC3339);
  }, 30_000);

  test('purge reaches the worker: its objects are gone', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const key of ['images/a.png', 'images/b.png', 'css/site.css']) {
      const put = await fetch(`${worker.url}/objects/${key}`, { method: 'PUT', headers: auth, body: 'x'.repeat(100) });
      expect(put.status).toBe(201);
    }
    const result = await client().cache.purge({ prefix: 'images/', keys: undefined });
    expect(Object.keys(result).sort()).toEqual(['bytes_freed', 'nodes_affected', 'nodes_failed', 'objects_purged', 'sequence']);
    expect(result).toMatchObject({ objects_purged: 2, nodes_affected: 1, nodes_failed: 0 });
    expect(result.bytes_freed).toBeGreaterThanOrEqual(200);
    expect(result.sequence).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${worker.url}/objects/images/a.png`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${worker.url}/objects/css/site.css`, { headers: auth })).status).toBe(200);
  });

  test('health (needs no token)', async () => {
    expect(await client({ token: undefined }).health()).toEqual({ status: 'ok' });
  });

  test('the client reports its configuration', () => {
    const c = client({ timeout: 2.5 });
    expect(c.baseUrl).toBe(brain.url);
    expect(c.timeout).toBe(2.5);
    expect(c.enabled).toBe(true);
    expect(c.closed).toBe(false);
  });
});

describe('every error kind, produced for real', () => {
  function expectError(err, cls, code, status) {
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(ZatabaseError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.name).toBe(cls.name);
    expect(typeof err.message).toBe('string');
  }

  test('a stopped brain → ZatabaseUnavailableError (status 0) within the timeout budget', async () => {
    const gone = await cluster.startBrain(SECRET);
    const c = client({ baseUrl: gone.url, timeout: 3 });
    expect((await c.cache.getStatus()).brain_healthy).toBe(true);
    await gone.stop();
    const started = Date.now();
    expectError(await failure(c.cache.getStatus()), ZatabaseUnavailableError, 'unavailable', 0);
    expect(Date.now() - started).toBeLessThan(3000 + 5000);
    expectError(await failure(c.cache.purge({ prefix: 'a/' })), ZatabaseUnavailableError, 'unavailable', 0);
  }, 30_000);

  test('a wrong token (or none) → ZatabaseUnauthorizedError, status 401', async () => {
    const wrong = client({ token: cluster.mintToken('another-secret') });
    expectError(await failure(wrong.cache.getStatus()), ZatabaseUnauthorizedError, 'unauthorized', 401);
    const none = client({ token: undefined });
    expectError(await failure(none.cache.listNodes()), ZatabaseUnauthorizedError, 'unauthorized', 401);
  });

  test('an unknown node → ZatabaseNotFoundError, status 404', async () => {
    const c = client();
    for (const call of [() => c.cache.getNode('node_0000000000000000'), () => c.cache.getNodeMetrics('node_0000000000000000'),
      () => c.cache.deregisterNode('node_0000000000000000'), () => c.cache.getNode('no such node/../x')]) {
      expectError(await failure(call()), ZatabaseNotFoundError, 'not_found', 404);
    }
  });

  test('a bad body → ZatabaseBadRequestError, status 400, with the brain\'s message', async () => {
    const c = client();
    const err = await failure(c.cache.registerNode({ endpoint: 42, region: 'x', capacity_bytes: 1 }));
    expectError(err, ZatabaseBadRequestError, 'bad_request', 400);
    expect(err.message).toMatch(/endpoint/);
    expectError(await failure(c.cache.registerNode({ region: 'x' })), ZatabaseBadRequestError, 'bad_request', 400);
    expectError(await failure(c.cache.purge({})), ZatabaseBadRequestError, 'bad_request', 400);
  });

  test('a server that never answers → ZatabaseTimeoutError within the timeout budget', async () => {
    const c = client({ baseUrl: stub.url, timeout: 0.5 });
    const started = Date.now();
    expectError(await failure(c.cache.getStatus()), ZatabaseTimeoutError, 'timeout', 0);
    expect(Date.now() - started).toBeLessThan(500 + 5000);
  });

  test('a 2xx answer that is not JSON → ZatabaseProtocolError carrying that status', async () => {
    const c = client({ baseUrl: stub.url });
    expectError(await failure(c.cache.listNodes()), ZatabaseProtocolError, 'protocol', 200);
  });

  test.each([
    [403, ZatabaseForbiddenError, 'forbidden'],
    [409, ZatabaseConflictError, 'conflict'],
    [413, ZatabaseTooLargeError, 'too_large'],
    [422, ZatabaseBadRequestError, 'bad_request'],
    [429, ZatabaseRateLimitedError, 'rate_limited'],
    [500, ZatabaseInternalError, 'internal'],
    [503, ZatabaseUnavailableError, 'unavailable'],
  ])('HTTP %i from a server → %p with that status and the server\'s message', async (status, cls, code) => {
    const c = client({ baseUrl: stub.url, timeout: 5 });
    const err = await failure(c.cache.getNode(`s${status}`));
    expectError(err, cls, code, status);
    expect(err.message).toContain(`stub says ${status}`);
  });
});

describe('disabled', () => {
  const NOOP = {
    getStatus: { brain_healthy: false, total_nodes: 0, online_nodes: 0, total_cache_bytes: 0, used_cache_bytes: 0, hit_ratio: 0 },
    listNodes: [],
    getMetrics: { total_hits: 0, total_misses: 0, hit_ratio: 0, bytes_served: 0, bytes_stored: 0, bytes_capacity: 0,
      object_count: 0, evictions: 0, active_nodes: 0, avg_latency_ms: 0, p95_latency_ms: 0, p99_latency_ms: 0, collected_at: null },
    purge: { objects_purged: 0, bytes_freed: 0, nodes_affected: 0 },
  };

  async function expectNoops(c) {
    expect(c.enabled).toBe(false);
    expect(await c.cache.getStatus()).toEqual(NOOP.getStatus);
    expect(await c.cache.listNodes()).toEqual(NOOP.listNodes);
    expect(await c.cache.getMetrics()).toEqual(NOOP.getMetrics);
    expect(await c.cache.purge({ prefix: 'images/' })).toEqual(NOOP.purge);
    expect(await c.cache.registerNode({ endpoint: 'http://x:1', region: 'r', capacity_bytes: 1 })).toBeNull();
    expect(await c.cache.getNode('node_1')).toBeNull();
    expect(await c.cache.deregisterNode('node_1')).toBeNull();
    expect(await c.cache.getNodeMetrics('node_1')).toBeNull();
    expect(await c.health()).toEqual({ status: 'disabled' });
  }

  test('enabled: false → every call resolves to its documented no-op value, no network', async () => {
    // The stub's status path never answers: a disabled client must not have asked it.
    await expectNoops(client({ baseUrl: stub.url, enabled: false }));
  });

  test('ZCACHE_ENABLED=false does the same', async () => {
    const saved = process.env.ZCACHE_ENABLED;
    process.env.ZCACHE_ENABLED = 'false';
    try {
      await expectNoops(client({ baseUrl: stub.url }));
    } finally {
      if (saved === undefined) delete process.env.ZCACHE_ENABLED;
      else process.env.ZCACHE_ENABLED = saved;
    }
  });
});

describe('the environment', () => {
  const NAMES = ['ZCACHE_BRAIN_URL', 'ZATABASE_URL', 'ZATABASE_TOKEN', 'ZCACHE_TIMEOUT'];
  let saved;
  beforeEach(() => { saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]])); });
  afterEach(() => {
    for (const [n, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  });

  test('ZATABASE_URL, ZATABASE_TOKEN and ZCACHE_TIMEOUT configure a client given no options', async () => {
    delete process.env.ZCACHE_BRAIN_URL;
    process.env.ZATABASE_URL = brain.url;
    process.env.ZATABASE_TOKEN = token;
    process.env.ZCACHE_TIMEOUT = '7.5';
    const c = new ZatabaseClient();
    clients.push(c);
    expect(c.baseUrl).toBe(brain.url);
    expect(c.timeout).toBe(7.5);
    expect((await c.cache.getStatus()).brain_healthy).toBe(true);
  });

  test('an unusable variable is a RangeError naming it', () => {
    process.env.ZCACHE_TIMEOUT = 'soon';
    expect(() => new ZatabaseClient({ baseUrl: brain.url })).toThrow(RangeError);
    expect(() => new ZatabaseClient({ baseUrl: brain.url })).toThrow(/ZCACHE_TIMEOUT/);
  });
});

describe('arguments', () => {
  test.each([
    ['options not an object', 'x', TypeError],
    ['timeout as a string', { timeout: '1' }, TypeError],
    ['negative timeout', { timeout: -1 }, RangeError],
    ['zero timeout', { timeout: 0 }, RangeError],
    ['baseUrl not http(s)', { baseUrl: 'ftp://x' }, RangeError],
    ['token not a string', { token: 5 }, TypeError],
    ['enabled not a boolean', { enabled: 'yes' }, TypeError],
  ])('new ZatabaseClient: %s → %p', (_, options, cls) => {
    let err;
    try {
      new ZatabaseClient(options);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect(err.code).toBe('invalid_argument');
  });

  test('bad call arguments reject (never throw) with TypeError/RangeError', async () => {
    const c = client();
    const cycle = { prefix: 'a' };
    cycle.self = { cycle };
    const cases = [
      [() => c.cache.getNode(5), TypeError, /nodeId must be a string/],
      [() => c.cache.getNode(''), RangeError, /nodeId must not be empty/],
      [() => c.cache.getNodeMetrics(undefined), TypeError, /nodeId/],
      [() => c.cache.deregisterNode('..'), RangeError, /node_id/],
      [() => c.cache.registerNode('node'), TypeError, /registerNode\(\) needs a plain object/],
      [() => c.cache.registerNode(new Map()), TypeError, /plain object/],
      [() => c.cache.purge(null), TypeError, /purge\(\) needs a plain object/],
      [() => c.cache.purge({ keys: ['a', () => 1] }), TypeError, /request\.keys\[1\] must be/],
      [() => c.cache.purge({ prefix: Symbol('p') }), TypeError, /request\.prefix must be/],
      [() => c.cache.purge(cycle), TypeError, /cycles/],
      [() => c.cache.purge({ prefix: 'a', n: NaN }), TypeError, /finite number/],
      [() => c.cache.purge({ prefix: 'a', when: new Date() }), TypeError, /plain object or an array/],
    ];
    for (const [call, cls, message] of cases) {
      let promise;
      expect(() => { promise = call(); }).not.toThrow();
      const err = await failure(promise);
      expect(err).toBeInstanceOf(cls);
      expect(err.message).toMatch(message);
      expect(err.code).toBe('invalid_argument');
    }
  });

  test('deeply nested bodies are refused, not overflowed', async () => {
    const deep = {};
    let at = deep;
    for (let i = 0; i < 10_000; i++) at = at.next = {};
    const err = await failure(client().cache.purge(deep));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/nested at most 64 levels/);
  });
});

describe('close()', () => {
  test('rejects pending calls with ZatabaseClosedError; is idempotent; later calls reject too', async () => {
    const c = client({ baseUrl: stub.url, timeout: 30 });
    const pending = [c.cache.getStatus(), c.cache.getStatus()]; // the stub never answers these
    c.close();
    for (const p of pending) {
      const err = await failure(p);
      expect(err).toBeInstanceOf(ZatabaseClosedError);
      expect(err.code).toBe('closed');
      expect(err.status).toBe(0);
    }
    expect(() => c.close()).not.toThrow();
    expect(c.closed).toBe(true);
    for (const call of [() => c.cache.getStatus(), () => c.cache.getNode('x'), () => c.cache.purge({ prefix: 'a' }), () => c.health()]) {
      const err = await failure(call());
      expect(err).toBeInstanceOf(ZatabaseClosedError);
      expect(err.status).toBe(0);
    }
  });

  test('a client closed with nothing pending, and one that was never used', () => {
    const a = client();
    a.close();
    a.close();
    expect(a.closed).toBe(true);
  });
});

describe('processes and threads', () => {
  test('an idle client does not keep the process alive (never closed)', async () => {
    const r = await runNode(['-e', `
      const { ZatabaseClient } = require(${JSON.stringify(SDK)});
      const client = new ZatabaseClient({ baseUrl: ${JSON.stringify(brain.url)}, token: ${JSON.stringify(token)} });
      client.cache.getStatus().then((s) => console.log('healthy', s.brain_healthy));
    `]);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('healthy true');
  });

  test('a pending call keeps the process alive until it settles', async () => {
    const r = await runNode(['-e', `
      const { ZatabaseClient } = require(${JSON.stringify(SDK)});
      new ZatabaseClient({ baseUrl: ${JSON.stringify(stub.url)}, timeout: 0.5 }).cache.getStatus()
        .then(() => console.log('answered'), (e) => console.log('rejected', e.code));
    `]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('rejected timeout');
  });

  test('the client works inside a worker_thread, which then exits by itself', async () => {
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { ZatabaseClient, ZatabaseNotFoundError } = require(workerData.sdk);
      (async () => {
        const client = new ZatabaseClient({ baseUrl: workerData.url, token: workerData.token });
        const status = await client.cache.getStatus();
        const nodes = await client.cache.listNodes();
        const err = await client.cache.getNode('node_0000000000000000').catch((e) => e);
        parentPort.postMessage({ healthy: status.brain_healthy, nodes: nodes.map((n) => n.node_id),
          notFound: err instanceof ZatabaseNotFoundError && err.status === 404 });
      })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
    const w = new Worker(code, { eval: true, workerData: { sdk: SDK, url: brain.url, token } });
    let message;
    w.on('message', (m) => { message = m; });
    const exitCode = await new Promise((resolve, reject) => {
      w.on('error', reject);
      w.on('exit', resolve);
    });
    expect(exitCode).toBe(0);
    expect(message).toEqual({ healthy: true, nodes: [worker.nodeId], notFound: true });
  });

  test('a worker_thread terminated with a call pending tears its client down cleanly', async () => {
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { ZatabaseClient } = require(workerData.sdk);
      const client = new ZatabaseClient({ baseUrl: workerData.url, timeout: 60 });
      client.cache.getStatus().then(() => parentPort.postMessage('answered'), () => {});
      parentPort.postMessage('pending');`;
    const w = new Worker(code, { eval: true, workerData: { sdk: SDK, url: stub.url } });
    await new Promise((resolve, reject) => {
      w.on('error', reject);
      w.once('message', resolve);
    });
    expect(await w.terminate()).toBe(1);
    // This thread's clients are unaffected.
    expect((await client().cache.getStatus()).brain_healthy).toBe(true);
  });
});

describe('the zatabase CLI (sdk-js/bin/zatabase.js)', () => {
  function zatabase(args, env = {}) {
    return runNode([CLI, ...args], { env: { ZATABASE_URL: brain.url, ZATABASE_TOKEN: token, ...env } });
  }

  test('cache status --json: the brain\'s JSON, exit 0', async () => {
    const r = await zatabase(['cache', 'status', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(Object.keys(status).sort()).toEqual(STATUS_FIELDS);
    expect(status).toMatchObject({ brain_healthy: true, total_nodes: 1 });
  });

  test('cache nodes / node ID / metrics --node ID / purge: exit 0', async () => {
    const nodes = await zatabase(['cache', 'nodes']);
    expect(nodes.status).toBe(0);
    expect(nodes.stdout).toContain(worker.nodeId);
    const node = await zatabase(['cache', 'node', worker.nodeId, '--json']);
    expect(node.status).toBe(0);
    expect(JSON.parse(node.stdout).node_id).toBe(worker.nodeId);
    const metrics = await zatabase(['--json', 'cache', 'metrics', `--node=${worker.nodeId}`]);
    expect(metrics.status).toBe(0);
    expect(JSON.parse(metrics.stdout).node_id).toBe(worker.nodeId);
    const purge = await zatabase(['cache', 'purge', '--prefix', 'nothing/', '--json']);
    expect(purge.status).toBe(0);
    expect(JSON.parse(purge.stdout)).toMatchObject({ objects_purged: 0, nodes_affected: 1 });
  });

  test('the brain refuses (404, 401) → exit 1 with a message on stderr', async () => {
    const missing = await zatabase(['cache', 'node', 'node_0000000000000000']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).not.toBe('');
    const unauthorized = await zatabase(['cache', 'status'], { ZATABASE_TOKEN: cluster.mintToken('another-secret') });
    expect(unauthorized.status).toBe(1);
    expect(unauthorized.stderr).toMatch(/unauthorized/i);
  });

  test('bad usage → exit 2; --help → exit 0', async () => {
    expect((await zatabase(['cache', 'frobnicate'])).status).toBe(2);
    expect((await zatabase(['cache', 'status', '--bogus'])).status).toBe(2);
    expect((await zatabase(['cache', 'register', '--endpoint', 'http://x:1'])).status).toBe(2);
    const help = await zatabase(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/cache/);
  });

  test('an unreachable brain → exit 3', async () => {
    const r = await zatabase(['cache', 'status', '--timeout', '2'], { ZATABASE_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/unavailable/i);
  });

  test('ZCACHE_ENABLED=false → the no-op result, exit 0', async () => {
    const r = await zatabase(['cache', 'status', '--json'], { ZCACHE_ENABLED: 'false', ZATABASE_URL: stub.url });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).brain_healthy).toBe(false);
  });
});
