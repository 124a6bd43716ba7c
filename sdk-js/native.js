'use strict';
// Loads the addon (built by `npm install` into build/node/Release) and hands it the error
// classes. Module state is per isolate, so every worker_thread does this once for itself.
const path = require('node:path');
const { nativeErrorClasses } = require('./errors');

// ZATABASE_NODE_ADDON: another build of it (the AddressSanitizer run of the tests uses one).
const ADDON = process.env.ZATABASE_NODE_ADDON || path.join(__dirname, '..', 'build', 'node', 'Release', 'zatabase_node.node');

function load() {
  try {
    return require(ADDON);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') {
      throw new Error(`@zatabase/sdk: the native addon is not built (${ADDON}); run \`npm install\` or \`npm run build\``, { cause: err });
    }
    throw err;
  }
}

const addon = load();
addon.setErrorClasses(nativeErrorClasses);

// Codes of NativeCache.lookup()/get()/fail() (bindings/node/cache_wrap.h).
const FRESH = 0;
const STALE = 1;
const MISS = 2;
const WAIT = 3;
const STATE = 3;
const NEW_VALUE = 4;
const TICKET = 8;

// The `status` argument of onWake (bindings/node/wake_channel.cc).
const WAKE_VALUE = 0;
const WAKE_ERROR = 1;
const WAKE_LOCK_TIMEOUT = 2;
const WAKE_RELEASE_ERROR = 3;
const WAKE_LEAD = 4;  // a read-through found nothing: this waiter now leads (`ticket` is its fill ticket)
const WAKE_REMOVED = 5;  // kept long strings left the engine: takeRemoved() names them

// zcache::Outcome, in order.
const OUTCOMES = ['hit', 'stale', 'miss', 'bypass'];

module.exports = {
  NativeCache: addon.NativeCache,
  ManualClock: addon.ManualClock,
  NativeBrainClient: addon.NativeBrainClient,
  runAdminCli: addon.runAdminCli,
  FRESH, STALE, MISS, WAIT, STATE, NEW_VALUE, TICKET,
  WAKE_VALUE, WAKE_ERROR, WAKE_LOCK_TIMEOUT, WAKE_RELEASE_ERROR, WAKE_LEAD, WAKE_REMOVED,
  OUTCOMES,
};
