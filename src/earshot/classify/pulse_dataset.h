// Labelled per-pulse training rows from the output of `earshot simulate`: what `earshot train`
// fits the pulse classifier on.
//
// The detector runs on every recording of every window (DIR/<group>/test_NNN/
// test_NNN.audio.<serial>.wav with its sidecar), exactly as `earshot detect` runs on it. Each
// detected pulse is then labelled by the truth: it is matched to the nearest pulse the same
// sensor reported in the window (test_NNN.allpulses.json) within ±5 ms, and that reported
// pulse's origin (the scene's DIR/truth.json, "pulses"; the window's own truth lists only
// the window's events, and a window also hears the tail of earlier ones) gives its event and the
// event its class. A sensor's local bangs (origin "noise") are other impulsive sounds. A detection
// that no reported pulse explains is left out and counted: the truth cannot say what it was.
//
//   Result<PulseDataset> rows = BuildPulseDataset("/tmp/sim", {});
//   model = GradientBoostedModel::Train(rows->rows, rows->labels, kPulseClassCount, {});
//
// The features are the detector's (detect/features.h), in its fixed order; a missing one
// is NaN. Rows come in a fixed order (groups, windows and recordings sorted by name, pulses
// by onset) whatever the thread count, so the same folder gives the same rows.
#ifndef EARSHOT_CLASSIFY_PULSE_DATASET_H_
#define EARSHOT_CLASSIFY_PULSE_DATASET_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/classify/gradient_boosted_model.h"
#include "earshot/core/error.h"
#include "earshot/core/pulse.h"
#include "earshot/detect/recording.h"

namespace earshot::classify {

// The classes of the pulse classifier, the simulator's event classes (truth.json), in the
// model's class order.
inline constexpr int kPulseClassCount = 4;
inline constexpr std::array<std::string_view, kPulseClassCount> kPulseClassNames = {
    "gunfire", "aerial_firework", "firecracker", "other_impulsive"};
inline constexpr int kGunfireClass = 0;

// The class index of a truth.json event class; nullopt for an unknown name.
std::optional<int> PulseClassFromName(std::string_view name);

// The detector's feature names in their fixed order: the model's columns.
std::vector<std::string> PulseFeatureNames();

// A pulse's detector features in PulseFeatureNames() order; NaN where the pulse lacks one.
std::vector<float> PulseFeatureRow(const Pulse& pulse);

// A pulse a sensor reported, with the class the truth gives it.
struct ReportedPulse {
  std::string sensor_id;
  int64_t onset_ns = 0;
  int label = 0;  // index into kPulseClassNames
};

// The class of the reported pulse of `sensor_id` nearest to `onset_ns`, if one lies within
// `tolerance_s`; nullopt otherwise.
std::optional<int> LabelDetection(const std::string& sensor_id, int64_t onset_ns,
                                  const std::vector<ReportedPulse>& reported, double tolerance_s);

// The class of every pulse of a simulated scene by pulse id, from DIR/truth.json ("pulses":
// origin -> event -> "events": class; a local bang, origin "noise", is other impulsive).
Result<std::map<std::string, int>> ReadPulseClasses(const std::string& truth_path);

// The reported pulses of one window folder (test_NNN.allpulses.json), labelled by
// `classes`. The vendor's arrival times are truncated to the millisecond, so each onset is
// taken at the middle of its millisecond.
Result<std::vector<ReportedPulse>> ReadWindowReports(const std::string& window_dir,
                                                     const std::map<std::string, int>& classes);

struct PulseDatasetOptions {
  double match_tolerance_s = 0.005;
  detect::RecordingOptions recording = {};
  int threads = 1;  // recordings detected at once; the rows do not depend on it
};

struct PulseDataset {
  FeatureMatrix rows = {.feature_names = PulseFeatureNames()};
  std::vector<int> labels;           // one per row, index into kPulseClassNames
  std::vector<int> window_of_row;    // one per row, index into `windows`
  std::vector<std::string> windows;  // "DIR/<group>/test_NNN", in order
  std::size_t recordings = 0;        // audio files detected
  std::size_t detections = 0;        // pulses the detector found in them
  std::size_t unmatched = 0;         // detections no reported pulse explains (left out)
  std::array<std::size_t, kPulseClassCount> class_counts = {};

  // Appends `other`'s rows and windows (its window indices shifted) and adds its counts.
  void Append(const PulseDataset& other);
};

// Builds the rows of one simulated output folder. Refuses, naming the folder, one that is
// not written by `earshot simulate` (no scenario.json saying so), one simulated with
// --pulses-only (no audio), and one with no window folders; a recording that cannot be
// detected fails the whole build, naming the file.
Result<PulseDataset> BuildPulseDataset(const std::string& sim_dir,
                                       const PulseDatasetOptions& options);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_PULSE_DATASET_H_
