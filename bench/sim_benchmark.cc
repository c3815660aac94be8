// Simulator benchmark: how long the pulse-only model takes on a city-scale scene (the
// July-4th district by default: 10 km², 200 sensors, one hour), on one thread and on
// every core, and how fast the audio renderer runs (seconds of sensor audio per second of
// wall time) at 12 and 48 kHz. Prints what it measured with the core count; never asserts.
//
//   sim_benchmark [SCENARIO] [--windows N]     (N windows of audio per rate; default 4)
//
// Wall time is what the aim is about; the CPU time is printed beside it because a shared
// machine's wall time includes other processes' turns.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "earshot/sim/audio_render.h"
#include "earshot/sim/dataset_writer.h"
#include "earshot/sim/propagation.h"
#include "earshot/sim/pulse_model.h"
#include "earshot/sim/scenario.h"

namespace {

using Clock = std::chrono::steady_clock;
using earshot::sim::Scene;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void PulseOnly(const Scene& scene, const earshot::sim::PathFinder& paths, int threads) {
  earshot::sim::PulseModelOptions options;
  options.threads = threads;
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  const earshot::sim::PulseReports reports = earshot::sim::SimulatePulses(scene, paths, options);
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds = SecondsSince(start);
  std::printf(
      "pulse-only, %d thread%s: %.2f s wall (%.2f s cpu), %zu pulses (arrivals %lld, shock waves "
      "%lld, noise "
      "%lld), %.0f pulses/s, %lld emission-sensor pairs traced, %.1f us per pair\n",
      threads, threads == 1 ? "" : "s", seconds, cpu_seconds, reports.pulses.size(),
      static_cast<long long>(reports.arrival_pulses),
      static_cast<long long>(reports.shock_wave_pulses),
      static_cast<long long>(reports.noise_pulses),
      static_cast<double>(reports.pulses.size()) / seconds,
      static_cast<long long>(reports.pairs_considered),
      1e6 * seconds / static_cast<double>(std::max<int64_t>(reports.pairs_considered, 1)));
}

// Renders the audio sensors of the first `max_windows` windows at `sample_rate_hz`, one
// thread, and prints the real-time factor.
void AudioRealTimeFactor(const earshot::sim::Scenario& scenario,
                         const earshot::sim::PathFinder& paths, double sample_rate_hz,
                         int max_windows) {
  Scene scene = scenario.scene;
  for (earshot::sim::SimSensor& sensor : scene.sensors) sensor.sample_rate_hz = sample_rate_hz;
  std::vector<earshot::sim::DatasetWindow> windows =
      earshot::sim::PlanWindows(scene, scenario.output);
  if (static_cast<int>(windows.size()) > max_windows) windows.resize(max_windows);
  double audio_s = 0.0;
  int recordings = 0;
  size_t arrivals = 0;
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  for (const earshot::sim::DatasetWindow& window : windows) {
    for (const int s : window.audio_sensors) {
      const earshot::sim::RenderedAudio audio =
          earshot::sim::RenderSensorAudio(scene, paths, s, window.begin_ns, window.end_ns);
      audio_s += static_cast<double>(audio.clip.samples.size()) / audio.clip.sample_rate_hz;
      arrivals += audio.arrivals.size();
      ++recordings;
    }
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds = SecondsSince(start);
  std::printf(
      "audio at %.0f Hz, 1 thread: %d recordings, %.1f s of audio, %zu arrivals, %.2f s wall "
      "(%.2f s cpu): real-time factor %.1f (%.1f per cpu second)\n",
      sample_rate_hz, recordings, audio_s, arrivals, seconds, cpu_seconds, audio_s / seconds,
      audio_s / cpu_seconds);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = EARSHOT_SOURCE_DIR "/scenarios/july4-district.json";
  int max_windows = 4;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--windows" && i + 1 < argc) {
      max_windows = std::atoi(argv[++i]);
    } else {
      path = arg;
    }
  }
  const unsigned cores = std::thread::hardware_concurrency();
  auto scenario = earshot::sim::ReadScenarioFile(path, std::nullopt);
  if (!scenario) {
    std::fprintf(stderr, "sim_benchmark: %s\n", scenario.error().ToString().c_str());
    return 2;
  }
  const Scene& scene = scenario->scene;
  std::printf(
      "sim_benchmark on %u cores: %s, %zu sensors, %zu buildings, %zu events, %zu "
      "emissions over %.0f s\n",
      cores, path.c_str(), scene.sensors.size(), scene.city.buildings.size(), scene.events.size(),
      scene.emissions.size(), static_cast<double>(scene.end_ns - scene.start_ns) * 1e-9);

  const auto start = Clock::now();
  const earshot::sim::PathFinder paths(scene.city, scene.atmosphere);
  std::printf("path finder index: %.3f s\n", SecondsSince(start));

  PulseOnly(scene, paths, 1);
  if (cores > 1) PulseOnly(scene, paths, static_cast<int>(cores));
  for (const double rate : {12000.0, 48000.0}) {
    AudioRealTimeFactor(*scenario, paths, rate, max_windows);
  }
  return 0;
}
