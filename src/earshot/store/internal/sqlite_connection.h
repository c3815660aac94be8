// A thin RAII layer over the SQLite C API for the store: one connection, its prepared
// statements cached by SQL text (prepared once, reset and reused per call), and scoped
// transactions that roll back unless committed. Not thread-safe; SqliteStore serialises
// access with its mutex.
#ifndef EARSHOT_STORE_INTERNAL_SQLITE_CONNECTION_H_
#define EARSHOT_STORE_INTERNAL_SQLITE_CONNECTION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace earshot::store::internal {

// A cached prepared statement borrowed for one use: bind, step, read columns. Resetting
// it (and clearing its bindings) on destruction leaves it ready for the next borrower.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, const std::string* db_path) : stmt_(stmt), db_path_(db_path) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_path_(other.db_path_) {
    other.stmt_ = nullptr;
  }

  // Parameters are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& BindBlob(int index, std::span<const unsigned char> bytes);
  Statement& BindNull(int index);

  // true: a row is ready; false: done. Errors (constraint, I/O, busy) name the database.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Result<void> Run();

  // Columns are 0-based.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  std::vector<unsigned char> Blob(int column) const;

 private:
  sqlite3_stmt* stmt_;
  const std::string* db_path_;
};

class Connection {
 public:
  // Opens (creating when absent) the database file at `path` for reading and writing.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements with no parameters (schema, pragmas).
  Result<void> Exec(std::string_view sql);
  // The cached statement for `sql`, prepared on first use.
  Result<Statement> Prepare(const std::string& sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::map<std::string, sqlite3_stmt*> statements_;
};

// BEGIN IMMEDIATE on construction (taking the write lock up front, so that a transaction
// never fails half-way for want of it); ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& connection);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : connection_(other.connection_) {
    other.connection_ = nullptr;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Result<void> Commit();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;  // nullptr once committed or moved from
};

}  // namespace earshot::store::internal

#endif  // EARSHOT_STORE_INTERNAL_SQLITE_CONNECTION_H_
