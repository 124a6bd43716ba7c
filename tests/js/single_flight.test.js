'use strict';
// Single flight in one thread: concurrent callers share one fetch, its value or its error;
// timeouts free the waiters.
const { Cache, ManualClock, ZatabaseTimeoutError, ZatabaseClosedError } = require('../../sdk-js');
const { deferred, turn } = require('./helpers');

describe('single flight', () => {
  test('1,000 concurrent swr on one key → one fetch, one shared value', async () => {
    const cache = new Cache();
    const gate = deferred();
    const fetcher = jest.fn(() => gate.promise);
    const statuses = Array.from({ length: 1000 }, () => ({}));
    const calls = statuses.map((status) => cache.swr('hot', fetcher, { status }));
    gate.resolve({ big: 'object' });
    const values = await Promise.all(calls);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(values.every((v) => v === values[0])).toBe(true); // this thread's waiters share the leader's object
    expect(values[0]).toEqual({ big: 'object' });
    expect(statuses.every((s) => s.cache === 'miss')).toBe(true);
    cache.close();
  });

  test('a failing fetch rejects every waiter with the very same error', async () => {
    const cache = new Cache();
    const gate = deferred();
    const calls = Array.from({ length: 50 }, () => cache.swr('k', () => gate.promise));
    const boom = new Error('origin failed');
    gate.reject(boom);
    const results = await Promise.allSettled(calls);
    expect(results.every((r) => r.status === 'rejected' && r.reason === boom)).toBe(true);
    // Nothing was cached: the next call fetches again.
    expect(await cache.swr('k', async () => 'ok')).toBe('ok');
    cache.close();
  });

  test('a fetcher that throws synchronously is handled like a rejection', async () => {
    const cache = new Cache();
    await expect(cache.swr('k', () => { throw new RangeError('sync'); })).rejects.toThrow('sync');
    cache.close();
  });

  test('lock timeout: waiters of a silent leader fetch for themselves and store it', async () => {
    const clock = new ManualClock();
    const cache = new Cache({ clock, lockTimeout: 1 });
    const silent = deferred();
    const leader = cache.swr('k', () => silent.promise);
    const status = {};
    const waiter = cache.swr('k', async () => 'mine', { status });
    clock.advance(1_000);
    cache.runMaintenance();
    expect(await waiter).toBe('mine');
    expect(status.cache).toBe('miss');
    expect(cache.get('k')).toBe('mine');
    silent.resolve('late'); // the leader's flight was dropped: its value is served to it, not stored
    expect(await leader).toBe('late');
    expect(cache.get('k')).toBe('mine');
    cache.close();
  });

  test('hard timeout: waiters get ZatabaseTimeoutError while the leader goes on', async () => {
    const clock = new ManualClock();
    const cache = new Cache({ clock, hardTimeout: 2 });
    const slow = deferred();
    const leader = cache.swr('k', () => slow.promise);
    const waiter = cache.swr('k', async () => 'unused');
    clock.advance(2_000);
    cache.runMaintenance();
    await expect(waiter).rejects.toBeInstanceOf(ZatabaseTimeoutError);
    await expect(waiter).rejects.toMatchObject({ code: 'timeout' });
    slow.resolve('v');
    expect(await leader).toBe('v');
    cache.close();
  });

  test('a write during a fetch wins: the fetched value reaches the waiters but is not stored', async () => {
    const cache = new Cache();
    const gate = deferred();
    const leader = cache.swr('k', () => gate.promise);
    const waiter = cache.swr('k', async () => 'unused');
    cache.set('k', 'newer');
    gate.resolve('fetched');
    expect(await leader).toBe('fetched');
    expect(await waiter).toBe('fetched');
    expect(cache.get('k')).toBe('newer');
    cache.close();
  });

  test('close() rejects the calls still waiting', async () => {
    const cache = new Cache();
    const gate = deferred();
    const leader = cache.swr('k', () => gate.promise);
    const waiter = cache.swr('k', async () => 'unused');
    await turn();
    cache.close();
    await expect(waiter).rejects.toBeInstanceOf(ZatabaseClosedError);
    gate.resolve('v');
    expect(await leader).toBe('v');
  });
});
