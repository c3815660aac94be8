// The default Store (store.h): one SQLite database file, for the embedded deployment.
//
//   Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open("earshot.db");
//   (*store)->InsertPulses(batch);   // durable when it returns: acknowledge now
//
// Durability: the database runs in WAL mode with synchronous=FULL, so every committed
// transaction is fsync'ed to the write-ahead log before the call returns. It survives
// kill -9 and power loss (WAL with synchronous=NORMAL would survive kill -9 but could lose
// the last transactions on power loss, which would break "acknowledged means durable").
// The cost, one fsync per transaction, is why ingest goes in batches (InsertPulses).
//
// Schema: created on first open and migrated forward on later opens, recorded in the
// schema_version table (docs/storage.md). A database from a newer build is refused.
//
// Threads: one connection guarded by one mutex; every method may be called from any
// thread, and calls run one at a time. Other processes may read the file meanwhile (WAL
// lets readers run beside the writer); only one process should write.
#ifndef EARSHOT_STORE_SQLITE_STORE_H_
#define EARSHOT_STORE_SQLITE_STORE_H_

#include <memory>
#include <mutex>
#include <string>

#include "earshot/store/store.h"

namespace earshot::store {

namespace internal {
class Connection;
}  // namespace internal

class SqliteStore final : public Store {
 public:
  // The schema version this build creates and understands.
  static constexpr int kSchemaVersion = 1;

  // Opens or creates the database at `path` and brings its schema up to date.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  Result<void> PutSensor(const SensorInfo& sensor) override;
  Result<std::optional<SensorInfo>> GetSensor(const std::string& id) override;
  Result<std::vector<SensorInfo>> ListSensors() override;

  Result<std::vector<WriteOutcome>> InsertPulses(std::span<const PulseWithSnippet> batch) override;
  Result<std::optional<Pulse>> GetPulse(const std::string& id) override;
  Result<WriteOutcome> PutSnippet(const Snippet& snippet) override;
  Result<StoredSnippet> ReadSnippet(const std::string& pulse_id, const std::string& actor) override;

  Result<WriteOutcome> PutShot(const Shot& shot, const std::string& actor) override;
  Result<std::optional<Shot>> GetShot(const std::string& id) override;
  Result<std::vector<Shot>> ShotVersions(const std::string& id) override;
  Result<std::vector<Shot>> ShotsOfIncident(const std::string& incident_id) override;
  Result<std::vector<Pulse>> PulsesOfShot(const std::string& shot_id) override;

  Result<WriteOutcome> PutIncident(const Incident& incident, const std::string& actor) override;
  Result<std::optional<Incident>> GetIncident(const std::string& id) override;
  Result<std::vector<Incident>> IncidentVersions(const std::string& id) override;
  Result<std::vector<IncidentChange>> IncidentsChangedSince(int64_t after_sequence,
                                                            int limit) override;

  Result<void> AddReview(const Review& review) override;
  Result<std::vector<Review>> ReviewsOf(const std::string& incident_id) override;
  Result<void> AddDisposition(const std::string& incident_id,
                              const Disposition& disposition) override;
  Result<std::vector<Disposition>> DispositionsOf(const std::string& incident_id) override;

  Result<AuditRecord> AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditRecord>> ReadAudit(int64_t after_sequence, int limit) override;
  Result<AuditChainCheck> VerifyAuditChain() override;

  Result<StoreCounts> Counts() override;

 private:
  explicit SqliteStore(std::unique_ptr<internal::Connection> connection);

  // The *Locked helpers expect mutex_ held and, for writes, a transaction open.
  Result<AuditRecord> AppendAuditLocked(const AuditEntry& entry);
  Result<WriteOutcome> PutSnippetLocked(const Snippet& snippet);
  Result<bool> IncidentExistsLocked(const std::string& id);
  Result<std::vector<AuditRecord>> ReadAuditLocked(int64_t after_sequence, int64_t limit);

  std::mutex mutex_;
  std::unique_ptr<internal::Connection> connection_;
};

}  // namespace earshot::store

#endif  // EARSHOT_STORE_SQLITE_STORE_H_
