// Opening the brain store on files that are not (or not yet) ours: every case a clear StoreError
// naming the file, and the file left untouched.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "brain/store/brain_store.h"
#include "brain/store/schema.h"
#include "brain_store_test_util.h"

namespace zcache::brain {
namespace {

using testing::TempDir;

// Runs SQL on a file with the plain SQLite API (the "other application").
void run_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(db);
}

std::int64_t pragma_int(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  std::int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

// Opens `path` expecting a StoreError; returns it.
StoreError open_error(const std::string& path) {
  try {
    BrainStore store(path);
  } catch (const StoreError& e) {
    return e;
  }
  ADD_FAILURE() << "opening " << path << " succeeded";
  return StoreError(StoreError::Kind::Sqlite, path, "");
}

TEST(BrainStoreOpen, MissingDirectory) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/brain.db");
  const StoreError e = open_error(path);
  EXPECT_EQ(e.kind(), StoreError::Kind::CannotOpen) << e.what();
  EXPECT_EQ(e.path(), path);
  EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
}

TEST(BrainStoreOpen, PathIsADirectory) {
  TempDir dir;
  const StoreError e = open_error(dir.path().string());
  EXPECT_EQ(e.kind(), StoreError::Kind::CannotOpen) << e.what();
  EXPECT_NE(std::string(e.what()).find(dir.path().string()), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
}

TEST(BrainStoreOpen, ReadOnlyFile) {
  TempDir dir;
  const std::string path = dir.file("brain.db");
  { BrainStore store(path); }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  if (geteuid() != 0) {
    const StoreError e = open_error(path);
    EXPECT_TRUE(e.kind() == StoreError::Kind::ReadOnly || e.kind() == StoreError::Kind::CannotOpen) << e.what();
    return;
  }
  // Root may write any file, so the check runs in a child that gives up root for "nobody"; the
  // directory must let it in.
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    try {
      BrainStore store(path);
    } catch (const StoreError& e) {
      _exit(e.kind() == StoreError::Kind::ReadOnly || e.kind() == StoreError::Kind::CannotOpen ? 0 : 1);
    } catch (...) {
      _exit(4);
    }
    _exit(2);  // opened a read-only file for writing without complaint
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: wrong error kind, 2: no error, 3: could not drop root, 4: other exception";
}

TEST(BrainStoreOpen, NotASqliteFile) {
  TempDir dir;
  const std::string path = dir.file("random.bin");
  {
    std::ofstream out(path, std::ios::binary);
    std::mt19937 rng(1);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(rng()));
  }
  const StoreError e = open_error(path);
  EXPECT_EQ(e.kind(), StoreError::Kind::NotSqlite) << e.what();
  EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("not a SQLite database"), std::string::npos) << e.what();
  EXPECT_EQ(std::filesystem::file_size(path), 8192u);  // untouched
}

TEST(BrainStoreOpen, ATextFile) {
  TempDir dir;
  const std::string path = dir.file("config.toml");
  { std::ofstream(path) << "[brain]\nport = 8081\n"; }
  EXPECT_EQ(open_error(path).kind(), StoreError::Kind::NotSqlite);
}

TEST(BrainStoreOpen, AnEmptyFileBecomesAStore) {
  TempDir dir;
  const std::string path = dir.file("empty.db");
  { std::ofstream touch(path); }
  { BrainStore store(path); }
  EXPECT_EQ(pragma_int(path, "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(pragma_int(path, "PRAGMA user_version"), kSchemaVersion);
}

TEST(BrainStoreOpen, AnotherApplicationsDatabase) {
  TempDir dir;
  const std::string path = dir.file("app.db");
  run_sql(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ann');");
  const StoreError e = open_error(path);
  EXPECT_EQ(e.kind(), StoreError::Kind::ForeignSchema) << e.what();
  const std::string what = e.what();
  EXPECT_NE(what.find(path), std::string::npos) << what;
  EXPECT_NE(what.find("'users'"), std::string::npos) << what;
  EXPECT_NE(what.find("another application"), std::string::npos) << what;
  // Untouched: no tables added, no pragmas changed.
  EXPECT_EQ(pragma_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
  EXPECT_EQ(pragma_int(path, "PRAGMA application_id"), 0);
  EXPECT_EQ(pragma_int(path, "PRAGMA user_version"), 0);
}

TEST(BrainStoreOpen, AnotherApplicationId) {
  TempDir dir;
  const std::string path = dir.file("other.db");
  run_sql(path, "PRAGMA application_id = 1234;");
  const StoreError e = open_error(path);
  EXPECT_EQ(e.kind(), StoreError::Kind::ForeignSchema) << e.what();
  EXPECT_NE(std::string(e.what()).find("0x000004D2"), std::string::npos) << e.what();
}

TEST(BrainStoreOpen, ANewerSchemaVersion) {
  TempDir dir;
  const std::string path = dir.file("brain.db");
  { BrainStore store(path); }
  run_sql(path, "PRAGMA user_version = 99;");
  const StoreError e = open_error(path);
  EXPECT_EQ(e.kind(), StoreError::Kind::NewerSchema) << e.what();
  const std::string what = e.what();
  EXPECT_NE(what.find("99"), std::string::npos) << what;
  EXPECT_NE(what.find("newer"), std::string::npos) << what;
  EXPECT_NE(what.find(path), std::string::npos) << what;
  EXPECT_EQ(pragma_int(path, "PRAGMA user_version"), 99);  // not downgraded
}

TEST(BrainStoreOpen, ACorruptStore) {
  TempDir dir;
  const std::string path = dir.file("brain.db");
  {
    BrainStore store(path);
    for (int i = 0; i < 50; ++i) store.register_node("http://n" + std::to_string(i) + ".example", "r", 1, 0);
  }
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));  // checkpointed on close
  {
    // Keep the 100-byte header, wreck the rest of page 1 (the schema b-tree).
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    for (int i = 0; i < 3000; ++i) f.put(static_cast<char>(0xFF));
  }
  const StoreError e = open_error(path);
  EXPECT_TRUE(e.kind() == StoreError::Kind::Corrupt || e.kind() == StoreError::Kind::NotSqlite) << e.what();
  EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
}

TEST(BrainStoreOpen, UsesWal) {
  TempDir dir;
  const std::string path = dir.file("brain.db");
  BrainStore store(path);
  store.register_node("http://a.example", "r", 1, 0);
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
}

TEST(BrainStoreOpen, EmptyPath) { EXPECT_THROW(BrainStore(""), std::invalid_argument); }

TEST(BrainStoreOpen, ErrorNames) {
  EXPECT_EQ(store_error_name(StoreError::Kind::ForeignSchema), "foreign_schema");
  EXPECT_EQ(store_error_name(StoreError::Kind::NewerSchema), "newer_schema");
  EXPECT_EQ(store_error_name(StoreError::Kind::NotSqlite), "not_sqlite");
}

}  // namespace
}  // namespace zcache::brain
