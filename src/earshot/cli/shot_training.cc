#include "earshot/cli/shot_training.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "earshot/classify/feature_rows.h"
#include "earshot/classify/model_evaluation.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/classify/shot_calibration.h"
#include "earshot/classify/shot_dataset.h"
#include "earshot/cli/report_format.h"

namespace earshot::cli {
namespace {

namespace fs = std::filesystem;
using classify::kGunfireClass;
using classify::kPulseClassCount;
using classify::kPulseClassNames;
using classify::SelectRows;
using classify::ShotDataset;

// Rows and what is known about them, for scoring.
struct Scored {
  std::vector<int> label;
  std::vector<std::string> incident;
  std::vector<std::array<double, kPulseClassCount>> p;  // calibrated
};

// Calibrated class probabilities of `rows` by a trained model.
Result<std::vector<std::array<double, kPulseClassCount>>> Predict(
    const classify::TrainedShotModel& trained, const classify::FeatureMatrix& rows) {
  auto raw = trained.model.PredictProbabilities(rows);
  if (!raw) return std::unexpected(raw.error());
  std::vector<std::array<double, kPulseClassCount>> out;
  for (const std::vector<float>& p : *raw) {
    const std::vector<double> calibrated =
        trained.calibration.shot.Apply(std::span<const float>(p));
    std::array<double, kPulseClassCount> a{};
    std::copy(calibrated.begin(), calibrated.end(), a.begin());
    out.push_back(a);
  }
  return out;
}

// One incident: its truth, its shots' calibrated p(gunfire) and its own probability.
struct IncidentScore {
  int label = 0;
  std::size_t shots = 0;
  double p_gunfire = 0.0;
};

std::vector<IncidentScore> Incidents(const Scored& scored,
                                     const classify::ShotCalibration& calibration) {
  std::map<std::string, std::vector<std::size_t>> rows_of;
  for (std::size_t r = 0; r < scored.label.size(); ++r) rows_of[scored.incident[r]].push_back(r);
  std::vector<IncidentScore> out;
  for (const auto& [incident, rows] : rows_of) {
    std::vector<double> p;
    std::array<int, kPulseClassCount> votes{};
    for (std::size_t r : rows) {
      p.push_back(scored.p[r][kGunfireClass]);
      ++votes[static_cast<std::size_t>(scored.label[r])];
    }
    out.push_back(
        {.label = static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin()),
         .shots = rows.size(),
         .p_gunfire = calibration.incident.Apply(classify::IncidentScore(p))});
  }
  return out;
}

// One folder's rows and what they were for ("train", "held out").
struct FolderRows {
  std::string folder;
  std::string role;
  ShotDataset set;
};

void WriteDatasets(std::ostream& out, const std::vector<FolderRows>& sets) {
  out << "| folder | role | tests | recordings | detections | fixes | left out (unlabelled, "
         "duplicate) | incidents |";
  for (std::string_view name : kPulseClassNames) out << " " << name << " |";
  out << " median location error |\n|---|---|---|---|---|---|---|---|";
  for (int c = 0; c < kPulseClassCount; ++c) out << "---|";
  out << "---|\n";
  for (const auto& [folder, role, set] : sets) {
    std::vector<double> errors;
    for (double e : set.location_error_m)
      if (std::isfinite(e)) errors.push_back(e);
    std::sort(errors.begin(), errors.end());
    out << "| " << folder << " | " << role << " | " << set.tests << " | " << set.recordings << " | "
        << set.detections << " | " << set.fixes << " | " << set.unlabelled_fixes << ", "
        << set.duplicate_fixes << " | "
        << std::set<std::string>(set.incident_of_row.begin(), set.incident_of_row.end()).size()
        << " |";
    for (std::size_t count : set.class_counts) out << " " << count << " |";
    out << " " << (errors.empty() ? std::string("–") : Fixed(errors[errors.size() / 2], 1) + " m")
        << " |\n";
  }
  out << "\n";
}

// Share of shots (or incidents) of each true class at or above each dispatch threshold.
template <typename Item, typename GetLabel, typename GetP>
void WriteThresholdTable(std::ostream& out, const std::string& unit, const std::vector<Item>& items,
                         GetLabel label_of, GetP p_of, const classify::DispatchThresholds& t) {
  out << "| truth | " << unit << " | labelled gunfire (p >= " << Fixed(t.gunfire_min_p, 2)
      << ") | gunfire or probable (p >= " << Fixed(t.probable_min_p, 2)
      << ") |\n|---|---|---|---|\n";
  for (int c = 0; c < kPulseClassCount; ++c) {
    std::size_t n = 0, gunfire = 0, probable = 0;
    for (const Item& item : items) {
      if (label_of(item) != c) continue;
      ++n;
      gunfire += p_of(item) >= t.gunfire_min_p ? 1 : 0;
      probable += p_of(item) >= t.probable_min_p ? 1 : 0;
    }
    out << "| " << kPulseClassNames[static_cast<std::size_t>(c)] << " | " << n << " | "
        << Percent(gunfire, n) << " | " << Percent(probable, n) << " |\n";
  }
  // All the other classes together: the false-alert rate dispatch sees.
  std::size_t n = 0, gunfire = 0, probable = 0;
  for (const Item& item : items) {
    if (label_of(item) == kGunfireClass) continue;
    ++n;
    gunfire += p_of(item) >= t.gunfire_min_p ? 1 : 0;
    probable += p_of(item) >= t.probable_min_p ? 1 : 0;
  }
  out << "| not gunfire (all other classes) | " << n << " | " << Percent(gunfire, n) << " | "
      << Percent(probable, n) << " |\n\n";
}

void WriteCalibration(std::ostream& out, const std::string& unit, const std::vector<float>& p,
                      const std::vector<int>& outcome) {
  const auto table = classify::CalibrationTable(p, outcome, 10);
  out << "| bin | " << unit << " | mean p_gunfire | observed gunfire rate | difference, points |\n"
      << "|---|---|---|---|---|\n";
  for (const classify::CalibrationRow& row : table) {
    out << "| " << Fixed(row.lower, 1) << "–" << Fixed(row.upper, 1) << " | " << row.count << " | ";
    if (row.count == 0) {
      out << "– | – | – |\n";
      continue;
    }
    out << Fixed(row.mean_p, 3) << " | " << Fixed(row.observed_rate, 3) << " | "
        << Fixed(row.difference_points, 1) << " |\n";
  }
  constexpr std::size_t kMinCount = 20;
  out << "\nLargest difference over bins with at least " << kMinCount << " " << unit << ": "
      << Fixed(classify::MaxCalibrationGapPoints(table, kMinCount), 1) << " points. ROC AUC of "
      << "p_gunfire, gunfire against the rest: " << Fixed(classify::RocAuc(p, outcome), 4)
      << ".\n\n";
}

void WriteScored(std::ostream& out, const Scored& scored,
                 const classify::ShotCalibration& calibration,
                 const classify::DispatchThresholds& thresholds) {
  // Shots: confusion by the most probable class.
  std::vector<int> predicted;
  for (const auto& p : scored.p)
    predicted.push_back(static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));
  const auto confusion = classify::ConfusionMatrix(scored.label, predicted, kPulseClassCount);
  out << "Shots, confusion matrix (rows: truth, columns: most probable class):\n\n| truth |";
  for (std::string_view name : kPulseClassNames) out << " " << name << " |";
  out << " recall |\n|---|";
  for (int c = 0; c <= kPulseClassCount; ++c) out << "---|";
  out << "\n";
  for (int t = 0; t < kPulseClassCount; ++t) {
    std::size_t total = 0;
    for (std::size_t count : confusion[static_cast<std::size_t>(t)]) total += count;
    out << "| " << kPulseClassNames[static_cast<std::size_t>(t)] << " |";
    for (std::size_t count : confusion[static_cast<std::size_t>(t)]) out << " " << count << " |";
    out << " "
        << Percent(confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(t)], total)
        << " |\n";
  }
  out << "\nShots at the dispatch thresholds:\n\n";
  std::vector<std::size_t> rows(scored.label.size());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  WriteThresholdTable(
      out, "shots", rows, [&](std::size_t r) { return scored.label[r]; },
      [&](std::size_t r) { return scored.p[r][kGunfireClass]; }, thresholds);
  const std::vector<IncidentScore> incidents = Incidents(scored, calibration);
  out << "Incidents (all shots of one event; the incident's calibrated probability) at the "
         "dispatch thresholds:\n\n";
  WriteThresholdTable(
      out, "incidents", incidents, [](const IncidentScore& i) { return i.label; },
      [](const IncidentScore& i) { return i.p_gunfire; }, thresholds);
  std::vector<float> shot_p, incident_p;
  std::vector<int> shot_outcome, incident_outcome;
  for (std::size_t r = 0; r < scored.label.size(); ++r) {
    shot_p.push_back(static_cast<float>(scored.p[r][kGunfireClass]));
    shot_outcome.push_back(scored.label[r] == kGunfireClass ? 1 : 0);
  }
  for (const IncidentScore& i : incidents) {
    incident_p.push_back(static_cast<float>(i.p_gunfire));
    incident_outcome.push_back(i.label == kGunfireClass ? 1 : 0);
  }
  out << "Calibration of the shots' p_gunfire:\n\n";
  WriteCalibration(out, "shots", shot_p, shot_outcome);
  out << "Calibration of the incidents' p_gunfire:\n\n";
  WriteCalibration(out, "incidents", incident_p, incident_outcome);
}

std::string FiringPositionOf(const std::string& test) { return test.substr(0, test.find('/')); }

int Refuse(const Error& error) {
  std::cerr << "earshot train: " << error.ToString() << "\n";
  return 1;
}

}  // namespace

int TrainShotClassifier(const ShotTrainingArgs& args) {
  classify::ShotDatasetOptions options;
  options.threads = args.threads;
  std::vector<FolderRows> sets;
  ShotDataset train, heldout, real;
  auto build = [&](const std::string& folder, const std::string& role, bool simulated,
                   ShotDataset* into) -> bool {
    const auto start = std::chrono::steady_clock::now();
    auto set = simulated ? classify::BuildSimulatedShotDataset(folder, options)
                         : classify::BuildLivefireShotDataset(folder, options);
    if (!set) {
      Refuse(set.error());
      return false;
    }
    for (const Error& problem : set->problems)
      std::cerr << "earshot train: skipped: " << problem.ToString() << "\n";
    std::cerr
        << "earshot train: " << folder << ": " << set->fixes << " located shots, "
        << set->labels.size() << " labelled, in "
        << Fixed(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1)
        << " s\n";
    into->Append(*set);
    sets.push_back({folder, role, std::move(*set)});
    return true;
  };
  for (const std::string& sim : args.sims)
    if (!build(sim, "train", true, &train)) return 1;
  if (!args.livefire_dir.empty() && !build(args.livefire_dir, "train (real)", false, &real))
    return 1;
  for (const std::string& sim : args.heldout_sims)
    if (!build(sim, "held out", true, &heldout)) return 1;
  ShotDataset all_train = train;
  all_train.Append(real);
  if (all_train.labels.empty()) {
    std::cerr << "earshot train: no labelled located shots to train the shot classifier on\n";
    return 1;
  }

  auto trained = classify::TrainShotModel(
      all_train.rows, all_train.labels, all_train.incident_of_row, kPulseClassCount, args.training);
  if (!trained) return Refuse(trained.error());
  std::error_code fs_error;
  fs::create_directories(args.out_dir, fs_error);
  const std::string model_path = (fs::path(args.out_dir) / "shot_classifier.json").string();
  const std::string calibration_path =
      (fs::path(args.out_dir) / "shot_classifier.calibration.json").string();
  if (auto saved = trained->model.Save(model_path); !saved) return Refuse(saved.error());
  if (auto saved = trained->calibration.Save(calibration_path); !saved)
    return Refuse(saved.error());

  std::ostringstream report;
  report
      << "# Shot classifier: training report\n\nWritten by `earshot train`; reproduce with\n\n```\n"
      << args.command_line << "\n```\n\n(each --sim / --heldout-sim folder made by `earshot "
      << "simulate` in audio mode, as in pulse_classifier_report.md; --livefire is the real "
      << "live-fire test). docs/classifying.md, \"Shot classifier\", explains every step.\n\n"
      << "Model: XGBoost multi:softprob over " << all_train.rows.ColumnCount()
      << " columns (classify/shot_row.h: the 17 shot features and the per-sensor median of the "
      << "detector's 18), " << args.training.boosting.rounds << " rounds, depth "
      << args.training.boosting.max_depth << ", eta " << Fixed(args.training.boosting.eta, 2)
      << "; calibrated by isotonic regression on " << args.training.calibration_folds
      << "-fold out-of-fold scores, folds by incident. Dispatch thresholds: gunfire at p >= "
      << Fixed(args.thresholds.gunfire_min_p, 2)
      << ", probable gunfire at p >= " << Fixed(args.thresholds.probable_min_p, 2)
      << " (config/dispatch.json).\n\n"
      << "## Data\n\nOne row per located shot: the detector runs on every recording, the "
      << "locator on the detected pulses, exactly as live. A simulated shot takes the class of "
      << "the event most of its pulses came from; a real one is gunfire when it lies within "
      << Fixed(options.survey_match_radius_m, 0) << " m of the surveyed firing position.\n\n";
  WriteDatasets(report, sets);

  // Out of fold: every training row scored by a model that did not see its incident.
  {
    Scored oof{.label = all_train.labels, .incident = all_train.incident_of_row, .p = {}};
    for (const auto& p : trained->out_of_fold_probabilities) {
      std::array<double, kPulseClassCount> a{};
      std::copy(p.begin(), p.end(), a.begin());
      oof.p.push_back(a);
    }
    report << "## Training rows, out of fold\n\nEach row scored by the fold model that did not "
              "see its incident (the scores the calibration was fitted on, so calibration here "
              "is in-sample).\n\n";
    WriteScored(report, oof, trained->calibration, args.thresholds);
  }
  if (!heldout.labels.empty()) {
    auto p = Predict(*trained, heldout.rows);
    if (!p) return Refuse(p.error());
    report << "## Held-out simulated scenes\n\nScenes never trained on (other seeds: other "
              "events, sensors, noise):";
    for (const std::string& sim : args.heldout_sims) report << " `" << sim << "`";
    report << ".\n\n";
    WriteScored(report, {.label = heldout.labels, .incident = heldout.incident_of_row, .p = *p},
                trained->calibration, args.thresholds);
  }

  // Real gunshots, each firing position scored by a model trained without it.
  if (!real.labels.empty()) {
    std::set<std::string> positions;
    for (const std::string& test : real.test_of_row) positions.insert(FiringPositionOf(test));
    report << "## Real live-fire gunshots, firing position held out\n\nFor each firing "
              "position, a model is trained (with its own calibration) on the simulated "
              "training scenes and the other positions, and scores this position's located "
              "shots. An incident is one test (a string of rounds from one firearm).\n\n"
           << "| firing position | shots | labelled gunfire (p >= "
           << Fixed(args.thresholds.gunfire_min_p, 2)
           << ") | gunfire or probable (p >= " << Fixed(args.thresholds.probable_min_p, 2)
           << ") | most probable class gunfire | "
           << "incidents | incidents labelled gunfire | gunfire or probable |\n"
           << "|---|---|---|---|---|---|---|---|\n";
    std::array<std::size_t, 7> total{};
    for (const std::string& position : positions) {
      std::vector<std::size_t> keep, held;
      for (std::size_t r = 0; r < real.labels.size(); ++r)
        (FiringPositionOf(real.test_of_row[r]) == position ? held : keep).push_back(r);
      std::vector<int> labels = train.labels;
      std::vector<std::string> incidents = train.incident_of_row;
      classify::FeatureMatrix rows = train.rows;
      const classify::FeatureMatrix kept = SelectRows(real.rows, keep);
      rows.values.insert(rows.values.end(), kept.values.begin(), kept.values.end());
      for (std::size_t r : keep) {
        labels.push_back(real.labels[r]);
        incidents.push_back(real.incident_of_row[r]);
      }
      auto model =
          classify::TrainShotModel(rows, labels, incidents, kPulseClassCount, args.training);
      if (!model) return Refuse(model.error());
      auto p = Predict(*model, SelectRows(real.rows, held));
      if (!p) return Refuse(p.error());
      Scored scored;
      std::array<std::size_t, 7> count{};
      for (std::size_t i = 0; i < held.size(); ++i) {
        const auto& pi = (*p)[i];
        scored.label.push_back(real.labels[held[i]]);
        scored.incident.push_back(real.incident_of_row[held[i]]);
        scored.p.push_back(pi);
        ++count[0];
        count[1] += pi[kGunfireClass] >= args.thresholds.gunfire_min_p ? 1 : 0;
        count[2] += pi[kGunfireClass] >= args.thresholds.probable_min_p ? 1 : 0;
        count[3] += std::max_element(pi.begin(), pi.end()) == pi.begin() ? 1 : 0;
      }
      for (const IncidentScore& incident : Incidents(scored, model->calibration)) {
        ++count[4];
        count[5] += incident.p_gunfire >= args.thresholds.gunfire_min_p ? 1 : 0;
        count[6] += incident.p_gunfire >= args.thresholds.probable_min_p ? 1 : 0;
      }
      for (std::size_t k = 0; k < total.size(); ++k) total[k] += count[k];
      report << "| " << position << " | " << count[0] << " | " << Percent(count[1], count[0])
             << " | " << Percent(count[2], count[0]) << " | " << Percent(count[3], count[0])
             << " | " << count[4] << " | " << Percent(count[5], count[4]) << " | "
             << Percent(count[6], count[4]) << " |\n";
    }
    report << "| all | " << total[0] << " | " << Percent(total[1], total[0]) << " | "
           << Percent(total[2], total[0]) << " | " << Percent(total[3], total[0]) << " | "
           << total[4] << " | " << Percent(total[5], total[4]) << " | "
           << Percent(total[6], total[4]) << " |\n\n";
  }

  auto gains = trained->model.FeatureImportance();
  if (!gains) return Refuse(gains.error());
  std::sort(gains->begin(), gains->end(),
            [](const auto& a, const auto& b) { return a.gain > b.gain; });
  report << "## Feature importance\n\nAverage gain of the splits on each feature (XGBoost "
            "\"gain\"; 0: never used):\n\n| feature | gain |\n|---|---|\n";
  for (const classify::FeatureGain& gain : *gains)
    report << "| " << gain.feature << " | " << Fixed(gain.gain, 2) << " |\n";

  const std::string report_path = (fs::path(args.out_dir) / "shot_classifier_report.md").string();
  std::ofstream file(report_path, std::ios::binary | std::ios::trunc);
  file << report.str();
  file.close();
  if (!file) {
    std::cerr << "earshot train: cannot write " << report_path << "\n";
    return 1;
  }
  std::cerr << "earshot train: wrote " << model_path << ", " << calibration_path << " ("
            << all_train.labels.size() << " located shots) and " << report_path << "\n";
  return 0;
}

}  // namespace earshot::cli
