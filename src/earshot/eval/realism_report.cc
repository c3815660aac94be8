// Printing the realism comparison: the side-by-side tables (text) and the same figures as
// JSON. The statistics themselves are computed in realism.cc.
#include "earshot/eval/realism.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace earshot::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

size_t BinOf(double distance_m, const std::vector<double>& edges_m) {
  return static_cast<size_t>(std::upper_bound(edges_m.begin(), edges_m.end(), distance_m) -
                             edges_m.begin());
}

std::vector<std::string> BinLabels(const std::vector<double>& edges_m) {
  std::vector<std::string> labels;
  char text[64];
  for (size_t k = 0; k <= edges_m.size(); ++k) {
    if (k == 0) {
      std::snprintf(text, sizeof text, "<%g m", edges_m[0]);
    } else if (k == edges_m.size()) {
      std::snprintf(text, sizeof text, ">=%g m", edges_m[k - 1]);
    } else {
      std::snprintf(text, sizeof text, "%g-%g m", edges_m[k - 1], edges_m[k]);
    }
    labels.push_back(text);
  }
  return labels;
}

// Values of `values` whose distance falls in bin `bin`.
std::vector<double> InBin(const std::vector<double>& values, const std::vector<double>& distance_m,
                          size_t bin, const std::vector<double>& edges_m) {
  std::vector<double> out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (BinOf(distance_m[i], edges_m) == bin) out.push_back(values[i]);
  }
  return out;
}

struct Share {
  int n = 0;
  int yes = 0;
  double Value() const { return n > 0 ? static_cast<double>(yes) / n : kNaN; }
};

Share ShareInBin(const RealismSamples& s, const std::vector<char>& flags, size_t bin,
                 const std::vector<double>& edges_m) {
  Share share;
  for (size_t i = 0; i < flags.size(); ++i) {
    if (BinOf(s.candidate_distance_m[i], edges_m) != bin) continue;
    ++share.n;
    share.yes += flags[i] != 0;
  }
  return share;
}

std::string Num(double value, int digits) {
  if (std::isnan(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  // A value that rounds to zero reads 0, whatever its sign.
  if (text[0] == '-' && std::string_view(text).find_first_not_of("-0.") == std::string_view::npos) {
    return text + 1;
  }
  return text;
}

nlohmann::json JsonNumber(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

// A distribution statistic compared between the two sides.
struct Statistic {
  const char* key;    // in the JSON
  const char* title;  // in the text
  std::vector<double> RealismSamples::*field;
  int digits;
  bool spread;  // show the MAD and 90 % of |value| instead of the mean
};

const std::vector<Statistic>& Statistics() {
  static const std::vector<Statistic> statistics = {
      {"direct_level_db", "1b. Level of the direct pulses (power_dB_SPL), all distances, dB SPL",
       &RealismSamples::direct_level_db, 1, false},
      {"direct_snr_db", "2. SNR of the direct pulses (signal_to_noise_dB), dB",
       &RealismSamples::direct_snr_db, 1, false},
      {"later_pulses",
       "3. Later pulses per direct pulse: same sensor, within the echo window after it",
       &RealismSamples::later_pulses, 2, false},
      {"quiet_pulses_per_minute",
       "3b. Pulses before the shot: per sensor and test, in the quiet window before the first "
       "round reached it, per minute",
       &RealismSamples::quiet_pulses_per_minute, 1, false},
      {"echo_delay_ms", "4a. Delay of those later pulses after the direct pulse, ms",
       &RealismSamples::echo_delay_ms, 0, false},
      {"echo_relative_level_db", "4b. Level of those later pulses relative to the direct pulse, dB",
       &RealismSamples::echo_relative_level_db, 1, false},
      {"onset_error_ms",
       "5. Onset error of the direct pulses, t - (t0 + straight-ray travel time), ms",
       &RealismSamples::onset_error_ms, 1, true},
      {"fit_residual_ms",
       "5b. Onset residual of the direct pulses against the source fitted to them (robust, on "
       "the survey's height), ms",
       &RealismSamples::fit_residual_ms, 1, true},
      {"fit_offset_m", "5c. Horizontal distance of that fitted source from the survey, m",
       &RealismSamples::fit_offset_m, 1, false},
      {"sensors_per_round", "6b. Sensors per round (in the round's tuple)",
       &RealismSamples::sensors_per_round, 1, false},
      {"direct_distance_m", "6c. Distance of the reporting sensors from the survey, m",
       &RealismSamples::direct_distance_m, 0, false},
      {"audio_pulses_per_minute",
       "7a. Audio: pulses our detector finds per minute of audio, one value per file",
       &RealismSamples::audio_pulses_per_minute, 1, false},
      {"audio_background_db_spl",
       "7b. Audio: background level, median RMS over 100 ms blocks, one value per file, dB SPL",
       &RealismSamples::audio_background_db_spl, 1, false},
      {"audio_snr_db", "7c. Audio: SNR of the detected pulses, dB", &RealismSamples::audio_snr_db,
       1, false},
      {"audio_level_db", "7d. Audio: level of the detected pulses, dB SPL",
       &RealismSamples::audio_level_db, 1, false},
  };
  return statistics;
}

nlohmann::json DistributionToJson(const Distribution& d) {
  return {{"n", d.n},
          {"q10", JsonNumber(d.q10)},
          {"q50", JsonNumber(d.q50)},
          {"q90", JsonNumber(d.q90)},
          {"mean", JsonNumber(d.mean)},
          {"mad", JsonNumber(d.mad)},
          {"p90_abs", JsonNumber(d.p90_abs)}};
}

// The 10/50/90 % quantiles and the mean (or MAD and 90 % of |x|), 7 wide each.
std::string Columns(const std::vector<std::string>& cells) {
  std::string out;
  char cell[32];
  for (const std::string& text : cells) {
    std::snprintf(cell, sizeof cell, "%s%7s", out.empty() ? "" : " ", text.c_str());
    out += cell;
  }
  return out;
}

std::string DistributionColumns(const Distribution& d, int digits, bool spread) {
  if (spread) {
    return Columns({Num(d.q10, digits), Num(d.q50, digits), Num(d.q90, digits), Num(d.mad, digits),
                    Num(d.p90_abs, digits)});
  }
  return Columns({Num(d.q10, digits), Num(d.q50, digits), Num(d.q90, digits), Num(d.mean, digits)});
}

std::string DistributionTable(const RealismReport& report, const Statistic& statistic) {
  const std::string names = statistic.spread ? Columns({"q10", "q50", "q90", "mad", "p90|x|"})
                                             : Columns({"q10", "q50", "q90", "mean"});
  std::string out = std::string("\n") + statistic.title + "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-5s %11s | %-4s %s | %-4s %s | %8s %5s\n", "group",
                "n real/sim", "real", names.c_str(), "sim", names.c_str(), "sim-real", "KS");
  out += line;
  for (const RealismGroup& group : report.groups) {
    const std::vector<double>& real_values = group.real.*statistic.field;
    const std::vector<double>& sim_values = group.sim.*statistic.field;
    const Distribution real = Describe(real_values);
    const Distribution sim = Describe(sim_values);
    const std::string n = std::to_string(real.n) + "/" + std::to_string(sim.n);
    std::snprintf(line, sizeof line, "%-5s %11s | %-4s %s | %-4s %s | %8s %5s\n",
                  group.name.c_str(), n.c_str(), "",
                  DistributionColumns(real, statistic.digits, statistic.spread).c_str(), "",
                  DistributionColumns(sim, statistic.digits, statistic.spread).c_str(),
                  Num(sim.q50 - real.q50, statistic.digits).c_str(),
                  Num(KolmogorovSmirnov(real_values, sim_values), 2).c_str());
    out += line;
  }
  return out;
}

// Table 1: median level per distance bin and the slope, real, simulated and the difference.
std::string LevelTable(const RealismReport& report, const RealismOptions& options) {
  const std::vector<std::string> labels = BinLabels(options.distance_edges_m);
  std::string out =
      "\n1. Received level of the direct pulses (power_dB_SPL) against the sensor's distance from "
      "the survey:\n   median dB SPL (count) per distance bin; least-squares slope against "
      "log10(distance)\n";
  char cell[64];
  std::snprintf(cell, sizeof cell, "%-5s %-8s", "group", "");
  out += cell;
  for (const std::string& label : labels) {
    std::snprintf(cell, sizeof cell, " %14s", label.c_str());
    out += cell;
  }
  out += "   slope dB/decade\n";
  for (const RealismGroup& group : report.groups) {
    const RealismSamples* sides[2] = {&group.real, &group.sim};
    double medians[2][16] = {};
    double slopes[2] = {};
    for (int side = 0; side < 3; ++side) {
      std::snprintf(cell, sizeof cell, "%-5s %-8s", side == 0 ? group.name.c_str() : "",
                    side == 0   ? "real"
                    : side == 1 ? "sim"
                                : "sim-real");
      out += cell;
      for (size_t bin = 0; bin < labels.size() && bin < 16; ++bin) {
        if (side < 2) {
          const std::vector<double> levels =
              InBin(sides[side]->direct_level_db, sides[side]->direct_distance_m, bin,
                    options.distance_edges_m);
          medians[side][bin] = Quantile(levels, 0.5);
          std::snprintf(cell, sizeof cell, " %7s (%4zu)", Num(medians[side][bin], 1).c_str(),
                        levels.size());
        } else {
          std::snprintf(cell, sizeof cell, " %14s",
                        Num(medians[1][bin] - medians[0][bin], 1).c_str());
        }
        out += cell;
      }
      if (side < 2) {
        slopes[side] =
            LevelSlopeDbPerDecade(sides[side]->direct_distance_m, sides[side]->direct_level_db);
      }
      std::snprintf(cell, sizeof cell, "   %15s\n",
                    Num(side < 2 ? slopes[side] : slopes[1] - slopes[0], 1).c_str());
      out += cell;
    }
  }
  return out;
}

// Table 6: the share of the firing position's sensors per distance bin that took part.
std::string ParticipationTable(const RealismReport& report, const RealismOptions& options) {
  const std::vector<std::string> labels = BinLabels(options.distance_edges_m);
  std::string out =
      "\n6. Participation: of the firing position's sensors in each distance bin, the share that "
      "is in each round's\n   tuple, and the share that heard it (any pulse within -" +
      Num(1e3 * options.heard_early_s, 0) + "/+" + Num(1e3 * options.heard_late_s, 0) +
      " ms of the predicted arrival); (sensor-rounds)\n";
  char cell[64];
  std::snprintf(cell, sizeof cell, "%-5s %-11s", "group", "");
  out += cell;
  for (const std::string& label : labels) {
    std::snprintf(cell, sizeof cell, " %14s", label.c_str());
    out += cell;
  }
  out += "\n";
  for (const RealismGroup& group : report.groups) {
    const struct {
      const char* name;
      const RealismSamples* samples;
      const std::vector<char>* flags;
    } rows[4] = {{"real tuple", &group.real, &group.real.candidate_in_tuple},
                 {"sim tuple", &group.sim, &group.sim.candidate_in_tuple},
                 {"real heard", &group.real, &group.real.candidate_heard},
                 {"sim heard", &group.sim, &group.sim.candidate_heard}};
    for (int r = 0; r < 4; ++r) {
      std::snprintf(cell, sizeof cell, "%-5s %-11s", r == 0 ? group.name.c_str() : "",
                    rows[r].name);
      out += cell;
      for (size_t bin = 0; bin < labels.size(); ++bin) {
        const Share share =
            ShareInBin(*rows[r].samples, *rows[r].flags, bin, options.distance_edges_m);
        const std::string percent =
            std::isnan(share.Value()) ? "-" : Num(100 * share.Value(), 0) + "%";
        std::snprintf(cell, sizeof cell, " %7s (%4d)", percent.c_str(), share.n);
        out += cell;
      }
      out += "\n";
    }
  }
  return out;
}

std::string CountsTable(const RealismReport& report) {
  std::string out = "\nCounts, real/sim\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-5s %9s %11s %15s %13s %13s %15s\n", "group", "tests",
                "rounds", "direct pulses", "all pulses", "audio files", "audio minutes");
  out += line;
  for (const RealismGroup& group : report.groups) {
    const auto pair = [](double real, double sim, int digits) {
      return Num(real, digits) + "/" + Num(sim, digits);
    };
    std::snprintf(
        line, sizeof line, "%-5s %9s %11s %15s %13s %13s %15s\n", group.name.c_str(),
        pair(group.real.tests, group.sim.tests, 0).c_str(),
        pair(group.real.rounds, group.sim.rounds, 0).c_str(),
        pair(group.real.direct_level_db.size(), group.sim.direct_level_db.size(), 0).c_str(),
        pair(group.real.pulses, group.sim.pulses, 0).c_str(),
        pair(group.real.audio_files, group.sim.audio_files, 0).c_str(),
        pair(group.real.audio_minutes, group.sim.audio_minutes, 1).c_str());
    out += line;
  }
  return out;
}

std::string NameList(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}
}  // namespace

std::string FormatRealismReport(const RealismReport& report, const RealismOptions& options) {
  std::string out = "Realism: simulated against real, per firing position and over all\n";
  out += "  real: " + report.real_dir + " (" + std::to_string(report.real_tests) + " tests read)\n";
  out += "  sim:  " + report.sim_dir + " (" + std::to_string(report.sim_tests) + " tests read)\n";
  out += "  compared: " + std::to_string(report.compared.size()) +
         " tests in both; only in real: " + NameList(report.only_in_real) +
         "; only in sim: " + NameList(report.only_in_sim) + "\n";
  out +=
      "  Rounds are the nlos tuples; t0 = median of t - travel time over a round's direct "
      "pulses (survey, weather);\n  each statistic: real | sim | sim-real of the medians, KS = "
      "two-sample Kolmogorov-Smirnov statistic.\n  Echo window " +
      Num(1e3 * options.echo_window_s, 0) + " ms, closed " +
      Num(1e3 * options.next_round_guard_s, 0) + " ms before the next round's predicted arrival.\n";
  out += CountsTable(report);
  out += LevelTable(report, options);
  for (const Statistic& statistic : Statistics()) {
    if (std::string_view(statistic.key) == "sensors_per_round") {
      out += ParticipationTable(report, options);
    }
    if (!options.audio && std::string_view(statistic.key).starts_with("audio")) continue;
    out += DistributionTable(report, statistic);
  }
  const auto problems = [&](const char* side, const std::vector<Error>& list) {
    if (list.empty()) return;
    out += std::string("\nSkipped in the ") + side + " directory:\n";
    for (const Error& problem : list) out += "  " + problem.ToString() + "\n";
  };
  problems("real", report.real_problems);
  problems("simulated", report.sim_problems);
  return out;
}

nlohmann::json RealismReportToJson(const RealismReport& report, const RealismOptions& options) {
  nlohmann::json out;
  out["real_dir"] = report.real_dir;
  out["sim_dir"] = report.sim_dir;
  out["real_tests"] = report.real_tests;
  out["sim_tests"] = report.sim_tests;
  out["compared"] = report.compared;
  out["only_in_real"] = report.only_in_real;
  out["only_in_sim"] = report.only_in_sim;
  out["options"] = {{"distance_edges_m", options.distance_edges_m},
                    {"echo_window_s", options.echo_window_s},
                    {"next_round_guard_s", options.next_round_guard_s},
                    {"heard_early_s", options.heard_early_s},
                    {"heard_late_s", options.heard_late_s},
                    {"quiet_window_s", options.quiet_window_s},
                    {"audio", options.audio}};
  const std::vector<std::string> labels = BinLabels(options.distance_edges_m);
  out["groups"] = nlohmann::json::array();
  for (const RealismGroup& group : report.groups) {
    nlohmann::json row;
    row["group"] = group.name;
    for (const auto& [side, samples] : {std::pair{"real", &group.real}, {"sim", &group.sim}}) {
      row["counts"][side] = {{"tests", samples->tests},
                             {"rounds", samples->rounds},
                             {"direct_pulses", samples->direct_level_db.size()},
                             {"pulses", samples->pulses},
                             {"audio_files", samples->audio_files},
                             {"audio_minutes", samples->audio_minutes}};
    }
    nlohmann::json bins = nlohmann::json::array();
    for (size_t bin = 0; bin < labels.size(); ++bin) {
      nlohmann::json cell = {{"bin", labels[bin]}};
      double medians[2];
      int side_index = 0;
      for (const auto& [side, samples] : {std::pair{"real", &group.real}, {"sim", &group.sim}}) {
        const std::vector<double> levels = InBin(
            samples->direct_level_db, samples->direct_distance_m, bin, options.distance_edges_m);
        medians[side_index++] = Quantile(levels, 0.5);
        const Share tuple =
            ShareInBin(*samples, samples->candidate_in_tuple, bin, options.distance_edges_m);
        const Share heard =
            ShareInBin(*samples, samples->candidate_heard, bin, options.distance_edges_m);
        cell[side] = {{"direct_pulses", levels.size()},
                      {"median_level_db", JsonNumber(Quantile(levels, 0.5))},
                      {"sensor_rounds", tuple.n},
                      {"in_tuple_share", JsonNumber(tuple.Value())},
                      {"heard_share", JsonNumber(heard.Value())}};
      }
      cell["median_level_difference_db"] = JsonNumber(medians[1] - medians[0]);
      bins.push_back(std::move(cell));
    }
    row["distance_bins"] = std::move(bins);
    const double real_slope =
        LevelSlopeDbPerDecade(group.real.direct_distance_m, group.real.direct_level_db);
    const double sim_slope =
        LevelSlopeDbPerDecade(group.sim.direct_distance_m, group.sim.direct_level_db);
    row["level_slope_db_per_decade"] = {{"real", JsonNumber(real_slope)},
                                        {"sim", JsonNumber(sim_slope)},
                                        {"difference", JsonNumber(sim_slope - real_slope)}};
    for (const Statistic& statistic : Statistics()) {
      const Distribution real = Describe(group.real.*statistic.field);
      const Distribution sim = Describe(group.sim.*statistic.field);
      row[statistic.key] = {{"real", DistributionToJson(real)},
                            {"sim", DistributionToJson(sim)},
                            {"median_difference", JsonNumber(sim.q50 - real.q50)},
                            {"ks", JsonNumber(KolmogorovSmirnov(group.real.*statistic.field,
                                                                group.sim.*statistic.field))}};
    }
    out["groups"].push_back(std::move(row));
  }
  for (const auto& [key, list] : {std::pair{"real_problems", &report.real_problems},
                                  {"sim_problems", &report.sim_problems}}) {
    out[key] = nlohmann::json::array();
    for (const Error& problem : *list) out[key].push_back(problem.ToString());
  }
  return out;
}
}  // namespace earshot::eval
