// How fast the impulse detector is, as a real-time factor per core: seconds of audio
// processed per second of CPU, at the dataset's 12 kHz and at 48 kHz (the aims are
// >= 1000x and >= 250x).
//
//   detect_benchmark --benchmark_counters_tabular=true
//
// The stream is 60 s of outdoor background (white noise and a wind sway) with a shot and
// its echo every 2 s; the detector is single-threaded, so the factor is per core.
#include <random>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "earshot/detect/detector.h"
#include "earshot/detect/internal/synthetic_audio.h"

namespace earshot::detect {
namespace {

std::vector<float> Stream(double rate_hz, double seconds) {
  std::mt19937_64 rng(1);
  std::vector<float> samples(static_cast<size_t>(rate_hz * seconds), 0.0f);
  internal::AddWhiteNoise(3e-3, rng, &samples);
  internal::AddWind(0.05, 5.0, rate_hz, &samples);
  for (double t = 0.5; t < seconds - 0.5; t += 2.0) {
    internal::AddArrival({.start_s = t, .amplitude = 0.4}, rate_hz, &samples);
    internal::AddArrival({.start_s = t + 0.037, .amplitude = 0.2}, rate_hz, &samples);
  }
  return samples;
}

void BM_DetectStream(benchmark::State& state) {
  const double rate_hz = static_cast<double>(state.range(0));
  const double seconds = 60.0;
  const std::vector<float> samples = Stream(rate_hz, seconds);
  const size_t block = static_cast<size_t>(rate_hz / 50);  // 20 ms capture blocks
  int64_t pulses = 0;
  for (auto _ : state) {
    auto detector = ImpulseDetector::Create({}, rate_hz, 0);
    for (size_t k = 0; k < samples.size(); k += block) {
      (*detector)->Push(
          std::span<const float>(samples.data() + k, std::min(block, samples.size() - k)));
      pulses += static_cast<int64_t>((*detector)->TakePulses().size());
    }
    (*detector)->Finish();
    pulses += static_cast<int64_t>((*detector)->TakePulses().size());
  }
  // Audio seconds per wall second: the real-time factor of one core.
  state.counters["realtime_factor"] = benchmark::Counter(
      seconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["pulses_per_pass"] =
      static_cast<double>(pulses) / static_cast<double>(state.iterations());
  state.counters["cores"] = std::thread::hardware_concurrency();
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(samples.size()));
}
BENCHMARK(BM_DetectStream)->Arg(12000)->Arg(48000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace earshot::detect

BENCHMARK_MAIN();
