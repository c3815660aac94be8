// Detection over one recorded file: the audio, the sidecar beside it (which sensor, where,
// and when the first sample was taken; see audio/recording_metadata.h), the streaming
// detector, and pulses ready for the locator. What `earshot detect` and the live-fire
// audio evaluation run on every file.
//
//   auto detection = DetectRecording("test_001.audio.SCP-00-BNG-5567.wav", {});
//   for (const Pulse& pulse : detection->pulses) ...   // onset UTC, sensor position, features
//   for (const Gap& gap : detection->gaps) ...         // stretches the file did not hold
//
// The file is fed to the detector block by block as a sensor would feed it. Runs of
// exactly-zero samples at least DetectorOptions::dropout_min_s long are not sound but
// samples the recorder never had (a microphone's noise is never exactly zero for 50 ms;
// the live-fire files are zero-filled outside the stretch the vendor kept), so they go
// to the detector as gaps: they are reported, and the clock runs over them.
#ifndef EARSHOT_DETECT_RECORDING_H_
#define EARSHOT_DETECT_RECORDING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/core/local_frame.h"
#include "earshot/core/pulse.h"
#include "earshot/detect/detector.h"

namespace earshot::detect {

struct RecordingDetection {
  std::string sensor_id;
  std::string audio_path;
  double duration_s = 0;  // of the file, gaps included
  double sample_rate_hz = 0;
  // Pulse ids are "<sensor>-<onset_ns>": detecting the same file again gives the same ids,
  // so a replay is idempotent downstream.
  std::vector<Pulse> pulses;
  std::vector<Gap> gaps;
  // The frame of the pulses' sensor_position_m: metric when the sidecar gives local metres
  // (used as they are), geodetic when it gives lat/lon (see RecordingOptions::frame).
  LocalFrame frame = LocalFrame::Metric();
};

struct RecordingOptions {
  // Its full_scale_db_spl is replaced by the sidecar's (the calibration of this sensor).
  DetectorOptions detector;
  // When set, a file at another rate is refused (as is one that contradicts its sidecar).
  std::optional<double> expected_sample_rate_hz;
  // Samples per Push, as a capture would deliver them.
  size_t block_samples = 4096;
  // The geodetic frame to place a lat/lon sidecar's position in, so that the recordings
  // of one network share one frame. When unset, a lat/lon sensor is the origin of its
  // own frame, returned in RecordingDetection::frame; pass that to the next recording.
  // Ignored for sidecars in local metres.
  std::optional<LocalFrame> frame;
};

// Reads `audio_path` and its sidecar (audio::SidecarPathFor) and detects the pulses in it.
// Fails, naming the file, when either cannot be read, when the sample rate contradicts the
// sidecar or expected_sample_rate_hz (both rates named), or when the options are invalid.
Result<RecordingDetection> DetectRecording(const std::string& audio_path,
                                           const RecordingOptions& options);

// The id a pulse of `sensor_id` at `onset_ns` gets: "<sensor>-<onset_ns>".
std::string RecordedPulseId(const std::string& sensor_id, int64_t onset_ns);

}  // namespace earshot::detect

#endif  // EARSHOT_DETECT_RECORDING_H_
