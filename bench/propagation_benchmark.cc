// How long one PathFinder::Paths call takes in a July-4th-sized city: 10 km² with about
// 2,000 buildings and 200 sensors, sources in the streets, each source paired with every
// sensor within 1.5 km (what the pulse-only simulator asks). The aim is at most 20 µs a
// call on average, single-threaded.
//
//   propagation_benchmark --benchmark_counters_tabular=true
//
// The city is a street grid (100 m blocks, 16 m streets); each block holds two or three
// buildings of 10–40 m on a side and 6–30 m high, some turned a little, some L-shaped.
#include <cmath>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <Eigen/Geometry>

#include "earshot/sim/propagation.h"
#include "earshot/sim/random.h"
#include "earshot/sim/scene.h"

namespace earshot::sim {
namespace {

constexpr double kSideM = 3162.0;  // 10 km²
constexpr double kBlockM = 100.0;
constexpr double kStreetM = 16.0;
constexpr double kRangeM = 1500.0;

Building House(Rng& rng, const Eigen::Vector2d& centre) {
  const double w = rng.Uniform(10, 40), d = rng.Uniform(10, 40);
  std::vector<Eigen::Vector2d> corners = {
      {-w / 2, -d / 2}, {w / 2, -d / 2}, {w / 2, d / 2}, {-w / 2, d / 2}};
  if (rng.Bernoulli(0.25)) {  // an L: a corner cut out
    corners = {{-w / 2, -d / 2}, {w / 2, -d / 2}, {w / 2, 0}, {0, 0}, {0, d / 2}, {-w / 2, d / 2}};
  }
  const double turn = rng.Bernoulli(0.3) ? rng.Uniform(-0.3, 0.3) : 0.0;
  const Eigen::Rotation2Dd rotation(turn);
  Building building;
  for (const Eigen::Vector2d& corner : corners) {
    building.footprint_m.push_back(centre + rotation * corner);
  }
  building.height_m = rng.Uniform(6, 30);
  return building;
}

// A point in a street (not in a block), at the given height.
Eigen::Vector3d InTheStreet(Rng& rng, double height_m) {
  const int blocks = static_cast<int>(kSideM / kBlockM);
  const double along = rng.Uniform(0, kSideM);
  const double across = kBlockM * static_cast<double>(rng.Below(blocks)) + rng.Uniform(0, kStreetM);
  return rng.Bernoulli(0.5) ? Eigen::Vector3d(along, across, height_m)
                            : Eigen::Vector3d(across, along, height_m);
}

struct Workload {
  CityModel city;
  std::vector<Eigen::Vector3d> sensors;
  std::vector<std::pair<Eigen::Vector3d, Eigen::Vector3d>> pairs;  // source, sensor
};

Workload MakeWorkload() {
  Rng rng(2024);
  Workload work;
  const int blocks = static_cast<int>(kSideM / kBlockM);
  const double lot = kBlockM - kStreetM;  // the built part of a block
  for (int i = 0; i < blocks; ++i) {
    for (int j = 0; j < blocks; ++j) {
      const Eigen::Vector2d corner(i * kBlockM + kStreetM, j * kBlockM + kStreetM);
      const int houses = rng.Bernoulli(0.1) ? 3 : 2;
      for (int k = 0; k < houses; ++k) {
        // Along the block's diagonal band so that houses seldom overlap.
        const double f = (k + 0.5) / houses;
        const Eigen::Vector2d centre = corner + Eigen::Vector2d(lot * f + rng.Uniform(-8, 8),
                                                                lot * (1 - f) + rng.Uniform(-8, 8));
        work.city.buildings.push_back(House(rng, centre));
      }
    }
  }
  for (int i = 0; i < 200; ++i) work.sensors.push_back(InTheStreet(rng, rng.Uniform(4, 6)));
  while (work.pairs.size() < 20000) {
    const Eigen::Vector3d source = InTheStreet(rng, 1.5);
    for (const Eigen::Vector3d& sensor : work.sensors) {
      if ((sensor - source).head<2>().norm() <= kRangeM) work.pairs.emplace_back(source, sensor);
    }
  }
  return work;
}

void BM_Paths(benchmark::State& state) {
  const Workload work = MakeWorkload();
  Atmosphere air;
  air.weather.temperature_c = 25.0;
  air.weather.wind_speed_mps = 4.0;
  const PathFinder finder(work.city, air);
  size_t next = 0;
  int64_t paths = 0, silent = 0;
  double distance_m = 0.0;
  for (auto _ : state) {
    const auto& [source, sensor] = work.pairs[next];
    next = next + 1 == work.pairs.size() ? 0 : next + 1;
    const std::vector<PropagationPath> found = finder.Paths(source, sensor);
    benchmark::DoNotOptimize(found.data());
    paths += static_cast<int64_t>(found.size());
    silent += found.empty() ? 1 : 0;
    distance_m += (sensor - source).norm();
  }
  const double calls = static_cast<double>(state.iterations());
  state.counters["us_per_call"] =
      benchmark::Counter(calls * 1e-6, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["paths_per_call"] = static_cast<double>(paths) / calls;
  state.counters["silent_fraction"] = static_cast<double>(silent) / calls;
  state.counters["mean_distance_m"] = distance_m / calls;
  state.counters["buildings"] = static_cast<double>(work.city.buildings.size());
  state.counters["cores"] = std::thread::hardware_concurrency();
}
BENCHMARK(BM_Paths)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace earshot::sim

BENCHMARK_MAIN();
