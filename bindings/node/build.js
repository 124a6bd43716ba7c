#!/usr/bin/env node
// Builds the addon with cmake-js from the root CMakeLists.txt (the `install` script, so `npm
// install` in a clean clone builds it). The Node-API headers come from the `node-api-headers`
// npm package (package.json "binary": {"napi_versions": [8]}); nothing is downloaded.
// Output: build/node/Release/zatabase_node.node (ZCACHE_NODE_BUILD_DIR: another directory, as
// the sanitizer build uses). -j2: the build machines are shared.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const args = [
  require.resolve('cmake-js/bin/cmake-js'), 'build',
  '--directory', root,
  '--out', process.env.ZCACHE_NODE_BUILD_DIR || path.join('build', 'node'),
  '--target', 'zatabase_node',
  '--parallel', process.env.ZCACHE_JOBS || '2',
  '--CDZCACHE_BUILD_NODE=ON',
  '--CDZCACHE_BUILD_TESTS=OFF',
  '--CDZCACHE_BUILD_BENCH=OFF',
  '--CDZCACHE_BUILD_SERVER=OFF',
  ...process.argv.slice(2),
];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status === null ? 1 : result.status);
