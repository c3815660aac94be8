#include "earshot/store/internal/sqlite_connection.h"

#include <sqlite3.h>

#include <utility>

namespace earshot::store::internal {
namespace {

Error SqliteError(sqlite3* db, const std::string& path, std::string_view what) {
  return Error{path, "sqlite", std::string(what) + ": " + sqlite3_errmsg(db)};
}

}  // namespace

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

// A bind fails only for a bad index or out of memory: a bug in the store's SQL, so abort.
Statement& Statement::Bind(int index, int64_t value) {
  EARSHOT_CHECK(sqlite3_bind_int64(stmt_, index, value) == SQLITE_OK);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  EARSHOT_CHECK(sqlite3_bind_double(stmt_, index, value) == SQLITE_OK);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  EARSHOT_CHECK(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                    SQLITE_UTF8) == SQLITE_OK);
  return *this;
}

Statement& Statement::BindBlob(int index, std::span<const unsigned char> bytes) {
  // A zero-length blob with a null pointer would bind NULL; keep it an empty blob.
  static const unsigned char kEmpty = 0;
  EARSHOT_CHECK(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(),
                                    bytes.size(), SQLITE_TRANSIENT) == SQLITE_OK);
  return *this;
}

Statement& Statement::BindNull(int index) {
  EARSHOT_CHECK(sqlite3_bind_null(stmt_, index) == SQLITE_OK);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(SqliteError(sqlite3_db_handle(stmt_), *db_path_,
                                     std::string("running ") + sqlite3_sql(stmt_)));
}

Result<void> Statement::Run() {
  Result<bool> row = Step();
  if (!row) return std::unexpected(row.error());
  return {};
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(size));
}

std::vector<unsigned char> Statement::Blob(int column) const {
  const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return std::vector<unsigned char>(data, data + size);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: SqliteStore's own mutex serialises every use of the connection.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = db != nullptr ? SqliteError(db, path, "cannot open database")
                                : Error{path, "sqlite", "cannot open database: out of memory"};
    sqlite3_close_v2(db);
    return std::unexpected(std::move(error));
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<void> Connection::Exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error error{path_, "sqlite",
                std::string("running ") + text + ": " +
                    (message != nullptr ? message : sqlite3_errmsg(db_))};
    sqlite3_free(message);
    return std::unexpected(std::move(error));
  }
  return {};
}

Result<Statement> Connection::Prepare(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return std::unexpected(SqliteError(db_, path_, "preparing " + sql));
    }
    found = statements_.emplace(sql, stmt).first;
  }
  return Statement(found->second, &path_);
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

Result<Transaction> Transaction::Begin(Connection& connection) {
  if (auto begun = connection.Exec("BEGIN IMMEDIATE"); !begun) {
    return std::unexpected(begun.error());
  }
  return Transaction(&connection);
}

Transaction::~Transaction() {
  // A failed rollback leaves nothing more to do: SQLite rolls back on its own when the
  // connection closes or the next BEGIN finds the transaction aborted.
  if (connection_ != nullptr) (void)connection_->Exec("ROLLBACK");
}

Result<void> Transaction::Commit() {
  if (auto committed = connection_->Exec("COMMIT"); !committed) {
    return std::unexpected(committed.error());
  }
  connection_ = nullptr;
  return {};
}

}  // namespace earshot::store::internal
