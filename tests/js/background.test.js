'use strict';
// Failed background revalidations go to onError or the 'error' event — never an unhandled
// rejection — and the stale value stays in place.
const { Cache, ManualClock, ZatabaseFetchError } = require('../../sdk-js');

let unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => process.off('unhandledRejection', onUnhandled));

async function staleCache(options) {
  const clock = new ManualClock();
  const cache = new Cache({ clock, ttl: 1, stale: 60, ...options });
  await cache.swr('k', async () => 'v1');
  clock.advance(1_000);
  return cache;
}

test('onError receives a ZatabaseFetchError with the cause and the key', async () => {
  const errors = [];
  const cache = await staleCache({ onError: (e) => errors.push(e) });
  const boom = new Error('origin 500');
  expect(await cache.swr('k', async () => { throw boom; })).toBe('v1');
  await cache.whenIdle();
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(ZatabaseFetchError);
  expect(errors[0].cause).toBe(boom);
  expect(errors[0].key).toBe('k');
  expect(errors[0].message).toMatch(/origin 500/);
  expect(cache.get('k')).toBe('v1'); // still served stale
  await new Promise((r) => setImmediate(r));
  expect(unhandled).toEqual([]);
  cache.close();
});

test("without onError the 'error' event gets it", async () => {
  const cache = await staleCache();
  const seen = new Promise((resolve) => cache.once('error', resolve));
  await cache.swr('k', async () => { throw new Error('nope'); });
  const err = await seen;
  expect(err.code).toBe('fetch_failed');
  await cache.whenIdle();
  expect(unhandled).toEqual([]);
  cache.close();
});

test('with neither, a process warning — no crash, no unhandled rejection', async () => {
  const cache = await staleCache();
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  await cache.swr('k', async () => { throw new Error('quiet'); });
  await cache.whenIdle();
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/quiet/), { code: 'ZATABASE_REVALIDATION_FAILED' });
  warn.mockRestore();
  expect(unhandled).toEqual([]);
  cache.close();
});
