// Sensor agent memory over a long stream: one hour (by default) of synthetic 12 kHz audio
// with a click every 3 s and a 0.5 s dropout every minute, streamed through the whole agent
// (detector, ring, snippets, durable spool) as fast as it goes. Each pulse is acknowledged as soon
// as it is spooled, as a receiver would, so the spool stays small. Every simulated 5 minutes it
// prints the process's resident memory (VmRSS, and the peak VmHWM) from /proc/self/status; a flat
// VmRSS is the claim. Not a test: it asserts nothing (STYLE.md).
//
//   build/release/sensor_memory [MINUTES]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "earshot/sensor/agent.h"
#include "earshot/sensor/internal/synthetic_source.h"

namespace {

namespace fs = std::filesystem;
using earshot::sensor::AgentEvents;
using earshot::sensor::AgentOptions;
using earshot::sensor::SensorAgent;

constexpr double kReportEveryS = 300.0;

// A field of /proc/self/status, in kB ("VmRSS", "VmHWM"); -1 when absent.
long StatusKilobytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const double minutes = argc > 1 ? std::atof(argv[1]) : 60.0;
  earshot::sensor::internal::SyntheticStream stream;
  stream.duration_s = minutes * 60.0;
  stream.click_every_s = 3.0;
  stream.dropout_every_s = 60.0;
  stream.dropout_s = 0.5;
  earshot::sensor::internal::SyntheticSource source(stream);

  const fs::path spool_dir =
      fs::temp_directory_path() / ("earshot_sensor_memory_" + std::to_string(::getpid()));
  AgentOptions options;
  options.sensor_id = "BENCH-0001";
  options.spool_directory = spool_dir.string();

  SensorAgent* agent_ptr = nullptr;
  long acknowledged = 0;
  AgentEvents events;
  events.on_pulse = [&](const nlohmann::json& record, bool spooled) {
    if (spooled && agent_ptr->spool().Ack(record["pulse_id"].get<std::string>())) ++acknowledged;
  };
  events.on_warning = [](const earshot::Error& warning) {
    std::fprintf(stderr, "warning: %s\n", warning.ToString().c_str());
  };
  auto agent = SensorAgent::Create(options, source.info(), std::move(events));
  if (!agent) {
    std::fprintf(stderr, "sensor_memory: %s\n", agent.error().ToString().c_str());
    return 1;
  }
  agent_ptr = agent->get();

  std::printf(
      "sensor_memory: %.0f min of synthetic %.0f Hz audio, a click every %.0f s, a %.1f s "
      "dropout every %.0f s, spool %s; %u cores (nproc)\n",
      minutes, stream.sample_rate_hz, stream.click_every_s, stream.dropout_s,
      stream.dropout_every_s, spool_dir.c_str(), std::thread::hardware_concurrency());
  std::printf("%9s %10s %10s %8s %8s %9s %8s\n", "audio_min", "VmRSS_kB", "VmHWM_kB", "pulses",
              "acked", "wall_s", "x_real");
  const auto start = std::chrono::steady_clock::now();
  const auto report = [&](double audio_s) {
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%9.1f %10ld %10ld %8lld %8ld %9.2f %8.1f\n", audio_s / 60.0,
                StatusKilobytes("VmRSS"), StatusKilobytes("VmHWM"),
                static_cast<long long>((*agent)->stats().pulses_spooled), acknowledged, wall_s,
                wall_s > 0 ? audio_s / wall_s : 0.0);
    std::fflush(stdout);
  };
  report(0.0);
  double next_report_s = kReportEveryS;
  for (;;) {
    auto block = source.Next();
    if (!block || !block->has_value()) break;
    (*agent)->Push(**block);
    const double audio_s = static_cast<double>((*block)->first_sample +
                                               static_cast<int64_t>((*block)->samples.size())) /
                           stream.sample_rate_hz;
    if (audio_s >= next_report_s) {
      report(audio_s);
      next_report_s += kReportEveryS;
    }
  }
  (*agent)->Finish();
  report(stream.duration_s);
  const auto& stats = (*agent)->stats();
  std::printf(
      "done: %lld gaps (%.1f s lost); %lld pulses detected, %lld spooled, %lld not spooled; "
      "%.1f MB spooled and acknowledged; ring %lld bytes; peak pending pulses %zu, clock "
      "anchors %zu\n",
      static_cast<long long>(stats.gaps),
      static_cast<double>(stats.samples_missing) / stream.sample_rate_hz,
      static_cast<long long>(stats.pulses_detected), static_cast<long long>(stats.pulses_spooled),
      static_cast<long long>(stats.pulses_not_spooled),
      static_cast<double>(stats.bytes_spooled) / 1e6, static_cast<long long>(stats.ring_bytes_peak),
      stats.pending_pulses_peak, stats.clock_anchors_peak);
  fs::remove_all(spool_dir);
  return 0;
}
