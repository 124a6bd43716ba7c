'use strict';
// The SDK's options: defaults (seed 003: fresh 60 s, then servable while stale 10 min), seconds
// to the engine's milliseconds, and friendly TypeError/RangeError messages. The addon checks
// types again and the core checks ranges; this layer only makes the messages good.
const path = require('node:path');
const { ZatabaseTypeError, ZatabaseRangeError } = require('./errors');

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_HOT_BYTES = 32 * 1024 * 1024;
const DEFAULT_REPLICA_MAX_BYTES = 1024 * 1024 * 1024;

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Seconds (fractional allowed, ≥ 0) → whole milliseconds; undefined stays undefined. */
function seconds(value, name) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new ZatabaseTypeError(`${name} must be a number of seconds, not ${describe(value)}`);
  if (!(value >= 0) || value === Infinity) throw new ZatabaseRangeError(`${name} must be a finite number of seconds ≥ 0, not ${value}`);
  return Math.round(value * 1000);
}

function wholeNumber(value, name, min) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new ZatabaseTypeError(`${name} must be a number, not ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value < min) throw new ZatabaseRangeError(`${name} must be a whole number ≥ ${min}, not ${value}`);
  return value;
}

function tagList(tags, name) {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) throw new ZatabaseTypeError(`${name} must be an array of strings, not ${describe(tags)}`);
  for (let i = 0; i < tags.length; i++) {
    if (typeof tags[i] !== 'string') throw new ZatabaseTypeError(`${name}[${i}] must be a string, not ${describe(tags[i])}`);
  }
  return tags;
}

function objectOrUndefined(value, name) {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new ZatabaseTypeError(`${name} must be an object, not ${describe(value)}`);
  }
}

/** new Cache(options) → {native: NativeCache options, hotBytes, onError, name}. */
function cacheOptions(options) {
  objectOrUndefined(options, 'options');
  const o = options || {};
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) {
    throw new ZatabaseTypeError(`name must be a non-empty string, not ${describe(o.name)}`);
  }
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    throw new ZatabaseTypeError(`onError must be a function, not ${describe(o.onError)}`);
  }
  if (o.ttlJitter !== undefined && (typeof o.ttlJitter !== 'number' || !(o.ttlJitter >= 0 && o.ttlJitter < 1))) {
    throw new ZatabaseRangeError(`ttlJitter must be a number in [0, 1), not ${describe(o.ttlJitter)}`);
  }
  const maxBytes = wholeNumber(o.maxBytes, 'maxBytes', 1) ?? DEFAULT_MAX_BYTES;
  const replica = replicaOptions(o);
  const native = {
    name: o.name,
    maxBytes,
    shards: wholeNumber(o.shards, 'shards', 0),
    defaultTtlMs: seconds(o.ttl, 'ttl') ?? 60_000,
    defaultStaleMs: seconds(o.stale, 'stale') ?? 600_000,
    defaultStaleIfErrorMs: seconds(o.staleIfError, 'staleIfError') ?? 0,
    ttlJitter: o.ttlJitter,
    lockTimeoutMs: seconds(o.lockTimeout, 'lockTimeout'),
    softTimeoutMs: seconds(o.softTimeout, 'softTimeout'),
    hardTimeoutMs: seconds(o.hardTimeout, 'hardTimeout'),
    clock: o.clock,
    ...replica,
  };
  if (native.lockTimeoutMs === 0) throw new ZatabaseRangeError('lockTimeout must be greater than 0');
  return {
    native,
    hotBytes: wholeNumber(o.hotBytes, 'hotBytes', 0) ?? Math.min(DEFAULT_HOT_BYTES, maxBytes),
    onError: o.onError,
    name: o.name,
  };
}

/** replicaFile (resolved against the cwd), replicaMaxBytes, replicaRebuild → the native fields. */
function replicaOptions(o) {
  const { replicaFile, replicaMaxBytes, replicaRebuild } = o;
  if (replicaFile === undefined) {
    if (replicaMaxBytes !== undefined || replicaRebuild !== undefined) {
      throw new ZatabaseTypeError('replicaMaxBytes and replicaRebuild need replicaFile (the path of the replica file)');
    }
    return {};
  }
  if (typeof replicaFile !== 'string' && !(replicaFile instanceof URL)) {
    throw new ZatabaseTypeError(`replicaFile must be a path (a string or a file: URL), not ${describe(replicaFile)}`);
  }
  let file = replicaFile;
  if (file instanceof URL) {
    if (file.protocol !== 'file:') throw new ZatabaseTypeError(`replicaFile must be a file: URL, not ${file.protocol}`);
    file = require('node:url').fileURLToPath(file);
  }
  if (file === '') throw new ZatabaseRangeError('replicaFile must not be empty');
  if (file.includes('\0')) throw new ZatabaseRangeError('replicaFile must not contain NUL characters');
  if (replicaRebuild !== undefined && typeof replicaRebuild !== 'boolean') {
    throw new ZatabaseTypeError(`replicaRebuild must be a boolean, not ${describe(replicaRebuild)}`);
  }
  return {
    replicaFile: path.resolve(file),
    replicaMaxBytes: wholeNumber(replicaMaxBytes, 'replicaMaxBytes', 1) ?? DEFAULT_REPLICA_MAX_BYTES,
    replicaRebuild,
  };
}

/** Per-write options ({ttl, stale, staleIfError, tags}) in the engine's units. */
class EntryOptions {
  constructor(o) {
    this.ttlMs = seconds(o.ttl, 'ttl');
    this.staleMs = seconds(o.stale, 'stale');
    this.staleIfErrorMs = seconds(o.staleIfError, 'staleIfError');
    this.tags = tagList(o.tags, 'tags');
  }
}
const NO_ENTRY_OPTIONS = Object.freeze(new EntryOptions({}));

function entryOptions(options) {
  if (options === undefined) return NO_ENTRY_OPTIONS;
  objectOrUndefined(options, 'options');
  if (options.ttl === undefined && options.stale === undefined && options.staleIfError === undefined && options.tags === undefined) {
    return NO_ENTRY_OPTIONS;
  }
  return new EntryOptions(options);
}

function statusOf(options) {
  if (options === undefined) return undefined;
  const status = options.status;
  if (status !== undefined && (typeof status !== 'object' || status === null)) {
    throw new ZatabaseTypeError(`status must be an object to receive the outcome, not ${describe(status)}`);
  }
  return status;
}

/** purge({keys, prefix, tags, soft}) → the native arguments. */
function purgeSelector(selector) {
  if (typeof selector !== 'object' || selector === null) {
    throw new ZatabaseTypeError(`purge() needs a selector object {keys?, prefix?, tags?, soft?}, not ${describe(selector)}`);
  }
  const keys = tagList(selector.keys, 'keys');
  const tags = tagList(selector.tags, 'tags');
  const { prefix, soft = false } = selector;
  if (prefix !== undefined && typeof prefix !== 'string') throw new ZatabaseTypeError(`prefix must be a string, not ${describe(prefix)}`);
  if (typeof soft !== 'boolean') throw new ZatabaseTypeError(`soft must be a boolean, not ${describe(soft)}`);
  if (keys === undefined && tags === undefined && prefix === undefined) {
    throw new ZatabaseRangeError('purge() needs at least one of keys, prefix or tags');
  }
  return { keys, prefix, tags, soft };
}

module.exports = { cacheOptions, entryOptions, statusOf, purgeSelector, describe };
