// runAdminCli(args: string[], env: {[name]: string}) → Promise<{exitCode, out, err}>: the
// `zatabase` command line (zcache/admin_cli.h) for sdk-js/bin/zatabase.js. run_admin_cli() blocks
// until the brain answers, so it runs on the libuv thread pool (an AsyncWorker), never on the
// event loop. The environment is a copy of `env` taken on the JS thread: the worker thread never
// calls getenv (nor touches JS).
#pragma once

#include <napi.h>

namespace zatabase_node {

Napi::Value RunAdminCli(const Napi::CallbackInfo& info);

}  // namespace zatabase_node
