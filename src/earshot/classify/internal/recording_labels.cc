#include "earshot/classify/internal/recording_labels.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace earshot::classify::internal {

RecordingRows LabelRecording(const std::string& path, const std::vector<ReportedPulse>& reported,
                             const PulseDatasetOptions& options) {
  RecordingRows out;
  auto detection = detect::DetectRecording(path, options.recording);
  if (!detection) {
    out.error = detection.error();
    return out;
  }
  for (const Pulse& pulse : detection->pulses) {
    ++out.detections;
    auto label =
        LabelDetection(detection->sensor_id, pulse.onset_ns, reported, options.match_tolerance_s);
    if (!label) {
      ++out.unmatched;
      continue;
    }
    out.rows.push_back(PulseFeatureRow(pulse));
    out.labels.push_back(*label);
  }
  return out;
}

std::vector<RecordingRows> LabelRecordings(
    const std::vector<Recording>& recordings,
    const std::vector<std::vector<ReportedPulse>>& reports_per_window,
    const PulseDatasetOptions& options) {
  std::vector<RecordingRows> results(recordings.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < recordings.size(); i = next++) {
      const Recording& recording = recordings[i];
      results[i] = LabelRecording(
          recording.path, reports_per_window[static_cast<std::size_t>(recording.window)], options);
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < std::max(1, options.threads); ++t) workers.emplace_back(work);
    work();
  }
  return results;
}

}  // namespace earshot::classify::internal
