// earshot train: simulated scenes in, the pulse classifier and its report out.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/feature_rows.h"
#include "earshot/classify/gradient_boosted_model.h"
#include "earshot/classify/livefire_pulse_dataset.h"
#include "earshot/classify/model_evaluation.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/cli/commands.h"
#include "earshot/cli/report_format.h"
#include "earshot/cli/shot_training.h"

namespace earshot::cli {
namespace {

namespace fs = std::filesystem;
using classify::kGunfireClass;
using classify::kPulseClassCount;
using classify::kPulseClassNames;
using classify::SelectRows;

struct TrainArgs {
  std::vector<std::string> sims;
  std::vector<std::string> heldout_sims;  // the shot classifier's held-out scenes
  std::string livefire_dir;               // real labelled gunshots; empty: none
  std::string dispatch_config;            // thresholds for the report; empty: defaults
  bool pulses_only = false;               // skip the shot classifier
  std::string out_dir = "models";
  int holdout_every = 5;
  int threads = 2;
  classify::TrainOptions train;
};

constexpr const char* kHelp =
    "Train the pulse classifier (gunfire, aerial_firework, firecracker, other_impulsive) on\n"
    "simulated scenes, and write the model and its report.\n"
    "\n"
    "Each --sim DIR is an 'earshot simulate' output folder made in audio mode. The detector\n"
    "runs on every recording of every window; each detected pulse is labelled by the truth\n"
    "(the reported pulse of the same sensor within 5 ms, its event's class; a sensor's local\n"
    "bangs are other_impulsive); detections no reported pulse explains are left out and\n"
    "counted. Windows are split, not pulses: every --holdout-every-th window (counting over\n"
    "all folders in the order given) is held out, so one event's pulses are never on both\n"
    "sides. Written into --out:\n"
    "  pulse_classifier.json         the XGBoost model (feature names and classes inside)\n"
    "  pulse_classifier_report.md    class counts, held-out confusion matrix, gunfire recall\n"
    "                                and false gunfire per class at p_gunfire >= 0.5, ROC AUC,\n"
    "                                calibration table, feature importance (gain)\n"
    "With --livefire DIR (the real live-fire test, FPn/test_NNN), the detected pulses that\n"
    "match a pulse the vendor located a shot with are added as gunfire rows.\n"
    "\n"
    "Then the shot classifier (unless --pulse-model-only): every window's detected pulses are\n"
    "located; each located shot is a row (17 shot features and the per-sensor medians of the\n"
    "detector's features), labelled by the event most of its pulses came from (real: gunfire\n"
    "when within 60 m of the survey). It is trained on --sim and --livefire, calibrated by\n"
    "isotonic regression on out-of-fold scores (folds by incident), scored on --heldout-sim\n"
    "scenes and, firing position by firing position, on the real shots. Written into --out:\n"
    "  shot_classifier.json, shot_classifier.calibration.json, shot_classifier_report.md\n"
    "The same folders and options give the identical models. docs/classifying.md. Exit\n"
    "status: 0 written, 1 a folder refused or a file not written.";

bool HeldOut(int window, int every) { return every > 0 && window % every == every - 1; }

struct HeldOutResult {
  std::vector<int> label;
  std::vector<std::vector<float>> probability;
};

void WriteCounts(std::ostream& out, const std::vector<std::string>& sims,
                 const std::vector<classify::PulseDataset>& datasets,
                 const classify::PulseDataset& all, int holdout_every) {
  out << "## Data\n\n| folder | windows | recordings | detections | unmatched (left out) |";
  for (auto name : kPulseClassNames) out << " " << name << " |";
  out << "\n|---|---|---|---|---|";
  for (int c = 0; c < kPulseClassCount; ++c) out << "---|";
  out << "\n";
  for (std::size_t i = 0; i < sims.size(); ++i) {
    const classify::PulseDataset& d = datasets[i];
    out << "| " << sims[i] << " | " << d.windows.size() << " | " << d.recordings << " | "
        << d.detections << " | " << d.unmatched << " (" << Percent(d.unmatched, d.detections)
        << ") |";
    for (std::size_t count : d.class_counts) out << " " << count << " |";
    out << "\n";
  }
  std::array<std::size_t, kPulseClassCount> train{}, held{};
  for (std::size_t r = 0; r < all.labels.size(); ++r) {
    auto& side = HeldOut(all.window_of_row[r], holdout_every) ? held : train;
    ++side[static_cast<std::size_t>(all.labels[r])];
  }
  out << "\nRows by split (every " << holdout_every << "th window held out):\n\n| split |";
  for (auto name : kPulseClassNames) out << " " << name << " |";
  out << "\n|---|";
  for (int c = 0; c < kPulseClassCount; ++c) out << "---|";
  out << "\n| train |";
  for (std::size_t n : train) out << " " << n << " |";
  out << "\n| held out |";
  for (std::size_t n : held) out << " " << n << " |";
  out << "\n\n";
}

void WriteHeldOut(std::ostream& out, const HeldOutResult& held) {
  const std::size_t n = held.label.size();
  out << "## Held-out results\n\n";
  if (n == 0) {
    out << "No held-out rows.\n\n";
    return;
  }
  // Confusion matrix by the most probable class.
  std::vector<int> most_probable(n), is_gunfire(n);
  std::array<std::size_t, kPulseClassCount> called_gunfire{};
  std::vector<float> p_gunfire(n);
  for (std::size_t r = 0; r < n; ++r) {
    const std::vector<float>& p = held.probability[r];
    most_probable[r] = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    is_gunfire[r] = held.label[r] == kGunfireClass ? 1 : 0;
    p_gunfire[r] = p[kGunfireClass];
    if (p_gunfire[r] >= 0.5F) ++called_gunfire[static_cast<std::size_t>(held.label[r])];
  }
  const std::vector<std::vector<std::size_t>> confusion =
      classify::ConfusionMatrix(held.label, most_probable, kPulseClassCount);
  std::array<std::size_t, kPulseClassCount> total{};
  for (std::size_t t = 0; t < total.size(); ++t) {
    total[t] = std::accumulate(confusion[t].begin(), confusion[t].end(), std::size_t{0});
  }
  out << "Confusion matrix (rows: truth, columns: most probable class), pulses:\n\n| truth |";
  for (auto name : kPulseClassNames) out << " " << name << " |";
  out << " recall |\n|---|";
  for (int c = 0; c <= kPulseClassCount; ++c) out << "---|";
  out << "\n";
  for (int t = 0; t < kPulseClassCount; ++t) {
    const auto ti = static_cast<std::size_t>(t);
    out << "| " << kPulseClassNames[ti] << " |";
    for (std::size_t count : confusion[ti]) out << " " << count << " |";
    out << " " << Percent(confusion[ti][ti], total[ti]) << " |\n";
  }
  out << "\nAt the gunfire threshold p_gunfire >= 0.5:\n\n| truth | pulses | labelled gunfire |\n"
         "|---|---|---|\n";
  for (int t = 0; t < kPulseClassCount; ++t) {
    const auto ti = static_cast<std::size_t>(t);
    out << "| " << kPulseClassNames[ti] << (t == kGunfireClass ? " (recall)" : "") << " | "
        << total[ti] << " | " << Percent(called_gunfire[ti], total[ti]) << " |\n";
  }
  out << "\nROC AUC of p_gunfire, gunfire against the rest: "
      << Fixed(classify::RocAuc(p_gunfire, is_gunfire), 4) << "\n\n";

  // Calibration: predicted against observed gunfire rate per tenth of p_gunfire.
  out << "Calibration of p_gunfire (bins of 0.1):\n\n| bin | pulses | mean p_gunfire | observed "
         "gunfire rate | difference, points |\n|---|---|---|---|---|\n";
  const std::vector<classify::CalibrationRow> table =
      classify::CalibrationTable(p_gunfire, is_gunfire, 10);
  for (const classify::CalibrationRow& row : table) {
    out << "| " << Fixed(row.lower, 1) << "–" << Fixed(row.upper, 1) << " | " << row.count << " |";
    if (row.count == 0) {
      out << " – | – | – |\n";
      continue;
    }
    out << " " << Fixed(row.mean_p, 3) << " | " << Fixed(row.observed_rate, 3) << " | "
        << Fixed(row.difference_points, 1) << " |\n";
  }
  const double worst = classify::MaxCalibrationGapPoints(table, 20);
  out << "\nLargest difference over bins with at least 20 pulses: " << Fixed(worst, 1)
      << " points.\n\n";
}

void WriteImportance(std::ostream& out, std::vector<classify::FeatureGain> gains) {
  std::stable_sort(gains.begin(), gains.end(),
                   [](const auto& a, const auto& b) { return a.gain > b.gain; });
  out << "## Feature importance\n\nAverage gain of the splits on each feature (XGBoost \"gain\"; "
         "0: never used):\n\n| feature | gain |\n|---|---|\n";
  for (const classify::FeatureGain& g : gains)
    out << "| " << g.feature << " | " << Fixed(g.gain, 2) << " |\n";
}

// How each folder was made: its scenario.json names the scene and the seed. The committed
// scenarios are scenarios/<scene>.json.
void WriteProvenance(std::ostream& out, const std::vector<std::string>& sims) {
  out << "where each folder was made by `earshot simulate` (audio mode):\n\n```\n";
  for (const std::string& sim : sims) {
    std::ifstream in(fs::path(sim) / "scenario.json", std::ios::binary);
    const nlohmann::json scenario = nlohmann::json::parse(in, nullptr, false);
    const std::string scene =
        scenario.is_object() ? scenario.value("scene", std::string("?")) : std::string("?");
    const std::string seed = scenario.is_object() && scenario.contains("seed")
                                 ? scenario["seed"].dump()
                                 : std::string("?");
    out << "earshot simulate scenarios/" << scene << ".json --seed " << seed << " --out " << sim
        << "\n";
  }
  out << "```\n\n";
}

std::string CommandLine(const TrainArgs& args) {
  std::string line = "earshot train";
  for (const std::string& sim : args.sims) line.append(" --sim ").append(sim);
  for (const std::string& sim : args.heldout_sims) line.append(" --heldout-sim ").append(sim);
  if (!args.livefire_dir.empty()) line.append(" --livefire ").append(args.livefire_dir);
  if (!args.dispatch_config.empty())
    line.append(" --dispatch-config ").append(args.dispatch_config);
  if (args.pulses_only) line.append(" --pulse-model-only");
  line.append(" --out ").append(args.out_dir);
  if (args.holdout_every != 5)
    line.append(" --holdout-every ").append(std::to_string(args.holdout_every));
  const classify::TrainOptions defaults;
  if (args.train.rounds != defaults.rounds)
    line.append(" --rounds ").append(std::to_string(args.train.rounds));
  if (args.train.max_depth != defaults.max_depth)
    line.append(" --max-depth ").append(std::to_string(args.train.max_depth));
  if (args.train.eta != defaults.eta) line.append(" --eta ").append(Fixed(args.train.eta, 3));
  return line;
}

int Run(const TrainArgs& args) {
  std::string error;
  if (!args.train.IsValid(&error)) {
    std::cerr << "earshot train: " << error << "\n";
    return 1;
  }
  classify::PulseDatasetOptions options;
  options.threads = args.threads;
  std::vector<classify::PulseDataset> datasets;
  classify::PulseDataset all;
  for (const std::string& sim : args.sims) {
    auto dataset = classify::BuildPulseDataset(sim, options);
    if (!dataset) {
      std::cerr << "earshot train: " << dataset.error().ToString() << "\n";
      return 1;
    }
    std::cerr << "earshot train: " << sim << ": " << dataset->windows.size() << " windows, "
              << dataset->recordings << " recordings, " << dataset->labels.size()
              << " labelled pulses, " << dataset->unmatched << " unmatched detections left out\n";
    all.Append(*dataset);
    datasets.push_back(std::move(*dataset));
  }
  std::vector<std::string> sources = args.sims;
  if (!args.livefire_dir.empty()) {
    auto dataset = classify::BuildLivefirePulseDataset(args.livefire_dir, options);
    if (!dataset) {
      std::cerr << "earshot train: " << dataset.error().ToString() << "\n";
      return 1;
    }
    std::cerr << "earshot train: " << args.livefire_dir << ": " << dataset->windows.size()
              << " tests, " << dataset->labels.size() << " real gunshot pulses, "
              << dataset->unmatched << " other detections left out\n";
    all.Append(*dataset);
    datasets.push_back(std::move(*dataset));
    sources.push_back(args.livefire_dir + " (real, gunfire only)");
  }

  std::vector<std::size_t> train_rows, held_rows;
  for (std::size_t r = 0; r < all.labels.size(); ++r)
    (HeldOut(all.window_of_row[r], args.holdout_every) ? held_rows : train_rows).push_back(r);
  if (train_rows.empty()) {
    std::cerr << "earshot train: no labelled pulses to train on\n";
    return 1;
  }
  std::vector<int> train_labels, held_labels;
  for (std::size_t r : train_rows) train_labels.push_back(all.labels[r]);
  for (std::size_t r : held_rows) held_labels.push_back(all.labels[r]);

  auto model = classify::GradientBoostedModel::Train(SelectRows(all.rows, train_rows), train_labels,
                                                     kPulseClassCount, args.train);
  if (!model) {
    std::cerr << "earshot train: " << model.error().ToString() << "\n";
    return 1;
  }
  HeldOutResult held{.label = held_labels, .probability = {}};
  if (!held_rows.empty()) {
    auto p = model->PredictProbabilities(SelectRows(all.rows, held_rows));
    if (!p) {
      std::cerr << "earshot train: " << p.error().ToString() << "\n";
      return 1;
    }
    held.probability = std::move(*p);
  }
  auto gains = model->FeatureImportance();
  if (!gains) {
    std::cerr << "earshot train: " << gains.error().ToString() << "\n";
    return 1;
  }

  std::error_code fs_error;
  fs::create_directories(args.out_dir, fs_error);
  const std::string model_path = (fs::path(args.out_dir) / "pulse_classifier.json").string();
  if (auto saved = model->Save(model_path); !saved) {
    std::cerr << "earshot train: " << saved.error().ToString() << "\n";
    return 1;
  }
  std::ostringstream report;
  report << "# Pulse classifier: training report\n\n"
         << "Written by `earshot train`; reproduce with\n\n```\n"
         << CommandLine(args) << "\n```\n\n";
  std::vector<std::string> simulated = args.sims;
  simulated.insert(simulated.end(), args.heldout_sims.begin(), args.heldout_sims.end());
  WriteProvenance(report, simulated);
  report << "Model: XGBoost multi:softprob over the detector's " << all.rows.ColumnCount()
         << " features (detect/features.h), classes " << kPulseClassNames[0] << ", "
         << kPulseClassNames[1] << ", " << kPulseClassNames[2] << ", " << kPulseClassNames[3]
         << "; " << args.train.rounds << " rounds, depth " << args.train.max_depth << ", eta "
         << Fixed(args.train.eta, 3) << ", seed " << args.train.seed
         << (args.livefire_dir.empty()
                 ? ". Trained on simulated scenes only"
                 : ". Trained on simulated scenes and the real live-fire gunshot pulses")
         << ": see docs/classifying.md, \"Pulse classifier\".\n\n";
  WriteCounts(report, sources, datasets, all, args.holdout_every);
  WriteHeldOut(report, held);
  WriteImportance(report, *gains);
  const std::string report_path = (fs::path(args.out_dir) / "pulse_classifier_report.md").string();
  std::ofstream file(report_path, std::ios::binary | std::ios::trunc);
  file << report.str();
  file.close();
  if (!file) {
    std::cerr << "earshot train: cannot write " << report_path << "\n";
    return 1;
  }
  std::cerr << "earshot train: wrote " << model_path << " (" << train_rows.size()
            << " training rows) and " << report_path << " (" << held_rows.size()
            << " held-out rows)\n";
  if (args.pulses_only) return 0;

  ShotTrainingArgs shot{.sims = args.sims,
                        .heldout_sims = args.heldout_sims,
                        .livefire_dir = args.livefire_dir,
                        .out_dir = args.out_dir,
                        .threads = args.threads,
                        .training = {},
                        .thresholds = {},
                        .command_line = CommandLine(args)};
  shot.training.boosting.seed = args.train.seed;
  if (!args.dispatch_config.empty()) {
    auto thresholds = classify::LoadDispatchThresholds(args.dispatch_config);
    if (!thresholds) {
      std::cerr << "earshot train: " << thresholds.error().ToString() << "\n";
      return 1;
    }
    shot.thresholds = *thresholds;
  }
  return TrainShotClassifier(shot);
}

}  // namespace

void AddTrainCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* command = app.add_subcommand("train", kHelp);
  command->add_option("--sim", args->sims, "an 'earshot simulate' output folder (repeatable)")
      ->required();
  command->add_option("--heldout-sim", args->heldout_sims,
                      "a simulated folder the shot classifier is only scored on (repeatable)");
  command->add_option("--livefire", args->livefire_dir,
                      "the real live-fire test (FPn/test_NNN): its gunshots join the training");
  command->add_option("--dispatch-config", args->dispatch_config,
                      "dispatch thresholds for the report (default config/dispatch.json values)");
  command->add_flag("--pulse-model-only", args->pulses_only,
                    "train the pulse classifier only, not the shot classifier");
  command->add_option("--out", args->out_dir, "folder for the models and their reports")
      ->capture_default_str();
  command->add_option("--holdout-every", args->holdout_every, "hold out every Nth window (0: none)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  command->add_option("--rounds", args->train.rounds, "boosting rounds")->capture_default_str();
  command->add_option("--max-depth", args->train.max_depth, "depth of each tree")
      ->capture_default_str();
  command->add_option("--eta", args->train.eta, "learning rate")->capture_default_str();
  command
      ->add_option("--threads", args->threads,
                   "recordings detected at once (the model does not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace earshot::cli
