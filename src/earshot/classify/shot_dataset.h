// Labelled training and evaluation rows of the shot (incident) classifier: one row per
// located shot, made exactly as the live pipeline makes it (detect on each recording ->
// locate -> incidents -> shot features -> ShotModelRow), labelled by the truth.
//
// Simulated folders (`earshot simulate` output, audio mode): each detected pulse is
// matched to the nearest pulse the same sensor reported in its window
// (test_NNN.allpulses.json, millisecond-truncated times taken at the middle of their
// millisecond) within ±match_tolerance_s, and that report's truth (DIR/truth.json) gives its
// event, emission and class, or says it was a sensor's local bang ("noise"). A fix takes the
// majority class of its used pulses that matched; when fewer than half of them matched, the
// truth cannot say what it was and the fix is left out (counted). Its incident is the
// majority event among those pulses, its true position that event's majority emission.
// Windows overlap and a window also hears the tail of earlier events, so one emission can be
// located in two windows; it is kept once, from the first window whose time span holds it
// (else the first window that located it).
//
// Real live-fire folders (Pittsburgh FPn/test_NNN): every shot fired was gunfire, so a fix
// within survey_match_radius_m (horizontally) of the test's surveyed firing position is
// gunfire of the incident "FPn/test_NNN"; any other fix is left out (counted).
//
//   Result<ShotDataset> sim = BuildSimulatedShotDataset("/tmp/sim", {.threads = 2});
//   Result<ShotDataset> real = BuildLivefireShotDataset("../shared/data/...", {});
//   sim->Append(*real);
//
// Rows come in a fixed order (tests by name, fixes by emission) whatever the thread count.
#ifndef EARSHOT_CLASSIFY_SHOT_DATASET_H_
#define EARSHOT_CLASSIFY_SHOT_DATASET_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "earshot/classify/gradient_boosted_model.h"
#include "earshot/classify/incident_grouping.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/classify/shot_row.h"
#include "earshot/core/error.h"
#include "earshot/detect/recording.h"
#include "earshot/locate/locator.h"

namespace earshot::classify {

// The locator as `eval livefire --from-audio` runs it: a test or a simulated window holds at
// most six recordings, so a fix needs four sensors rather than the network's five.
inline locate::LocateOptions ShotDatasetLocateOptions() {
  locate::LocateOptions options;
  options.min_sensors = 4;
  return options;
}

struct ShotDatasetOptions {
  detect::RecordingOptions recording{};
  locate::LocateOptions locate = ShotDatasetLocateOptions();
  IncidentGroupingOptions incidents{};
  // The sensors' height above the street, for ContextForShot's ground height: the
  // simulator mounts its sensors at 6 m, a typical pole or roof edge.
  double sensor_mount_height_m = 6.0;
  double match_tolerance_s = 0.005;     // detected pulse to reported pulse (simulated)
  double survey_match_radius_m = 60.0;  // fix to surveyed firing position (live-fire)
  int threads = 1;                      // tests processed at once; rows do not depend on it
};

struct ShotDataset {
  FeatureMatrix rows{.feature_names = ShotModelFeatureNames()};
  std::vector<int> labels;  // index into kPulseClassNames
  // Simulated: "<folder>:<event id>"; a fix made of local bangs: "<folder>:noise:<test>:<n>";
  // live-fire: the test, "FP1/test_001". Rows of one incident must not be split between
  // training and held-out sets.
  std::vector<std::string> incident_of_row;
  std::vector<std::string> test_of_row;  // "FP1/test_001", "TRAIN/test_007"
  // Horizontal distance from the fix to the true source (simulated: its emission; live-fire:
  // the survey); NaN when unknown (local bangs).
  std::vector<double> location_error_m;
  std::size_t tests = 0, recordings = 0, detections = 0, fixes = 0;
  std::size_t unlabelled_fixes = 0;  // the truth cannot say what they were: left out
  std::size_t duplicate_fixes = 0;   // an emission already kept from an earlier window: left out
  std::size_t fixes_outside_window = 0;  // kept rows whose emission lies outside their window
  std::array<std::size_t, kPulseClassCount> class_counts{};
  // Recordings that could not be read or detected on, and test folders that could not be
  // read: skipped, the rest built.
  std::vector<Error> problems;

  // Appends `other`'s rows and adds its counts and problems.
  void Append(const ShotDataset& other);
};

// Rows of one `earshot simulate` output folder. Refuses, naming the folder, one that is not
// simulator output (no scenario.json), one made with --pulses-only (no audio), one without
// truth.json and one with no test folders.
Result<ShotDataset> BuildSimulatedShotDataset(const std::string& sim_dir,
                                              const ShotDatasetOptions& options);

// Rows of a real live-fire folder: the root (FPn/test_NNN/ below it) or one firing position
// (".../FP1"). Refuses one with no tests.
Result<ShotDataset> BuildLivefireShotDataset(const std::string& livefire_dir,
                                             const ShotDatasetOptions& options);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_SHOT_DATASET_H_
