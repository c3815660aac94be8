// earshot detect: recordings in, pulses out (JSON Lines for `earshot locate`, or a table).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/cli/commands.h"
#include "earshot/core/json_io.h"
#include "earshot/core/time.h"
#include "earshot/detect/recording.h"

namespace earshot::cli {
namespace {

struct DetectArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string output_path;
  std::string gaps_path;
  std::optional<double> sample_rate_hz;
  detect::RecordingOptions options;
};

constexpr const char* kHelp =
    "Detect impulsive arrivals (gunshots and other bangs) in sensor recordings.\n"
    "\n"
    "Each FILE (WAV, FLAC, or anything libsndfile reads; mono) needs a sidecar beside it\n"
    "with the same name and the extension .json (test_001.audio.X.wav -> "
    "test_001.audio.X.json):\n"
    "  {\"serial_number\": \"SCP-00-BNG-5567\",          the sensor\n"
    "   \"timestamp\": \"2018-12-19T00:49:26.000Z\",     UTC time of the first sample\n"
    "   \"location\": {\"x\": .., \"y\": .., \"z\": ..},    local metres, or {\"lat\", \"lon\", "
    "\"alt_m\"}\n"
    "   \"sample_rate_hz\": 12000,                      optional, checked against the file\n"
    "   \"full_scale_db_spl\": 93.0}                    optional calibration (default 93)\n"
    "The live-fire dataset's recordings come with such sidecars. Without one a recording\n"
    "has no time and no place, and is refused.\n"
    "\n"
    "Runs of exactly-zero samples (50 ms or longer) are dropouts, not silence: they are\n"
    "reported as gaps (warnings on stderr; --gaps FILE as JSON Lines) and the clock runs\n"
    "over them. A file that cannot be read is reported and skipped; the exit status is 1\n"
    "when any file was skipped. docs/formats.md describes every field.";

// Where the results go: --output FILE, or standard output.
class Output {
 public:
  bool Open(const std::string& path) {
    if (path.empty()) return true;
    file_.open(path, std::ios::binary | std::ios::trunc);
    return static_cast<bool>(file_);
  }
  std::ostream& stream() { return file_.is_open() ? file_ : std::cout; }

 private:
  std::ofstream file_;
};

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", seconds);
  return text;
}

void WarnAboutGaps(const detect::RecordingDetection& detection) {
  for (const detect::Gap& gap : detection.gaps) {
    std::cerr << "earshot detect: warning: " << detection.audio_path << ": gap of "
              << Seconds(static_cast<double>(gap.missing_samples) / detection.sample_rate_hz)
              << " from " << FormatIsoUtc(gap.start_ns, 6) << " (sample " << gap.first_sample
              << "): " << gap.cause << "\n";
  }
}

std::string Count(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string Summary(const detect::RecordingDetection& detection) {
  int64_t missing = 0;
  for (const detect::Gap& gap : detection.gaps) missing += gap.missing_samples;
  return Count(detection.pulses.size(), "pulse") + ", " + Count(detection.gaps.size(), "gap") +
         " (" + Seconds(static_cast<double>(missing) / detection.sample_rate_hz) + "), " +
         Seconds(detection.duration_s) + " at " +
         std::to_string(static_cast<int64_t>(detection.sample_rate_hz)) + " Hz";
}

void PrintTable(const detect::RecordingDetection& detection, std::ostream& out) {
  out << detection.audio_path << "\n";
  if (!detection.pulses.empty()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-20s %-27s %8s %10s\n", "sensor", "onset (UTC)", "snr dB",
                  "dB SPL");
    out << line;
    for (const Pulse& pulse : detection.pulses) {
      std::snprintf(line, sizeof line, "  %-20s %-27s %8.1f %10.1f\n", pulse.sensor_id.c_str(),
                    FormatIsoUtc(pulse.onset_ns, 6).c_str(), pulse.snr_db, pulse.level_db_spl);
      out << line;
    }
  }
  out << "  " << Summary(detection) << "\n" << std::flush;
}

nlohmann::json GapToJson(const detect::RecordingDetection& detection, const detect::Gap& gap) {
  return {{"sensor", detection.sensor_id},
          {"audio_path", detection.audio_path},
          {"start_utc", FormatIsoUtc(gap.start_ns, 9)},
          {"end_utc", FormatIsoUtc(gap.end_ns, 9)},
          {"first_sample", gap.first_sample},
          {"missing_samples", gap.missing_samples},
          {"cause", gap.cause}};
}

// One output holds one kind of position; the locator refuses a mix (docs/formats.md).
bool SameKindOfFrame(const std::optional<LocalFrame>& frame,
                     const detect::RecordingDetection& detection) {
  return !frame || frame->is_geodetic() == detection.frame.is_geodetic();
}

int Run(const DetectArgs& args) {
  Output output, gaps_output;
  if (!output.Open(args.output_path)) {
    std::cerr << "earshot detect: cannot write " << args.output_path << "\n";
    return 2;
  }
  if (!args.gaps_path.empty() && !gaps_output.Open(args.gaps_path)) {
    std::cerr << "earshot detect: cannot write " << args.gaps_path << "\n";
    return 2;
  }
  detect::RecordingOptions options = args.options;
  options.expected_sample_rate_hz = args.sample_rate_hz;

  std::optional<LocalFrame> frame;  // decided by the first recording detected
  std::vector<Pulse> pulses;
  int failed = 0;
  for (const std::string& path : args.files) {
    auto detection = detect::DetectRecording(path, options);
    if (detection && !SameKindOfFrame(frame, *detection)) {
      detection = Fail(path, "sidecar location",
                       frame->is_geodetic()
                           ? "expected lat/lon like the earlier recordings, got local metres"
                           : "expected local metres like the earlier recordings, got lat/lon");
    }
    if (!detection) {
      // Lead with the recording: the error may be about its sidecar.
      Error reason = detection.error();
      if (reason.source == path) reason.source.clear();
      std::cerr << "earshot detect: skipped " << path << ": " << reason.ToString() << "\n";
      ++failed;
      continue;
    }
    if (!frame) frame = detection->frame;
    // Later lat/lon sensors go in the first one's frame: one network, one frame.
    if (frame->is_geodetic()) options.frame = frame;
    WarnAboutGaps(*detection);
    for (const detect::Gap& gap : detection->gaps) {
      if (!args.gaps_path.empty())
        gaps_output.stream() << GapToJson(*detection, gap).dump() << "\n";
    }
    if (args.json) {
      std::cerr << "earshot detect: " << path << ": " << Summary(*detection) << "\n";
      pulses.insert(pulses.end(), detection->pulses.begin(), detection->pulses.end());
    } else {
      PrintTable(*detection, output.stream());
    }
  }
  if (args.json) {
    // In time order over all files, as a sensor network would deliver them: the locator
    // skips a pulse far older than the newest it has seen.
    std::stable_sort(pulses.begin(), pulses.end(),
                     [](const Pulse& a, const Pulse& b) { return a.onset_ns < b.onset_ns; });
    const LocalFrame pulse_frame = frame.value_or(LocalFrame::Metric());
    for (const Pulse& pulse : pulses) {
      output.stream() << PulseToJson(pulse, pulse_frame).dump() << "\n";
    }
  }
  output.stream().flush();
  gaps_output.stream().flush();
  if (failed > 0) {
    std::cerr << "earshot detect: " << failed << " of " << args.files.size() << " files skipped\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddDetectCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* command = app.add_subcommand("detect", kHelp);
  command->add_option("FILES", args->files, "recordings, each with a .json sidecar beside it")
      ->required();
  command->add_flag("--json", args->json,
                    "pulses as JSON Lines (what 'earshot locate' reads), in time order over "
                    "all files");
  command->add_option("--output", args->output_path, "write to FILE instead of standard output");
  command->add_option("--gaps", args->gaps_path, "write the gaps as JSON Lines to FILE");
  command
      ->add_option_function<double>(
          "--sample-rate", [args](double hz) { args->sample_rate_hz = hz; },
          "refuse recordings at another sample rate, Hz")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--trigger-snr-db", args->options.detector.trigger_snr_db,
                   "rise of the energy envelope over the noise floor that starts a pulse, dB")
      ->capture_default_str();
  command
      ->add_option("--min-snr-db", args->options.detector.min_snr_db,
                   "peak over the noise floor a pulse needs to be reported, dB")
      ->capture_default_str();
  command->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace earshot::cli
