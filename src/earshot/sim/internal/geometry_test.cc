#include "earshot/sim/internal/geometry.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/sim/internal/geometry_city.h"
#include "earshot/sim/random.h"

namespace earshot::sim::internal {
namespace {

using V2 = Eigen::Vector2d;
using V3 = Eigen::Vector3d;

const std::vector<V2> kSquare = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
// An L: the square [0, 10]² without its top-right quarter.
const std::vector<V2> kEll = {{0, 0}, {10, 0}, {10, 5}, {5, 5}, {5, 10}, {0, 10}};

TEST(StrictlyInsideTest, BoundaryIsOutside) {
  EXPECT_TRUE(StrictlyInside(kSquare, V2(5, 5)));
  EXPECT_TRUE(StrictlyInside(kSquare, V2(1e-3, 5)));
  EXPECT_FALSE(StrictlyInside(kSquare, V2(0, 5)));
  EXPECT_FALSE(StrictlyInside(kSquare, V2(10, 10)));
  EXPECT_FALSE(StrictlyInside(kSquare, V2(-1, 5)));
  EXPECT_FALSE(StrictlyInside(kEll, V2(7, 7)));
  EXPECT_TRUE(StrictlyInside(kEll, V2(7, 3)));
}

TEST(InsideIntervalsTest, ThroughTheMiddle) {
  std::vector<SegmentInterval> inside;
  InsideIntervals(kSquare, V2(-10, 5), V2(20, 5), &inside);
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_NEAR(inside[0].t0, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(inside[0].t1, 2.0 / 3.0, 1e-12);
}

TEST(InsideIntervalsTest, AlongAWallOrThroughACornerIsOutside) {
  std::vector<SegmentInterval> inside;
  InsideIntervals(kSquare, V2(-5, 0), V2(15, 0), &inside);    // along the bottom wall
  InsideIntervals(kSquare, V2(10, -5), V2(10, 15), &inside);  // along the right wall
  InsideIntervals(kSquare, V2(-5, 5), V2(5, -5), &inside);    // touches the corner (0, 0)
  InsideIntervals(kEll, V2(5, 12), V2(5, 5), &inside);        // down the notch's wall
  InsideIntervals(kSquare, V2(0, 0), V2(10, 0), &inside);     // exactly one wall
  EXPECT_TRUE(inside.empty());
}

TEST(InsideIntervalsTest, StartingInsideAndReenteringAnEll) {
  std::vector<SegmentInterval> inside;
  InsideIntervals(kSquare, V2(5, 5), V2(15, 5), &inside);
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_EQ(inside[0].t0, 0.0);
  EXPECT_NEAR(inside[0].t1, 0.5, 1e-12);

  inside.clear();
  // Along y = 12 − x from the L's top wall: through the upper arm, out across the notch,
  // and through the lower arm to its right wall.
  InsideIntervals(kEll, V2(2, 10), V2(10, 2), &inside);
  ASSERT_EQ(inside.size(), 2u);
  EXPECT_NEAR(inside[0].t0, 0.0, 1e-12);
  EXPECT_NEAR(inside[0].t1, 3.0 / 8.0, 1e-12);  // x = 5
  EXPECT_NEAR(inside[1].t0, 5.0 / 8.0, 1e-12);  // y = 5
  EXPECT_NEAR(inside[1].t1, 1.0, 1e-12);
}

TEST(ConvexHullTest, CounterClockwiseCornersOnly) {
  std::vector<V2> points = kSquare;
  points.insert(points.end(), {{5, 5}, {5, 0}, {2, 8}, {10, 10}});
  const std::vector<V2> hull = ConvexHull(points);
  ASSERT_EQ(hull.size(), 4u);
  EXPECT_GT(TwiceSignedArea(hull), 0.0);
  EXPECT_DOUBLE_EQ(TwiceSignedArea(hull), 200.0);
}

TEST(TautStringOverTest, OverOneWallAndOverTwo) {
  // A wall 5 high halfway; the string bends at its top only.
  std::vector<V2> corners = TautStringOver(V2(0, 0), V2(10, 0), {{5, 5}});
  ASSERT_EQ(corners.size(), 1u);
  EXPECT_EQ(corners[0], V2(5, 5));
  // A low wall under the string from a tall one to the end is no corner; the roof of a
  // wide block gives two (its two edges).
  corners = TautStringOver(V2(0, 0), V2(30, 0), {{4, 8}, {8, 8}, {20, 3}});
  ASSERT_EQ(corners.size(), 2u);
  EXPECT_EQ(corners[0], V2(4, 8));
  EXPECT_EQ(corners[1], V2(8, 8));
  // Nothing above the line: no corner.
  EXPECT_TRUE(TautStringOver(V2(0, 10), V2(10, 0), {{5, 4}}).empty());
}

TEST(TautStringAroundTest, BothSidesOfASquare) {
  const std::vector<V2> hull = ConvexHull(kSquare);
  std::vector<V2> corners;
  ASSERT_TRUE(TautStringAround(V2(-5, 4), V2(15, 6), hull, Side::kLeft, &corners));
  EXPECT_EQ(corners, (std::vector<V2>{{0, 10}, {10, 10}}));
  ASSERT_TRUE(TautStringAround(V2(-5, 4), V2(15, 6), hull, Side::kRight, &corners));
  EXPECT_EQ(corners, (std::vector<V2>{{0, 0}, {10, 0}}));
  // From inside the hull (the L's notch) there is no string around it.
  EXPECT_FALSE(TautStringAround(V2(7, 7), V2(15, 6), ConvexHull(kEll), Side::kLeft, &corners));
  EXPECT_TRUE(corners.empty());
}

TEST(TautStringAroundTest, OneCornerOnEachSideOfATriangle) {
  const std::vector<V2> hull = ConvexHull({{0, -3}, {4, 0}, {0, 3}});
  std::vector<V2> corners;
  ASSERT_TRUE(TautStringAround(V2(-10, 0), V2(10, 0), hull, Side::kLeft, &corners));
  EXPECT_EQ(corners, (std::vector<V2>{{0, 3}}));
  ASSERT_TRUE(TautStringAround(V2(-10, 0), V2(10, 0), hull, Side::kRight, &corners));
  EXPECT_EQ(corners, (std::vector<V2>{{0, -3}}));
}

// A random city of boxes and triangles for checking the grid against brute force.
CityModel RandomCity(uint64_t seed, int buildings) {
  Rng rng(seed);
  CityModel city;
  for (int i = 0; i < buildings; ++i) {
    const V2 centre(rng.Uniform(0, 1000), rng.Uniform(0, 800));
    const double w = rng.Uniform(5, 60), h = rng.Uniform(5, 60);
    Building building;
    building.height_m = rng.Uniform(4, 40);
    if (rng.Bernoulli(0.3)) {
      building.footprint_m = {centre, centre + V2(w, 0), centre + V2(0, h)};
    } else {
      building.footprint_m = {centre, centre + V2(w, 0), centre + V2(w, h), centre + V2(0, h)};
    }
    if (rng.Bernoulli(0.2)) std::reverse(building.footprint_m.begin(), building.footprint_m.end());
    city.buildings.push_back(building);
  }
  return city;
}

// What the grid must agree with: every building tested.
bool BruteForceClear(const CityGeometry& geometry, const V3& a, const V3& b) {
  for (int id = 0; id < geometry.building_count(); ++id) {
    std::vector<SegmentInterval> inside;
    InsideIntervals(geometry.Footprint(id), a.head<2>(), b.head<2>(), &inside);
    for (const SegmentInterval& piece : inside) {
      const double z =
          std::min(a.z() + piece.t0 * (b.z() - a.z()), a.z() + piece.t1 * (b.z() - a.z()));
      if (z < geometry.RoofZ(id) - 1e-6) return false;
    }
  }
  return true;
}

TEST(CityGeometryTest, GridAnswersAsBruteForce) {
  const CityModel city = RandomCity(7, 300);
  for (const double cell_m : {13.0, 50.0, 400.0}) {
    const CityGeometry geometry(city, cell_m);
    ASSERT_EQ(geometry.building_count(), 300);
    Rng rng(11);
    int blocked = 0;
    for (int trial = 0; trial < 400; ++trial) {
      // Some segments start or end off the grid, some are nearly axis-parallel.
      const V3 a(rng.Uniform(-200, 1200), rng.Uniform(-200, 1000), rng.Uniform(0, 30));
      V3 b(rng.Uniform(-200, 1200), rng.Uniform(-200, 1000), rng.Uniform(0, 30));
      if (trial % 10 == 0) b.x() = a.x() + 1e-9;
      if (trial % 10 == 1) b.y() = a.y();
      const bool clear = BruteForceClear(geometry, a, b);
      EXPECT_EQ(geometry.ClearOfBuildings(a, b), clear) << "cell " << cell_m << " trial " << trial;
      std::vector<Blocking> blocking;
      geometry.Blockers(a, b, &blocking);
      EXPECT_EQ(blocking.empty(), clear);
      // Each blocking building is reported once per piece, never twice.
      std::vector<std::pair<int, double>> pieces;
      for (const Blocking& block : blocking) pieces.emplace_back(block.building, block.t0);
      std::sort(pieces.begin(), pieces.end());
      EXPECT_EQ(std::adjacent_find(pieces.begin(), pieces.end()), pieces.end());
      blocked += clear ? 0 : 1;
    }
    EXPECT_GT(blocked, 100);  // the test exercises both answers
    EXPECT_LT(blocked, 390);
  }
}

TEST(CityGeometryTest, BuildingsNearAsBruteForce) {
  const CityModel city = RandomCity(3, 300);
  // At 13 m cells many buildings are too large for the neighbourhood grid's margin and are
  // searched one by one; at 50 m none are.
  for (const double cell_m : {13.0, 50.0}) {
    const CityGeometry geometry(city, cell_m);
    Rng rng(5);
    for (int trial = 0; trial < 50; ++trial) {
      const V2 centres[] = {{rng.Uniform(-100, 1100), rng.Uniform(-100, 900)},
                            {rng.Uniform(-100, 1100), rng.Uniform(-100, 900)}};
      const double radius = rng.Uniform(10, 400);
      std::vector<int> near;
      geometry.BuildingsNear(centres, radius, &near);
      std::vector<int> expected;
      for (int id = 0; id < geometry.building_count(); ++id) {
        const auto footprint = geometry.Footprint(id);
        V2 lo = footprint[0], hi = footprint[0];
        for (const V2& p : footprint) {
          lo = lo.cwiseMin(p);
          hi = hi.cwiseMax(p);
        }
        for (const V2& c : centres) {
          const V2 gap = (lo - c).cwiseMax(0.0) + (c - hi).cwiseMax(0.0);
          if (gap.norm() <= radius) {
            expected.push_back(id);
            break;
          }
        }
      }
      std::sort(near.begin(), near.end());
      EXPECT_EQ(near, expected) << "cell " << cell_m << " trial " << trial;
    }
  }
}

TEST(CityGeometryTest, ClockwiseFootprintsAreTurnedAndRoofsSitOnTheGround) {
  CityModel city;
  city.ground.base_m = 100.0;
  city.ground.slope = V2(0.1, 0.0);
  city.buildings.push_back({{{0, 0}, {0, 10}, {10, 10}, {10, 0}}, 12.0});  // clockwise
  const CityGeometry geometry(city);
  EXPECT_GT(TwiceSignedArea(geometry.Footprint(0)), 0.0);
  EXPECT_DOUBLE_EQ(geometry.RoofZ(0), 100.0 + 0.1 * 5.0 + 12.0);
  EXPECT_TRUE(geometry.InsideBuilding(V3(5, 5, 110)));
  EXPECT_FALSE(geometry.InsideBuilding(V3(5, 5, 113)));
  EXPECT_FALSE(geometry.InsideBuilding(V3(10, 5, 105)));  // on the wall
  EXPECT_TRUE(geometry.AboveGround(V3(20, 0, 102.0)));
  EXPECT_FALSE(geometry.AboveGround(V3(20, 0, 101.9)));
}

}  // namespace
}  // namespace earshot::sim::internal
