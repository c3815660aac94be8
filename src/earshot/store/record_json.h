// Lossless JSON for what the store keeps (pulses, shots, incidents): every field, times as
// integer nanoseconds, doubles at full precision, NaN as null. Unlike core/json_io.h, which
// writes the user-facing formats (formatted times, frame-dependent positions), this is the
// store's own record format: a stored record must read back bit for bit, because a
// forensic report re-derives the location from it (DESIGN.md §7). Positions stay in the
// deployment's local ENU frame.
#ifndef EARSHOT_STORE_RECORD_JSON_H_
#define EARSHOT_STORE_RECORD_JSON_H_

#include <string>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/incident.h"
#include "earshot/core/pulse.h"
#include "earshot/core/shot.h"

namespace earshot::store {

nlohmann::json PulseToRecord(const Pulse& pulse);
nlohmann::json ShotToRecord(const Shot& shot);
nlohmann::json IncidentToRecord(const Incident& incident);

// The readers refuse a record that lacks a field or has the wrong type; `source` names
// the record in the error ("pulses:p-17").
Result<Pulse> PulseFromRecord(const nlohmann::json& record, const std::string& source);
Result<Shot> ShotFromRecord(const nlohmann::json& record, const std::string& source);
Result<Incident> IncidentFromRecord(const nlohmann::json& record, const std::string& source);

}  // namespace earshot::store

#endif  // EARSHOT_STORE_RECORD_JSON_H_
