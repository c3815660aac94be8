// How real simulated live-fire data looks: the same statistics of a real dataset and of a
// simulated one (both in the live-fire layout FPn/test_NNN/), side by side per firing
// position and over all, so that the simulator can be tuned towards the real data and
// its remaining differences stated (`earshot eval realism`, docs/simulation.md).
//
// Everything is computed identically on both directories from their files alone:
//
//   - Rounds are the vendor's shot tuples (nlos-tuples.json), the reference association.
//     A round's direct pulse at a sensor is the earliest pulse of that sensor in the
//     tuple. Its emission time t0 is the median over those direct pulses of t − τ, where
//     τ is the straight-ray travel time from the surveyed shooter position (the test's
//     temperature and wind, locate/arrival.h).
//   - Received level: power_dB_SPL of the direct pulses against their sensor's distance
//     from the survey, median per distance bin and the least-squares slope in dB per
//     decade of distance.
//   - SNR: signal_to_noise_dB of the direct pulses.
//   - Later pulses: per direct pulse, the pulses of the same sensor after it within the
//     echo window (1 s), closed early before the next round's predicted arrival there;
//     other rounds' tuple pulses are never counted. Echoes: their delay after the direct
//     pulse and their level relative to it. Pulses before the shot: each sensor's pulses
//     in the quiet window before the first round reached it, per minute: the rate of
//     unrelated impulses.
//   - Onset error: t − (t0 + τ) of the direct pulses. t0 is a median, so the error's
//     median is near zero by construction; its spread and tails are what differ. The
//     survey itself is a few metres off (smartphone GPS), which shows here as a pattern
//     over the sensors, so the rounds are also fitted: the source position that best
//     explains the direct pulses (the locator's robust loss, on the survey's height),
//     its residuals and its distance from the survey.
//   - Participation: for each round and each sensor of the firing position (every sensor
//     that reported any pulse in a compared test there), whether it is in the round's
//     tuple, and whether it heard the round at all (any pulse within the heard window
//     around its predicted arrival), per distance bin.
//   - Audio, where present: the project's detector (detect/recording.h) on every file;
//     pulses per minute of audio that exists (gaps excluded), the SNR and level of the
//     detected pulses, and the background level (median RMS over 100 ms blocks).
//
// Each distribution is shown as counts, 10/50/90 % quantiles and mean for real and
// simulated, the difference of medians (simulated − real) and the two-sample
// Kolmogorov–Smirnov statistic (the largest distance between the two empirical CDFs).
//
// Tests are paired by name ("FP1/test_001"); a test in one directory only is listed and
// left out, the rest are compared.
//
//   RealismOptions options;
//   auto report = CompareRealismDirs(real_dir, sim_dir, options);
//   if (!report) { std::cerr << report.error().ToString(); ... }
//   std::cout << FormatRealismReport(*report, options);
#ifndef EARSHOT_EVAL_REALISM_H_
#define EARSHOT_EVAL_REALISM_H_

#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/detect/recording.h"
#include "earshot/eval/livefire_dataset.h"

namespace earshot::eval {

struct RealismOptions {
  // Upper edges of the distance bins, metres, increasing; the last bin is open above.
  std::vector<double> distance_edges_m = {200.0, 400.0, 600.0, 800.0, 1000.0, 2000.0};
  // Later pulses are counted this long after the direct pulse ...
  double echo_window_s = 1.0;
  // ... but no later than this long before the next round's predicted arrival.
  double next_round_guard_s = 0.05;
  // A sensor heard a round when it has any pulse within [−early, +late] of its
  // predicted arrival.
  double heard_early_s = 0.05;
  double heard_late_s = 0.2;
  // Pulses before the shot: each sensor's pulses in this stretch before its predicted
  // arrival of the first round (ending `heard_early_s` before it), as a rate.
  double quiet_window_s = 1.5;
  bool audio = true;  // run the detector on the audio files
  detect::RecordingOptions recording;

  // False, with the reason in *error (when not null), if an option is unusable.
  bool IsValid(std::string* error) const;
};

// What one dataset, or one firing position of it, shows: one value per item.
struct RealismSamples {
  int tests = 0;
  int rounds = 0;  // tuples with at least one pulse
  int pulses = 0;  // every reported pulse
  // Direct pulses, one per round and sensor.
  std::vector<double> direct_distance_m;
  std::vector<double> direct_level_db;
  std::vector<double> direct_snr_db;
  std::vector<double> onset_error_ms;
  // The source fitted to each round's direct pulses: their residuals, and its horizontal
  // distance from the survey (one per round).
  std::vector<double> fit_residual_ms;
  std::vector<double> fit_offset_m;
  std::vector<double> later_pulses;  // count per direct pulse
  // Per test and sensor of the firing position: its pulses per minute in the quiet
  // window before the first round reached it (unrelated impulses, the noise rate).
  std::vector<double> quiet_pulses_per_minute;
  std::vector<double> echo_delay_ms;
  std::vector<double> echo_relative_level_db;  // echo − direct
  std::vector<double> sensors_per_round;       // sensors in each tuple
  // Participation: one item per round and sensor of the firing position.
  std::vector<double> candidate_distance_m;
  std::vector<char> candidate_in_tuple;
  std::vector<char> candidate_heard;
  // Audio.
  int audio_files = 0;
  double audio_minutes = 0.0;                   // audio that exists
  std::vector<double> audio_pulses_per_minute;  // per file
  std::vector<double> audio_snr_db;             // per detected pulse
  std::vector<double> audio_level_db;
  // Per file: the median over its 100 ms blocks (all-zero blocks left out) of the RMS
  // level, dB SPL with the sidecar's calibration: the background the pulses stand on.
  std::vector<double> audio_background_db_spl;

  void Add(const RealismSamples& other);
};

// The samples of one test from its pulses (no audio). `sensors` are the sensors of the
// firing position with their positions: the candidates for participation.
RealismSamples SampleTestPulses(const LivefireTest& test,
                                const std::map<std::string, Eigen::Vector3d>& sensors,
                                const RealismOptions& options);

// The audio samples of one recording; fails, naming the file, when it cannot be detected on.
Result<RealismSamples> SampleRecording(const std::string& wav_path, const RealismOptions& options);

// A distribution in a few numbers; NaN where there is no value.
struct Distribution {
  int n = 0;
  double q10 = 0.0, q50 = 0.0, q90 = 0.0;
  double mean = 0.0;
  double mad = 0.0;      // median absolute deviation about the median
  double p90_abs = 0.0;  // 90 % quantile of |value|
};
Distribution Describe(std::vector<double> values);
// Linear interpolation between order statistics (q in 0..1); NaN when empty.
double Quantile(std::vector<double> values, double q);
// The largest distance between the two empirical CDFs, 0..1; NaN when either is empty.
double KolmogorovSmirnov(std::vector<double> a, std::vector<double> b);
// Least-squares slope of level against log10(distance), dB per decade; NaN with fewer
// than two distinct distances.
double LevelSlopeDbPerDecade(const std::vector<double>& distance_m,
                             const std::vector<double>& level_db);

struct RealismGroup {
  std::string name;  // "FP1", or "all"
  RealismSamples real;
  RealismSamples sim;
};

struct RealismReport {
  std::string real_dir;
  std::string sim_dir;
  int real_tests = 0;  // read from each directory
  int sim_tests = 0;
  std::vector<std::string> compared;  // test names present in both
  std::vector<std::string> only_in_real;
  std::vector<std::string> only_in_sim;
  std::vector<Error> real_problems;  // tests or recordings that could not be read
  std::vector<Error> sim_problems;
  std::vector<RealismGroup> groups;  // per firing position, then "all"
};

// Pairs the tests by name and samples the common ones of each side.
RealismReport CompareRealism(const std::vector<LivefireTest>& real,
                             const std::vector<LivefireTest>& sim, const RealismOptions& options);

// Reads both directories and compares them. Fails, naming the directory and what was
// expected, when either is not a dataset (no FPn/test_NNN/ folder that can be read) or
// when the two have no test in common.
Result<RealismReport> CompareRealismDirs(const std::string& real_dir, const std::string& sim_dir,
                                         const RealismOptions& options);

std::string FormatRealismReport(const RealismReport& report, const RealismOptions& options);
nlohmann::json RealismReportToJson(const RealismReport& report, const RealismOptions& options);

}  // namespace earshot::eval

#endif  // EARSHOT_EVAL_REALISM_H_
