'use strict';
// Round trips of every kind of value, through the engine's bytes (hotBytes: 0 turns off the
// decoded-value map, so every read decodes) and through the decoded-value map.
const { Cache, ZatabaseProtocolError } = require('../../sdk-js');

const kinds = {
  'a string': 'héllo ✓ 𝄞',
  'an empty string': '',
  'a 4 KiB string': 'x'.repeat(4096),
  'a 512-byte ASCII string': 'abc'.repeat(170) + '!?',
  'a long string with one non-ASCII character': 'y'.repeat(2000) + 'é' + 'z'.repeat(100),
  'a long string of Latin-1 letters': 'àéîõü'.repeat(300),
  'a number': 3.25,
  'a bigint': 2n ** 70n,
  'a boolean': false,
  null: null,
  undefined,
  'a plain object': { id: 1, name: 'widget', nested: { list: [1, 'two', null] } },
  'an array': [1, 2, [3, { four: 4 }]],
  'a Date': new Date(1_700_000_000_000),
  'a Map': new Map([['a', 1], [2, { b: true }]]),
  'a Set': new Set([1, 'two', 3n]),
  'a RegExp': /ab+c/gi,
  'a Buffer': Buffer.from([0, 1, 2, 250]),
  'a Uint8Array': new Uint8Array([5, 6, 7]),
  'a Float64Array': new Float64Array([1.5, -2.25, Math.PI]),
  'an Int32Array': new Int32Array([-1, 2 ** 30]),
  'a BigInt64Array': new BigInt64Array([-(2n ** 62n), 5n]),
  'an ArrayBuffer': new Uint8Array([9, 8, 7]).buffer,
  'a DataView': new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2),
  'a typed array view with an offset': new Uint16Array(new Uint16Array([1, 2, 3, 4]).buffer, 2, 2),
};

describe.each([
  ['decoding every read', 0],
  ['with the decoded-value map', 1 << 20],
])('round trips, %s', (_, hotBytes) => {
  test.each(Object.entries(kinds))('%s', async (name, value) => {
    const cache = new Cache({ hotBytes });
    cache.set('set', value);
    expect(cache.get('set')).toEqual(value);
    expect(await cache.swr('swr', async () => value)).toEqual(value);
    expect(await cache.swr('swr', async () => 'not called')).toEqual(value);
    const back = cache.get('set');
    // Same kind (by tag: Jest's sandbox is another realm than the one v8.deserialize builds in).
    expect(Object.prototype.toString.call(back)).toBe(Object.prototype.toString.call(value));
    cache.close();
  });
});

test('bytes handed out are copies: mutating them does not change the cache', () => {
  const cache = new Cache({ hotBytes: 0 });
  cache.set('b', Buffer.from('abc'));
  const first = cache.get('b');
  first[0] = 0x7a;
  expect(cache.get('b').toString()).toBe('abc');
  cache.close();
});

test('unserializable values are a TypeError naming the key, and nothing is stored', async () => {
  const cache = new Cache();
  expect(() => cache.set('f', () => 1)).toThrow(TypeError);
  expect(() => cache.set('f', { fn() {} })).toThrow(/key "f" cannot be cached/);
  expect(cache.has('f')).toBe(false);
  await expect(cache.swr('g', async () => Symbol('s'))).rejects.toThrow(TypeError);
  expect(cache.has('g')).toBe(false);
  cache.close();
});

test('an entry written by the Python SDK with pickle is a ZatabaseProtocolError, not garbage', () => {
  const native = require('../../sdk-js/native');
  const cache = new native.NativeCache({}, () => {});
  cache.set('py', 'pickled bytes', 2, undefined, undefined, undefined, undefined);
  const { decode } = require('../../sdk-js/codec');
  expect(cache.get('py', 0) & native.NEW_VALUE).toBeTruthy();
  const scratch = new Uint8Array(64);
  const n = cache.takeValue(scratch);
  expect(() => decode(Buffer.from(scratch.buffer, 0, n), cache.out[1], 'py')).toThrow(ZatabaseProtocolError);
  cache.close();
});

// Long ASCII strings are handed out as external strings over the entry's own bytes
// (bindings/node/one_byte_string.h): each must stay whole after its entry is replaced, deleted,
// cleared, the cache closed, and the GC has run (the string keeps the entry alive; AddressSanitizer
// runs this file too).
test('a long ASCII string read from the engine outlives its entry and the cache', async () => {
  const v8 = require('node:v8');
  const vm = require('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const cache = new Cache({ hotBytes: 0, maxBytes: 1 << 20 });
  const expected = (i) => `${i}:`.padEnd(4096, String.fromCharCode(97 + (i % 26)));
  const held = [];
  for (let i = 0; i < 40; i++) {
    cache.set(`k${i}`, expected(i));
    held.push(cache.get(`k${i}`));
  }
  cache.set('k0', 'replaced');
  cache.delete('k1');
  cache.clear(); // the engine lets go of the rest
  expect(cache.has('k5')).toBe(false);
  await cache.close();
  gc();
  held.forEach((s, i) => expect(s).toBe(expected(i)));
  expect(held.join('').length).toBe(40 * 4096);
  held.length = 0;
  gc(); // their finalizers release the entries (AddressSanitizer would report a leak or a double free)
});

test('a worker_thread may exit while holding long strings read from a shared cache', async () => {
  const { Worker } = require('node:worker_threads');
  const main = new Cache({ name: 'external-strings', maxBytes: 1 << 20 });
  main.set('big', 'q'.repeat(8192));
  const code = `
    const { Cache } = require(require('node:worker_threads').workerData.sdk);
    const c = new Cache({ name: 'external-strings', maxBytes: 1 << 20, hotBytes: 0 });
    globalThis.kept = Array.from({ length: 50 }, () => c.get('big'));
    if (globalThis.kept.some((s) => s !== 'q'.repeat(8192))) process.exit(3);`;
  const sdk = require('node:path').join(__dirname, '..', '..', 'sdk-js');
  const exitCode = await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { sdk } });
    w.on('error', reject);
    w.on('exit', resolve);
  });
  expect(exitCode).toBe(0);
  expect(main.get('big')).toBe('q'.repeat(8192));
  await main.close();
});
