#include "earshot/eval/livefire_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <Eigen/Dense>

namespace earshot::eval {
namespace {

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(position));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (position - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

// Scores one test: which fixes are its shots, and how our pulses compare to the vendor's.
TestResult ScoreTest(const LivefireTest& test, const locate::LocateResult& located,
                     const std::vector<std::vector<std::string>>& vendor_shot_pulse_ids,
                     double match_radius_m) {
  TestResult result;
  result.name = test.name;
  result.firing_position = test.firing_position;
  result.rounds_fired = test.rounds_fired;
  std::vector<const Fix*> near;
  for (const Fix& fix : located.fixes) {
    const Eigen::Vector2d offset = (fix.position_m - test.survey_m).head<2>();
    if (offset.norm() <= match_radius_m) {
      near.push_back(&fix);
      ShotResult shot;
      shot.test = test.name;
      shot.error_2d_m = offset.norm();
      shot.offset_m = offset;
      shot.n_sensors = fix.n_sensors();
      shot.sigma1_m = fix.ellipse.sigma1_m;
      shot.radius95_m = fix.radius95_m;
      result.shots.push_back(shot);
    } else {
      ++result.other_fixes;
    }
  }
  result.shots_near = static_cast<int>(near.size());
  result.rounds_right = result.shots_near == test.rounds_fired;

  // Association against the vendor's selection: each vendor shot is paired with the
  // fix that shares most pulses with it.
  for (const Fix* fix : near) result.our_pulses += fix->n_sensors();
  std::set<const Fix*> paired;
  for (const auto& vendor_ids : vendor_shot_pulse_ids) {
    const std::set<std::string> vendor(vendor_ids.begin(), vendor_ids.end());
    result.vendor_pulses += static_cast<int>(vendor.size());
    const Fix* best = nullptr;
    int best_overlap = 0;
    for (const Fix* fix : near) {
      if (paired.contains(fix)) continue;
      int overlap = 0;
      for (const UsedPulse& used : fix->used) overlap += vendor.contains(used.pulse_id);
      if (overlap > best_overlap) {
        best_overlap = overlap;
        best = fix;
      }
    }
    if (best != nullptr) {
      paired.insert(best);
      result.vendor_pulses_found += best_overlap;
      result.our_pulses_in_vendor += best_overlap;
    }
  }
  return result;
}

PositionSummary Summarise(const std::string& name, const std::vector<const TestResult*>& tests) {
  PositionSummary s;
  s.firing_position = name;
  s.tests = static_cast<int>(tests.size());
  std::vector<double> errors;
  std::vector<Eigen::Vector2d> offsets;
  double sensors = 0.0;
  int within_r95 = 0;
  int vendor = 0, vendor_found = 0, ours = 0, ours_in_vendor = 0;
  double seconds = 0.0;
  for (const TestResult* test : tests) {
    s.shots_fired += test->rounds_fired;
    s.shots_located += std::min(test->shots_near, test->rounds_fired);
    s.other_fixes += test->other_fixes;
    s.tests_rounds_right += test->rounds_right;
    vendor += test->vendor_pulses;
    vendor_found += test->vendor_pulses_found;
    ours += test->our_pulses;
    ours_in_vendor += test->our_pulses_in_vendor;
    seconds += test->locate_seconds;
    for (const ShotResult& shot : test->shots) {
      errors.push_back(shot.error_2d_m);
      offsets.push_back(shot.offset_m);
      sensors += shot.n_sensors;
      within_r95 += shot.error_2d_m <= shot.radius95_m;
    }
  }
  const double n = static_cast<double>(errors.size());
  if (!errors.empty()) {
    Eigen::Vector2d centroid = Eigen::Vector2d::Zero();
    for (const auto& offset : offsets) centroid += offset;
    centroid /= n;
    s.survey_error_m = centroid.norm();
    Eigen::Matrix2d covariance = Eigen::Matrix2d::Zero();
    for (const auto& offset : offsets) {
      covariance += (offset - centroid) * (offset - centroid).transpose();
    }
    covariance /= std::max(1.0, n - 1.0);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eigen(covariance);
    s.sigma1_m = std::sqrt(std::max(0.0, eigen.eigenvalues()[1]));
    s.sigma2_m = std::sqrt(std::max(0.0, eigen.eigenvalues()[0]));
    s.mean_sensors = sensors / n;
    s.median_error_m = Quantile(errors, 0.5);
    s.p90_error_m = Quantile(errors, 0.9);
    s.within_15m =
        std::count_if(errors.begin(), errors.end(), [](double e) { return e <= 15; }) / n;
    s.within_25m =
        std::count_if(errors.begin(), errors.end(), [](double e) { return e <= 25; }) / n;
    s.within_own_r95 = within_r95 / n;
    s.ms_per_shot = 1e3 * seconds / n;
  }
  s.association_precision = ours > 0 ? static_cast<double>(ours_in_vendor) / ours : 0.0;
  s.association_recall = vendor > 0 ? static_cast<double>(vendor_found) / vendor : 0.0;
  return s;
}

}  // namespace

TestResult LocateAndScoreTest(const LivefireTest& test, std::span<const Pulse> pulses,
                              const std::vector<std::vector<std::string>>& vendor_shot_pulse_ids,
                              const LivefireEvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const locate::LocateResult located = locate::LocatePulses(pulses, test.weather, options.locate);
  const auto stop = std::chrono::steady_clock::now();
  TestResult result = ScoreTest(test, located, vendor_shot_pulse_ids, options.match_radius_m);
  result.locate_seconds = std::chrono::duration<double>(stop - start).count();
  result.pulses = static_cast<int>(pulses.size());
  return result;
}

LivefireReport EvaluateLivefire(const std::vector<LivefireTest>& tests,
                                const LivefireEvalOptions& options) {
  std::vector<TestResult> results;
  for (const LivefireTest& test : tests) {
    results.push_back(LocateAndScoreTest(test, test.pulses, test.vendor_shot_pulse_ids, options));
  }
  return SummariseLivefire(std::move(results));
}

LivefireReport SummariseLivefire(std::vector<TestResult> tests) {
  LivefireReport report;
  report.tests = std::move(tests);
  std::map<std::string, std::vector<const TestResult*>> by_position;
  std::vector<const TestResult*> all;
  for (const TestResult& test : report.tests) {
    by_position[test.firing_position].push_back(&test);
    all.push_back(&test);
  }
  for (const auto& [name, members] : by_position)
    report.positions.push_back(Summarise(name, members));
  report.positions.push_back(Summarise("all", all));
  return report;
}

std::string FormatLivefireReport(const LivefireReport& report, std::string_view title) {
  std::string out;
  char line[512];
  out += title;
  out += "\n\n";
  out +=
      "position  located  mean_sensors  survey_err_m  sigma1_m  sigma2_m  | median_m  p90_m  "
      "<=15m    <=25m    in_own_r95  rounds_right  other_fixes  assoc_prec  assoc_recall  "
      "ms/shot\n";
  for (const PositionSummary& s : report.positions) {
    std::snprintf(line, sizeof line,
                  "%-8s  %3d/%-3d  %12.1f  %12.2f  %8.2f  %8.2f  | %8.2f  %5.1f  %5.1f%%  %5.1f%%  "
                  "%9.1f%%  %6d/%-5d  %11d  %9.1f%%  %11.1f%%  %7.2f\n",
                  s.firing_position.c_str(), s.shots_located, s.shots_fired, s.mean_sensors,
                  s.survey_error_m, s.sigma1_m, s.sigma2_m, s.median_error_m, s.p90_error_m,
                  100 * s.within_15m, 100 * s.within_25m, 100 * s.within_own_r95,
                  s.tests_rounds_right, s.tests, s.other_fixes, 100 * s.association_precision,
                  100 * s.association_recall, s.ms_per_shot);
    out += line;
  }
  out +=
      "\nVendor (TN 098) survey error, real-time / offline best: FP1 4.14 / 2.96 m, "
      "FP2 5.20 / 3.60 m, FP3 3.49 / 0.36 m\n";
  out += "\nTests whose rounds were not counted right:\n";
  bool any = false;
  for (const TestResult& test : report.tests) {
    if (test.rounds_right) continue;
    any = true;
    std::snprintf(line, sizeof line, "  %s: fired %d, located %d near the survey, %d elsewhere\n",
                  test.name.c_str(), test.rounds_fired, test.shots_near, test.other_fixes);
    out += line;
  }
  if (!any) out += "  none\n";
  return out;
}

nlohmann::json LivefireReportToJson(const LivefireReport& report) {
  nlohmann::json out;
  out["positions"] = nlohmann::json::array();
  for (const PositionSummary& s : report.positions) {
    out["positions"].push_back({
        {"firing_position", s.firing_position},
        {"tests", s.tests},
        {"shots_fired", s.shots_fired},
        {"shots_located", s.shots_located},
        {"other_fixes", s.other_fixes},
        {"mean_sensors", s.mean_sensors},
        {"survey_error_m", s.survey_error_m},
        {"sigma1_m", s.sigma1_m},
        {"sigma2_m", s.sigma2_m},
        {"median_error_m", s.median_error_m},
        {"p90_error_m", s.p90_error_m},
        {"within_15m", s.within_15m},
        {"within_25m", s.within_25m},
        {"within_own_radius95", s.within_own_r95},
        {"tests_rounds_right", s.tests_rounds_right},
        {"association_precision", s.association_precision},
        {"association_recall", s.association_recall},
        {"ms_per_shot", s.ms_per_shot},
    });
  }
  out["tests"] = nlohmann::json::array();
  for (const TestResult& t : report.tests) {
    nlohmann::json errors = nlohmann::json::array();
    for (const ShotResult& shot : t.shots) errors.push_back(shot.error_2d_m);
    out["tests"].push_back({{"test", t.name},
                            {"rounds_fired", t.rounds_fired},
                            {"shots_near", t.shots_near},
                            {"other_fixes", t.other_fixes},
                            {"rounds_right", t.rounds_right},
                            {"errors_2d_m", errors}});
  }
  return out;
}

}  // namespace earshot::eval
