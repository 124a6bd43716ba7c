'use strict';
// Real zcache processes for the end-to-end tests of ZatabaseClient and the `zatabase` CLI: a brain
// and workers on free loopback ports, and tokens minted by `zcache token`. Each process prints its
// port in its first log line (stderr), which is read back here. stopAll() kills every process this
// module started.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const BIN = process.env.ZCACHE_BIN || path.join(ROOT, 'build', 'release', 'server', 'zcache');

const running = new Set();
const tmpDirs = [];

function requireBinary() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`the zcache server binary is missing (${BIN}): build it with \`cmake --build build/release -j2 --target zcache\` ` +
      '(or `make build`), or point ZCACHE_BIN at one');
  }
}

function tmpDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zcache-js-'));
  tmpDirs.push(dir);
  return dir;
}

// An environment for child processes without the variables the SDK and the CLI read, so what the
// developer's shell exports cannot change a test.
function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of ['ZATABASE_URL', 'ZCACHE_BRAIN_URL', 'ZATABASE_TOKEN', 'ZCACHE_TIMEOUT', 'ZCACHE_ENABLED',
    'ZCACHE_BRAIN_SECRET', 'BRAIN_SECRET']) delete env[name];
  return { ...env, ...extra };
}

class ZcacheProcess {
  constructor(args) {
    requireBinary();
    this.args = args;
    this.lines = [];
    this.exited = false;
    this.child = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        running.delete(this);
        resolve({ code, signal });
        this.#notify();
      });
    });
    this.waiters = [];
    let partial = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      this.lines.push(...parts);
      this.#notify();
    });
    running.add(this);
  }

  #notify() {
    this.waiters = this.waiters.filter((w) => !w());
  }

  /** The first stderr line matching `pattern` (its match), waiting up to `timeoutMs`. */
  waitFor(pattern, timeoutMs = 15_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`zcache ${this.args.join(' ')}: no line matching ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      const check = () => {
        for (const line of this.lines) {
          const m = pattern.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m);
            return true;
          }
        }
        if (this.exited) {
          clearTimeout(timer);
          reject(new Error(`zcache ${this.args.join(' ')} exited before printing ${pattern}:\n${this.lines.join('\n')}`));
          return true;
        }
        return false;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000) {
    if (this.exited) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

/** A brain on a free port; `.url` is its API. Options are extra `zcache brain` flags. */
async function startBrain(secret, flags = []) {
  const db = path.join(tmpDir(), 'b.db');
  const brain = new ZcacheProcess(['brain', '--port', '0', '--secret', secret, '--replica-file', db,
    '--access-log', 'false', ...flags]);
  const m = await brain.waitFor(/listening on ([^\s:]+):(\d+)/);
  brain.url = `http://127.0.0.1:${m[2]}`;
  return brain;
}

/** A worker registered with `brainUrl`; `.url` is its object API, `.nodeId` its id at the brain. */
async function startWorker(brainUrl, secret, flags = []) {
  const worker = new ZcacheProcess(['worker', '--brain', brainUrl, '--listen', '127.0.0.1:0', '--secret', secret,
    '--access-log', 'false', ...flags]);
  const serving = await worker.waitFor(/serving on ([^\s:]+):(\d+)/);
  worker.url = `http://127.0.0.1:${serving[2]}`;
  worker.nodeId = (await worker.waitFor(/registered with \S+ as (node_[0-9a-f]+)/))[1];
  return worker;
}

/** A bearer token signed with `secret` (what `zcache token` prints). */
function mintToken(secret, sub = 'admin') {
  requireBinary();
  const r = spawnSync(BIN, ['token', '--secret', secret, '--sub', sub, '--ttl', '1h'], { encoding: 'utf8', env: cleanEnv() });
  if (r.status !== 0) throw new Error(`zcache token failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

async function stopAll() {
  await Promise.all([...running].map((p) => p.stop()));
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { ROOT, BIN, startBrain, startWorker, mintToken, stopAll, tmpDir, cleanEnv };
