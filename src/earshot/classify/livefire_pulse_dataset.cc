#include "earshot/classify/livefire_pulse_dataset.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "earshot/classify/internal/recording_labels.h"
#include "earshot/detect/recording.h"
#include "earshot/eval/livefire_dataset.h"

namespace earshot::classify {
namespace {

// The pulses the vendor located the test's shots with: the gunshot pulses.
std::vector<ReportedPulse> VendorShotPulses(const eval::LivefireTest& test) {
  std::set<std::string> used;
  for (const auto& tuple : test.vendor_shot_pulse_ids) used.insert(tuple.begin(), tuple.end());
  std::vector<ReportedPulse> reported;
  for (const Pulse& pulse : test.pulses) {
    if (!used.contains(pulse.id)) continue;
    reported.push_back(
        {.sensor_id = pulse.sensor_id, .onset_ns = pulse.onset_ns, .label = kGunfireClass});
  }
  return reported;
}

}  // namespace

Result<PulseDataset> BuildLivefirePulseDataset(const std::string& dir,
                                               const PulseDatasetOptions& options) {
  std::vector<Error> problems;
  auto tests = eval::LoadLivefireDataset(dir, &problems);
  if (!tests) return std::unexpected(tests.error());
  PulseDataset dataset;
  std::vector<std::vector<ReportedPulse>> reports;
  std::vector<internal::Recording> recordings;
  for (const eval::LivefireTest& test : *tests) {
    if (test.audio_wav_paths.empty()) continue;
    const int window = static_cast<int>(dataset.windows.size());
    dataset.windows.push_back(dir + "/" + test.name);
    reports.push_back(VendorShotPulses(test));
    std::vector<std::string> paths = test.audio_wav_paths;
    std::sort(paths.begin(), paths.end());
    for (std::string& path : paths) recordings.push_back({window, std::move(path)});
  }
  if (recordings.empty()) return Fail(dir, "", "no live-fire test with audio recordings");

  // As BuildPulseDataset: each recording into its own slot, joined in order. Every report is
  // a gunshot pulse, so every matched row is labelled gunfire.
  std::vector<internal::RecordingRows> results =
      internal::LabelRecordings(recordings, reports, options);
  for (std::size_t i = 0; i < recordings.size(); ++i) {
    internal::RecordingRows& result = results[i];
    if (result.error) return std::unexpected(*result.error);
    ++dataset.recordings;
    dataset.detections += result.detections;
    dataset.unmatched += result.unmatched;
    for (const std::vector<float>& row : result.rows) {
      dataset.rows.AddRow(row);
      dataset.labels.push_back(kGunfireClass);
      dataset.window_of_row.push_back(recordings[i].window);
      ++dataset.class_counts[kGunfireClass];
    }
  }
  return dataset;
}

}  // namespace earshot::classify
