// Detecting recordings and labelling each detection by the nearest reported pulse
// (LabelDetection): the step the simulated pulse dataset (pulse_dataset.cc) and the live-fire
// one (livefire_pulse_dataset.cc) share. Recordings are detected on several threads, each
// into its own slot, so that the rows come out in the recordings' order whatever the threads.
//
//   std::vector<internal::RecordingRows> results =
//       internal::LabelRecordings(recordings, reports_per_window, options);
#ifndef EARSHOT_CLASSIFY_INTERNAL_RECORDING_LABELS_H_
#define EARSHOT_CLASSIFY_INTERNAL_RECORDING_LABELS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "earshot/classify/pulse_dataset.h"
#include "earshot/core/error.h"

namespace earshot::classify::internal {

// One recording of a window (an index into the reports given to LabelRecordings).
struct Recording {
  int window = 0;
  std::string path;
};

// The labelled rows of one recording; `error` when it could not be detected.
struct RecordingRows {
  std::vector<std::vector<float>> rows;  // PulseFeatureRow of each matched detection
  std::vector<int> labels;               // per row, the matched report's label
  std::size_t detections = 0;
  std::size_t unmatched = 0;  // detections no report matched: no row
  std::optional<Error> error;
};

// Detects `path` and labels its detections against `reported`.
RecordingRows LabelRecording(const std::string& path, const std::vector<ReportedPulse>& reported,
                             const PulseDatasetOptions& options);

// LabelRecording of every recording against its window's reports, on options.threads threads;
// result i is recording i's.
std::vector<RecordingRows> LabelRecordings(
    const std::vector<Recording>& recordings,
    const std::vector<std::vector<ReportedPulse>>& reports_per_window,
    const PulseDatasetOptions& options);

}  // namespace earshot::classify::internal

#endif  // EARSHOT_CLASSIFY_INTERNAL_RECORDING_LABELS_H_
