#!/usr/bin/env node
'use strict';
// `zatabase`: cluster administration from the command line (`npx zatabase cache status`). The
// command line itself — parsing, the brain call, tables or --json, exit codes — is the core's
// (core/include/zcache/admin_cli.h), shared with the Python package so both behave the same;
// this file only passes the arguments and the environment in and prints what comes out.
const { runAdminCli } = require('../native');
const { clientEnvironment } = require('../environment');

async function main() {
  const { exitCode, out, err } = await runAdminCli(process.argv.slice(2), clientEnvironment());
  if (out) process.stdout.write(out);
  if (err) process.stderr.write(err);
  process.exitCode = exitCode;
}

main().catch((error) => {
  process.stderr.write(`zatabase: ${error && error.message ? error.message : error}\n`);
  process.exitCode = 1;
});
