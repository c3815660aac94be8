// Scoring the locator on the live-fire dataset, in the vendor tech note's terms and
// in stricter per-shot terms.
//
// Per firing position (TN 098 table): shots located N of M fired, mean sensors per shot,
// survey error (2D distance from the centroid of the located shots to the surveyed
// position) and σ1, σ2 (square roots of the eigenvalues of the 2D covariance of the
// shots about their centroid). Per shot: median and 90th-percentile 2D error, share
// within 15 m and 25 m. Per test: rounds counted right. Association: precision and
// recall of our pulses per shot against the vendor's pulse selection. Time per shot.
//
// A fix counts as a shot of the test when it lies within `match_radius_m` of the
// surveyed position; fixes further away are reported as "other fixes" (unrelated
// sources in the city, or false fixes), never silently dropped.
#ifndef EARSHOT_EVAL_LIVEFIRE_EVAL_H_
#define EARSHOT_EVAL_LIVEFIRE_EVAL_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/eval/livefire_dataset.h"
#include "earshot/locate/locator.h"

namespace earshot::eval {

struct LivefireEvalOptions {
  locate::LocateOptions locate;
  double match_radius_m = 100.0;
};

struct ShotResult {
  std::string test;
  double error_2d_m = 0.0;
  int n_sensors = 0;
  double sigma1_m = 0.0;  // the fix's own predicted ellipse
  double radius95_m = 0.0;
  Eigen::Vector2d offset_m = Eigen::Vector2d::Zero();  // fix − survey
};

struct TestResult {
  std::string name;
  std::string firing_position;
  int rounds_fired = 0;
  int shots_near = 0;   // fixes within match_radius_m of the survey
  int other_fixes = 0;  // fixes elsewhere
  bool rounds_right = false;
  int pulses = 0;
  int vendor_pulses = 0;         // in the vendor's shot tuples
  int vendor_pulses_found = 0;   // ... that our matching fix also used
  int our_pulses = 0;            // in our fixes near the survey
  int our_pulses_in_vendor = 0;  // ... that the vendor's tuple of that shot also has
  double locate_seconds = 0.0;
  std::vector<ShotResult> shots;
};

struct PositionSummary {
  std::string firing_position;  // "FP1", or "all"
  int tests = 0;
  int shots_fired = 0;
  int shots_located = 0;
  int other_fixes = 0;
  double mean_sensors = 0.0;
  double survey_error_m = 0.0;
  double sigma1_m = 0.0;
  double sigma2_m = 0.0;
  double median_error_m = 0.0;
  double p90_error_m = 0.0;
  double within_15m = 0.0;  // share, 0..1
  double within_25m = 0.0;
  double within_own_r95 = 0.0;  // share of shots whose error is inside their own 95 % radius
  int tests_rounds_right = 0;
  double association_precision = 0.0;
  double association_recall = 0.0;
  double ms_per_shot = 0.0;
};

struct LivefireReport {
  std::vector<TestResult> tests;
  std::vector<PositionSummary> positions;  // one per firing position, then "all"
};

// Locates every test from all of its pulses and scores it.
LivefireReport EvaluateLivefire(const std::vector<LivefireTest>& tests,
                                const LivefireEvalOptions& options);

// The two steps of EvaluateLivefire, for evaluations that locate other pulses (those
// detected on the audio). LocateAndScoreTest locates `pulses` in the test's weather and
// scores the fixes against its survey; association is scored against
// `vendor_shot_pulse_ids`, which must name pulses by the ids they have in `pulses`.
TestResult LocateAndScoreTest(const LivefireTest& test, std::span<const Pulse> pulses,
                              const std::vector<std::vector<std::string>>& vendor_shot_pulse_ids,
                              const LivefireEvalOptions& options);
// Per firing position, then "all".
LivefireReport SummariseLivefire(std::vector<TestResult> tests);

// The human-readable tables under `title`, and one machine-readable summary.
inline constexpr std::string_view kLivefireTitle =
    "Live-fire evaluation: located from all pulses, our own association";
std::string FormatLivefireReport(const LivefireReport& report,
                                 std::string_view title = kLivefireTitle);
nlohmann::json LivefireReportToJson(const LivefireReport& report);

}  // namespace earshot::eval

#endif  // EARSHOT_EVAL_LIVEFIRE_EVAL_H_
