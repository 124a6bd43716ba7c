'use strict';
// HotValues: the already-decoded values of recently read entries, per Cache instance (and so per
// isolate), DESIGN §9. Decoding on every hit (v8.deserialize ≈ 1.7 µs for a small object) would
// cost more than a whole lru-cache hit, so a hit reuses the value decoded for that very entry
// version. The engine stays the source of truth: a slot is used only when the engine's lookup
// reports that its current entry is the slot's (EntryRef identity, compared natively), so a write
// or purge from any thread is seen at once. Each slot's entry is pinned by the addon (its
// PinTable) until the slot is dropped (`unpin`): the identity cannot be reused meanwhile.
//
// Bounded by the bytes of the entries it pins (key + value + overhead), evicted first-in
// first-out through a queue of slots (not by iterating the Map from its start: a Map keeps the
// holes of deleted entries until it rehashes, which made each eviction O(size)).
// Values are shared between the callers of this Cache instance — they are not copied (as with
// lru-cache): do not mutate a cached object.
//
// Admission: while the map has room a read value is kept; once full, only on its key's second
// read while the key is still remembered as read once (a doorkeeper, as in TinyLFU). Under a
// uniform spread of keys wider than the map, keeping every decoded value churned the map (pin,
// unpin, and garbage that survives young-generation GCs) for values never read again before
// being dropped. (The doorkeeper alone never admitted anything from a uniform spread wider than
// itself: 100k keys of 128-byte strings, all fitting, stayed at ~860 ns a get() instead of ~150.)
//
// Watched slots: a long ASCII string kept as an external string over its entry's bytes (see
// Cache#takeLongString) is charged its handle only, not its value: those bytes are the engine's,
// inside its maxBytes, for as long as the entry is resident. The addon watches such entries
// (bindings/node/removal_watch.h) and reports those that leave the engine, by any thread, and
// dropRemoved() drops their slots; so the strings this map keeps never hold memory past the
// engine's budget for longer than it takes this thread's loop to get to the report (and V8 to
// collect the string). They are admitted only on a key's second read, even with room: keeping
// one costs a pin, a watch and a slot that outlives young-generation GCs, wasted on a key read
// once (a doorkeeper of one bit per key hash, so it spans far more keys than `readOnce`).

const SLOT_OVERHEAD = 128; // the slot object, its Map entry, its queue cell and the native pin
// An external string's slot: also the string's handle, its `watched` entry, the addon's watch.
const WATCHED_SLOT_OVERHEAD = SLOT_OVERHEAD + 64;
const SEEN_BITS = 1 << 21; // the watched doorkeeper: 256 KiB, cleared once a quarter is set
const SMI_MASK = 0x3fffffff;

function chargeOf(key, size, watched) {
  return key.length + (watched ? WATCHED_SLOT_OVERHEAD : size + SLOT_OVERHEAD);
}

// Whatever `resolve(value)` would follow instead of fulfilling with it.
function isThenable(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof value.then === 'function';
  } catch {
    return true;
  }
}

/**
 * A slot: a promise already fulfilled with its value — swr() hits return it as it is — that
 * carries its own bookkeeping in private fields. One object, because a hit's cost is the cache
 * misses it chases: a separate slot object holding the promise cost one more, measured 398 →
 * 296 ns per awaited hit over 100k keys (bench/js/hit_latency.js). Built as a subclass so the
 * fields live inside the object, then given Promise.prototype: callers get a plain Promise
 * (`await` takes its fast path, `then` makes plain promises) and never see the fields.
 */
class HotSlot extends Promise {
  // The fields a hit reads first. Change stamp (see Cache#answers): the engine's change count of
  // the entry's shard modulo 2^30 (-1: none yet) and fresh-until in ms relative to the Cache's
  // time base; kept as small integers (V8 Smis: with double fields a hit measured ~15% slower).
  #shard = 0;
  #count = -1;
  #freshUntil = 0;
  #value;
  #hashHigh = 0; // the entry's key hash, for reporting hits to the engine
  #hashLow = 0;
  #key;
  #id; // the pinned entry's identity
  #charge;

  static create(key, id, value, charge) {
    const slot = new HotSlot((resolve) => resolve(value));
    slot.#value = value;
    slot.#key = key;
    slot.#id = id;
    slot.#charge = charge;
    Object.setPrototypeOf(slot, Promise.prototype);
    return slot;
  }

  /**
   * Records that the engine reported the slot's entry fresh: shard, its change count (-1 when
   * unknown), fresh-until relative to the time base (a slot beyond ±2^30 ms of it is never
   * answered), and the key hash.
   */
  static stamp(slot, shard, count, freshUntil, hashHigh, hashLow) {
    const usable = count >= 0 && freshUntil >= -SMI_MASK && freshUntil <= SMI_MASK;
    slot.#shard = shard | 0;
    slot.#count = usable ? count & SMI_MASK : -1;
    slot.#freshUntil = usable ? freshUntil | 0 : 0;
    slot.#hashHigh = hashHigh;
    slot.#hashLow = hashLow;
  }

  /**
   * True while nothing changed in the entry's shard since its stamp (so it is still the key's
   * entry, same windows) and its fresh window is open at `now` (relative to the time base). A
   * wrong match needs exactly k·2^30 changes of the shard between two reads.
   */
  static isFresh(slot, changes, now) {
    return slot.#count === (Atomics.load(changes, slot.#shard) & SMI_MASK) && now < slot.#freshUntil;
  }

  /** Appends the slot's key hash (high, low) to `hits` at `at`. */
  static writeHash(slot, hits, at) {
    hits[at] = slot.#hashHigh;
    hits[at + 1] = slot.#hashLow;
  }

  static value(slot) {
    return slot.#value;
  }

  static id(slot) {
    return slot.#id;
  }

  /** The identity the engine compares with its entry's: the slot's, or 0 for no slot. */
  static knownIdentity(slot) {
    return slot === undefined ? 0 : slot.#id;
  }

  static key(slot) {
    return slot.#key;
  }

  static charge(slot) {
    return slot.#charge;
  }
}

class HotValues {
  /** @param {(id: number, watched: boolean) => void} unpin releases the engine entry of a dropped slot */
  constructor(maxBytes, unpin) {
    this.maxBytes = maxBytes;
    this.unpin = unpin;
    this.bytes = 0;
    this.slots = new Map(); // key → HotSlot
    this.queue = []; // slots in insertion order; replaced or forgotten ones are skipped
    this.head = 0;
    this.readOnce = new Set(); // the doorkeeper: keys read once since it was last cleared
    this.readOnceLimit = 65536;
    this.watched = new Map(); // identity → watched slot
    this.seen = undefined; // key hashes read once (watched slots only), made on first use
    this.seenCount = 0;
  }

  /**
   * True when the long string of `key` is worth keeping (see Watched slots): its key was read
   * before (`hashLow`: the low 32 bits of its hash) and its slot fits at all.
   */
  admitWatched(key, hashLow) {
    if (chargeOf(key, 0, true) > this.maxBytes) return false;
    if (this.seen === undefined) this.seen = new Uint32Array(SEEN_BITS >>> 5);
    const bit = hashLow & (SEEN_BITS - 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.seen[word] & mask) !== 0) return true;
    this.seen[word] |= mask;
    if (++this.seenCount > SEEN_BITS >>> 2) {
      this.seen.fill(0);
      this.seenCount = 0;
    }
    return false;
  }

  /** True when the value of `key` (`size` bytes) is worth keeping decoded: room, or read before. */
  admit(key, size) {
    if (this.bytes + chargeOf(key, size, false) <= this.maxBytes) return true;
    if (this.readOnce.delete(key)) return true;
    if (this.readOnce.size >= this.readOnceLimit) this.readOnce.clear();
    this.readOnce.add(key);
    return false;
  }

  /** @returns {Promise<any> | undefined} the key's HotSlot */
  get(key) {
    return this.slots.get(key);
  }

  /**
   * Takes over the pin of entry `id` (whose value has `size` bytes; `watched`: a watched external
   * string, charged without its value) and returns the new slot, or undefined (the pin released)
   * when the value is not kept: larger than the whole map, or a thenable, which a settled promise
   * cannot hold.
   */
  remember(key, id, value, size, watched = false) {
    const charge = chargeOf(key, size, watched);
    this.forget(key);
    if (charge > this.maxBytes || isThenable(value)) {
      this.unpin(id, watched);
      return undefined;
    }
    const slot = HotSlot.create(key, id, value, charge);
    this.slots.set(key, slot);
    if (watched) this.watched.set(id, slot);
    this.queue.push(slot);
    this.bytes += charge;
    if (this.bytes > this.maxBytes) this.shrinkTo(this.maxBytes);
    return slot;
  }

  forget(key) {
    const old = this.slots.get(key);
    if (old === undefined) return;
    this.drop(old);
  }

  /** Drops the slots of watched entries that left the engine (identities from the addon). */
  dropRemoved(ids) {
    for (const id of ids) {
      const slot = this.watched.get(id);
      if (slot !== undefined) this.drop(slot);
    }
  }

  /** Drops every slot without unpinning (for when the addon's pins are gone too). */
  clear() {
    this.slots.clear();
    this.watched.clear();
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** Drops the oldest slots (unpinning them) until at most `limit` bytes remain. */
  shrinkTo(limit) {
    while (this.bytes > limit && this.head < this.queue.length) {
      const slot = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (this.slots.get(HotSlot.key(slot)) === slot) this.drop(slot);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  drop(slot) {
    const id = HotSlot.id(slot);
    const watched = this.watched.get(id) === slot;
    if (watched) this.watched.delete(id);
    this.slots.delete(HotSlot.key(slot));
    this.bytes -= HotSlot.charge(slot);
    this.unpin(id, watched);
  }
}

module.exports = { HotValues, HotSlot };
