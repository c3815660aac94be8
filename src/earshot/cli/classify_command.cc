// earshot classify: single-sensor recordings in, each impulse's class and p_gunfire out.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/audio/audio_file.h"
#include "earshot/audio/recording_metadata.h"
#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/gradient_boosted_model.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/cli/commands.h"
#include "earshot/cli/model_paths.h"
#include "earshot/detect/detector.h"
#include "earshot/detect/features.h"
#include "earshot/detect/recording.h"

namespace earshot::cli {
namespace {

namespace fs = std::filesystem;
using classify::kGunfireClass;
using classify::kPulseClassCount;
using classify::kPulseClassNames;
using nlohmann::ordered_json;

constexpr double kMinRateHz = 8000.0;
constexpr double kMaxRateHz = 48000.0;
constexpr float kGunfireThreshold = 0.5F;
constexpr int kReasonCount = 3;
constexpr const char* kModelName = "models/pulse_classifier.json";

struct ClassifyArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string model_path;
};

constexpr const char* kHelp =
    "Classify the impulses in single-sensor recordings: gunfire, aerial_firework,\n"
    "firecracker or other_impulsive, with p_gunfire, the model's probability of gunfire.\n"
    "\n"
    "Each FILE is a mono recording (WAV, FLAC, anything libsndfile reads; the first channel\n"
    "of a multi-channel file) at 8 to 48 kHz, of any length. A sidecar beside it (as for\n"
    "'earshot detect') is optional here: t_s is seconds after the file's first sample either\n"
    "way; with one, levels use the sensor's calibration; without one, levels assume a\n"
    "full-scale sample is 93 dB SPL (so they are relative to full scale).\n"
    "\n"
    "An impulse is labelled gunfire when p_gunfire >= 0.5, else its most probable other\n"
    "class; the clip is gunfire when any impulse is, else its most frequent label, and 'no\n"
    "impulse' when the detector found none. Reasons are this impulse's own: the features\n"
    "that moved its p_gunfire most (SHAP contributions to the gunfire class, log-odds),\n"
    "e.g. \"crest_factor_db = 21.3 raises p(gunfire) (+0.84)\". --json prints one object\n"
    "per file and line:\n"
    "  {\"file\", \"clip\": {\"label\", \"p_gunfire\"}, \"impulses\": [{\"t_s\", \"label\",\n"
    "   \"p_gunfire\", \"reasons\"}], \"notes\"}   or {\"file\", \"error\"}\n"
    "\n"
    "The model is --model FILE, else models/pulse_classifier.json in the current folder,\n"
    "else the one in the source tree the program was built from. Exit status: 0 every file\n"
    "classified, 1 a file could not be read or is outside 8-48 kHz, 2 no usable model.\n"
    "docs/classifying.md, \"Pulse classifier\".";

struct FileDetection {
  std::vector<detect::DetectedPulse> pulses;
  int64_t first_sample_ns = 0;
  std::vector<std::string> notes;
};

// Detects the impulses of a recording with or without its sidecar.
Result<FileDetection> DetectFile(const std::string& path) {
  auto clip = audio::ReadAudioFile(path, {.channel = 0});
  if (!clip) return std::unexpected(clip.error());
  if (clip->sample_rate_hz < kMinRateHz || clip->sample_rate_hz > kMaxRateHz) {
    return Fail(path, "sample rate",
                std::string("expected 8000 to 48000 Hz, the file is at ")
                    .append(std::to_string(static_cast<long>(clip->sample_rate_hz)))
                    .append(" Hz"));
  }
  FileDetection out;
  detect::DetectorOptions options;
  const std::string sidecar = audio::SidecarPathFor(path);
  if (fs::exists(sidecar)) {
    auto metadata = audio::ReadRecordingMetadata(sidecar);
    if (!metadata) return std::unexpected(metadata.error());
    options.full_scale_db_spl = metadata->full_scale_db_spl;
    out.first_sample_ns = metadata->first_sample_ns;
  } else {
    out.notes.push_back(
        "no sidecar: levels assume full scale = 93 dB SPL (relative to full scale)");
  }
  const double seconds = static_cast<double>(clip->samples.size()) / clip->sample_rate_hz;
  if (seconds < 0.3) {
    out.notes.push_back(std::string("very short recording (")
                            .append(std::to_string(seconds))
                            .append(" s): the detector needs some background before an "
                                    "impulse to measure it"));
  }
  const auto clipped = std::count_if(clip->samples.begin(), clip->samples.end(),
                                     [](float x) { return std::abs(x) >= 0.999F; });
  if (clipped > 0) {
    out.notes.push_back(std::string("clipped: ")
                            .append(std::to_string(clipped))
                            .append(" samples at full scale; levels of those impulses are "
                                    "underestimated"));
  }
  auto detector =
      detect::ImpulseDetector::Create(options, clip->sample_rate_hz, out.first_sample_ns);
  if (!detector) {
    Error error = detector.error();
    error.source = path;
    return std::unexpected(error);
  }
  constexpr size_t kBlock = 4096;
  const std::span<const float> samples(clip->samples);
  for (size_t offset = 0; offset < samples.size(); offset += kBlock) {
    (*detector)->Push(samples.subspan(offset, std::min(kBlock, samples.size() - offset)));
    for (auto& pulse : (*detector)->TakePulses()) out.pulses.push_back(pulse);
  }
  (*detector)->Finish();
  for (auto& pulse : (*detector)->TakePulses()) out.pulses.push_back(pulse);
  if (out.pulses.empty() && clip->samples.size() > 0 &&
      std::all_of(samples.begin(), samples.end(), [](float x) { return x == 0.0F; })) {
    out.notes.push_back("digital silence: every sample is zero");
  }
  return out;
}

// The label of an impulse: gunfire at p_gunfire >= threshold, else its most probable other.
int LabelOf(const std::vector<float>& p) {
  if (p[kGunfireClass] >= kGunfireThreshold) return kGunfireClass;
  int best = -1;
  for (int c = 0; c < kPulseClassCount; ++c) {
    if (c == kGunfireClass) continue;
    if (best < 0 || p[static_cast<size_t>(c)] > p[static_cast<size_t>(best)]) best = c;
  }
  return best;
}

ordered_json ClassifyFile(const classify::GradientBoostedModel& model, const std::string& path,
                          bool* failed) {
  auto detection = DetectFile(path);
  if (!detection) {
    *failed = true;
    Error reason = detection.error();
    if (reason.source == path) reason.source.clear();
    return {{"file", path}, {"error", reason.ToString()}};
  }
  classify::FeatureMatrix rows{.feature_names = classify::PulseFeatureNames()};
  for (const detect::DetectedPulse& pulse : detection->pulses) {
    Pulse as_pulse;
    as_pulse.features = detect::FeatureMap(pulse.features);
    rows.AddRow(classify::PulseFeatureRow(as_pulse));
  }
  std::vector<std::vector<float>> probability;
  std::vector<std::vector<std::vector<float>>> contributions;  // row, class, feature + bias
  if (!detection->pulses.empty()) {
    auto p = model.PredictProbabilities(rows);
    if (!p) {
      *failed = true;
      return {{"file", path}, {"error", p.error().ToString()}};
    }
    probability = std::move(*p);
    auto c = model.PredictContributions(rows);
    if (!c) {
      *failed = true;
      return {{"file", path}, {"error", c.error().ToString()}};
    }
    contributions = std::move(*c);
  }
  ordered_json impulses = ordered_json::array();
  std::array<int, kPulseClassCount> votes{};
  float clip_p = 0.0F;
  for (size_t i = 0; i < detection->pulses.size(); ++i) {
    const detect::DetectedPulse& pulse = detection->pulses[i];
    const int label = LabelOf(probability[i]);
    ++votes[static_cast<size_t>(label)];
    clip_p = std::max(clip_p, probability[i][kGunfireClass]);
    // Why this impulse, not why the model in general: its gunfire-class contributions.
    const size_t columns = rows.ColumnCount();
    ordered_json reasons = ordered_json::array();
    for (const classify::Reason& reason : classify::TopReasons(
             rows.feature_names, std::span<const float>(rows.values).subspan(i * columns, columns),
             contributions[i][kGunfireClass], kReasonCount)) {
      reasons.push_back(classify::DescribeReason(reason));
    }
    const double t_s = static_cast<double>(pulse.onset_ns - detection->first_sample_ns) * 1e-9;
    impulses.push_back({{"t_s", std::round(t_s * 1e6) / 1e6},
                        {"label", kPulseClassNames[static_cast<size_t>(label)]},
                        {"p_gunfire", std::round(probability[i][kGunfireClass] * 1e4) / 1e4},
                        {"reasons", std::move(reasons)}});
  }
  std::string clip_label = "no impulse";
  if (!detection->pulses.empty()) {
    const int best =
        votes[kGunfireClass] > 0
            ? kGunfireClass
            : static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin());
    clip_label = kPulseClassNames[static_cast<size_t>(best)];
  }
  ordered_json out = {
      {"file", path},
      {"clip", {{"label", clip_label}, {"p_gunfire", std::round(clip_p * 1e4) / 1e4}}},
      {"impulses", std::move(impulses)}};
  if (!detection->notes.empty()) out["notes"] = detection->notes;
  return out;
}

void PrintTable(const ordered_json& result, std::ostream& out) {
  out << result["file"].get<std::string>() << "\n";
  if (result.contains("error")) {
    out << "  error: " << result["error"].get<std::string>() << "\n";
    return;
  }
  for (const auto& note : result.value("notes", ordered_json::array()))
    out << "  note: " << note.get<std::string>() << "\n";
  char line[512];
  for (const auto& impulse : result["impulses"]) {
    std::string reasons;
    for (const auto& reason : impulse["reasons"]) {
      if (!reasons.empty()) reasons.append("; ");
      reasons.append(reason.get<std::string>());
    }
    std::snprintf(line, sizeof line, "  %10.3f s  %-16s p_gunfire %.3f  %s\n",
                  impulse["t_s"].get<double>(), impulse["label"].get<std::string>().c_str(),
                  impulse["p_gunfire"].get<double>(), reasons.c_str());
    out << line;
  }
  std::snprintf(line, sizeof line, "  clip: %s, p_gunfire %.3f\n",
                result["clip"]["label"].get<std::string>().c_str(),
                result["clip"]["p_gunfire"].get<double>());
  out << line;
}

int Run(const ClassifyArgs& args) {
  const std::string model_path = FindDataFile(args.model_path, kModelName);
  auto model = classify::GradientBoostedModel::Load(model_path);
  if (!model) {
    std::cerr << "earshot classify: " << model.error().ToString()
              << " (train one with 'earshot train', or pass --model FILE)\n";
    return 2;
  }
  if (model->feature_names() != classify::PulseFeatureNames() ||
      model->class_count() != kPulseClassCount) {
    std::cerr << "earshot classify: " << model_path
              << " is not a pulse classifier (its features or classes differ from the "
                 "detector's); retrain it with 'earshot train'\n";
    return 2;
  }

  int failed = 0;
  for (const std::string& path : args.files) {
    bool file_failed = false;
    const ordered_json result = ClassifyFile(*model, path, &file_failed);
    if (file_failed) {
      ++failed;
      std::cerr << "earshot classify: " << path << ": " << result["error"].get<std::string>()
                << "\n";
    }
    if (args.json) {
      std::cout << result.dump() << "\n";
    } else {
      PrintTable(result, std::cout);
    }
  }
  std::cout.flush();
  if (failed > 0) {
    std::cerr << "earshot classify: " << failed << " of " << args.files.size()
              << " files could not be classified\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddClassifyCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ClassifyArgs>();
  CLI::App* command = app.add_subcommand("classify", kHelp);
  command->add_option("FILES", args->files, "recordings (mono, 8-48 kHz); sidecars optional")
      ->required();
  command->add_flag("--json", args->json, "one JSON object per file and line");
  command->add_option("--model", args->model_path,
                      "the model (default: models/pulse_classifier.json here, else in the "
                      "source tree)");
  command->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace earshot::cli
