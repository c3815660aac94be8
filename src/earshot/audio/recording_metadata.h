// The metadata that comes beside a sensor recording: which sensor, where it was, and the
// UTC time of the first sample. Without it a recording has no time and no place, so a
// missing or malformed sidecar is an error, never a default.
//
// Sidecar format (the live-fire dataset's `test_NNN.audio.<serial>.json`):
//   {"serial_number": "SCP-00-BNG-5567", "timestamp": "2018-12-19T00:49:26.000Z",
//    "location": {"x": -11625.39, "y": 3373.85, "z": -125.09},
//    "sample_rate_hz": 12000,            // optional; checked against the audio file
//    "full_scale_db_spl": 93.0}          // optional; the dataset's sensors are about 93
// Other keys are ignored. Locations are local metres (the dataset's frame); a sidecar may
// instead give {"lat": .., "lon": .., "alt_m": ..} (WGS84), in which case `geodetic` is set.
#ifndef EARSHOT_AUDIO_RECORDING_METADATA_H_
#define EARSHOT_AUDIO_RECORDING_METADATA_H_

#include <cstdint>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "earshot/core/error.h"

namespace earshot::audio {

struct RecordingMetadata {
  std::string sensor_id;
  int64_t first_sample_ns = 0;  // UTC time of sample 0
  // Sensor position: local metres when geodetic is false; (lat deg, lon deg, alt m) else.
  Eigen::Vector3d position = Eigen::Vector3d::Zero();
  bool geodetic = false;
  std::optional<double> sample_rate_hz;  // when the sidecar states it
  double full_scale_db_spl = 93.0;       // level of a full-scale sine peak, dB SPL
};

// Parses a sidecar file; errors name the file and the field.
Result<RecordingMetadata> ReadRecordingMetadata(const std::string& path);

// `x.wav` -> `x.json` (also for .flac and other extensions).
std::string SidecarPathFor(const std::string& audio_path);

}  // namespace earshot::audio

#endif  // EARSHOT_AUDIO_RECORDING_METADATA_H_
