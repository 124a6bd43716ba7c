// Shared helpers for the replica tests: a temporary directory, entries with known windows, raw
// SQLite access to check the file itself, and a child process with a pipe from its stdout.
#pragma once

#include "purge_selectors.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zcache/replica.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace zcache::test {

inline constexpr std::int64_t kT0 = 1'700'000'000'000;  // the ManualClock's start

// fresh for ttl, then stale for `stale`, servable on error until fresh + on_error (engine style).
inline ReplicaEntry entry(std::string key, std::string value, std::int64_t now, std::int64_t ttl = 60'000,
                          std::int64_t stale = 600'000, std::int64_t on_error = 0,
                          std::vector<std::string> tags = {}, std::uint8_t encoding = 0) {
  ReplicaEntry e;
  e.key = std::move(key);
  e.value = std::move(value);
  e.encoding = encoding;
  e.tags = std::move(tags);
  e.fresh_until = now + ttl;
  e.stale_until = e.fresh_until + stale;
  e.error_until = e.fresh_until + on_error;
  return e;
}

struct ClockedOptions {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kT0);
  ReplicaOptions options;
  ClockedOptions(const std::string& path, std::uint64_t max_bytes = 64ull << 20) {
    options.path = path;
    options.max_bytes = max_bytes;
    options.clock = clock;
    options.poll_interval_ms = 20;
    options.busy_timeout_ms = 60'000;  // tests hold the write lock on purpose; never time out
  }
};


// A raw connection to a replica file (for what the store does not expose).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_) + ": " + sql);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  std::int64_t integer(const std::string& sql) { return std::stoll("0" + text(sql)); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("exec: " + m + ": " + sql);
    }
  }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Opening a store with `options` throws InvalidArgument with a message naming `field`.
inline void expect_refused(const ReplicaOptions& options, const std::string& field) {
  try {
    ReplicaStore store(options);
    ADD_FAILURE() << "options with a bad " << field << " were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

// Waits (without asserting on time) until `done` holds or a generous deadline passes.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A child process running replica_helper with a pipe from its stdout.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    args.insert(args.begin(), ZCACHE_REPLICA_HELPER);
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      throw std::runtime_error("posix_spawn failed");
    }
    out_ = fdopen(fds[0], "r");
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
    if (out_) fclose(out_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next line of the child's stdout (without the newline); false at end of file.
  bool line(std::string& out) {
    char buf[4096];
    if (!fgets(buf, sizeof buf, out_)) return false;
    out = buf;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return true;
  }
  void kill9() { kill(pid_, SIGKILL); }
  // The exit status (or 128 + signal).
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

}  // namespace zcache::test
