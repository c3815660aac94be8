// The body of POST /api/v1/pulses read into pulses and snippets (docs/api/openapi.yaml):
// {"pulses": [pulse objects as docs/formats.md, each optionally with "snippet":
// {"mime_type", "data_base64", "sha256"}]}. Each pulse is checked alone by the same reader
// as pulse files (core/json_io.h), so the API and the files refuse the same records with the
// same messages; one bad pulse is refused with its index and the rest go on.
//
// Positions end in the deployment's frame: lat/lon positions (in the pulse or from the
// sensors file) are placed with the configured origin; metric positions are taken as local
// ENU metres of that frame. A lat/lon position in a deployment without an origin is refused.
#ifndef EARSHOT_SERVER_PULSE_INGEST_H_
#define EARSHOT_SERVER_PULSE_INGEST_H_

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/json_io.h"
#include "earshot/core/local_frame.h"
#include "earshot/store/records.h"

namespace earshot::server {

// The most pulses one request may carry (the spec's maxItems).
inline constexpr std::size_t kMaxPulsesPerRequest = 1000;

struct RefusedPulse {
  std::size_t index = 0;  // 0-based position in the request's "pulses"
  std::string pulse_id;   // when the record had one
  std::string error;
};

struct IngestBatch {
  std::vector<std::size_t> indices;  // request index of each element of `pulses`
  std::vector<store::PulseWithSnippet> pulses;
  std::vector<RefusedPulse> refused;
};

// Fails only when the body as a whole is unusable (not an object, no "pulses" array, more
// than kMaxPulsesPerRequest); a bad pulse is a RefusedPulse.
Result<IngestBatch> ParseIngestBody(const nlohmann::json& body, const LocalFrame& frame,
                                    const std::vector<SensorRecord>& sensors);

// Standard base64 (RFC 4648 §4, padding optional, no whitespace); nullopt-like failure as
// false.
bool DecodeBase64(const std::string& text, std::vector<unsigned char>* bytes);

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_PULSE_INGEST_H_
