// Reading and writing Earshot's JSON formats (docs/formats.md), with validation.
//
// Every reader checks each record and refuses a bad one with an Error that names the
// source, the line (JSON Lines) or array index (JSON arrays), the field, and what was
// expected. A bad record never stops the rest: it is counted and kept aside in
// `refused`, and everything else is read.
//
// Formats read:
//   - Earshot pulses, JSON Lines (one pulse object a line; what `earshot detect` writes).
//   - The live-fire dataset's `allpulses.json` (a JSON array of vendor pulse reports).
//   - Sensors, JSON Lines (`{"sensor": ..., "position": {...}}`), for pulses without positions.
//   - Weather: the dataset's `weather.json` or Earshot's own keys.
// Formats written: pulses (JSON Lines), located shots (JSON Lines and GeoJSON).
#ifndef EARSHOT_CORE_JSON_IO_H_
#define EARSHOT_CORE_JSON_IO_H_

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"

namespace earshot {

// What reading an input produced: the accepted pulses and what was refused, and why.
struct PulseReadResult {
  PulseSet set;
  int records_read = 0;        // records (lines or array elements) seen, blank lines excluded
  std::vector<Error> refused;  // one per refused record, in input order
};

// A sensor's registered position, used for pulses that carry none.
struct SensorRecord {
  std::string id;
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();  // in the frame of the pulses
  double position_sigma_m = 0.0;
  // The position as given, when the sensors file gave it as lat/lon. The pulse readers
  // place it in their own frame (whose origin the pulses decide), so a geodetic sensors
  // file works whatever frame it was read with.
  std::optional<GeodeticPoint> geodetic;
};

// Reads pulses from a file: a JSON array whose elements have `pulse_uuid` is read as the
// live-fire dataset's allpulses.json; anything else as Earshot JSON Lines. `sensors`
// (may be empty) gives positions to pulses that carry none; a pulse with no position
// from either is refused ("unknown sensor"). Fails as a whole only when the file cannot
// be opened.
Result<PulseReadResult> ReadPulsesFile(const std::string& path,
                                       const std::vector<SensorRecord>& sensors = {});

// Parses Earshot pulse JSON Lines from a stream. `source` names it in errors.
PulseReadResult ParsePulsesJsonLines(std::istream& in, const std::string& source,
                                     const std::vector<SensorRecord>& sensors = {});

// Parses the dataset's allpulses.json array.
PulseReadResult ParseLivefirePulses(const nlohmann::json& array, const std::string& source);

// Reads a sensors file (JSON Lines). Positions given as lat/lon are kept in
// SensorRecord::geodetic and converted to position_m with `frame` when it is geodetic
// (position_m stays zero otherwise; the pulse readers use `geodetic`). One file uses one
// kind of position. Unlike the pulse readers this refuses the whole file at its first bad
// record: a sensors file is configuration, checked once at the edge.
Result<std::vector<SensorRecord>> ReadSensorsFile(const std::string& path, const LocalFrame& frame);

// Reads weather: the dataset's {"temperature", "speed", "direction"} or Earshot's
// {"temperature_c", "wind_speed_mps", "wind_from_deg"}.
Result<Weather> ReadWeatherFile(const std::string& path);

// One pulse as a JSON object in Earshot's pulse format (positions in `frame`:
// x_m/y_m/z_m when metric, lat/lon/height_m when geodetic).
nlohmann::json PulseToJson(const Pulse& pulse, const LocalFrame& frame);

// One located shot as a JSON object (the `earshot locate --json` contract).
nlohmann::json FixToJson(const Fix& fix, const LocalFrame& frame);

// One located shot as a GeoJSON Feature (Point geometry; properties as FixToJson).
// In a metric frame the coordinates are [x_m, y_m] and the feature says so.
nlohmann::json FixToGeoJsonFeature(const Fix& fix, const LocalFrame& frame);

}  // namespace earshot

#endif  // EARSHOT_CORE_JSON_IO_H_
