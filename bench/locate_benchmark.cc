// How fast the locate module is: shots located per second from raw pulses (association
// included), and its two solvers alone.
//
//   locate_benchmark --benchmark_counters_tabular=true
//
// The stream is a city network's day in miniature: 10 sensors, one shot every 2 s at a
// random place among them, each sensor hearing the direct sound, 1–2 echoes and now and
// then an unrelated bang (~20 % extra pulses). LocatePulses is single-threaded, so
// items_per_second (shots) is also shots per second per core; the target is ≥ 20 000.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"
#include "earshot/locate/closed_form.h"
#include "earshot/locate/internal/synthetic_test_util.h"
#include "earshot/locate/locator.h"
#include "earshot/locate/robust_solver.h"

namespace earshot::locate {
namespace {

using internal::PulseStream;
using internal::RandomPointInAnnulus;
using internal::SensorsOnRing;
using internal::Uniform;

constexpr int64_t kStartNs = int64_t{1'700'000'000} * 1'000'000'000;
constexpr int kSensors = 10;
constexpr double kRingRadiusM = 700.0;
constexpr double kOnsetNoiseS = 0.5e-3;

using internal::CoolStillAir;
using internal::ModelOf;

void AddMachineCounters(benchmark::State& state) {
  state.counters["cores"] = std::thread::hardware_concurrency();
}

struct ShotStreamData {
  std::vector<Pulse> pulses;  // in onset order
  std::vector<Eigen::Vector3d> shot_positions_m;
  std::vector<int64_t> shot_emissions_ns;
};

// `shots` shots 2 s apart, with (`clutter`) or without echoes and ~20 % unrelated pulses.
ShotStreamData ShotStream(int shots, bool clutter, uint64_t seed) {
  ShotStreamData data;
  std::mt19937_64 rng(seed);
  PulseStream stream(SensorsOnRing(rng, kSensors, Eigen::Vector2d::Zero(), kRingRadiusM, 5.0, 30.0),
                     ModelOf(CoolStillAir()));
  const int64_t period_ns = 2'000'000'000;
  for (int shot = 0; shot < shots; ++shot) {
    const Eigen::Vector2d xy = RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), 0.0, 500.0);
    const int64_t emission_ns = kStartNs + shot * period_ns;
    data.shot_positions_m.emplace_back(xy.x(), xy.y(), 0.0);
    data.shot_emissions_ns.push_back(emission_ns);
    for (int s = 0; s < kSensors; ++s) {
      const size_t direct =
          stream.AddDirect(rng, s, {xy.x(), xy.y(), 0.0}, emission_ns, kOnsetNoiseS);
      const int64_t direct_ns = stream.pulses()[direct].onset_ns;
      const int echoes = clutter ? std::uniform_int_distribution<int>(1, 2)(rng) : 0;
      for (int k = 0; k < echoes; ++k) {
        stream.Add(s, direct_ns + std::llround(Uniform(rng, 0.005, 0.400) * 1e9));
      }
    }
    // 10 direct + 15 echoes on average: 5 unrelated pulses make 20 % more.
    for (int k = 0; k < (clutter ? 5 : 0); ++k) {
      stream.Add(std::uniform_int_distribution<int>(0, kSensors - 1)(rng),
                 emission_ns + std::llround(Uniform(rng, 0.0, 2.0) * 1e9));
    }
  }
  data.pulses = stream.pulses();
  std::sort(data.pulses.begin(), data.pulses.end(),
            [](const Pulse& a, const Pulse& b) { return a.onset_ns < b.onset_ns; });
  return data;
}

// The share of shots with a fix within 5 m and 10 ms of them.
double LocatedShare(const ShotStreamData& data, const LocateResult& result) {
  int located = 0;
  for (size_t k = 0; k < data.shot_positions_m.size(); ++k) {
    for (const Fix& fix : result.fixes) {
      if (std::abs(fix.emission_ns - data.shot_emissions_ns[k]) <= 10'000'000 &&
          (fix.position_m - data.shot_positions_m[k]).head<2>().norm() <= 5.0) {
        ++located;
        break;
      }
    }
  }
  return static_cast<double>(located) / data.shot_positions_m.size();
}

void BenchLocatePulses(benchmark::State& state) {
  const int shots = static_cast<int>(state.range(0));
  const ShotStreamData data = ShotStream(shots, state.range(1) != 0, 1);
  const Weather weather = CoolStillAir();
  const LocateOptions options;
  LocateResult result;
  for (auto _ : state) {
    result = LocatePulses(data.pulses, weather, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * shots);
  state.counters["pulses_per_shot"] = static_cast<double>(data.pulses.size()) / shots;
  // Not measures of accuracy (the tests are), but a benchmark that locates nothing
  // measures nothing: both about 1 when the stream is understood.
  state.counters["fixes_per_shot"] = static_cast<double>(result.fixes.size()) / shots;
  state.counters["located_share"] = LocatedShare(data, result);
  AddMachineCounters(state);
}
// Args: shots, clutter (echoes and unrelated pulses). Without clutter: the baseline.
BENCHMARK(BenchLocatePulses)
    ->ArgNames({"shots", "clutter"})
    ->Args({100, 1})
    ->Args({1000, 1})
    ->Args({1000, 0})
    ->Unit(benchmark::kMillisecond);

// Ten noisy arrivals of one ground-level shot at the ring.
std::vector<Arrival> TenArrivals(Source* truth) {
  std::mt19937_64 rng(2);
  const std::vector<Eigen::Vector3d> sensors =
      SensorsOnRing(rng, kSensors, Eigen::Vector2d::Zero(), kRingRadiusM, 5.0, 30.0);
  truth->position_m << 120.0, -80.0, 0.0;
  truth->emission_s = -1.0;
  std::vector<Arrival> arrivals =
      internal::ExactArrivals(sensors, *truth, ModelOf(CoolStillAir()), kOnsetNoiseS);
  internal::AddTimingNoise(rng, &arrivals);
  return arrivals;
}

void BenchClosedFormSolve(benchmark::State& state) {
  const SolveMode mode = static_cast<SolveMode>(state.range(0));
  Source truth;
  const std::vector<Arrival> arrivals = TenArrivals(&truth);
  const double c = SpeedOfSoundMps(CoolStillAir().temperature_c);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ClosedFormSolve(arrivals, c, mode, 0.0));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(SolveModeName(mode));
  AddMachineCounters(state);
}
BENCHMARK(BenchClosedFormSolve)
    ->Arg(static_cast<int>(SolveMode::kFixedHeight))
    ->Arg(static_cast<int>(SolveMode::k3D));

void BenchRefineSource(benchmark::State& state) {
  const SolveMode mode = static_cast<SolveMode>(state.range(0));
  Source truth;
  const std::vector<Arrival> arrivals = TenArrivals(&truth);
  const Propagation model = ModelOf(CoolStillAir());
  Source start = truth;
  start.position_m += Eigen::Vector3d(8.0, -5.0, 0.0);  // a closed form's typical miss
  RefineOptions options = LocateOptions().refine;       // the locator's loss
  options.mode = mode;
  options.fixed_height_m = 0.0;
  options.height_prior_m = 17.5;  // as the locator sets it: the sensors' median height
  options.height_prior_sigma_m = LocateOptions().height_prior_sigma_m;
  for (auto _ : state) {
    benchmark::DoNotOptimize(RefineSource(arrivals, model, start, options));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(SolveModeName(mode));
  AddMachineCounters(state);
}
BENCHMARK(BenchRefineSource)
    ->Arg(static_cast<int>(SolveMode::kFixedHeight))
    ->Arg(static_cast<int>(SolveMode::k3D));

}  // namespace
}  // namespace earshot::locate

BENCHMARK_MAIN();
