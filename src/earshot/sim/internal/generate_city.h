// Generated cities: a seeded grid of square blocks separated by streets, each block cut
// into lots with one rectangular building per lot, leaving clearings around given points
// (sensors, shooters); and the questions the other generators ask of a city: is this
// point inside a building, which ground plane fits these points.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_GENERATE_CITY_H_
#define EARSHOT_SIM_INTERNAL_GENERATE_CITY_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "earshot/sim/internal/scenario_spec.h"
#include "earshot/sim/random.h"
#include "earshot/sim/scene.h"

namespace earshot::sim::internal {

// The buildings of one generator. Blocks of `block_size_m` tile the area at a pitch of
// block + street, centred in it; each block is cut into 1..3 × 1..3 equal lots; each lot
// holds one rectangle centred in it whose sides are the lot's times √coverage (±15 %,
// drawn), so that on average `coverage` of each block is built; heights are uniform in
// [min_height_m, max_height_m]. A building any part of which comes within clearance_m of
// a clearing point is left out.
std::vector<Building> GenerateCity(const CityGeneratorSpec& spec,
                                   const std::vector<Eigen::Vector2d>& clearings, Rng& rng);

// Answers "is this point inside (or within a margin of) a building footprint" in
// constant time for a city of thousands of buildings: footprints are indexed by their
// bounding boxes on a square grid.
class BuildingIndex {
 public:
  explicit BuildingIndex(const std::vector<Building>& buildings, double cell_m = 50.0);
  bool Inside(const Eigen::Vector2d& xy) const;

 private:
  int64_t Key(int64_t ix, int64_t iy) const { return ix * 2'000'003 + iy; }
  int64_t Cell(double coordinate) const;

  const std::vector<Building>* buildings_;
  double cell_m_;
  std::unordered_map<int64_t, std::vector<int>> cells_;
};

// True when `xy` lies inside the polygon (even-odd rule; on the edge counts as inside).
bool InsidePolygon(const std::vector<Eigen::Vector2d>& polygon, const Eigen::Vector2d& xy);

// Distance from `xy` to a polygon's footprint (0 inside).
double DistanceToPolygon(const std::vector<Eigen::Vector2d>& polygon, const Eigen::Vector2d& xy);

// A ground plane under points that stand `height_above_ground_m` above it: the least-
// squares plane through (x, y, z − h), lowered until no point stands lower than its h,
// slope limited to ±1. `reflection_coefficient` is kept from `like`.
struct StandingPoint {
  Eigen::Vector3d position_m;
  double height_above_ground_m = 0.0;
};
Ground FitGround(const std::vector<StandingPoint>& points, const Ground& like);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_GENERATE_CITY_H_
