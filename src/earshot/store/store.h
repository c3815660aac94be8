// The storage interface the stages and the server use (DESIGN.md §2, `store`): sensors,
// pulses with their audio snippets, every version of every shot and incident, reviews,
// dispositions, and the hash-chained audit log. SQLite is the default backend
// (sqlite_store.h); a PostgreSQL/PostGIS backend implements the same interface.
//
// Contract for every backend:
//   - Durable on return: when a write returns success it survives a crash of the process
//     (and, for SQLite with the default settings, a power loss). Only then may the caller
//     acknowledge what it wrote (DESIGN.md §6, "nothing accepted is lost").
//   - Idempotent: pulses and snippets by pulse id, shots and incidents by (id, version). A
//     replay returns WriteOutcome::kDuplicate and stores nothing. A stored version is
//     evidence and never changes: the same (id, version) with different content is refused;
//     a change is published as the next version.
//   - Every version kept: Get* return the highest version, *Versions all of them.
//   - Audited: every decision the store records (a shot or incident version, a review, a
//     disposition, an access to audio) appends its audit entry in the same transaction, so
//     that the decision and its audit entry are stored together or not at all.
//   - Bad input (empty ids, version < 1, review of an unknown incident) is refused with an
//     Error naming the record; storage failures are Errors naming the database.
//   - Thread-safe: any method may be called from any thread.
#ifndef EARSHOT_STORE_STORE_H_
#define EARSHOT_STORE_STORE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/core/incident.h"
#include "earshot/core/pulse.h"
#include "earshot/core/shot.h"
#include "earshot/store/audit_log.h"
#include "earshot/store/records.h"

namespace earshot::store {

class Store {
 public:
  virtual ~Store() = default;

  // Sensors: registered or re-registered (the latest registration wins).
  virtual Result<void> PutSensor(const SensorInfo& sensor) = 0;
  virtual Result<std::optional<SensorInfo>> GetSensor(const std::string& id) = 0;
  virtual Result<std::vector<SensorInfo>> ListSensors() = 0;

  // Pulses with optional snippets, in one transaction: one outcome per element, in order
  // (a pulse repeated inside the batch is a duplicate the second time). A batch with an
  // invalid element is refused whole, before anything is written; callers validate
  // outside input first (core/pulse_validation.h) and keep bad records aside.
  virtual Result<std::vector<WriteOutcome>> InsertPulses(
      std::span<const PulseWithSnippet> batch) = 0;
  Result<WriteOutcome> InsertPulse(const Pulse& pulse, std::optional<Snippet> snippet = {});
  virtual Result<std::optional<Pulse>> GetPulse(const std::string& id) = 0;

  // A snippet on its own (e.g. uploaded after its pulse). Idempotent by pulse id.
  virtual Result<WriteOutcome> PutSnippet(const Snippet& snippet) = 0;
  // Reads a snippet and checks its bytes against the digest recorded when it was stored;
  // a mismatch is an Error ("digest mismatch"). Every read, good or not, appends an
  // "audio.accessed" audit entry by `actor` ("user:alice", "machine:cap-export").
  virtual Result<StoredSnippet> ReadSnippet(const std::string& pulse_id,
                                            const std::string& actor) = 0;

  // Shots: appends "shot.located" (version 1) or "shot.updated" by `actor`.
  virtual Result<WriteOutcome> PutShot(const Shot& shot, const std::string& actor) = 0;
  virtual Result<std::optional<Shot>> GetShot(const std::string& id) = 0;
  virtual Result<std::vector<Shot>> ShotVersions(const std::string& id) = 0;  // by version
  // The latest version of each shot whose latest version belongs to the incident, by
  // emission time.
  virtual Result<std::vector<Shot>> ShotsOfIncident(const std::string& incident_id) = 0;
  // The pulses the latest version of the shot used (Fix::used), in that order; pulses not
  // (yet) stored are left out.
  virtual Result<std::vector<Pulse>> PulsesOfShot(const std::string& shot_id) = 0;

  // Incidents: appends "incident.created" (version 1) or "incident.updated" by `actor`.
  virtual Result<WriteOutcome> PutIncident(const Incident& incident, const std::string& actor) = 0;
  virtual Result<std::optional<Incident>> GetIncident(const std::string& id) = 0;
  virtual Result<std::vector<Incident>> IncidentVersions(const std::string& id) = 0;
  // The change feed for live push and catch-up after a reconnect: incident versions stored
  // after `after_sequence` (0: from the start), oldest first, at most `limit`. Pass the
  // last sequence seen as the next cursor.
  virtual Result<std::vector<IncidentChange>> IncidentsChangedSince(int64_t after_sequence,
                                                                    int limit) = 0;

  // A person's review or a disposition of an existing incident; appends
  // "incident.reviewed" / "incident.disposition" by "user:<name>". These record the
  // human decision; the incident stage publishes the resulting incident version.
  virtual Result<void> AddReview(const Review& review) = 0;
  virtual Result<std::vector<Review>> ReviewsOf(const std::string& incident_id) = 0;
  virtual Result<void> AddDisposition(const std::string& incident_id,
                                      const Disposition& disposition) = 0;
  virtual Result<std::vector<Disposition>> DispositionsOf(const std::string& incident_id) = 0;

  // Any other decision worth auditing ("alert.sent", "sensor.disabled").
  virtual Result<AuditRecord> AppendAudit(const AuditEntry& entry) = 0;
  // Entries after `after_sequence`, oldest first, at most `limit`.
  virtual Result<std::vector<AuditRecord>> ReadAudit(int64_t after_sequence, int limit) = 0;
  // Re-reads the whole chain and checks every link (audit_log.h).
  virtual Result<AuditChainCheck> VerifyAuditChain() = 0;

  virtual Result<StoreCounts> Counts() = 0;
};

}  // namespace earshot::store

#endif  // EARSHOT_STORE_STORE_H_
