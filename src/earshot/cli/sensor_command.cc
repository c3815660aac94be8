// earshot sensor: the sensor agent (capture, detect, snippet, spool), and `list` and `ack`
// for the spool it fills. The library (src/earshot/sensor/) does the work; this file picks
// the source, fills the options and prints.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "earshot/cli/commands.h"
#include "earshot/core/time.h"
#include "earshot/sensor/agent.h"
#include "earshot/sensor/alsa_source.h"
#include "earshot/sensor/file_source.h"
#include "earshot/sensor/framed_pcm_source.h"
#include "earshot/sensor/pcm_stream_source.h"
#include "earshot/sensor/spool.h"

namespace earshot::cli {
namespace {

constexpr int kExitFailed = 1;  // the stream broke off (the pulses so far are spooled)
constexpr int kExitBadInput = 2;
constexpr double kBytesPerMegabyte = 1e6;

struct SensorArgs {
  std::string file;
  bool realtime = false;
  bool stdin_pcm = false;
  bool framed = false;
  std::string alsa_device;
  double rate_hz = 0.0;
  std::string start_utc;
  std::string sensor_id;
  std::string position;  // "x,y,z", metres
  std::string wgs84;     // "lat,lon,height_m"
  double position_sigma_m = 0.0;
  std::string spool = "spool";
  double spool_max_mb = 512.0;
  double snippet_before_s = 1.0;
  double snippet_after_s = 2.0;
  double ring_s = 10.0;
  std::optional<double> full_scale_db_spl;
  bool no_stdout = false;
};

struct SpoolArgs {
  std::string spool = "spool";
  std::vector<std::string> pulse_ids;
};

std::atomic<bool> g_stop_requested{false};

extern "C" void RequestStop(int /*signal*/) { g_stop_requested.store(true); }

// Ctrl-C and SIGTERM end the stream cleanly: pulses waiting for their snippet window are
// still spooled and the summary printed. No SA_RESTART, so a blocked read returns.
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = RequestStop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void PrintError(const std::string& command, const Error& error) {
  std::cerr << "earshot " << command << ": " << error.ToString() << "\n";
}

// "a,b,c" -> three finite numbers.
Result<Eigen::Vector3d> ParseTriple(const std::string& flag, const std::string& text,
                                    const char* expected) {
  std::istringstream in(text);
  Eigen::Vector3d value;
  char comma1 = 0, comma2 = 0;
  if (!(in >> value.x() >> comma1 >> value.y() >> comma2 >> value.z()) || comma1 != ',' ||
      comma2 != ',' || !(in >> std::ws).eof() || !value.allFinite()) {
    return Fail("command line", flag,
                std::string("expected ") + expected + ", got \"" + text + "\"");
  }
  return value;
}

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * kNanosPerSecond + now.tv_nsec;
}

// Opens the one source the flags name, and fills in what it knows about the sensor.
Result<std::unique_ptr<sensor::AudioSource>> OpenSource(const SensorArgs& args,
                                                        sensor::AgentOptions* options) {
  const int sources = !args.file.empty() + args.stdin_pcm + !args.alsa_device.empty();
  if (sources != 1) {
    return Fail("command line", "source", "expected exactly one of --file, --stdin, --alsa");
  }
  if (args.realtime && args.file.empty()) {
    return Fail("command line", "--realtime", "only a --file can be paced");
  }
  if (args.framed && !args.stdin_pcm) {
    return Fail("command line", "--framed", "framed PCM comes on --stdin");
  }
  std::optional<int64_t> start_ns;
  if (!args.start_utc.empty()) {
    auto parsed = ParseIsoUtc(args.start_utc);
    if (!parsed) return Fail("command line", "--start-utc", parsed.error());
    start_ns = *parsed;
    if (args.framed || !args.alsa_device.empty()) {
      return Fail("command line", "--start-utc",
                  "framed PCM and ALSA capture time themselves; --start-utc is for --stdin "
                  "raw PCM and --file without a sidecar");
    }
  }
  if ((args.stdin_pcm || !args.alsa_device.empty()) && args.rate_hz == 0.0) {
    return Fail("command line", "--rate", "expected the sample rate of the stream, Hz");
  }

  if (!args.file.empty()) {
    auto source = sensor::FileSource::Open(
        args.file, {.realtime = args.realtime, .first_sample_ns = start_ns});
    if (!source) return std::unexpected(source.error());
    if (const auto& metadata = (*source)->metadata()) {
      if (options->sensor_id.empty()) options->sensor_id = metadata->sensor_id;
      if (!options->position_m && !options->position_wgs84) {
        if (metadata->geodetic) {
          options->position_wgs84 =
              GeodeticPoint{metadata->position.x(), metadata->position.y(), metadata->position.z()};
        } else {
          options->position_m = metadata->position;
        }
      }
      options->detector.full_scale_db_spl = metadata->full_scale_db_spl;
    }
    return std::unique_ptr<sensor::AudioSource>(std::move(*source));
  }
  if (args.stdin_pcm) {
    // std::cin stays synchronised with stdio (the default): its reads go through fread,
    // which a signal interrupts, so Ctrl-C ends a stream that is waiting for input.
    if (args.framed) {
      auto source = sensor::FramedPcmSource::Open(std::cin, {.sample_rate_hz = args.rate_hz});
      if (!source) return std::unexpected(source.error());
      return std::unique_ptr<sensor::AudioSource>(std::move(*source));
    }
    auto source = sensor::PcmStreamSource::Open(
        std::cin, {.sample_rate_hz = args.rate_hz, .first_sample_ns = start_ns.value_or(NowNs())});
    if (!source) return std::unexpected(source.error());
    return std::unique_ptr<sensor::AudioSource>(std::move(*source));
  }
  auto source =
      sensor::AlsaSource::Open({.device = args.alsa_device, .sample_rate_hz = args.rate_hz});
  if (!source) return std::unexpected(source.error());
  return std::unique_ptr<sensor::AudioSource>(std::move(*source));
}

void PrintGap(const sensor::GapReport& gap, double sample_rate_hz) {
  std::fprintf(stderr, "earshot sensor: gap of %.3f s (%lld samples) from %s to %s: %s\n",
               static_cast<double>(gap.missing_samples) / sample_rate_hz,
               static_cast<long long>(gap.missing_samples), FormatIsoUtc(gap.start_ns, 6).c_str(),
               FormatIsoUtc(gap.end_ns, 6).c_str(), gap.cause.c_str());
}

void PrintSummary(const sensor::AgentStats& stats, const sensor::SensorAgent& agent) {
  const double fs = agent.stream().sample_rate_hz;
  std::fprintf(
      stderr,
      "earshot sensor: %.1f s of audio (%lld samples), %lld gaps (%.3f s lost); "
      "%lld pulses: %lld spooled, %lld already spooled, %lld not spooled; "
      "%lld snippets missing, %lld cut short; %.2f MB spooled; %lld warnings; "
      "raw audio held: %.1f KB\n",
      static_cast<double>(stats.samples_received) / fs,
      static_cast<long long>(stats.samples_received), static_cast<long long>(stats.gaps),
      static_cast<double>(stats.samples_missing) / fs,
      static_cast<long long>(stats.pulses_detected), static_cast<long long>(stats.pulses_spooled),
      static_cast<long long>(stats.pulses_already_spooled),
      static_cast<long long>(stats.pulses_not_spooled),
      static_cast<long long>(stats.snippets_missing),
      static_cast<long long>(stats.snippets_cut_short),
      static_cast<double>(stats.bytes_spooled) / kBytesPerMegabyte,
      static_cast<long long>(stats.warnings), static_cast<double>(stats.ring_bytes_peak) / 1e3);
}

int RunSensor(const SensorArgs& args) {
  sensor::AgentOptions options;
  options.sensor_id = args.sensor_id;
  if (!args.position.empty()) {
    auto position = ParseTriple("--position", args.position, "x,y,z in metres");
    if (!position) return PrintError("sensor", position.error()), kExitBadInput;
    options.position_m = *position;
  }
  if (!args.wgs84.empty()) {
    auto point = ParseTriple("--wgs84", args.wgs84, "lat,lon,height_m");
    if (!point) return PrintError("sensor", point.error()), kExitBadInput;
    options.position_wgs84 = GeodeticPoint{point->x(), point->y(), point->z()};
  }
  options.position_sigma_m = args.position_sigma_m;
  options.snippet = {args.snippet_before_s, args.snippet_after_s};
  options.ring_s = args.ring_s;
  options.spool_directory = args.spool;
  options.spool.max_bytes = static_cast<int64_t>(args.spool_max_mb * kBytesPerMegabyte);

  InstallStopHandlers();
  auto source = OpenSource(args, &options);
  if (!source) return PrintError("sensor", source.error()), kExitBadInput;
  if (args.full_scale_db_spl) options.detector.full_scale_db_spl = *args.full_scale_db_spl;
  if (options.sensor_id.empty()) {
    std::cerr << "earshot sensor: command line:--sensor-id: expected the sensor's id (a file's "
                 "sidecar gives it; other sources need it)\n";
    return kExitBadInput;
  }

  const sensor::StreamInfo& stream = (*source)->info();
  sensor::AgentEvents events;
  events.on_pulse = [&args](const nlohmann::json& record, bool /*spooled*/) {
    if (args.no_stdout) return;
    std::cout << record.dump() << "\n" << std::flush;
  };
  events.on_gap = [&stream](const sensor::GapReport& gap) { PrintGap(gap, stream.sample_rate_hz); };
  events.on_warning = [](const Error& warning) {
    std::cerr << "earshot sensor: warning: " << warning.ToString() << "\n";
  };
  auto agent = sensor::SensorAgent::Create(options, stream, std::move(events));
  if (!agent) return PrintError("sensor", agent.error()), kExitBadInput;

  const sensor::SpoolRecovery& recovery = (*agent)->spool_recovery();
  if (recovery.temporary_files_removed > 0 || recovery.orphan_snippets_removed > 0) {
    std::fprintf(stderr,
                 "earshot sensor: spool %s: removed %d temporary files and %d snippets without "
                 "a record, left by an earlier crash\n",
                 args.spool.c_str(), recovery.temporary_files_removed,
                 recovery.orphan_snippets_removed);
  }
  std::fprintf(stderr,
               "earshot sensor: %s, %.0f Hz, first sample at %s; sensor %s; spool %s (%.2f of "
               "%.0f MB); raw audio kept %.1f s\n",
               stream.name.c_str(), stream.sample_rate_hz,
               FormatIsoUtc(stream.first_sample_ns, 6).c_str(), options.sensor_id.c_str(),
               args.spool.c_str(), static_cast<double>((*agent)->spool().bytes()) / 1e6,
               args.spool_max_mb, options.ring_s);

  auto stats = sensor::RunAgent(**source, **agent, &g_stop_requested);
  PrintSummary((*agent)->stats(), **agent);
  if (!stats) {
    PrintError("sensor", stats.error());
    return kExitFailed;
  }
  return 0;
}

int RunList(const SpoolArgs& args) {
  auto spool = sensor::Spool::Open(args.spool);
  if (!spool) return PrintError("sensor list", spool.error()), kExitBadInput;
  auto listing = spool->List();
  if (!listing) return PrintError("sensor list", listing.error()), kExitFailed;
  int64_t bytes = 0;
  for (const sensor::SpooledPulse& pulse : listing->pending) {
    std::cout << pulse.record.dump() << "\n";
    bytes += pulse.bytes;
  }
  std::cout << std::flush;
  for (const Error& error : listing->unreadable) PrintError("sensor list", error);
  std::fprintf(stderr, "earshot sensor list: %zu pulses waiting in %s (%.2f MB)%s\n",
               listing->pending.size(), args.spool.c_str(),
               static_cast<double>(bytes) / kBytesPerMegabyte,
               listing->unreadable.empty() ? "" : "; some records are unreadable (above)");
  return listing->unreadable.empty() ? 0 : kExitFailed;
}

int RunAck(const SpoolArgs& args) {
  auto spool = sensor::Spool::Open(args.spool);
  if (!spool) return PrintError("sensor ack", spool.error()), kExitBadInput;
  int acknowledged = 0, unknown = 0, refused = 0;
  for (const std::string& id : args.pulse_ids) {
    auto outcome = spool->Ack(id);
    if (!outcome) {
      PrintError("sensor ack", outcome.error());
      ++refused;
    } else if (*outcome == sensor::AckOutcome::kUnknown) {
      std::cerr << "earshot sensor ack: " << id
                << ": not in the spool (already acknowledged, or never spooled)\n";
      ++unknown;
    } else {
      ++acknowledged;
    }
  }
  std::fprintf(stderr, "earshot sensor ack: %d acknowledged, %d unknown, %d refused\n",
               acknowledged, unknown, refused);
  return refused > 0 ? kExitBadInput : 0;
}

void AddSpoolSubcommands(CLI::App& command, int* exit_code) {
  auto list_args = std::make_shared<SpoolArgs>();
  CLI::App* list = command.add_subcommand(
      "list", "Print the pulses waiting in a spool (JSON Lines, onset order).");
  list->add_option("--spool", list_args->spool, "spool directory")->capture_default_str();
  list->callback([list_args, exit_code] { *exit_code = RunList(*list_args); });

  auto ack_args = std::make_shared<SpoolArgs>();
  CLI::App* ack = command.add_subcommand(
      "ack",
      "Acknowledge pulses: the receiver has stored them durably, so the spool deletes them.\n"
      "Unknown ids (already acknowledged) are reported, not an error.");
  ack->add_option("--spool", ack_args->spool, "spool directory")->capture_default_str();
  ack->add_option("PULSE_ID", ack_args->pulse_ids, "pulse ids")->required();
  ack->callback([ack_args, exit_code] { *exit_code = RunAck(*ack_args); });
}

}  // namespace

void AddSensorCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SensorArgs>();
  CLI::App* command = app.add_subcommand(
      "sensor",
      "Run the sensor agent: capture audio, detect impulses, cut a snippet around each and\n"
      "spool pulse and snippet durably until acknowledged. Pulses go to stdout as JSON\n"
      "Lines; gaps, warnings and a summary to stderr. See docs/sensor.md.\n"
      "  earshot sensor --file REC.wav [--realtime]\n"
      "  earshot sensor --stdin --rate HZ [--start-utc T] [--framed] --sensor-id ID\n"
      "  earshot sensor --alsa DEVICE --rate HZ --sensor-id ID\n"
      "  earshot sensor list|ack --spool DIR ...");
  command->require_subcommand(0, 1);

  command->add_option("--file", args->file,
                      "a recording (WAV, FLAC); its sidecar JSON gives sensor, position, time");
  command->add_flag("--realtime", args->realtime, "play the --file at its own pace");
  command->add_flag("--stdin", args->stdin_pcm, "raw 16-bit little-endian mono PCM on stdin");
  command->add_flag("--framed", args->framed,
                    "--stdin carries timestamped frames (int64 ns, uint32 n, n samples)");
  command->add_option("--alsa", args->alsa_device, "capture from an ALSA device (arecord -L)");
  command->add_option("--rate", args->rate_hz, "sample rate of --stdin or --alsa, Hz");
  command->add_option("--start-utc", args->start_utc,
                      "UTC time of the first sample of raw --stdin (default: now) or of a\n"
                      "--file without sidecar, ISO 8601");
  command->add_option("--sensor-id", args->sensor_id, "sensor id (overrides the sidecar)");
  command->add_option("--position", args->position, "sensor position x,y,z in local metres");
  command->add_option("--wgs84", args->wgs84, "sensor position lat,lon,height_m (WGS84)");
  command->add_option("--position-sigma-m", args->position_sigma_m,
                      "uncertainty of the position, m");
  command->add_option("--spool", args->spool, "spool directory")->capture_default_str();
  command->add_option("--spool-max-mb", args->spool_max_mb, "cap on the spool, MB")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--snippet-before-s", args->snippet_before_s, "audio kept before each onset, s")
      ->capture_default_str();
  command->add_option("--snippet-after-s", args->snippet_after_s, "audio kept after it, s")
      ->capture_default_str();
  command->add_option("--ring-s", args->ring_s, "raw audio retention in memory, s")
      ->capture_default_str();
  command->add_option_function<double>(
      "--full-scale-db-spl", [args](double db) { args->full_scale_db_spl = db; },
      "level of a full-scale sample, dB SPL (the sidecar's, else 93)");
  command->add_flag("--no-stdout", args->no_stdout, "spool only; print no pulses");
  command->callback([command, args, exit_code] {
    if (!command->get_subcommands().empty()) return;  // list or ack ran
    *exit_code = RunSensor(*args);
  });
  AddSpoolSubcommands(*command, exit_code);
}

}  // namespace earshot::cli
