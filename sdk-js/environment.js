'use strict';
// The environment variables the cluster client and the `zatabase` CLI read (see
// core/include/zcache/brain_client.h). They are copied and handed to native code rather than read
// there with getenv: a worker_thread's process.env is its own copy.
const NAMES = ['ZATABASE_URL', 'ZCACHE_BRAIN_URL', 'ZATABASE_TOKEN', 'ZCACHE_TIMEOUT', 'ZCACHE_ENABLED'];

/** The set ones among NAMES, from this thread's process.env. */
function clientEnvironment() {
  const env = {};
  for (const name of NAMES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

module.exports = { clientEnvironment };
