'use strict';
// Test helpers: a promise you settle by hand (so tests order events without timing anything).
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Lets pending wake-ups (delivered through the addon's thread-safe function, i.e. the event loop)
// and promise reactions run.
function turn() {
  return new Promise((resolve) => setImmediate(resolve));
}

module.exports = { deferred, turn };
