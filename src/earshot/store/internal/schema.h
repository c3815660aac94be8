// The SQLite store's schema and its migrations (docs/storage.md describes the tables).
#ifndef EARSHOT_STORE_INTERNAL_SCHEMA_H_
#define EARSHOT_STORE_INTERNAL_SCHEMA_H_

#include "earshot/core/error.h"
#include "earshot/store/internal/sqlite_connection.h"

namespace earshot::store::internal {

// Migrations in order: kMigrations[i] takes the schema from version i to i + 1.
inline constexpr int kLatestSchemaVersion = 1;

// Sets the connection's pragmas (WAL, synchronous=FULL, busy timeout) and applies every
// migration the database lacks, each in its own transaction with its version row. Refuses
// a database whose schema is newer than this build knows.
Result<void> PrepareDatabase(Connection& connection);

}  // namespace earshot::store::internal

#endif  // EARSHOT_STORE_INTERNAL_SCHEMA_H_
