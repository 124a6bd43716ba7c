#include "replica/read_snapshot.h"

namespace zcache::replica {

void ReadSnapshot::prepare() {
  if (max_age_.count() == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t transactions = counters_.transactions.load(std::memory_order_relaxed);
  if (open_ && (transactions != transactions_seen_ || now - began_ > max_age_)) end();
  if (open_) return;
  // Loaded before the snapshot is taken (by the first read after BEGIN): every commit counted
  // by then is in it.
  transactions_seen_ = transactions;
  began_ = now;
  db_.exec("BEGIN");
  open_ = true;
}

void ReadSnapshot::end() noexcept {
  if (!open_) return;
  open_ = false;
  try {
    db_.exec("COMMIT");
  } catch (...) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // A read transaction holds no changes; a connection SQLite cannot end one on is broken
      // anyway, and its next read reports the error.
    }
  }
}

}  // namespace zcache::replica
