#include "earshot/eval/realism.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "earshot/audio/audio_file.h"
#include "earshot/audio/recording_metadata.h"
#include "earshot/core/time.h"
#include "earshot/core/weather.h"
#include "earshot/locate/arrival.h"
#include "earshot/locate/locator.h"
#include "earshot/locate/robust_solver.h"

namespace earshot::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename T>
void Append(std::vector<T>* to, const std::vector<T>& from) {
  to->insert(to->end(), from.begin(), from.end());
}

// One round of a test: its direct pulse per sensor and its estimated emission time.
struct Round {
  size_t tuple_index = 0;
  int64_t t0_ns = 0;
  std::map<std::string, const Pulse*> direct;  // by sensor
};

// The rounds of `test` from its tuples, in order of emission time.
std::vector<Round> EstimateRounds(const LivefireTest& test, const locate::Propagation& air) {
  std::map<std::string, const Pulse*> by_id;
  for (const Pulse& pulse : test.pulses) by_id[pulse.id] = &pulse;
  std::vector<Round> rounds;
  for (size_t k = 0; k < test.vendor_shot_pulse_ids.size(); ++k) {
    Round round;
    round.tuple_index = k;
    for (const std::string& id : test.vendor_shot_pulse_ids[k]) {
      const auto found = by_id.find(id);
      if (found == by_id.end()) continue;
      const Pulse*& direct = round.direct[found->second->sensor_id];
      if (direct == nullptr || found->second->onset_ns < direct->onset_ns) direct = found->second;
    }
    if (round.direct.empty()) continue;
    // Seconds after the first direct pulse keep double precision at nanoseconds.
    const int64_t reference_ns = round.direct.begin()->second->onset_ns;
    std::vector<double> emissions_s;
    for (const auto& [sensor, pulse] : round.direct) {
      emissions_s.push_back(NanosToSeconds(pulse->onset_ns - reference_ns) -
                            locate::TravelTimeS(air, test.survey_m, pulse->sensor_position_m));
    }
    round.t0_ns = reference_ns + std::llround(Quantile(std::move(emissions_s), 0.5) * 1e9);
    rounds.push_back(std::move(round));
  }
  std::sort(rounds.begin(), rounds.end(),
            [](const Round& a, const Round& b) { return a.t0_ns < b.t0_ns; });
  return rounds;
}

// The source fitted to a round's direct pulses, started at the survey and t0, on the
// survey's height, with the locator's timing sigma and late-tolerant loss: what the
// arrivals say where the shot was, free of the survey's own error. Appends the offset
// from the survey and the residual of every direct pulse; nothing when it does not
// converge or has fewer than four pulses (three unknowns).
void FitRound(const Round& round, const LivefireTest& test, const locate::Propagation& air,
              RealismSamples* out) {
  if (round.direct.size() < 4) return;
  std::vector<locate::Arrival> arrivals;
  const double sigma_s = locate::LocateOptions{}.default_onset_sigma_s;
  for (const auto& [sensor, pulse] : round.direct) {
    arrivals.push_back(
        {pulse->sensor_position_m, NanosToSeconds(pulse->onset_ns - round.t0_ns), sigma_s});
  }
  locate::RefineOptions options;
  options.mode = SolveMode::kFixedHeight;
  options.fixed_height_m = test.survey_m.z();
  const locate::Refinement fit =
      locate::RefineSource(arrivals, air, locate::Source{test.survey_m, 0.0}, options);
  if (!fit.usable) return;
  out->fit_offset_m.push_back((fit.source.position_m - test.survey_m).head<2>().norm());
  for (const locate::Arrival& arrival : arrivals) {
    out->fit_residual_ms.push_back(1e3 * locate::ArrivalResidualS(arrival, fit.source, air));
  }
}

// The median RMS level of the clip's 100 ms blocks, leaving out blocks of exact zeros
// (samples the recorder never had); NaN when none is left.
double BackgroundLevelDbSpl(const audio::AudioClip& clip, double full_scale_db_spl) {
  const size_t block = std::max<size_t>(1, static_cast<size_t>(0.1 * clip.sample_rate_hz));
  std::vector<double> levels;
  for (size_t start = 0; start + block <= clip.samples.size(); start += block) {
    double sum = 0.0;
    for (size_t i = start; i < start + block; ++i) sum += double{clip.samples[i]} * clip.samples[i];
    if (sum > 0.0) {
      levels.push_back(full_scale_db_spl + 10.0 * std::log10(sum / static_cast<double>(block)));
    }
  }
  return Quantile(std::move(levels), 0.5);
}

int64_t Nanos(double seconds) { return std::llround(seconds * 1e9); }

}  // namespace

bool RealismOptions::IsValid(std::string* error) const {
  const auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = why;
    return false;
  };
  if (distance_edges_m.empty()) return fail("distance_edges_m: expected at least one edge");
  for (size_t k = 0; k < distance_edges_m.size(); ++k) {
    if (!(distance_edges_m[k] > 0.0) || !std::isfinite(distance_edges_m[k]) ||
        (k > 0 && distance_edges_m[k] <= distance_edges_m[k - 1])) {
      return fail("distance_edges_m: expected finite positive edges in increasing order");
    }
  }
  if (!(echo_window_s > 0.0) || !std::isfinite(echo_window_s)) {
    return fail("echo_window_s: expected a positive number of seconds");
  }
  if (!(next_round_guard_s >= 0.0) || !(heard_early_s >= 0.0) || !(heard_late_s > 0.0) ||
      !(quiet_window_s > 0.0)) {
    return fail(
        "next_round_guard_s, heard_early_s, heard_late_s, quiet_window_s: expected non-negative "
        "seconds (the last two positive)");
  }
  return true;
}

void RealismSamples::Add(const RealismSamples& other) {
  tests += other.tests;
  rounds += other.rounds;
  pulses += other.pulses;
  Append(&direct_distance_m, other.direct_distance_m);
  Append(&direct_level_db, other.direct_level_db);
  Append(&direct_snr_db, other.direct_snr_db);
  Append(&onset_error_ms, other.onset_error_ms);
  Append(&fit_residual_ms, other.fit_residual_ms);
  Append(&fit_offset_m, other.fit_offset_m);
  Append(&later_pulses, other.later_pulses);
  Append(&quiet_pulses_per_minute, other.quiet_pulses_per_minute);
  Append(&echo_delay_ms, other.echo_delay_ms);
  Append(&echo_relative_level_db, other.echo_relative_level_db);
  Append(&sensors_per_round, other.sensors_per_round);
  Append(&candidate_distance_m, other.candidate_distance_m);
  Append(&candidate_in_tuple, other.candidate_in_tuple);
  Append(&candidate_heard, other.candidate_heard);
  audio_files += other.audio_files;
  audio_minutes += other.audio_minutes;
  Append(&audio_pulses_per_minute, other.audio_pulses_per_minute);
  Append(&audio_snr_db, other.audio_snr_db);
  Append(&audio_level_db, other.audio_level_db);
  Append(&audio_background_db_spl, other.audio_background_db_spl);
}

RealismSamples SampleTestPulses(const LivefireTest& test,
                                const std::map<std::string, Eigen::Vector3d>& sensors,
                                const RealismOptions& options) {
  RealismSamples out;
  out.tests = 1;
  out.pulses = static_cast<int>(test.pulses.size());
  const locate::Propagation air{SpeedOfSoundMps(test.weather.temperature_c),
                                WindVelocityEnMps(test.weather)};
  const auto travel_s = [&](const Eigen::Vector3d& sensor_m) {
    return locate::TravelTimeS(air, test.survey_m, sensor_m);
  };
  std::map<std::string, std::vector<const Pulse*>> by_sensor;  // in onset order
  for (const Pulse& pulse : test.pulses) by_sensor[pulse.sensor_id].push_back(&pulse);
  std::map<std::string, size_t> tuple_of;  // pulse id -> tuple index
  for (size_t k = 0; k < test.vendor_shot_pulse_ids.size(); ++k) {
    for (const std::string& id : test.vendor_shot_pulse_ids[k]) tuple_of.emplace(id, k);
  }

  const std::vector<Round> rounds = EstimateRounds(test, air);
  if (!rounds.empty()) {
    for (const auto& [sensor, position_m] : sensors) {
      const int64_t end_ns = rounds[0].t0_ns + Nanos(travel_s(position_m) - options.heard_early_s);
      const int64_t begin_ns = end_ns - Nanos(options.quiet_window_s);
      const auto pulses = by_sensor.find(sensor);
      const auto quiet =
          pulses == by_sensor.end()
              ? 0
              : std::count_if(pulses->second.begin(), pulses->second.end(), [&](const Pulse* p) {
                  return p->onset_ns >= begin_ns && p->onset_ns < end_ns;
                });
      out.quiet_pulses_per_minute.push_back(60.0 * static_cast<double>(quiet) /
                                            options.quiet_window_s);
    }
  }
  for (size_t k = 0; k < rounds.size(); ++k) {
    const Round& round = rounds[k];
    ++out.rounds;
    out.sensors_per_round.push_back(static_cast<double>(round.direct.size()));
    for (const auto& [sensor, direct] : round.direct) {
      const double tau_s = travel_s(direct->sensor_position_m);
      out.direct_distance_m.push_back((direct->sensor_position_m - test.survey_m).norm());
      out.direct_level_db.push_back(direct->level_db_spl);
      out.direct_snr_db.push_back(direct->snr_db);
      out.onset_error_ms.push_back(1e-6 * static_cast<double>(direct->onset_ns - round.t0_ns) -
                                   1e3 * tau_s);

      int64_t end_ns = direct->onset_ns + Nanos(options.echo_window_s);
      if (k + 1 < rounds.size()) {
        end_ns = std::min(end_ns, rounds[k + 1].t0_ns + Nanos(tau_s - options.next_round_guard_s));
      }
      int later = 0;
      for (const Pulse* pulse : by_sensor[sensor]) {
        if (pulse == direct || pulse->onset_ns < direct->onset_ns || pulse->onset_ns > end_ns) {
          continue;
        }
        const auto tuple = tuple_of.find(pulse->id);
        if (tuple != tuple_of.end() && tuple->second != round.tuple_index) continue;
        ++later;
        out.echo_delay_ms.push_back(1e-6 * static_cast<double>(pulse->onset_ns - direct->onset_ns));
        out.echo_relative_level_db.push_back(pulse->level_db_spl - direct->level_db_spl);
      }
      out.later_pulses.push_back(later);
    }
    FitRound(round, test, air, &out);

    for (const auto& [sensor, position_m] : sensors) {
      out.candidate_distance_m.push_back((position_m - test.survey_m).norm());
      out.candidate_in_tuple.push_back(round.direct.contains(sensor));
      const int64_t predicted_ns = round.t0_ns + Nanos(travel_s(position_m));
      bool heard = false;
      const auto pulses = by_sensor.find(sensor);
      if (pulses != by_sensor.end()) {
        for (const Pulse* pulse : pulses->second) {
          heard = heard || (pulse->onset_ns >= predicted_ns - Nanos(options.heard_early_s) &&
                            pulse->onset_ns <= predicted_ns + Nanos(options.heard_late_s));
        }
      }
      out.candidate_heard.push_back(heard);
    }
  }
  return out;
}

Result<RealismSamples> SampleRecording(const std::string& wav_path, const RealismOptions& options) {
  auto detection = detect::DetectRecording(wav_path, options.recording);
  if (!detection) return std::unexpected(detection.error());
  double gaps_s = 0.0;
  for (const detect::Gap& gap : detection->gaps) {
    gaps_s += NanosToSeconds(gap.end_ns - gap.start_ns);
  }
  const double covered_s = std::max(0.0, detection->duration_s - gaps_s);
  RealismSamples out;
  out.audio_files = 1;
  out.audio_minutes = covered_s / 60.0;
  if (covered_s > 0.0) {
    out.audio_pulses_per_minute.push_back(static_cast<double>(detection->pulses.size()) /
                                          out.audio_minutes);
  }
  for (const Pulse& pulse : detection->pulses) {
    out.audio_snr_db.push_back(pulse.snr_db);
    out.audio_level_db.push_back(pulse.level_db_spl);
  }
  auto metadata = audio::ReadRecordingMetadata(audio::SidecarPathFor(wav_path));
  if (!metadata) return std::unexpected(metadata.error());
  auto clip = audio::ReadAudioFile(wav_path);
  if (!clip) return std::unexpected(clip.error());
  const double background = BackgroundLevelDbSpl(*clip, metadata->full_scale_db_spl);
  if (!std::isnan(background)) out.audio_background_db_spl.push_back(background);
  return out;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

Distribution Describe(std::vector<double> values) {
  Distribution d;
  d.n = static_cast<int>(values.size());
  if (values.empty()) {
    d.q10 = d.q50 = d.q90 = d.mean = d.mad = d.p90_abs = kNaN;
    return d;
  }
  std::sort(values.begin(), values.end());
  d.q10 = Quantile(values, 0.1);
  d.q50 = Quantile(values, 0.5);
  d.q90 = Quantile(values, 0.9);
  double sum = 0.0;
  std::vector<double> deviations, magnitudes;
  for (double v : values) {
    sum += v;
    deviations.push_back(std::abs(v - d.q50));
    magnitudes.push_back(std::abs(v));
  }
  d.mean = sum / static_cast<double>(values.size());
  d.mad = Quantile(std::move(deviations), 0.5);
  d.p90_abs = Quantile(std::move(magnitudes), 0.9);
  return d;
}

double KolmogorovSmirnov(std::vector<double> a, std::vector<double> b) {
  if (a.empty() || b.empty()) return kNaN;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double largest = 0.0;
  // Step both CDFs past each distinct value, so that ties move them together.
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    largest = std::max(
        largest, std::abs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size()));
  }
  // One side is exhausted: its CDF is 1, and the other's only climbs towards it.
  return largest;
}

double LevelSlopeDbPerDecade(const std::vector<double>& distance_m,
                             const std::vector<double>& level_db) {
  const size_t n = std::min(distance_m.size(), level_db.size());
  double mean_x = 0.0, mean_y = 0.0;
  for (size_t i = 0; i < n; ++i) {
    mean_x += std::log10(std::max(distance_m[i], 1.0));
    mean_y += level_db[i];
  }
  if (n < 2) return kNaN;
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double sxx = 0.0, sxy = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double x = std::log10(std::max(distance_m[i], 1.0)) - mean_x;
    sxx += x * x;
    sxy += x * (level_db[i] - mean_y);
  }
  return sxx > 1e-12 ? sxy / sxx : kNaN;
}

RealismReport CompareRealism(const std::vector<LivefireTest>& real,
                             const std::vector<LivefireTest>& sim, const RealismOptions& options) {
  RealismReport report;
  report.real_tests = static_cast<int>(real.size());
  report.sim_tests = static_cast<int>(sim.size());
  std::map<std::string, const LivefireTest*> real_by_name, sim_by_name;
  for (const LivefireTest& test : real) real_by_name[test.name] = &test;
  for (const LivefireTest& test : sim) sim_by_name[test.name] = &test;
  for (const auto& [name, test] : real_by_name) {
    (sim_by_name.contains(name) ? report.compared : report.only_in_real).push_back(name);
  }
  for (const auto& [name, test] : sim_by_name) {
    if (!real_by_name.contains(name)) report.only_in_sim.push_back(name);
  }

  std::map<std::string, RealismGroup> groups;
  RealismGroup all;
  all.name = "all";
  const auto sample_side = [&](const std::map<std::string, const LivefireTest*>& by_name,
                               RealismSamples RealismGroup::*side, std::vector<Error>* problems) {
    // The sensors of each firing position: every one that reported in a compared test.
    std::map<std::string, std::map<std::string, Eigen::Vector3d>> sensors;
    for (const std::string& name : report.compared) {
      const LivefireTest& test = *by_name.at(name);
      for (const Pulse& pulse : test.pulses) {
        sensors[test.firing_position].emplace(pulse.sensor_id, pulse.sensor_position_m);
      }
    }
    for (const std::string& name : report.compared) {
      const LivefireTest& test = *by_name.at(name);
      RealismSamples samples = SampleTestPulses(test, sensors[test.firing_position], options);
      if (options.audio) {
        for (const std::string& wav : test.audio_wav_paths) {
          auto recording = SampleRecording(wav, options);
          if (recording) {
            samples.Add(*recording);
          } else {
            problems->push_back(recording.error());
          }
        }
      }
      RealismGroup& group = groups[test.firing_position];
      group.name = test.firing_position;
      (group.*side).Add(samples);
      (all.*side).Add(samples);
    }
  };
  sample_side(real_by_name, &RealismGroup::real, &report.real_problems);
  sample_side(sim_by_name, &RealismGroup::sim, &report.sim_problems);
  for (auto& [name, group] : groups) report.groups.push_back(std::move(group));
  report.groups.push_back(std::move(all));
  return report;
}

Result<RealismReport> CompareRealismDirs(const std::string& real_dir, const std::string& sim_dir,
                                         const RealismOptions& options) {
  std::vector<Error> real_problems, sim_problems;
  const auto load = [](const std::string& dir, const char* side,
                       std::vector<Error>* problems) -> Result<std::vector<LivefireTest>> {
    auto tests = LoadLivefireDataset(dir, problems);
    if (tests) return tests;
    std::string message = std::string("the ") + side +
                          " directory is not a live-fire dataset: " + tests.error().message;
    if (message.find("FPn/test_NNN") == std::string::npos) {
      message +=
          " (expected DIR/FPn/test_NNN/ folders with test_NNN.survey.json, .weather.json, "
          ".allpulses.json and .nlos-tuples.json)";
    }
    if (!problems->empty()) message += "; first test refused: " + problems->front().ToString();
    return Fail(dir, "", message);
  };
  auto real = load(real_dir, "real", &real_problems);
  if (!real) return std::unexpected(real.error());
  auto sim = load(sim_dir, "simulated", &sim_problems);
  if (!sim) return std::unexpected(sim.error());
  RealismReport report = CompareRealism(*real, *sim, options);
  if (report.compared.empty()) {
    return Fail(sim_dir, "",
                "no test in common with " + real_dir + " (tests are paired by FPn/test_NNN; the " +
                    "real directory has " + (*real)[0].name + " ..., the simulated one " +
                    (*sim)[0].name + " ...)");
  }
  report.real_dir = real_dir;
  report.sim_dir = sim_dir;
  real_problems.insert(real_problems.end(), report.real_problems.begin(),
                       report.real_problems.end());
  sim_problems.insert(sim_problems.end(), report.sim_problems.begin(), report.sim_problems.end());
  report.real_problems = std::move(real_problems);
  report.sim_problems = std::move(sim_problems);
  return report;
}

}  // namespace earshot::eval
