'use strict';
// ZatabaseClient: the cluster API of the edge cache (seed 000) — the brain's /v1/cache/* calls
// under `client.cache`, plus `client.health()`.
//
//   const client = new ZatabaseClient({ baseUrl: 'https://your-project.zatabase.io' });
//   const status = await client.cache.getStatus();
//
// Everything that matters happens in the core's BrainClient (bindings/node/brain_client_wrap.h):
// HTTP, retries of idempotent calls within the timeout, the circuit breaker, the HTTP status →
// error class mapping, and the no-op results when the cache is disabled. This layer owns the
// options (seconds, the environment), argument checks with clear messages, and Promises.
//
// Results are plain objects with the brain's snake_case fields. Failures reject with the
// ZatabaseError subclasses of errors.js, each with `code` and `status` (the HTTP status, 0 when
// none); bad arguments reject with TypeError/RangeError. No method throws synchronously.
const native = require('./native');
const { ZatabaseTypeError, ZatabaseRangeError, ZatabaseClosedError } = require('./errors');
const { describe } = require('./options');
const { clientEnvironment } = require('./environment');

// No prototype, or some realm's Object.prototype (vm contexts and Jest have their own).
function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function optionalString(value, name) {
  if (value !== undefined && typeof value !== 'string') {
    throw new ZatabaseTypeError(`${name} must be a string, not ${describe(value)}`);
  }
  return value;
}

/** new ZatabaseClient(options) → the NativeBrainClient options. */
function clientOptions(options) {
  if (options !== undefined && !isPlainObject(options)) {
    throw new ZatabaseTypeError(`options must be an object {baseUrl?, token?, timeout?, enabled?}, not ${describe(options)}`);
  }
  const o = options || {};
  const baseUrl = optionalString(o.baseUrl, 'baseUrl');
  if (baseUrl !== undefined && !/^https?:\/\//i.test(baseUrl)) {
    throw new ZatabaseRangeError(`baseUrl must be an http:// or https:// URL, not ${JSON.stringify(baseUrl)}`);
  }
  const token = optionalString(o.token, 'token');
  let timeoutMs;
  if (o.timeout !== undefined) {
    if (typeof o.timeout !== 'number') throw new ZatabaseTypeError(`timeout must be a number of seconds, not ${describe(o.timeout)}`);
    if (!(o.timeout > 0) || o.timeout === Infinity) {
      throw new ZatabaseRangeError(`timeout must be a finite number of seconds > 0, not ${o.timeout}`);
    }
    timeoutMs = Math.max(1, Math.round(o.timeout * 1000));
  }
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') {
    throw new ZatabaseTypeError(`enabled must be a boolean, not ${describe(o.enabled)}`);
  }
  return { baseUrl, token, timeoutMs, enabled: o.enabled, env: clientEnvironment() };
}

function nodeId(id) {
  if (typeof id !== 'string') throw new ZatabaseTypeError(`nodeId must be a string, not ${describe(id)}`);
  if (id === '') throw new ZatabaseRangeError('nodeId must not be empty');
  return id;
}

function body(value, call, shape) {
  if (!isPlainObject(value)) throw new ZatabaseTypeError(`${call} needs a plain object ${shape}, not ${describe(value)}`);
  return value;
}

function closedError() {
  return new ZatabaseClosedError('the client is closed');
}

// Runs a native call; every failure, argument errors included, becomes a rejection.
function call(nativeClient, start) {
  try {
    if (nativeClient.closed) return Promise.reject(closedError());
    return start(nativeClient);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** `client.cache`: the eight /v1/cache calls of seed 000. */
class ZatabaseCacheApi {
  #native;

  /** @internal Made by ZatabaseClient. */
  constructor(nativeClient) {
    this.#native = nativeClient;
  }

  /** GET /v1/cache/status → {brain_healthy, total_nodes, online_nodes, total_cache_bytes, used_cache_bytes, hit_ratio} */
  getStatus() {
    return call(this.#native, (n) => n.getStatus());
  }

  /** GET /v1/cache/nodes → [CacheNode] */
  listNodes() {
    return call(this.#native, (n) => n.listNodes());
  }

  /** POST /v1/cache/nodes/register {endpoint, region, capacity_bytes} → CacheNode (null when disabled) */
  registerNode(registration) {
    return call(this.#native, (n) => n.registerNode(body(registration, 'registerNode()', '{endpoint, region, capacity_bytes}')));
  }

  /** GET /v1/cache/nodes/:node_id → CacheNode (null when disabled) */
  getNode(id) {
    return call(this.#native, (n) => n.getNode(nodeId(id)));
  }

  /** DELETE /v1/cache/nodes/:node_id → null */
  deregisterNode(id) {
    return call(this.#native, (n) => n.deregisterNode(nodeId(id)));
  }

  /** GET /v1/cache/nodes/:node_id/metrics → NodeMetrics (null when disabled) */
  getNodeMetrics(id) {
    return call(this.#native, (n) => n.getNodeMetrics(nodeId(id)));
  }

  /** GET /v1/cache/metrics → ClusterMetrics */
  getMetrics() {
    return call(this.#native, (n) => n.getMetrics());
  }

  /** POST /v1/cache/purge {prefix?, keys?, tags?, soft?} → {objects_purged, bytes_freed, nodes_affected, ...} */
  purge(request) {
    return call(this.#native, (n) => n.purge(body(request, 'purge()', '{prefix?, keys?, tags?, soft?}')));
  }
}

class ZatabaseClient {
  #native;

  /**
   * @param {object} [options] baseUrl (ZATABASE_URL, else ZCACHE_BRAIN_URL, else
   *   http://127.0.0.1:8081), token (ZATABASE_TOKEN), timeout in seconds for a whole call, retries
   *   included (ZCACHE_TIMEOUT, else 10), enabled (ZCACHE_ENABLED, else true; false makes every
   *   call resolve to its no-op value without touching the network).
   */
  constructor(options) {
    this.#native = new native.NativeBrainClient(clientOptions(options));
    const config = this.#native.config;
    /** The brain's URL in use. */
    this.baseUrl = config.baseUrl;
    /** Seconds a call may take, retries included. */
    this.timeout = config.timeoutMs / 1000;
    /** False when the cache layer is switched off (every call is a no-op). */
    this.enabled = config.enabled;
    /** The /v1/cache calls. */
    this.cache = new ZatabaseCacheApi(this.#native);
  }

  /** True once close() was called. */
  get closed() {
    return this.#native.closed;
  }

  /** GET /health (no token needed) → {status: 'ok'} ({status: 'disabled'} when disabled). */
  health() {
    return call(this.#native, (n) => n.health());
  }

  /**
   * Cancels every pending call (each rejects with ZatabaseClosedError) and releases the client's
   * threads; later calls reject with ZatabaseClosedError. Idempotent. An idle client does not keep
   * the process alive, so closing is needed only to cancel calls or free resources early.
   */
  close() {
    this.#native.close();
  }
}

module.exports = { ZatabaseClient };
