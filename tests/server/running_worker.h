// A WorkerNode on a libuv loop thread of its own, for tests that need a real worker in-process.
#pragma once

#include "worker/worker_node.h"

#include <future>
#include <memory>
#include <thread>

namespace zcache::worker::test {

struct RunningWorker {
  explicit RunningWorker(WorkerNodeOptions o) {
    std::promise<void> ready;
    thread = std::thread([this, o = std::move(o), &ready]() mutable {
      uv_loop_init(&loop);
      node = std::make_unique<WorkerNode>(&loop, std::move(o));
      node->start();
      port = node->port();
      ready.set_value();
      uv_run(&loop, UV_RUN_DEFAULT);
      node.reset();
      uv_loop_close(&loop);
    });
    ready.get_future().wait();
  }
  // Graceful shutdown from the test thread, through the node's own loop.
  void stop() {
    if (!thread.joinable()) return;
    node->post([this] { node->shutdown([] {}); });
    thread.join();
  }
  ~RunningWorker() { stop(); }

  uv_loop_t loop;
  std::unique_ptr<WorkerNode> node;
  std::thread thread;
  std::uint16_t port = 0;
};

}  // namespace zcache::worker::test
