'use strict';
// Cache: the in-process stale-while-revalidate cache of @zatabase/sdk (seed 003, DESIGN §9).
//
// All cache logic — freshness windows, single flight, stale-if-error, purges, the byte budget,
// eviction — is the core's (through bindings/node). This class makes it idiomatic: Promises,
// seconds, value encoding, an EventEmitter for background failures, and the per-instance map of
// already-decoded values (hot_values.js) that lets a hit skip decoding.
//
// Threads: nothing here blocks. A call that must wait for another caller's fetch (in this
// thread, another worker_thread, or after a timeout) is resolved from the native wake channel.
const { EventEmitter } = require('node:events');
const native = require('./native');
const { encode, decode, RAW_STR, RAW_BYTES } = require('./codec');
const { HotValues, HotSlot } = require('./hot_values');
const { cacheOptions, entryOptions, statusOf, purgeSelector, describe } = require('./options');
const { ZatabaseTypeError, ZatabaseClosedError, ZatabaseFetchError } = require('./errors');

const { FRESH, STALE, MISS, WAIT, STATE, NEW_VALUE, TICKET, OUTCOMES } = native;
const NO_CHANGES = new Uint32Array(1); // where the addon cannot expose the engine's counters
const REUSES_PER_READ = 15; // hits answered with one reading of the system clock, at most
// One answered hit in this many is handed to the eviction policy, standing for this many: feeding
// the policy costs cache misses (the entry, its sketch counters, its LRU neighbours) — on the
// engine's maintenance thread, but still CPU. Every hit is counted in stats().
const HIT_SAMPLE_WEIGHT = 4;
// A string or a byte buffer decodes by one copy; past this size that copy costs less than keeping
// the decoded value does: it would live on the V8 heap and be copied by every young-generation
// collection it survives (bench/js memory_churn: loop delay p99 2.7 ms → 1.5 ms with 1 KiB strings).
const KEEP_RAW_BELOW = 512;

/** Whether a decoded value is worth remembering (see HotValues). */
function worthKeeping(encoding, bytes) {
  return bytes < KEEP_RAW_BELOW || (encoding !== RAW_STR && encoding !== RAW_BYTES);
}

// Caches with callers waiting on them stay reachable (their callers hold only promises).
const busy = new Set();

function messageOf(err) {
  if (err instanceof Error) return err.message || err.name;
  try {
    return String(err);
  } catch {
    return 'the fetcher failed';
  }
}

function checkFetcher(fetcher) {
  if (typeof fetcher !== 'function') {
    throw new ZatabaseTypeError(`fetcher must be a function, not ${describe(fetcher)}`);
  }
}

class Cache extends EventEmitter {
  #native;
  #out; // Float64Array: what the last native call reported (bindings/node/cache_wrap.h)
  #hot;
  #changes; // Uint32Array: the engine's change count per shard (bindings/node/cache_wrap.h)
  #realClock;
  #hits; // Uint32Array: key hashes (high, low) of a sample of the hits answered here, not yet reported
  #hitCount = 0;
  #hitTotal = 0; // hits answered here since the last report (one in HIT_SAMPLE_WEIGHT is in #hits)
  #timeBase; // ms: slots keep fresh-until relative to it
  #cachedNow = 0;
  #timeReuses = 0;
  #timeTimerArmed = false;
  #scratch = Buffer.allocUnsafeSlow(64 * 1024); // where the addon copies bytes to decode
  #onError;
  #waiters = new Map(); // waiter id → {key, fetcher, entry, status, resolve, reject}
  #errors = new Map(); // error id → the JS error of a failed fetch, for this cache's waiters
  #errorSeq = 0;
  #background = new Set(); // revalidations running
  #closed = false;
  #closing; // close()'s promise

  /**
   * @param {object} [options] maxBytes (256 MiB), ttl (60 s), stale (600 s), staleIfError (0 s),
   *   name (share one engine between worker_threads), onError, clock (ManualClock), ttlJitter,
   *   lockTimeout, softTimeout, hardTimeout, hotBytes (32 MiB), shards; replicaFile (a SQLite
   *   file beneath memory, path relative to the cwd), replicaMaxBytes (1 GiB), replicaRebuild.
   */
  constructor(options) {
    super();
    const o = cacheOptions(options);
    const weak = new WeakRef(this); // the wake channel must not keep an unused cache alive
    this.#native = new native.NativeCache(o.native, (...args) => {
      const self = weak.deref();
      if (self !== undefined) self.#wake(...args);
    });
    this.#out = this.#native.out;
    this.#changes = this.#native.changes ?? NO_CHANGES;
    this.#realClock = this.#native.realClock === true;
    this.#timeBase = this.#native.now();
    this.#hits = this.#native.hits;
    const nativeCache = this.#native;
    this.#hot = new HotValues(o.hotBytes, (id, watched) => nativeCache.unpin(id, watched));
    this.#onError = o.onError;
    /** The shared engine's name, or undefined for a private cache. */
    this.name = o.name;
  }

  /**
   * Stale-while-revalidate: a fresh value resolves at once ('hit'); a stale one too, while one
   * caller in the process refreshes it in the background ('stale'); on a miss exactly one caller
   * in the process runs `fetcher(key)` and every other caller of the key waits for it ('miss').
   * With a replicaFile, a memory miss first reads the file (off the event loop): a value found
   * there resolves as 'hit' or 'stale' (one caller then revalidates), else one caller fetches.
   * @returns {Promise<any>}
   */
  swr(key, fetcher, options) {
    try {
      checkFetcher(fetcher);
      const entry = entryOptions(options);
      const status = statusOf(options);
      if (options !== undefined && options.bypass === true) return this.#bypass(key, fetcher, status);
      const slot = this.#hot.get(key);
      if (slot !== undefined && this.#answers(slot)) {
        if (status !== undefined) status.cache = 'hit';
        return slot; // a promise of its value, shared by its hits: a hit allocates nothing
      }
      this.#reportHits();
      const code = this.#native.lookup(key, HotSlot.knownIdentity(slot));
      if (code === FRESH) {
        this.#stamp(slot);
        if (status !== undefined) status.cache = 'hit';
        return slot;
      }
      return this.#swrSlow(key, fetcher, entry, status, code, slot);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #swrSlow(key, fetcher, entry, status, code, slot) {
    const state = code & STATE;
    const ticket = code & TICKET ? this.#native.takeTicket() : undefined;
    if (state === FRESH || state === STALE) {
      let value;
      try {
        value = code & NEW_VALUE ? this.#adopt(key) : HotSlot.value(slot);
      } catch (err) {
        if (ticket !== undefined) this.#failQuietly(ticket, err);
        throw err;
      }
      if (ticket !== undefined) this.#revalidate(key, ticket, fetcher, entry);
      if (status !== undefined) status.cache = state === FRESH ? 'hit' : 'stale';
      return Promise.resolve(value);
    }
    if (state === MISS) return this.#lead(key, ticket, fetcher, entry, status);
    // WAIT: another caller (maybe in another thread) is fetching; #wake settles this promise.
    const id = this.#out[2];
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { key, fetcher, entry, status, resolve, reject });
      busy.add(this);
    });
  }

  // A fresh hit answered without asking the engine: nothing changed in the entry's shard since
  // the engine reported it fresh (so it is still the key's entry, same windows), and its fresh
  // window is still open (Date.now() is never behind the engine's coarse clock). The hit is
  // reported to the engine later, in a batch (#reportHits).
  #answers(slot) {
    if (!HotSlot.isFresh(slot, this.#changes, this.#now())) return false;
    if ((++this.#hitTotal & (HIT_SAMPLE_WEIGHT - 1)) === 0) {
      const at = 2 * this.#hitCount++;
      HotSlot.writeHash(slot, this.#hits, at);
      if (at + 2 === this.#hits.length) this.#reportHits();
    }
    return true;
  }

  // The time for fresh checks, relative to #timeBase. Reading the system clock serializes the
  // CPU (the vDSO's ordered TSC read), which on a hit costs more than everything else together:
  // so on the system clock a reading serves up to REUSES_PER_READ hits, and a timer forgets it
  // after a millisecond (lru-cache's ttlResolution does the same, without the count bound).
  // A ManualClock (tests) is read every time.
  #now() {
    if (!this.#realClock) return this.#native.now() - this.#timeBase;
    if (this.#timeReuses > 0) {
      this.#timeReuses--;
      return this.#cachedNow;
    }
    this.#cachedNow = Date.now() - this.#timeBase;
    this.#timeReuses = REUSES_PER_READ;
    if (!this.#timeTimerArmed) {
      this.#timeTimerArmed = true;
      setTimeout(this.#forgetTime, 1).unref();
    }
    return this.#cachedNow;
  }

  #forgetTime = () => {
    this.#timeReuses = 0;
    this.#timeTimerArmed = false;
  };

  // Keeps the change stamp the last native call reported for the slot's entry.
  #stamp(slot) {
    const out = this.#out;
    HotSlot.stamp(slot, out[3], out[4], out[5] - this.#timeBase, out[7], out[8]);
  }

  // Hands the hits answered here to the engine (stats, eviction policy; cache_wrap.h). Called
  // before this instance's lookups, writes, purges and stats, so the engine sees them in order.
  #reportHits() {
    const total = this.#hitTotal;
    if (total === 0) return;
    const n = this.#hitCount;
    this.#hitCount = 0;
    this.#hitTotal = 0;
    if (!this.#closed) this.#native.recordHits(n, HIT_SAMPLE_WEIGHT, total);
  }

  // The entry the last native call reported: copied into the scratch buffer, decoded (a fresh
  // value: nothing keeps a reference to the scratch) and remembered.
  #adopt(key) {
    const id = this.#out[0];
    const encoding = this.#out[1];
    if (encoding === RAW_STR && !worthKeeping(encoding, this.#out[6])) return this.#takeLongString(key, id);
    let n = this.#native.takeValue(this.#scratch);
    if (n < 0) {
      this.#scratch = Buffer.allocUnsafeSlow(Math.max(-n, this.#scratch.length * 2));
      n = this.#native.takeValue(this.#scratch);
    }
    let value;
    try {
      value = decode(this.#scratch.subarray(0, n), encoding, key);
    } catch (err) {
      this.#native.unpin(id);
      throw err;
    }
    if (worthKeeping(encoding, n) && this.#hot.admit(key, n)) {
      const slot = this.#hot.remember(key, id, value, n);
      if (slot !== undefined) this.#stamp(slot);
    } else {
      this.#native.unpin(id);
    }
    return value;
  }

  // A long string is not worth a copy on the V8 heap (KEEP_RAW_BELOW), but an ASCII one comes as
  // an external string over the entry's own bytes (bindings/node/one_byte_string.h): keeping it
  // costs the heap only its handle, so from its key's second read it is kept while the engine
  // holds its entry (the addon watches it; #wake drops it when it leaves). Its hits then need no
  // native call: 100k keys of 4 KiB, swr() hit ~1,250 → ~310 ns (bench/js/hit_latency.js).
  #takeLongString(key, id) {
    const keep = this.#hot.admitWatched(key, this.#out[8]); // out[8]: the low 32 bits of the key's hash
    const value = this.#native.takeString(keep);
    if (keep && this.#out[9] === 1) {
      const slot = this.#hot.remember(key, id, value, this.#out[6], true);
      if (slot !== undefined) this.#stamp(slot);
    }
    return value;
  }

  async #lead(key, ticket, fetcher, entry, status) {
    let value;
    try {
      value = await fetcher(key);
    } catch (err) {
      return this.#leaderFailed(key, ticket, err, status);
    }
    this.#store(key, ticket, value, entry);
    if (status !== undefined) status.cache = 'miss';
    return value;
  }

  // Fills the flight with `value` (the waiters get it) and remembers it decoded: this thread's
  // waiters find it by identity and share the leader's very object.
  #store(key, ticket, value, entry) {
    let data, encoding;
    try {
      [data, encoding] = encode(value, key);
    } catch (err) {
      this.#failQuietly(ticket, err);
      throw err;
    }
    if (this.#closed) return; // the ticket is dropped: the flight ends as Cancelled
    const size = this.#native.fill(ticket, data, encoding, entry.ttlMs, entry.staleMs, entry.staleIfErrorMs, entry.tags);
    if (worthKeeping(encoding, size)) this.#hot.remember(key, this.#out[0], value, size);
    else this.#native.unpin(this.#out[0]);
  }

  // The fetcher threw: stale-if-error serves the old value when the entry allows it; otherwise
  // this caller and every waiter get the error (this thread's waiters the very same object).
  #leaderFailed(key, ticket, err, status) {
    if (this.#closed) throw err;
    const errorId = ++this.#errorSeq;
    this.#errors.set(errorId, err);
    const slot = this.#hot.get(key);
    const code = this.#native.fail(ticket, messageOf(err), errorId, HotSlot.knownIdentity(slot));
    if ((code & STATE) !== STALE) throw err;
    const value = code & NEW_VALUE ? this.#adopt(key) : HotSlot.value(slot);
    if (status !== undefined) status.cache = 'stale';
    return value;
  }

  #failQuietly(ticket, err) {
    if (this.#closed) return;
    const errorId = ++this.#errorSeq;
    this.#errors.set(errorId, err);
    this.#native.fail(ticket, messageOf(err), errorId, 0);
  }

  #revalidate(key, ticket, fetcher, entry) {
    const run = (async () => {
      let value;
      try {
        value = await fetcher(key);
      } catch (err) {
        this.#failQuietly(ticket, err);
        this.#report(err, key);
        return;
      }
      try {
        this.#store(key, ticket, value, entry);
      } catch (err) {
        this.#report(err, key);
      }
    })();
    this.#background.add(run);
    run.then(() => this.#background.delete(run));
  }

  // A background revalidation failed: onError, else the 'error' event, else a process warning —
  // never an unhandled rejection or a crash.
  #report(cause, key) {
    const error = new ZatabaseFetchError(`background revalidation of key ${JSON.stringify(key)} failed: ${messageOf(cause)}`, { cause });
    error.key = key;
    try {
      if (this.#onError !== undefined) this.#onError(error);
      else if (this.listenerCount('error') > 0) this.emit('error', error);
      else process.emitWarning(error.message, { code: 'ZATABASE_REVALIDATION_FAILED' });
    } catch (thrown) {
      process.emitWarning(`zatabase: the error handler threw: ${messageOf(thrown)}`, { code: 'ZATABASE_ON_ERROR_THREW' });
    }
  }

  async #bypass(key, fetcher, status) {
    if (typeof key !== 'string') throw new ZatabaseTypeError(`key must be a string, not ${describe(key)}`);
    const value = await fetcher(key);
    if (status !== undefined) status.cache = 'bypass';
    return value;
  }

  // A flight this cache waited on ended (called from the native wake channel, on this thread).
  // `ticket`: with WAKE_LEAD the fill ticket (a read-through found nothing: this waiter leads);
  // with a read-through's stale value, the revalidation ticket of the one waiter that refreshes.
  #wake(waiterId, kind, outcome, bytes, identity, encoding, error, errorId, ticket) {
    if (kind === native.WAKE_RELEASE_ERROR) {
      this.#errors.delete(errorId);
      return;
    }
    if (kind === native.WAKE_REMOVED) {
      if (!this.#closed) this.#hot.dropRemoved(this.#native.takeRemoved());
      return;
    }
    const w = this.#waiters.get(waiterId);
    if (w === undefined) {
      if (ticket !== undefined && !this.#closed) this.#native.dropTicket(ticket);
      return;
    }
    this.#waiters.delete(waiterId);
    if (this.#waiters.size === 0) busy.delete(this);
    if (kind === native.WAKE_LEAD) {
      w.resolve(this.#lead(w.key, ticket, w.fetcher, w.entry, w.status));
    } else if (kind === native.WAKE_VALUE) {
      try {
        // The delivered entry is pinned for us: keep the pin with a remembered value, or drop it.
        const slot = this.#hot.get(w.key);
        let value;
        if (slot !== undefined && HotSlot.id(slot) === identity) {
          this.#native.unpin(identity);
          value = HotSlot.value(slot);
        } else {
          try {
            value = decode(bytes, encoding, w.key);
          } catch (err) {
            this.#native.unpin(identity);
            throw err;
          }
          if (worthKeeping(encoding, bytes.length)) this.#hot.remember(w.key, identity, value, bytes.length);
          else this.#native.unpin(identity);
        }
        if (ticket !== undefined) this.#revalidate(w.key, ticket, w.fetcher, w.entry);
        if (w.status !== undefined) w.status.cache = OUTCOMES[outcome];
        w.resolve(value);
      } catch (err) {
        if (ticket !== undefined) this.#failQuietly(ticket, err);
        w.reject(err);
      }
    } else if (kind === native.WAKE_ERROR) {
      w.reject(error !== undefined ? error : this.#errors.get(errorId) ?? new ZatabaseFetchError('the fetch failed'));
    } else {
      // LockTimeout: the leader went silent; fetch for ourselves and store it (seed 004).
      w.resolve(this.#fetchAfterLockTimeout(w));
    }
  }

  async #fetchAfterLockTimeout(w) {
    const value = await w.fetcher(w.key);
    if (!this.#closed) {
      const [data, encoding] = encode(value, w.key);
      this.#native.set(w.key, data, encoding, w.entry.ttlMs, w.entry.staleMs, w.entry.staleIfErrorMs, w.entry.tags);
      this.#hot.forget(w.key);
    }
    if (w.status !== undefined) w.status.cache = 'miss';
    return value;
  }

  /**
   * The cached value (fresh or still servable while stale), or undefined. Never fetches, and
   * looks at memory only: the replica file is read through by swr().
   * `options.status.cache` receives 'hit', 'stale' or 'miss'.
   */
  get(key, options) {
    const slot = this.#hot.get(key);
    if (slot !== undefined && this.#answers(slot)) {
      if (options !== undefined && options.status !== undefined) statusOf(options).cache = 'hit';
      return HotSlot.value(slot);
    }
    this.#reportHits();
    const code = this.#native.get(key, HotSlot.knownIdentity(slot));
    if (code === FRESH) {
      this.#stamp(slot);
      if (options !== undefined && options.status !== undefined) statusOf(options).cache = 'hit';
      return HotSlot.value(slot);
    }
    const status = statusOf(options);
    const state = code & STATE;
    if (status !== undefined) status.cache = state === FRESH ? 'hit' : state === STALE ? 'stale' : 'miss';
    if (state === MISS) return undefined;
    return code & NEW_VALUE ? this.#adopt(key) : HotSlot.value(slot);
  }

  /**
   * Stores a value ({ttl, stale, staleIfError, tags}); false when it is larger than the cache
   * can hold. Wins over any fetch of the key that is in flight.
   */
  set(key, value, options) {
    const entry = entryOptions(options);
    if (typeof key !== 'string') throw new ZatabaseTypeError(`key must be a string, not ${describe(key)}`);
    const [data, encoding] = encode(value, key);
    this.#reportHits();
    this.#hot.forget(key); // first: the engine then has no watcher of the old entry to tell
    return this.#native.set(key, data, encoding, entry.ttlMs, entry.staleMs, entry.staleIfErrorMs, entry.tags);
  }

  /** True when the key has a servable (fresh or stale) value. Counts as no hit or miss. */
  has(key) {
    return this.#native.has(key);
  }

  /** Removes a key; true when something was removed. */
  delete(key) {
    this.#reportHits();
    this.#hot.forget(key);
    return this.#native.delete(key);
  }

  /**
   * Purges by keys, prefix and tags (their union), in memory at once and in the replica file.
   * soft: mark stale instead of removing — the next reader gets the old value while exactly one
   * revalidation runs. Resolves with one set of counts for both tiers once the file committed
   * (an object in both counts once; bytes are summed); without a replica, at once.
   * @returns {Promise<{objects_purged: number, bytes_freed: number}>}
   */
  purge(selector) {
    try {
      const { keys, prefix, tags, soft } = purgeSelector(selector);
      this.#reportHits();
      return this.#native.purge(keys, prefix, tags, soft);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Resolves once everything written before the call is committed to the replica file (it then
   * survives a crash); at once without a replica. Runs off the event loop.
   * @returns {Promise<void>}
   */
  flush() {
    try {
      return this.#native.flush();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Removes every entry (of the shared engine, for a named cache). */
  clear() {
    this.#reportHits();
    this.#native.clear();
    this.#hot.shrinkTo(0);
  }

  /**
   * The engine's counters (with a replica also replica_reads, replica_hits, promotions and the
   * file's replica_bytes, replica_entries, replica_dropped), plus this instance's decoded-value map.
   */
  stats() {
    this.#reportHits();
    const s = this.#native.stats();
    s.decoded_entries = this.#hot.slots.size;
    s.decoded_bytes = this.#hot.bytes;
    return s;
  }

  /**
   * Reclaims expired entries, times out silent fetches and hands the eviction policy the hits
   * answered here, now (the engine does it every 100 ms on the system clock; tests with a
   * ManualClock call this).
   */
  runMaintenance() {
    this.#reportHits();
    this.#native.runMaintenance();
  }

  /** Resolves when the background revalidations started so far have finished. */
  async whenIdle() {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  /**
   * Closes this handle (idempotent). Calls waiting on a fetch reject with ZatabaseClosedError;
   * a named engine lives on while other threads hold it. The returned promise (the same on every
   * call; it never rejects) resolves once the handle is released: when it was the engine's last,
   * its replica file has committed everything written and is closed — off the event loop.
   * @returns {Promise<void>}
   */
  close() {
    if (this.#closed) return this.#closing;
    this.#reportHits();
    this.#closed = true;
    this.#closing = this.#native.close();
    const waiting = [...this.#waiters.values()];
    this.#waiters.clear();
    busy.delete(this);
    this.#errors.clear();
    this.#hot.clear();
    for (const w of waiting) w.reject(new ZatabaseClosedError('the cache was closed while this call waited for a fetch'));
    return this.#closing;
  }

  get closed() {
    return this.#closed;
  }
}

module.exports = { Cache };
