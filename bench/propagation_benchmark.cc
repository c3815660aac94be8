// How long one PathFinder::Paths call takes in a July-4th-sized city: 10 km², 200 sensors
// 6 m up in the streets, each source paired with every sensor within 1.5 km (what the
// pulse-only simulator asks). The aim is at most 20 µs a call on average, on one core.
//
//   propagation_benchmark --benchmark_counters_tabular=true
//
// Two cities, each 10 km² of square blocks between 16 m streets:
//   houses   100 m blocks with two or three houses of 10–40 m a side, some turned a
//            little, a quarter L-shaped (~2,000 buildings, the figure);
//   district the generator of scenarios/july4-district.json: 90 m blocks cut into one to
//            three lots each way, 45 % built, rectangles (~3,600 buildings).
// Two kinds of source: on the ground in the streets (firecrackers, guns: most paths are
// blocked and diffracted, the costly case), and aloft at 30–300 m (aerial shells: most
// paths are in the clear).
#include <cmath>
#include <string>
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
constexpr double kStreetM = 16.0;
constexpr double kRangeM = 1500.0;
constexpr int kSensors = 200;
constexpr double kSensorHeightM = 6.0;

enum class City { kHouses, kDistrict };
enum class Sources { kGround, kAloft };

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

Building Rectangle(const Eigen::Vector2d& lo, const Eigen::Vector2d& hi, double height_m) {
  return Building{{lo, {hi.x(), lo.y()}, hi, {lo.x(), hi.y()}}, height_m};
}

std::vector<Building> Houses(Rng& rng) {
  constexpr double kBlockM = 100.0;
  const int blocks = static_cast<int>(kSideM / kBlockM);
  const double lot = kBlockM - kStreetM;  // the built part of a block
  std::vector<Building> buildings;
  for (int i = 0; i < blocks; ++i) {
    for (int j = 0; j < blocks; ++j) {
      const Eigen::Vector2d corner(i * kBlockM + kStreetM, j * kBlockM + kStreetM);
      const int houses = rng.Bernoulli(0.1) ? 3 : 2;
      for (int k = 0; k < houses; ++k) {
        // Along the block's diagonal so that houses seldom overlap.
        const double f = (k + 0.5) / houses;
        const Eigen::Vector2d centre = corner + Eigen::Vector2d(lot * f + rng.Uniform(-8, 8),
                                                                lot * (1 - f) + rng.Uniform(-8, 8));
        buildings.push_back(House(rng, centre));
      }
    }
  }
  return buildings;
}

std::vector<Building> District(Rng& rng) {
  constexpr double kBlockM = 90.0;
  const double pitch = kBlockM + kStreetM;
  const int blocks = static_cast<int>(kSideM / pitch);
  const double scale = std::sqrt(0.45);
  std::vector<Building> buildings;
  for (int i = 0; i < blocks; ++i) {
    for (int j = 0; j < blocks; ++j) {
      const Eigen::Vector2d block(kStreetM + i * pitch, kStreetM + j * pitch);
      const int lots_x = 1 + static_cast<int>(rng.Below(3));
      const int lots_y = 1 + static_cast<int>(rng.Below(3));
      const Eigen::Vector2d lot(kBlockM / lots_x, kBlockM / lots_y);
      for (int lx = 0; lx < lots_x; ++lx) {
        for (int ly = 0; ly < lots_y; ++ly) {
          const Eigen::Vector2d centre =
              block + lot.cwiseProduct(Eigen::Vector2d(lx + 0.5, ly + 0.5));
          const Eigen::Vector2d half =
              lot.cwiseProduct(Eigen::Vector2d(scale * rng.Uniform(0.85, 1.15),
                                               scale * rng.Uniform(0.85, 1.15))) /
              2.0;
          buildings.push_back(Rectangle(centre - half, centre + half, rng.Uniform(6, 30)));
        }
      }
    }
  }
  return buildings;
}

// A point at the given height that is not within a building's bounding box.
Eigen::Vector3d OutsideBuildings(Rng& rng, const std::vector<Building>& buildings,
                                 double height_m) {
  for (;;) {
    const Eigen::Vector2d p(rng.Uniform(0, kSideM), rng.Uniform(0, kSideM));
    bool inside = false;
    for (const Building& building : buildings) {
      Eigen::Vector2d lo = building.footprint_m[0], hi = lo;
      for (const Eigen::Vector2d& corner : building.footprint_m) {
        lo = lo.cwiseMin(corner);
        hi = hi.cwiseMax(corner);
      }
      if ((p - lo).minCoeff() > 0.0 && (hi - p).minCoeff() > 0.0) {
        inside = true;
        break;
      }
    }
    if (!inside) return Eigen::Vector3d(p.x(), p.y(), height_m);
  }
}

struct Workload {
  CityModel city;
  std::vector<std::pair<Eigen::Vector3d, Eigen::Vector3d>> pairs;  // source, sensor
};

Workload MakeWorkload(City city, Sources sources) {
  Rng rng(2024);
  Workload work;
  work.city.buildings = city == City::kHouses ? Houses(rng) : District(rng);
  std::vector<Eigen::Vector3d> sensors;
  for (int i = 0; i < kSensors; ++i) {
    sensors.push_back(OutsideBuildings(rng, work.city.buildings, kSensorHeightM));
  }
  while (work.pairs.size() < 20000) {
    const double height_m = sources == Sources::kGround ? 1.5 : rng.Uniform(30, 300);
    const Eigen::Vector3d source = OutsideBuildings(rng, work.city.buildings, height_m);
    for (const Eigen::Vector3d& sensor : sensors) {
      if ((sensor - source).head<2>().norm() <= kRangeM) work.pairs.emplace_back(source, sensor);
    }
  }
  return work;
}

void BM_Paths(benchmark::State& state) {
  const City city = static_cast<City>(state.range(0));
  const Sources sources = static_cast<Sources>(state.range(1));
  state.SetLabel(std::string(city == City::kHouses ? "houses" : "district") + "/" +
                 (sources == Sources::kGround ? "ground" : "aloft"));
  const Workload work = MakeWorkload(city, sources);
  Atmosphere air;
  air.weather.temperature_c = 24.0;
  air.weather.wind_speed_mps = 2.0;
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
  state.counters["paths_per_call"] = static_cast<double>(paths) / calls;
  state.counters["silent_fraction"] = static_cast<double>(silent) / calls;
  state.counters["mean_distance_m"] = distance_m / calls;
  state.counters["buildings"] = static_cast<double>(work.city.buildings.size());
  state.counters["cores"] = std::thread::hardware_concurrency();
}
// The time column is the mean time of one Paths call.
BENCHMARK(BM_Paths)
    ->ArgsProduct({{static_cast<int>(City::kHouses), static_cast<int>(City::kDistrict)},
                   {static_cast<int>(Sources::kGround), static_cast<int>(Sources::kAloft)}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace earshot::sim

BENCHMARK_MAIN();
