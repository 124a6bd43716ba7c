// Types of @zatabase/sdk (the in-process cache and the cluster client). Runtime: sdk-js/index.js
// (CJS), index.mjs (ESM).
import { EventEmitter } from 'node:events';

/** The outcome of one call (seed 003): fresh hit, stale hit (revalidating), miss (fetched), bypass. */
export type CacheOutcome = 'hit' | 'stale' | 'miss' | 'bypass';

/** Pass `{ status: {} }` to swr()/get(); `status.cache` then tells the outcome of that call. */
export interface CallStatus {
  cache?: CacheOutcome;
}

/** Anything the structured-clone algorithm handles; strings, Buffers and typed arrays are stored raw. */
export type Fetcher<T> = (key: string) => T | Promise<T>;

export interface EntryOptions {
  /** Seconds fresh (fractional allowed). Default: the cache's ttl (60). */
  ttl?: number;
  /** Seconds servable while stale after ttl, while one caller revalidates. Default: the cache's stale (600). */
  stale?: number;
  /** Seconds after ttl during which a failing fetch serves the old value instead of the error. Default 0. */
  staleIfError?: number;
  /** Tags for purge({ tags }). */
  tags?: string[];
}

export interface SwrOptions extends EntryOptions {
  status?: CallStatus;
  /** Run the fetcher without touching the cache (outcome 'bypass'). */
  bypass?: boolean;
}

export interface GetOptions {
  status?: CallStatus;
}

export interface CacheOptions {
  /** Byte budget of the engine (keys, values, tags and overhead), never exceeded. Default 256 MiB. */
  maxBytes?: number;
  /** Default seconds fresh. Default 60. */
  ttl?: number;
  /** Default seconds servable while stale. Default 600. */
  stale?: number;
  /** Default stale-if-error seconds. Default 0. */
  staleIfError?: number;
  /** Share one engine with every Cache of this name in the process (all worker_threads). */
  name?: string;
  /** Receives failed background revalidations (else the 'error' event, else a process warning). */
  onError?: (error: ZatabaseFetchError) => void;
  /** A ManualClock for tests (then call runMaintenance() yourself). */
  clock?: ManualClock;
  /** [0, 1): shorten each ttl by a random fraction up to this, to spread expiries. */
  ttlJitter?: number;
  /** Seconds after which waiters stop waiting for a silent fetch and fetch themselves. Default 10. */
  lockTimeout?: number;
  /** Seconds after which waiters get the old value while the fetch goes on. Default off. */
  softTimeout?: number;
  /** Seconds after which waiters get a ZatabaseTimeoutError. Default off. */
  hardTimeout?: number;
  /**
   * Bytes of decoded values this instance keeps on the JS heap for fast hits. Default 32 MiB. A
   * long ASCII string (512 bytes and up) is kept as a view of the engine's own bytes, counted here
   * for its handle only, and dropped as soon as its entry leaves the engine.
   */
  hotBytes?: number;
  /** Power-of-two shard count; 0 or absent picks one from maxBytes. */
  shards?: number;
  /**
   * A SQLite file beneath memory (path or file: URL; relative to the cwd), shared by the processes
   * of a host: writes go to both tiers (the file's write-behind, off the event loop), swr() reads
   * through on a memory miss, and entries with their windows survive restarts. For a named cache
   * only the first `new Cache({ name })` of the process opens it; a later one asking for another
   * file throws ZatabaseConflictError. Opening throws ZatabaseCorruptError (not a replica file, or
   * damaged) or ZatabaseIoError, naming the file.
   */
  replicaFile?: string | URL;
  /** Byte budget of the replica file's entries. Default 1 GiB. Needs replicaFile. */
  replicaMaxBytes?: number;
  /** An unreadable replica file is moved aside (`<file>.unreadable-<ms>`) and started afresh instead of throwing. Needs replicaFile. */
  replicaRebuild?: boolean;
}

export interface PurgeSelector {
  keys?: string[];
  prefix?: string;
  tags?: string[];
  /** Mark stale instead of removing: the next reader gets the old value while one revalidation runs. */
  soft?: boolean;
}

export interface PurgeResult {
  objects_purged: number;
  bytes_freed: number;
}

export interface CacheStats {
  hits: number;
  stale_hits: number;
  misses: number;
  fills: number;
  sets: number;
  evictions: number;
  expirations: number;
  purged: number;
  rejected: number;
  bytes: number;
  entries: number;
  max_bytes: number;
  /** Read-throughs of swr() to the replica file (0 without one), those that found a servable value, and entries copied into memory. */
  replica_reads: number;
  replica_hits: number;
  promotions: number;
  /** The replica file (present with replicaFile): charged bytes and entries as of its last commit, writes dropped (queue full). */
  replica_bytes?: number;
  replica_entries?: number;
  replica_dropped?: number;
  /** Values this instance holds decoded on the JS heap. */
  decoded_entries: number;
  decoded_bytes: number;
}

/**
 * An in-process stale-while-revalidate cache whose values live off the V8 heap. Cached objects
 * are shared between the callers of one instance (not copied): do not mutate them.
 * Emits 'error' (ZatabaseFetchError) for failed background revalidations when no onError is given.
 */
export class Cache extends EventEmitter {
  constructor(options?: CacheOptions);
  readonly name: string | undefined;
  readonly closed: boolean;
  /** Stale-while-revalidate; with a replicaFile a memory miss reads the file through (off the event loop) before fetching. */
  swr<T>(key: string, fetcher: Fetcher<T>, options?: SwrOptions): Promise<T>;
  /** Memory only (never reads the replica file: read-through happens in swr()). */
  get<T = unknown>(key: string, options?: GetOptions): T | undefined;
  set(key: string, value: unknown, options?: EntryOptions): boolean;
  /** Memory only. */
  has(key: string): boolean;
  delete(key: string): boolean;
  /**
   * Purges memory at once and the replica file; resolves with one set of counts for both tiers
   * once the file committed (an object in both counts once; bytes are summed). Rejects with a
   * TypeError/RangeError for a bad selector, or the file's error (memory is purged by then).
   */
  purge(selector: PurgeSelector): Promise<PurgeResult>;
  /** Memory only: the replica file keeps its entries (swr() reads them through again). */
  clear(): void;
  /** Resolves once everything written before it is committed to the replica file (it then survives a crash); at once without one. */
  flush(): Promise<void>;
  stats(): CacheStats;
  /** Reclaims expired entries, times out silent fetches and feeds answered hits to the eviction policy now (done every 100 ms on the system clock). */
  runMaintenance(): void;
  whenIdle(): Promise<void>;
  /** Idempotent. Resolves (never rejects) once the handle is released; the engine's last handle also commits and closes the replica file, off the event loop. */
  close(): Promise<void>;
  on(event: 'error', listener: (error: ZatabaseFetchError) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** A clock that moves only when told to (milliseconds since the epoch). */
export class ManualClock {
  constructor(startMs?: number);
  now(): number;
  /** Moves the clock forward; returns the new time. */
  advance(ms: number): number;
  set(ms: number): void;
}

// ---- The cluster client (seed 000) -------------------------------------------------------------

export interface ZatabaseClientOptions {
  /** The brain's API. Default: ZATABASE_URL, else ZCACHE_BRAIN_URL, else http://127.0.0.1:8081. */
  baseUrl?: string;
  /** Bearer token (a JWT signed with the brain secret). Default: ZATABASE_TOKEN. */
  token?: string;
  /** Seconds a whole call may take, retries included. Default: ZCACHE_TIMEOUT, else 10. */
  timeout?: number;
  /** false: every call resolves to its no-op value without network. Default: ZCACHE_ENABLED, else true. */
  enabled?: boolean;
}

/** GET /v1/cache/status. Disabled: brain_healthy false and zeros. */
export interface ClusterStatus {
  brain_healthy: boolean;
  total_nodes: number;
  online_nodes: number;
  total_cache_bytes: number;
  used_cache_bytes: number;
  hit_ratio: number;
}

export type NodeStatus = 'online' | 'offline' | 'draining';

/** A registered worker node (list, get and register answers). */
export interface CacheNode {
  /** "node_" + 16 hex digits; stable across re-registration of the same endpoint. */
  node_id: string;
  endpoint: string;
  region: string;
  capacity_bytes: number;
  used_bytes: number;
  object_count: number;
  status: NodeStatus;
  /** RFC 3339 UTC. */
  registered_at: string;
  last_seen_at: string;
}

/** The body of registerNode(). */
export interface NodeRegistration {
  /** The URL the brain reaches the node at, e.g. "https://my-node.example.com:9001". */
  endpoint: string;
  region: string;
  capacity_bytes: number | bigint;
}

/** GET /v1/cache/metrics: sums of every node's newest sample. Disabled: zeros, collected_at null. */
export interface ClusterMetrics {
  total_hits: number;
  total_misses: number;
  hit_ratio: number;
  bytes_served: number;
  bytes_stored: number;
  bytes_capacity: number;
  object_count: number;
  evictions: number;
  /** Nodes online. */
  active_nodes: number;
  avg_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  /** RFC 3339 UTC time of the newest sample (now when there is none); null when disabled. */
  collected_at: string | null;
}

/** GET /v1/cache/nodes/:node_id/metrics: the node's newest sample. */
export interface NodeMetrics {
  node_id: string;
  hits: number;
  misses: number;
  hit_ratio: number;
  bytes_served: number;
  bytes_stored: number;
  capacity_bytes: number;
  object_count: number;
  evictions: number;
  avg_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  /** null while the node was never polled. */
  collected_at: string | null;
}

/** The body of purge(): at least one of prefix, keys, tags must select something. */
export interface PurgeRequest {
  prefix?: string | null;
  keys?: string[] | null;
  tags?: string[] | null;
  /** Mark stale instead of removing. */
  soft?: boolean;
}

/** The answer to client.cache.purge(): sums over the nodes that answered. (PurgeResult is Cache.purge's.) */
export interface ClusterPurgeResult extends PurgeResult {
  nodes_affected: number;
  /** Online nodes that did not answer in time or failed (absent when disabled). */
  nodes_failed?: number;
  /** The purge's number in the brain's purge log (absent when disabled). */
  sequence?: number;
}

/** GET /health. */
export interface HealthStatus {
  /** 'ok' from the brain; 'disabled' when the client is disabled. */
  status: string;
}

/** `client.cache`: the /v1/cache calls. Each rejects with a ZatabaseError subclass (code, status). */
export interface ZatabaseCacheApi {
  getStatus(): Promise<ClusterStatus>;
  listNodes(): Promise<CacheNode[]>;
  /** null when disabled. */
  registerNode(registration: NodeRegistration): Promise<CacheNode | null>;
  /** null when disabled. */
  getNode(nodeId: string): Promise<CacheNode | null>;
  /** Resolves to null (204). */
  deregisterNode(nodeId: string): Promise<null>;
  /** null when disabled. */
  getNodeMetrics(nodeId: string): Promise<NodeMetrics | null>;
  getMetrics(): Promise<ClusterMetrics>;
  purge(request: PurgeRequest): Promise<ClusterPurgeResult>;
}

/**
 * The client of the edge cache's cluster API (the brain). Calls never throw: they reject with
 * ZatabaseUnavailableError (unreachable, 502/503, circuit open), ZatabaseTimeoutError,
 * ZatabaseUnauthorizedError (401), ZatabaseForbiddenError (403), ZatabaseNotFoundError (404),
 * ZatabaseBadRequestError (400/422), ZatabaseProtocolError, ... or TypeError/RangeError for bad
 * arguments. An idle client does not keep the process alive.
 */
export class ZatabaseClient {
  constructor(options?: ZatabaseClientOptions);
  readonly cache: ZatabaseCacheApi;
  /** The brain's URL in use. */
  readonly baseUrl: string;
  /** Seconds per call, retries included. */
  readonly timeout: number;
  readonly enabled: boolean;
  readonly closed: boolean;
  health(): Promise<HealthStatus>;
  /** Pending calls reject with ZatabaseClosedError, and so do later ones. Idempotent. */
  close(): void;
}

/** An RFC 9211 Cache-Status value for a call's outcome, e.g. "zatabase; hit". */
export function cacheStatusHeader(status: CallStatus, cacheName?: string): string;

export type ErrorCode =
  | 'invalid_argument' | 'too_large' | 'not_found' | 'conflict' | 'timeout' | 'cancelled'
  | 'fetch_failed' | 'closed' | 'unavailable' | 'unauthorized' | 'forbidden' | 'bad_request'
  | 'rate_limited' | 'protocol' | 'io' | 'corrupt' | 'internal';

export class ZatabaseError extends Error {
  readonly code: ErrorCode;
  /** The HTTP status of the brain's answer that caused the error; 0 when there was none. */
  status: number;
}
/** A wrong type of argument (code 'invalid_argument'). */
export class ZatabaseTypeError extends TypeError {
  readonly code: 'invalid_argument';
}
/** An argument out of range (code 'invalid_argument'). */
export class ZatabaseRangeError extends RangeError {
  readonly code: 'invalid_argument';
}
export class ZatabaseTooLargeError extends ZatabaseError {}
export class ZatabaseNotFoundError extends ZatabaseError {}
export class ZatabaseConflictError extends ZatabaseError {}
export class ZatabaseTimeoutError extends ZatabaseError {}
export class ZatabaseCancelledError extends ZatabaseError {}
/** A fetch failed: waiters in other threads, and background revalidation reports (with `key`, `cause`). */
export class ZatabaseFetchError extends ZatabaseError {
  key?: string;
}
export class ZatabaseClosedError extends ZatabaseError {}
export class ZatabaseUnavailableError extends ZatabaseError {}
export class ZatabaseUnauthorizedError extends ZatabaseError {}
export class ZatabaseForbiddenError extends ZatabaseError {}
export class ZatabaseBadRequestError extends ZatabaseError {}
export class ZatabaseRateLimitedError extends ZatabaseError {}
export class ZatabaseProtocolError extends ZatabaseError {}
export class ZatabaseIoError extends ZatabaseError {}
export class ZatabaseCorruptError extends ZatabaseError {}
export class ZatabaseInternalError extends ZatabaseError {}
