#include "earshot/store/internal/schema.h"

#include <array>
#include <string>

namespace earshot::store::internal {
namespace {

// Version 1. Records are the store's lossless JSON (record_json.h); the columns beside
// them are what queries select on. Tables of evidence are append-only by convention of the
// code (no UPDATE/DELETE statements); the audit log is so by trigger as well, so that even
// a hand-written statement cannot rewrite it without first dropping the trigger.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE sensors (
  id TEXT PRIMARY KEY,
  x_m REAL NOT NULL, y_m REAL NOT NULL, z_m REAL NOT NULL,
  position_sigma_m REAL NOT NULL,
  lat_deg REAL, lon_deg REAL, height_m REAL,
  metadata TEXT NOT NULL,
  updated_ns INTEGER NOT NULL
);
CREATE TABLE pulses (
  id TEXT PRIMARY KEY,
  sensor_id TEXT NOT NULL,
  onset_ns INTEGER NOT NULL,
  record TEXT NOT NULL,
  stored_ns INTEGER NOT NULL
);
CREATE INDEX pulses_by_sensor_onset ON pulses (sensor_id, onset_ns);
CREATE TABLE snippets (
  pulse_id TEXT PRIMARY KEY,
  media_type TEXT NOT NULL,
  bytes BLOB,
  path TEXT,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  stored_ns INTEGER NOT NULL,
  CHECK ((bytes IS NULL) != (path IS NULL))
);
CREATE TABLE shot_versions (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  incident_id TEXT NOT NULL,
  emission_ns INTEGER NOT NULL,
  record TEXT NOT NULL,
  stored_ns INTEGER NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE INDEX shot_versions_by_incident ON shot_versions (incident_id);
CREATE TABLE incident_versions (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  record TEXT NOT NULL,
  stored_ns INTEGER NOT NULL,
  UNIQUE (id, version)
);
CREATE TABLE reviews (
  row_id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL,
  user TEXT NOT NULL,
  label TEXT NOT NULL,
  note TEXT NOT NULL,
  at_ns INTEGER NOT NULL
);
CREATE INDEX reviews_by_incident ON reviews (incident_id);
CREATE TABLE dispositions (
  row_id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL,
  code TEXT NOT NULL,
  note TEXT NOT NULL,
  by_user TEXT NOT NULL,
  at_ns INTEGER NOT NULL
);
CREATE INDEX dispositions_by_incident ON dispositions (incident_id);
CREATE TABLE audit_log (
  sequence INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_subject ON audit_log (subject_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

constexpr std::array<const char*, kLatestSchemaVersion> kMigrations = {kSchemaV1};

Result<int> CurrentVersion(Connection& connection) {
  Result<Statement> read =
      connection.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!read) return std::unexpected(read.error());
  Result<bool> row = read->Step();
  if (!row) return std::unexpected(row.error());
  return static_cast<int>(read->Int(0));
}

}  // namespace

Result<void> PrepareDatabase(Connection& connection) {
  // WAL: readers beside the writer, and one fsync per commit. synchronous=FULL: that fsync
  // happens before COMMIT returns, so a committed transaction survives power loss.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=OFF"}) {
    if (auto done = connection.Exec(pragma); !done) return done;
  }
  if (auto made =
          connection.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                          "applied_ns INTEGER NOT NULL)");
      !made) {
    return made;
  }
  Result<int> version = CurrentVersion(connection);
  if (!version) return std::unexpected(version.error());
  if (*version > kLatestSchemaVersion) {
    return Fail(connection.path(), "schema_version",
                "database schema version " + std::to_string(*version) +
                    " is newer than this build understands (" +
                    std::to_string(kLatestSchemaVersion) + "); use a newer earshot");
  }
  for (int from = *version; from < kLatestSchemaVersion; ++from) {
    Result<Transaction> transaction = Transaction::Begin(connection);
    if (!transaction) return std::unexpected(transaction.error());
    if (auto applied = connection.Exec(kMigrations[from]); !applied) return applied;
    Result<Statement> record = connection.Prepare(
        "INSERT INTO schema_version (version, applied_ns) "
        "VALUES (?, CAST((julianday('now') - 2440587.5) * 86400000000000 AS INTEGER))");
    if (!record) return std::unexpected(record.error());
    if (auto done = record->Bind(1, from + 1).Run(); !done) return done;
    if (auto committed = transaction->Commit(); !committed) return committed;
  }
  return {};
}

}  // namespace earshot::store::internal
