// The replica's file: identity, schema versions, pragmas, and what to do with a file that is not
// (or no longer) readable.
//
// A replica file is recognized by PRAGMA application_id = kApplicationId; its layout version is
// PRAGMA user_version. Both live in the header page, so checking them costs one page read and
// opening stays O(1) in the number of entries.
#pragma once

#include <zcache/replica.h>

#include <cstdint>
#include <memory>

#include "util/sqlite_conn.h"

namespace zcache::replica {

inline constexpr std::int32_t kApplicationId = 0x7A637270;  // "zcrp": zcache replica
inline constexpr int kSchemaVersion = 1;

// Opens the writer's connection: checks the file is a replica of a version this build knows (or
// empty), creates or migrates the schema, sets WAL and the synchronous level. With
// options.rebuild_if_unreadable, a Corrupt file is moved aside and a fresh one created.
// Throws Corrupt (not ours, newer, damaged) or Io, naming the file.
std::unique_ptr<sqlite::Conn> open_writer(const ReplicaOptions& options);

// A read connection on a file open_writer() has prepared (memory-mapped reads, a bigger page cache).
std::unique_ptr<sqlite::Conn> open_reader(const ReplicaOptions& options);

}  // namespace zcache::replica
