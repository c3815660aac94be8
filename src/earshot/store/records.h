// The values the Store interface (store.h) takes and returns, besides the core types.
#ifndef EARSHOT_STORE_RECORDS_H_
#define EARSHOT_STORE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/incident.h"
#include "earshot/core/local_frame.h"
#include "earshot/core/pulse.h"

namespace earshot::store {

// What an idempotent write did. A replay of something already stored is kDuplicate and
// changes nothing, so that a sensor resending after a lost acknowledgement is harmless.
enum class WriteOutcome { kInserted, kDuplicate };
const char* WriteOutcomeName(WriteOutcome outcome);  // "inserted", "duplicate"

// A sensor as registered: where it is and whatever else is known about it.
struct SensorInfo {
  std::string id;
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();  // deployment's local ENU metres
  double position_sigma_m = 0.0;
  std::optional<GeodeticPoint> geodetic;               // WGS84, when surveyed as lat/lon
  nlohmann::json metadata = nlohmann::json::object();  // model, firmware, mount, owner, ...
};

// A pulse's audio snippet: the bytes themselves or a path to a file holding them (for
// deployments that keep audio on a separate volume). The store computes the SHA-256 of
// the bytes when it stores the snippet and checks it on every read.
struct Snippet {
  std::string pulse_id;
  std::string media_type = "audio/flac";  // "audio/flac", "audio/wav"
  std::vector<unsigned char> bytes;       // empty when `path` is used
  std::string path;                       // empty when `bytes` is used
};

// A snippet as read back: bytes always loaded (from the path when stored by reference),
// and the digest recorded at insert, which they matched.
struct StoredSnippet {
  std::string pulse_id;
  std::string media_type;
  std::vector<unsigned char> bytes;
  std::string path;    // as stored; empty for inline bytes
  std::string sha256;  // 64 hex digits, recorded when stored
  int64_t stored_ns = 0;
};

// A pulse with its snippet, for batch ingest.
struct PulseWithSnippet {
  Pulse pulse;
  std::optional<Snippet> snippet;
};

// A person's verdict on an incident.
struct Review {
  std::string incident_id;
  std::string user;   // "alice"
  std::string label;  // the label the reviewer assigns: gunfire, not_gunfire, ...
  std::string note;
  int64_t at_ns = 0;  // UTC ns
};

// One stored incident version with its place in the change feed.
struct IncidentChange {
  int64_t sequence = 0;  // strictly increasing over all incident versions in the store
  Incident incident;
};

// Row counts, for the "counts match" checks.
struct StoreCounts {
  int64_t sensors = 0;
  int64_t pulses = 0;
  int64_t snippets = 0;
  int64_t shots = 0;  // distinct shot ids
  int64_t shot_versions = 0;
  int64_t incidents = 0;  // distinct incident ids
  int64_t incident_versions = 0;
  int64_t reviews = 0;
  int64_t dispositions = 0;
  int64_t audit_entries = 0;
};

}  // namespace earshot::store

#endif  // EARSHOT_STORE_RECORDS_H_
