#include "earshot/classify/shot_dataset.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "earshot/classify/internal/dataset_files.h"
#include "earshot/core/time.h"
#include "earshot/eval/livefire_dataset.h"

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using internal::ReadJson;
using internal::StringOr;
using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kOtherImpulsiveClass = kPulseClassCount - 1;

Eigen::Vector3d PositionOf(const json& object) {
  const json& p = object.is_object() && object.contains("position") ? object["position"] : json();
  if (!p.is_object()) return Eigen::Vector3d::Constant(kNaN);
  return {p.value("x_m", kNaN), p.value("y_m", kNaN), p.value("z_m", kNaN)};
}

double HorizontalDistanceM(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  return (a.head<2>() - b.head<2>()).norm();
}

// ---- The pipeline, shared by both builders. ----

// One test detected and located as the live pipeline would: the rows of its fixes.
struct LocatedTest {
  std::vector<Fix> fixes;
  std::vector<std::vector<Pulse>> used;  // per fix
  std::vector<std::vector<float>> rows;  // per fix, ShotModelRow
  std::size_t recordings = 0;
  std::size_t detections = 0;
  std::vector<Error> problems;
};

LocatedTest DetectAndLocate(const eval::LivefireTest& test, const ShotDatasetOptions& options) {
  LocatedTest out;
  std::vector<Pulse> detected;
  // As the from-audio evaluation (eval/audio_eval.cc) detects: each recording with its
  // sidecar, an unreadable one skipped and reported. The first recording's frame is kept for
  // the others, so that lat/lon sidecars of one test share a frame (recording.h).
  detect::RecordingOptions recording = options.recording;
  for (const std::string& wav : test.audio_wav_paths) {
    auto detection = detect::DetectRecording(wav, recording);
    if (!detection) {
      out.problems.push_back(detection.error());
      continue;
    }
    if (!recording.frame) recording.frame = detection->frame;
    ++out.recordings;
    out.detections += detection->pulses.size();
    detected.insert(detected.end(), std::make_move_iterator(detection->pulses.begin()),
                    std::make_move_iterator(detection->pulses.end()));
  }
  locate::LocateResult located = locate::LocatePulses(detected, test.weather, options.locate);
  out.fixes = std::move(located.fixes);
  for (const Fix& fix : out.fixes) out.used.push_back(PulsesUsedBy(fix, detected));
  out.rows.resize(out.fixes.size());
  for (const std::vector<std::size_t>& incident : GroupIncidents(out.fixes, options.incidents)) {
    for (std::size_t i : incident) {
      const ShotContext context = ContextForShot(out.fixes, i, incident, out.used[i], test.weather,
                                                 options.sensor_mount_height_m);
      out.rows[i] =
          ShotModelRow(ComputeShotFeatures(out.fixes[i], out.used[i], context), out.used[i]);
    }
  }
  return out;
}

// A labelled fix of one test, before the tests are joined.
struct LabelledFix {
  std::vector<float> row;
  int label = 0;
  std::string incident;
  double location_error_m = kNaN;
  int emission = -1;  // simulated: the true emission's index; -1 for none
  bool in_window = true;
};

struct TestRows {
  std::vector<LabelledFix> fixes;
  std::size_t recordings = 0, detections = 0, located = 0, unlabelled = 0;
  std::vector<Error> problems;
};

// Runs `process` on every test on options.threads threads, each into its own slot.
std::vector<TestRows> ForEachTest(
    const std::vector<eval::LivefireTest>& tests, int threads,
    const std::function<TestRows(const eval::LivefireTest&)>& process) {
  std::vector<TestRows> results(tests.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < tests.size(); i = next++) results[i] = process(tests[i]);
  };
  std::vector<std::jthread> workers;
  for (int t = 1; t < std::max(1, threads); ++t) workers.emplace_back(work);
  work();
  return results;
}

void AddRow(ShotDataset* dataset, const std::string& test, const LabelledFix& fix) {
  dataset->rows.AddRow(fix.row);
  dataset->labels.push_back(fix.label);
  dataset->incident_of_row.push_back(fix.incident);
  dataset->test_of_row.push_back(test);
  dataset->location_error_m.push_back(fix.location_error_m);
  ++dataset->class_counts[static_cast<std::size_t>(fix.label)];
}

void AddCounts(ShotDataset* dataset, TestRows& result) {
  dataset->recordings += result.recordings;
  dataset->detections += result.detections;
  dataset->fixes += result.located;
  dataset->unlabelled_fixes += result.unlabelled;
  for (Error& problem : result.problems) dataset->problems.push_back(std::move(problem));
}

// ---- Simulated truth. ----

struct TruthPulse {
  bool noise = false;  // a sensor's local bang
  std::string event;
  int emission = -1;
};

struct TruthEmission {
  int64_t time_ns = 0;
  Eigen::Vector3d position_m;
};

struct SceneTruth {
  std::unordered_map<std::string, TruthPulse> pulses;
  std::map<std::string, int> event_class;
  std::map<std::string, Eigen::Vector3d> event_position_m;
  std::map<int, TruthEmission> emissions;
};

Result<SceneTruth> ReadSceneTruth(const std::string& path) {
  auto truth = ReadJson(path);
  if (!truth) return std::unexpected(truth.error());
  if (!truth->contains("events") || !truth->contains("pulses"))
    return Fail(path, "", "expected the keys \"events\" and \"pulses\" of a simulated scene");
  SceneTruth scene;
  for (const json& event : (*truth)["events"]) {
    const std::string id = StringOr(event, "id");
    auto label = PulseClassFromName(StringOr(event, "class"));
    if (!label) {
      return Fail(path, "event " + id, "unknown class \"" + StringOr(event, "class") + "\"");
    }
    scene.event_class[id] = *label;
    scene.event_position_m[id] = PositionOf(event);
  }
  if (truth->contains("emissions")) {
    for (const json& emission : (*truth)["emissions"]) {
      auto time = ParseIsoUtc(StringOr(emission, "time_utc"));
      if (!time || !emission.contains("index")) {
        return Fail(path, "emission " + emission.value("event", std::string()),
                    "expected an index and a time_utc");
      }
      scene.emissions[emission["index"].get<int>()] = {*time, PositionOf(emission)};
    }
  }
  for (const auto& [id, pulse] : (*truth)["pulses"].items()) {
    TruthPulse entry;
    entry.noise = StringOr(pulse, "origin") == "noise";
    if (!entry.noise) {
      entry.event = StringOr(pulse, "event");
      if (!scene.event_class.contains(entry.event))
        return Fail(path, "pulse " + id, "its event is not among the scene's events");
      if (pulse.contains("emission") && pulse["emission"].is_number_integer())
        entry.emission = pulse["emission"].get<int>();
    }
    scene.pulses.emplace(id, std::move(entry));
  }
  return scene;
}

// A pulse a sensor reported in one window, with its truth.
struct WindowReport {
  std::string sensor_id;
  int64_t onset_ns = 0;
  const TruthPulse* truth = nullptr;
};

struct WindowTruth {
  std::vector<WindowReport> reports;
  int64_t begin_ns = 0, end_ns = 0;
};

Result<WindowTruth> ReadWindowTruth(const fs::path& window_dir, const SceneTruth& scene) {
  const std::string stem = (window_dir / window_dir.filename()).string();
  WindowTruth window;
  auto allpulses = ReadJson(stem + ".allpulses.json");
  if (!allpulses) return std::unexpected(allpulses.error());
  if (!allpulses->is_array()) return Fail(stem + ".allpulses.json", "", "expected an array");
  for (const json& pulse : *allpulses) {
    const std::string id = StringOr(pulse, "pulse_uuid");
    auto truth = scene.pulses.find(id);
    if (truth == scene.pulses.end())
      return Fail(stem + ".allpulses.json", "pulse " + id, "not in the scene's truth.json");
    auto onset = ParseIsoUtc(StringOr(pulse, "arrival_time_utc"));
    if (!onset) return Fail(stem + ".allpulses.json", "pulse " + id, onset.error());
    // Truncated to the millisecond (as ReadWindowReports takes it): the middle of it.
    window.reports.push_back({StringOr(pulse, "serial_number"), *onset + 500'000, &truth->second});
  }
  auto span = ReadJson(stem + ".truth.json");
  if (!span) return std::unexpected(span.error());
  auto begin = ParseIsoUtc(StringOr(*span, "begin_utc"));
  auto end = ParseIsoUtc(StringOr(*span, "end_utc"));
  if (!begin || !end) return Fail(stem + ".truth.json", "begin_utc/end_utc", "expected UTC times");
  window.begin_ns = *begin;
  window.end_ns = *end;
  return window;
}

// The truth of the nearest report of the pulse's sensor within the tolerance, or null.
const TruthPulse* MatchPulse(const Pulse& pulse, const std::vector<WindowReport>& reports,
                             double tolerance_s) {
  const double tolerance_ns = tolerance_s * 1e9;
  const TruthPulse* best = nullptr;
  double best_ns = std::numeric_limits<double>::infinity();
  for (const WindowReport& report : reports) {
    if (report.sensor_id != pulse.sensor_id) continue;
    const double distance_ns = std::abs(static_cast<double>(report.onset_ns - pulse.onset_ns));
    if (distance_ns <= tolerance_ns && distance_ns < best_ns) {
      best_ns = distance_ns;
      best = report.truth;
    }
  }
  return best;
}

// The most frequent key; ties go to the smallest key, so the choice is reproducible.
template <typename Key>
Key Majority(const std::map<Key, int>& votes) {
  auto best = votes.begin();
  for (auto it = votes.begin(); it != votes.end(); ++it)
    if (it->second > best->second) best = it;
  return best->first;
}

TestRows LabelSimulatedTest(const eval::LivefireTest& test, const std::string& sim_dir,
                            const std::string& folder_key, const SceneTruth& scene,
                            const ShotDatasetOptions& options) {
  TestRows out;
  auto window = ReadWindowTruth(fs::path(sim_dir) / test.name, scene);
  if (!window) {
    out.problems.push_back(window.error());
    return out;
  }
  LocatedTest located = DetectAndLocate(test, options);
  out.recordings = located.recordings;
  out.detections = located.detections;
  out.located = located.fixes.size();
  out.problems = std::move(located.problems);
  int ghosts = 0;
  for (std::size_t f = 0; f < located.fixes.size(); ++f) {
    std::vector<const TruthPulse*> matched;
    for (const Pulse& pulse : located.used[f]) {
      if (const TruthPulse* truth = MatchPulse(pulse, window->reports, options.match_tolerance_s))
        matched.push_back(truth);
    }
    if (matched.empty() || 2 * matched.size() < located.used[f].size()) {
      ++out.unlabelled;
      continue;
    }
    auto class_of = [&](const TruthPulse* truth) {
      return truth->noise ? kOtherImpulsiveClass : scene.event_class.at(truth->event);
    };
    std::map<int, int> class_votes;
    for (const TruthPulse* truth : matched) ++class_votes[class_of(truth)];
    LabelledFix fix;
    fix.row = std::move(located.rows[f]);
    fix.label = Majority(class_votes);
    // The source among the pulses of that class: an event, or "" for local bangs.
    std::map<std::string, int> source_votes;
    for (const TruthPulse* truth : matched)
      if (class_of(truth) == fix.label) ++source_votes[truth->noise ? "" : truth->event];
    const std::string event = Majority(source_votes);
    if (event.empty()) {
      // Local bangs at several sensors stitched into a ghost: its own incident.
      fix.incident = folder_key + ":noise:" + test.name + ":" + std::to_string(ghosts++);
      out.fixes.push_back(std::move(fix));
      continue;
    }
    fix.incident = folder_key + ":" + event;
    std::map<int, int> emission_votes;
    for (const TruthPulse* truth : matched)
      if (!truth->noise && truth->event == event && truth->emission >= 0)
        ++emission_votes[truth->emission];
    Eigen::Vector3d truth_m = scene.event_position_m.at(event);
    if (!emission_votes.empty()) {
      fix.emission = Majority(emission_votes);
      auto emission = scene.emissions.find(fix.emission);
      if (emission != scene.emissions.end()) {
        truth_m = emission->second.position_m;
        fix.in_window = emission->second.time_ns >= window->begin_ns &&
                        emission->second.time_ns < window->end_ns;
      }
    }
    fix.location_error_m = HorizontalDistanceM(located.fixes[f].position_m, truth_m);
    out.fixes.push_back(std::move(fix));
  }
  return out;
}

Result<void> CheckSimulationFolder(const std::string& sim_dir) {
  auto scenario = internal::ReadSimulationScenario(sim_dir);
  if (!scenario) return std::unexpected(scenario.error());
  if (StringOr(*scenario, "mode") != "audio") {
    return Fail(sim_dir, "",
                "simulated with --pulses-only: there is no audio to detect and locate shots "
                "from; simulate again without --pulses-only");
  }
  if (!fs::exists(fs::path(sim_dir) / "truth.json")) {
    return Fail(sim_dir, "", "no truth.json: the shots located there cannot be labelled");
  }
  return {};
}

// The folder as a stable incident prefix: its path without a trailing separator.
std::string FolderKey(const std::string& dir) {
  fs::path path = fs::path(dir).lexically_normal();
  if (!path.has_filename() && path.has_parent_path()) path = path.parent_path();
  return path.string();
}

// The tests below `dir` (GROUP/test_NNN/). `dir` may also be one group (".../FP1"): then its
// parent is read and only that group's tests are kept.
Result<std::vector<eval::LivefireTest>> LoadTests(const std::string& dir, ShotDataset* dataset) {
  auto tests = eval::LoadLivefireDataset(dir, &dataset->problems);
  const fs::path path = fs::path(FolderKey(dir));
  if (!tests && fs::is_directory(path) && path.has_parent_path()) {
    std::vector<Error> problems;
    auto parent = eval::LoadLivefireDataset(path.parent_path().string(), &problems);
    if (parent) {
      const std::string group = path.filename().string();
      std::erase_if(*parent,
                    [&](const eval::LivefireTest& test) { return test.firing_position != group; });
      if (!parent->empty()) {
        for (Error& problem : problems)
          if (problem.ToString().find(group) != std::string::npos)
            dataset->problems.push_back(std::move(problem));
        tests = std::move(*parent);
      }
    }
  }
  if (!tests) {
    return Fail(dir, "", "no tests to build shot rows from (" + tests.error().ToString() + ")");
  }
  if (tests->empty()) return Fail(dir, "", "no tests (GROUP/test_NNN/) to build shot rows from");
  dataset->tests = tests->size();
  return tests;
}

}  // namespace

void ShotDataset::Append(const ShotDataset& other) {
  rows.values.insert(rows.values.end(), other.rows.values.begin(), other.rows.values.end());
  labels.insert(labels.end(), other.labels.begin(), other.labels.end());
  incident_of_row.insert(incident_of_row.end(), other.incident_of_row.begin(),
                         other.incident_of_row.end());
  test_of_row.insert(test_of_row.end(), other.test_of_row.begin(), other.test_of_row.end());
  location_error_m.insert(location_error_m.end(), other.location_error_m.begin(),
                          other.location_error_m.end());
  tests += other.tests;
  recordings += other.recordings;
  detections += other.detections;
  fixes += other.fixes;
  unlabelled_fixes += other.unlabelled_fixes;
  duplicate_fixes += other.duplicate_fixes;
  fixes_outside_window += other.fixes_outside_window;
  for (std::size_t c = 0; c < class_counts.size(); ++c) class_counts[c] += other.class_counts[c];
  problems.insert(problems.end(), other.problems.begin(), other.problems.end());
}

Result<ShotDataset> BuildSimulatedShotDataset(const std::string& sim_dir,
                                              const ShotDatasetOptions& options) {
  if (auto ok = CheckSimulationFolder(sim_dir); !ok) return std::unexpected(ok.error());
  auto scene = ReadSceneTruth((fs::path(sim_dir) / "truth.json").string());
  if (!scene) return std::unexpected(scene.error());
  ShotDataset dataset;
  auto tests = LoadTests(sim_dir, &dataset);
  if (!tests) return std::unexpected(tests.error());
  const std::string folder_key = FolderKey(sim_dir);
  std::vector<TestRows> results =
      ForEachTest(*tests, options.threads, [&](const eval::LivefireTest& test) {
        return LabelSimulatedTest(test, sim_dir, folder_key, *scene, options);
      });

  // One emission located in several (overlapping) windows is kept once: from the first
  // window whose span holds it, where all its arrivals are in the audio; else the first.
  std::map<int, std::pair<std::size_t, std::size_t>> keep;  // emission -> (test, fix)
  for (std::size_t t = 0; t < results.size(); ++t) {
    for (std::size_t f = 0; f < results[t].fixes.size(); ++f) {
      const LabelledFix& fix = results[t].fixes[f];
      if (fix.emission < 0) continue;
      auto [it, inserted] = keep.try_emplace(fix.emission, t, f);
      if (!inserted && fix.in_window &&
          !results[it->second.first].fixes[it->second.second].in_window)
        it->second = {t, f};
    }
  }
  for (std::size_t t = 0; t < results.size(); ++t) {
    AddCounts(&dataset, results[t]);
    for (std::size_t f = 0; f < results[t].fixes.size(); ++f) {
      const LabelledFix& fix = results[t].fixes[f];
      if (fix.emission >= 0 && keep.at(fix.emission) != std::pair{t, f}) {
        ++dataset.duplicate_fixes;
        continue;
      }
      if (!fix.in_window) ++dataset.fixes_outside_window;
      AddRow(&dataset, (*tests)[t].name, fix);
    }
  }
  return dataset;
}

Result<ShotDataset> BuildLivefireShotDataset(const std::string& livefire_dir,
                                             const ShotDatasetOptions& options) {
  ShotDataset dataset;
  auto tests = LoadTests(livefire_dir, &dataset);
  if (!tests) return std::unexpected(tests.error());
  std::vector<TestRows> results =
      ForEachTest(*tests, options.threads, [&](const eval::LivefireTest& test) {
        TestRows out;
        LocatedTest located = DetectAndLocate(test, options);
        out.recordings = located.recordings;
        out.detections = located.detections;
        out.located = located.fixes.size();
        out.problems = std::move(located.problems);
        for (std::size_t f = 0; f < located.fixes.size(); ++f) {
          const double error_m = HorizontalDistanceM(located.fixes[f].position_m, test.survey_m);
          if (!(error_m <= options.survey_match_radius_m)) {
            ++out.unlabelled;  // an echo image, a street sound or a badly located shot
            continue;
          }
          out.fixes.push_back({.row = std::move(located.rows[f]),
                               .label = kGunfireClass,
                               .incident = test.name,
                               .location_error_m = error_m});
        }
        return out;
      });
  for (std::size_t t = 0; t < results.size(); ++t) {
    AddCounts(&dataset, results[t]);
    for (const LabelledFix& fix : results[t].fixes) AddRow(&dataset, (*tests)[t].name, fix);
  }
  return dataset;
}

}  // namespace earshot::classify
