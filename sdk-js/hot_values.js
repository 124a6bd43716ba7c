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
// Admission: a value is kept only on its key's second read while the key is still remembered as
// read once (a doorkeeper, as in TinyLFU). Under a uniform spread of keys wider than the map,
// keeping every decoded value churned the map (pin, unpin, and garbage that survives young-
// generation GCs) for values that were never read again before being dropped.

const SLOT_OVERHEAD = 128; // the slot object, its Map entry, its queue cell and the native pin

class HotValues {
  /** @param {(id: number) => void} unpin releases the engine entry of a dropped slot */
  constructor(maxBytes, unpin) {
    this.maxBytes = maxBytes;
    this.unpin = unpin;
    this.bytes = 0;
    this.slots = new Map();
    this.queue = []; // slots in insertion order; replaced or forgotten ones are skipped
    this.head = 0;
    this.readOnce = new Set(); // the doorkeeper: keys read once since it was last cleared
    this.readOnceLimit = 65536;
  }

  /** True when `key` has been read before (recently): its value is worth keeping decoded. */
  admit(key) {
    if (this.readOnce.delete(key)) return true;
    if (this.readOnce.size >= this.readOnceLimit) this.readOnce.clear();
    this.readOnce.add(key);
    return false;
  }

  /** @returns {{key: string, id: number, value: any, charge: number, shard: number, count: number, freshUntil: number, hashHigh: number, hashLow: number, promise: Promise<any> | undefined} | undefined} */
  get(key) {
    return this.slots.get(key);
  }

  /** Takes over the pin of entry `id` (whose value has `size` bytes). */
  remember(key, id, value, size) {
    const charge = key.length + size + SLOT_OVERHEAD;
    this.forget(key);
    if (charge > this.maxBytes) {
      this.unpin(id);
      return;
    }
    // shard/count/freshUntil: the entry's change stamp, set by the Cache once the engine reports
    // it fresh (count -1: none yet); see Cache#answers.
    const slot = { key, id, value, charge, shard: 0, count: -1, freshUntil: 0, hashHigh: 0, hashLow: 0, promise: undefined };
    this.slots.set(key, slot);
    this.queue.push(slot);
    this.bytes += charge;
    if (this.bytes > this.maxBytes) this.shrinkTo(this.maxBytes);
  }

  forget(key) {
    const old = this.slots.get(key);
    if (old === undefined) return;
    this.drop(old);
  }

  /** Drops every slot without unpinning (for when the addon's pins are gone too). */
  clear() {
    this.slots.clear();
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** Drops the oldest slots (unpinning them) until at most `limit` bytes remain. */
  shrinkTo(limit) {
    while (this.bytes > limit && this.head < this.queue.length) {
      const slot = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (this.slots.get(slot.key) === slot) this.drop(slot);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  drop(slot) {
    this.slots.delete(slot.key);
    this.bytes -= slot.charge;
    this.unpin(slot.id);
  }
}

module.exports = { HotValues };
