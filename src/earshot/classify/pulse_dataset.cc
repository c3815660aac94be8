#include "earshot/classify/pulse_dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "earshot/classify/internal/dataset_files.h"
#include "earshot/classify/internal/recording_labels.h"
#include "earshot/core/time.h"
#include "earshot/detect/features.h"

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using internal::ReadJson;
using internal::StringOr;
using nlohmann::json;

}  // namespace

Result<std::map<std::string, int>> ReadPulseClasses(const std::string& path) {
  auto truth = ReadJson(path);
  if (!truth) return std::unexpected(truth.error());
  if (!truth->contains("events") || !truth->contains("pulses"))
    return Fail(path, "", "expected the keys \"events\" and \"pulses\" of a simulated scene");
  std::map<std::string, int> event_class;
  for (const json& event : (*truth)["events"]) {
    const std::string name = StringOr(event, "class");
    auto label = PulseClassFromName(name);
    if (!label) {
      return Fail(path, std::string("event ").append(StringOr(event, "id")),
                  std::string("unknown class \"").append(name).append("\""));
    }
    event_class[StringOr(event, "id")] = *label;
  }
  std::map<std::string, int> classes;
  for (const auto& [id, pulse] : (*truth)["pulses"].items()) {
    const std::string origin = StringOr(pulse, "origin");
    if (origin == "noise") {
      classes[id] = kPulseClassCount - 1;  // a sensor's local bang: other impulsive
      continue;
    }
    auto it = event_class.find(StringOr(pulse, "event"));
    if (it == event_class.end()) {
      return Fail(path, std::string("pulse ").append(id),
                  "its event is not among the scene's events");
    }
    classes[id] = it->second;
  }
  return classes;
}

namespace {

std::vector<std::string> SortedSubfolders(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The recordings of a window: <test>.audio.<serial>.wav, sorted.
std::vector<std::string> WindowRecordings(const fs::path& window_dir) {
  const std::string prefix = window_dir.filename().string() + ".audio.";
  std::vector<std::string> paths;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(window_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with(prefix) && name.ends_with(".wav"))
      paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Result<void> CheckSimulationOutput(const std::string& sim_dir) {
  auto scenario = internal::ReadSimulationScenario(sim_dir);
  if (!scenario) return std::unexpected(scenario.error());
  if (StringOr(*scenario, "generator") != "earshot simulate") {
    return Fail((fs::path(sim_dir) / "scenario.json").string(), "generator",
                "not written by 'earshot simulate'; training needs a simulated folder");
  }
  if (StringOr(*scenario, "mode") != "audio") {
    return Fail(sim_dir, "",
                "simulated with --pulses-only: there is no audio to run the detector on; "
                "simulate again without --pulses-only");
  }
  return {};
}

}  // namespace

std::optional<int> PulseClassFromName(std::string_view name) {
  for (int i = 0; i < kPulseClassCount; ++i) {
    if (kPulseClassNames[static_cast<size_t>(i)] == name) return i;
  }
  return std::nullopt;
}

std::vector<std::string> PulseFeatureNames() {
  return {detect::kFeatureNames.begin(), detect::kFeatureNames.end()};
}

std::vector<float> PulseFeatureRow(const Pulse& pulse) {
  std::vector<float> row;
  row.reserve(detect::kFeatureNames.size());
  for (std::string_view name : detect::kFeatureNames) {
    auto it = pulse.features.find(std::string(name));
    const bool usable = it != pulse.features.end() && std::isfinite(it->second);
    row.push_back(usable ? static_cast<float>(it->second)
                         : std::numeric_limits<float>::quiet_NaN());
  }
  return row;
}

std::optional<int> LabelDetection(const std::string& sensor_id, int64_t onset_ns,
                                  const std::vector<ReportedPulse>& reported, double tolerance_s) {
  const double tolerance_ns = tolerance_s * 1e9;
  std::optional<int> label;
  double best_ns = std::numeric_limits<double>::infinity();
  for (const ReportedPulse& report : reported) {
    if (report.sensor_id != sensor_id) continue;
    const double distance_ns = std::abs(static_cast<double>(report.onset_ns - onset_ns));
    if (distance_ns <= tolerance_ns && distance_ns < best_ns) {
      best_ns = distance_ns;
      label = report.label;
    }
  }
  return label;
}

Result<std::vector<ReportedPulse>> ReadWindowReports(const std::string& window_dir,
                                                     const std::map<std::string, int>& classes) {
  const fs::path dir(window_dir);
  const std::string stem = (dir / dir.filename()).string();
  const std::string allpulses_path = stem + ".allpulses.json";
  auto allpulses = ReadJson(allpulses_path);
  if (!allpulses) return std::unexpected(allpulses.error());
  if (!allpulses->is_array()) return Fail(allpulses_path, "", "expected an array of pulses");
  std::vector<ReportedPulse> reported;
  for (const json& pulse : *allpulses) {
    const std::string id = StringOr(pulse, "pulse_uuid");
    auto it = classes.find(id);
    if (it == classes.end()) {
      return Fail(allpulses_path, std::string("pulse ").append(id),
                  "not in the scene's truth.json");
    }
    auto onset = ParseIsoUtc(StringOr(pulse, "arrival_time_utc"));
    if (!onset) return Fail(allpulses_path, std::string("pulse ").append(id), onset.error());
    // Truncated to the millisecond: the true stamp lies in [t, t + 1 ms).
    reported.push_back({.sensor_id = StringOr(pulse, "serial_number"),
                        .onset_ns = *onset + 500'000,
                        .label = it->second});
  }
  return reported;
}

void PulseDataset::Append(const PulseDataset& other) {
  const int shift = static_cast<int>(windows.size());
  rows.values.insert(rows.values.end(), other.rows.values.begin(), other.rows.values.end());
  labels.insert(labels.end(), other.labels.begin(), other.labels.end());
  for (int w : other.window_of_row) window_of_row.push_back(w + shift);
  windows.insert(windows.end(), other.windows.begin(), other.windows.end());
  recordings += other.recordings;
  detections += other.detections;
  unmatched += other.unmatched;
  for (size_t c = 0; c < class_counts.size(); ++c) class_counts[c] += other.class_counts[c];
}

Result<PulseDataset> BuildPulseDataset(const std::string& sim_dir,
                                       const PulseDatasetOptions& options) {
  if (auto ok = CheckSimulationOutput(sim_dir); !ok) return std::unexpected(ok.error());
  auto classes = ReadPulseClasses((fs::path(sim_dir) / "truth.json").string());
  if (!classes) return std::unexpected(classes.error());
  PulseDataset dataset;
  std::vector<std::vector<ReportedPulse>> reports;
  std::vector<internal::Recording> recordings;
  const fs::path root(sim_dir);
  for (const std::string& group : SortedSubfolders(root)) {
    for (const std::string& test : SortedSubfolders(root / group)) {
      const fs::path window_dir = root / group / test;
      if (!fs::exists(window_dir / (test + ".allpulses.json"))) continue;
      auto window_reports = ReadWindowReports(window_dir.string(), *classes);
      if (!window_reports) return std::unexpected(window_reports.error());
      const int window = static_cast<int>(dataset.windows.size());
      dataset.windows.push_back(window_dir.string());
      reports.push_back(std::move(*window_reports));
      for (std::string& path : WindowRecordings(window_dir))
        recordings.push_back({.window = window, .path = std::move(path)});
    }
  }
  if (dataset.windows.empty()) {
    return Fail(sim_dir, "",
                "no window folders (<group>/test_NNN/ with test_NNN.allpulses.json): nothing to "
                "train on");
  }

  // Each recording is detected on its own into its own slot; the slots are joined in order.
  std::vector<internal::RecordingRows> results =
      internal::LabelRecordings(recordings, reports, options);
  for (size_t i = 0; i < recordings.size(); ++i) {
    internal::RecordingRows& result = results[i];
    if (result.error) return std::unexpected(*result.error);
    ++dataset.recordings;
    dataset.detections += result.detections;
    dataset.unmatched += result.unmatched;
    for (size_t r = 0; r < result.rows.size(); ++r) {
      dataset.rows.AddRow(result.rows[r]);
      dataset.labels.push_back(result.labels[r]);
      dataset.window_of_row.push_back(recordings[i].window);
      ++dataset.class_counts[static_cast<size_t>(result.labels[r])];
    }
  }
  return dataset;
}

}  // namespace earshot::classify
