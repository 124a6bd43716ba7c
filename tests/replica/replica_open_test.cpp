// Opening: files that are not SQLite, not ours, newer, damaged or unreachable give a clear error
// naming the file; rebuild_if_unreadable moves such a file aside and starts afresh.
#include <fstream>

#include "replica_test_support.h"

namespace zcache::test {
namespace {

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Opens the store and returns the error it gives (fails the test when it opens).
Error open_error(const ReplicaOptions& o) {
  try {
    ReplicaStore store(o);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "opened " << o.path;
  return Error(ErrorKind::Internal, "opened");
}

void expect_mentions(const Error& e, const std::string& what) {
  EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
}

TEST(ReplicaOpen, ANewFileIsCreatedWithTheSchema) {
  TempDir dir;
  ClockedOptions o(dir.file("new.db"));
  { ReplicaStore store(o.options); }
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("PRAGMA application_id"), 0x7A637270);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 1);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
}

TEST(ReplicaOpen, NotSqliteIsCorrupt) {
  TempDir dir;
  ClockedOptions o(dir.file("garbage.db"));
  write_file(o.options.path, std::string(8192, 'x'));
  Error e = open_error(o.options);
  EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
  expect_mentions(e, o.options.path);
  expect_mentions(e, "not a SQLite database");
}

TEST(ReplicaOpen, ForeignDatabaseIsCorruptAndUntouched) {
  TempDir dir;
  ClockedOptions o(dir.file("foreign.db"));
  {
    RawDb raw(o.options.path);
    raw.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)");
  }
  Error e = open_error(o.options);
  EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
  expect_mentions(e, o.options.path);
  expect_mentions(e, "another application");
  expect_mentions(e, "invoices");
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");  // not even switched to WAL
}

TEST(ReplicaOpen, NewerSchemaIsCorrupt) {
  TempDir dir;
  ClockedOptions o(dir.file("newer.db"));
  { ReplicaStore store(o.options); }
  {
    RawDb raw(o.options.path);
    raw.exec("PRAGMA user_version = 99");
  }
  Error e = open_error(o.options);
  EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
  expect_mentions(e, "schema version 99");
}

TEST(ReplicaOpen, DamagedPagesAreCorrupt) {
  TempDir dir;
  ClockedOptions o(dir.file("damaged.db"));
  {
    ReplicaStore store(o.options);
    for (int i = 0; i < 200; ++i) store.write(entry("k" + std::to_string(i), std::string(1000, 'v'), kT0));
  }  // closed: checkpointed into the file, WAL removed
  {
    // Overwrite the schema page (page 1 after its 100-byte header) with garbage.
    std::fstream f(o.options.path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    const std::string junk(3000, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  Error e = open_error(o.options);
  EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
  expect_mentions(e, o.options.path);
}

TEST(ReplicaOpen, MissingDirectoryAndDirectoryAreIo) {
  TempDir dir;
  ClockedOptions o(dir.file("no/such/dir/r.db"));
  Error e = open_error(o.options);
  EXPECT_EQ(e.kind(), ErrorKind::Io);
  expect_mentions(e, "does not exist");
  o.options.path = dir.path().string();
  e = open_error(o.options);
  EXPECT_EQ(e.kind(), ErrorKind::Io);
  expect_mentions(e, "is a directory");
}

TEST(ReplicaOpen, RebuildMovesAnUnreadableFileAsideAndStartsEmpty) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  write_file(o.options.path, std::string(8192, 'x'));
  write_file(o.options.path + "-wal", std::string(100, 'w'));
  o.options.rebuild_if_unreadable = true;
  {
    ReplicaStore store(o.options);
    store.write(entry("k", "v", kT0));
    store.flush();
    EXPECT_TRUE(store.read_sync("k").entry);
  }
  // The bad file is kept aside for inspection. (SQLite itself deletes a WAL as malformed as this
  // one when the failed connection closes; a valid one would be moved aside with it.)
  int aside = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.path()))
    if (f.path().filename().string().starts_with("r.db.unreadable-") && !f.path().string().ends_with("-wal")) ++aside;
  EXPECT_EQ(aside, 1);
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
}

TEST(ReplicaOpen, RebuildAlsoReplacesAForeignOrNewerFile) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  {
    RawDb raw(o.options.path);
    raw.exec("CREATE TABLE t (x)");
  }
  o.options.rebuild_if_unreadable = true;
  { ReplicaStore store(o.options); }
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("PRAGMA application_id"), 0x7A637270);
}

TEST(ReplicaOpen, RebuildDoesNotHideIoErrors) {
  TempDir dir;
  ClockedOptions o(dir.file("missing/r.db"));
  o.options.rebuild_if_unreadable = true;
  EXPECT_EQ(open_error(o.options).kind(), ErrorKind::Io);
}

}  // namespace
}  // namespace zcache::test
