// brain/store/schema.h — identifying the database file and bringing its schema up to date.
//
// A brain store is recognized by PRAGMA application_id = kApplicationId; its layout version is
// PRAGMA user_version. Migrations run in one BEGIN IMMEDIATE transaction each, so two processes
// opening the same new file cannot both apply them, and a crash leaves the previous version intact.
#pragma once

#include <cstdint>

namespace zcache::sqlite {
class Conn;
}

namespace zcache::brain {

inline constexpr std::int32_t kApplicationId = 0x7A636272;  // "zcbr": zcache brain
inline constexpr int kSchemaVersion = 1;                    // the newest layout this build knows

// Checks that `db` is empty or a brain store of version <= kSchemaVersion and migrates it to
// kSchemaVersion. Throws StoreError: NotSqlite, ForeignSchema, NewerSchema, ReadOnly, Corrupt.
void prepare_schema(sqlite::Conn& db);

}  // namespace zcache::brain
