// The sensor's durable outbox: pulses and their snippets wait here, on disk, until the
// receiver acknowledges them (DESIGN.md §6: nothing accepted is lost).
//
// Layout: one directory; pulse `ID` is `ID.json` (its record, one JSON object and a
// newline) and, when it has one, `ID.flac` (its snippet). Names starting with a dot are the
// spool's own (temporary files, the writer's lock) and never listed.
//
// Contract:
//   - Put is durable when it returns: the snippet is fsync'd and renamed into place, then
//     the record is written under a temporary name, fsync'd and renamed, then the directory
//     is fsync'd. The record's rename is the commit: a crash before it leaves only
//     temporary files or a snippet without a record, which the writer removes when it
//     next opens the spool.
//   - Put of an id already in the spool changes nothing (replays are idempotent by id).
//   - Ack deletes the record, then the snippet. Acknowledging an unknown id (already
//     acknowledged, never spooled) is not an error; it is reported as such.
//   - The spool never grows past its cap. When a pulse does not fit it is refused, loudly,
//     and the pulses already waiting are kept: it never drops old unacknowledged pulses
//     to make room.
//   - One writer (the agent) at a time, held by a lock; readers and acknowledgers (the
//     `earshot sensor list/ack` commands, the uplink) may run beside it.
#ifndef EARSHOT_SENSOR_SPOOL_H_
#define EARSHOT_SENSOR_SPOOL_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"

namespace earshot::sensor {

struct SpoolOptions {
  int64_t max_bytes = 512LL << 20;  // cap on records and snippets together
};

// One pulse waiting in the spool.
struct SpooledPulse {
  std::string pulse_id;
  int64_t onset_ns = 0;
  std::string record_path;
  std::string snippet_path;  // empty when the pulse has no snippet
  int64_t bytes = 0;         // record and snippet
  nlohmann::json record;
};

struct SpoolListing {
  std::vector<SpooledPulse> pending;  // in onset order (then id)
  std::vector<Error> unreadable;      // records that could not be read, one Error each
};

// What opening the spool for writing cleaned up after an earlier crash.
struct SpoolRecovery {
  int temporary_files_removed = 0;
  int orphan_snippets_removed = 0;  // snippets whose record was never committed
};

enum class PutOutcome { kSpooled, kAlreadySpooled };
enum class AckOutcome { kAcknowledged, kUnknown };

class Spool {
 public:
  // For the writer: creates the directory if needed, takes the writer's lock (fails when
  // another agent holds it), removes what an earlier crash left, and counts the bytes held.
  static Result<Spool> OpenForWriting(const std::string& directory, const SpoolOptions& options);
  // For readers and acknowledgers: the directory must exist; takes no lock.
  static Result<Spool> Open(const std::string& directory, const SpoolOptions& options = {});

  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // Ids become file names: 1..128 characters of [A-Za-z0-9._-], not starting with a dot.
  static Result<void> CheckPulseId(const std::string& pulse_id);

  // Where the caller writes a snippet before Put moves it in; its final name is
  // SnippetFileName(pulse_id), which the record should reference.
  std::string SnippetTempPath(const std::string& pulse_id) const;
  static std::string SnippetFileName(const std::string& pulse_id) { return pulse_id + ".flac"; }

  bool Contains(const std::string& pulse_id) const;
  // The spooled record of a pulse; fails when it is not in the spool or cannot be read.
  Result<SpooledPulse> Read(const std::string& pulse_id) const;

  // Durably stores a record and (when `snippet_temp_path` is not empty) moves the snippet
  // written there into the spool. The temporary snippet is consumed in every case. Fails
  // when the spool is full (nothing is stored) or the disk fails.
  Result<PutOutcome> Put(const std::string& pulse_id, const nlohmann::json& record,
                         const std::string& snippet_temp_path = "");

  Result<AckOutcome> Ack(const std::string& pulse_id);

  Result<SpoolListing> List() const;

  const std::string& directory() const { return directory_; }
  int64_t bytes() const { return bytes_; }
  int64_t max_bytes() const { return options_.max_bytes; }
  const SpoolRecovery& recovery() const { return recovery_; }

 private:
  Spool(std::string directory, const SpoolOptions& options);
  std::string PathOf(const std::string& name) const;
  Result<void> Recover();
  // Fills in the pulse's snippet path (when there is one) and its bytes.
  void AddSnippet(SpooledPulse* pulse) const;
  // Bytes in records and snippets now on disk (other processes acknowledge too).
  Result<int64_t> CountBytes() const;

  std::string directory_;
  SpoolOptions options_;
  int lock_fd_ = -1;
  int64_t bytes_ = 0;
  SpoolRecovery recovery_;
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_SPOOL_H_
