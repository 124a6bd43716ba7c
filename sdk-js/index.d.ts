// Types of @zatabase/sdk (the in-process cache). Runtime: sdk-js/index.js (CJS), index.mjs (ESM).
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
  /** Bytes of decoded values this instance keeps on the JS heap for fast hits. Default 32 MiB. */
  hotBytes?: number;
  /** Power-of-two shard count; 0 or absent picks one from maxBytes. */
  shards?: number;
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
  swr<T>(key: string, fetcher: Fetcher<T>, options?: SwrOptions): Promise<T>;
  get<T = unknown>(key: string, options?: GetOptions): T | undefined;
  set(key: string, value: unknown, options?: EntryOptions): boolean;
  has(key: string): boolean;
  delete(key: string): boolean;
  purge(selector: PurgeSelector): PurgeResult;
  clear(): void;
  stats(): CacheStats;
  runMaintenance(): void;
  whenIdle(): Promise<void>;
  close(): void;
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

/** An RFC 9211 Cache-Status value for a call's outcome, e.g. "zatabase; hit". */
export function cacheStatusHeader(status: CallStatus, cacheName?: string): string;

export type ErrorCode =
  | 'invalid_argument' | 'too_large' | 'not_found' | 'conflict' | 'timeout' | 'cancelled'
  | 'fetch_failed' | 'closed' | 'unavailable' | 'unauthorized' | 'forbidden' | 'bad_request'
  | 'rate_limited' | 'protocol' | 'io' | 'corrupt' | 'internal';

export class ZatabaseError extends Error {
  readonly code: ErrorCode;
  httpStatus?: number;
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
