#include "earshot/sim/propagation.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/core/weather.h"
#include "earshot/sim/atmosphere.h"
#include "earshot/sim/random.h"

namespace earshot::sim {
namespace {

using V2 = Eigen::Vector2d;
using V3 = Eigen::Vector3d;

Atmosphere StillAir() {
  Atmosphere air;
  air.weather.temperature_c = 20.0;
  air.relative_humidity_pct = 70.0;
  return air;
}

PathOptions DirectOnly() {
  PathOptions options;
  options.ground_reflection = false;
  options.facade_reflections = false;
  return options;
}

Building Box(double x0, double y0, double x1, double y1, double height_m) {
  return Building{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, height_m};
}

const PropagationPath* Find(const std::vector<PropagationPath>& paths, PathKind kind) {
  for (const PropagationPath& path : paths) {
    if (path.kind == kind) return &path;
  }
  return nullptr;
}

int Count(const std::vector<PropagationPath>& paths, PathKind kind) {
  return static_cast<int>(std::count_if(paths.begin(), paths.end(),
                                        [&](const PropagationPath& p) { return p.kind == kind; }));
}

// ---- Spreading, absorption, barrier loss -------------------------------------------------

TEST(PathGainTest, SphericalSpreadingIsOneOverDistanceReOneMetre) {
  const PathFinder finder(CityModel{}, StillAir(), DirectOnly());
  const V3 source(0, 0, 2);
  for (const double distance_m : {1.0, 10.0, 123.0, 1500.0}) {
    const auto near = finder.Paths(source, source + V3(distance_m, 0, 0));
    const auto far = finder.Paths(source, source + V3(2 * distance_m, 0, 0));
    ASSERT_EQ(near.size(), 1u);
    ASSERT_EQ(far.size(), 1u);
    // At 0 Hz the air absorbs nothing: only spreading is left.
    EXPECT_DOUBLE_EQ(PathGainAt(near[0], 0.0, StillAir()), 1.0 / distance_m);
    EXPECT_DOUBLE_EQ(PathGainAt(far[0], 0.0, StillAir()) / PathGainAt(near[0], 0.0, StillAir()),
                     0.5);
  }
}

TEST(PathGainTest, AbsorptionOverThePathLength) {
  const PathFinder finder(CityModel{}, StillAir(), DirectOnly());
  const auto paths = finder.Paths(V3(0, 0, 2), V3(0, 1000, 2));
  ASSERT_EQ(paths.size(), 1u);
  for (const double f : {125.0, 1000.0, 4000.0}) {
    const double expected_db = 20.0 * std::log10(1000.0) + AbsorptionDbPerM(f, StillAir()) * 1000.0;
    EXPECT_NEAR(-20.0 * std::log10(PathGainAt(paths[0], f, StillAir())), expected_db, 1e-9);
  }
}

TEST(BarrierLossTest, MaekawaIsFiveDecibelsAtGrazingAndGrowsToItsCap) {
  const double c = SpeedOfSoundMps(20.0);
  EXPECT_DOUBLE_EQ(BarrierLossDb(0.0, 1000.0, c), 5.0);
  EXPECT_DOUBLE_EQ(BarrierLossDb(0.5, 0.0, c), 5.0);
  // N = 1: 5 + 20·log10(√(2π) / tanh √(2π)) = 13.10 dB (Maekawa's chart: about 13 dB).
  EXPECT_NEAR(BarrierLossDb(c / 2000.0, 1000.0, c), 13.098, 0.001);
  double previous = 5.0;
  for (double delta_m = 1e-6; delta_m < 100.0; delta_m *= 1.5) {
    const double loss = BarrierLossDb(delta_m, 1000.0, c);
    EXPECT_GE(loss, previous);
    EXPECT_LE(loss, 25.0);
    previous = loss;
  }
  EXPECT_DOUBLE_EQ(previous, 25.0);
  // Higher frequencies are shadowed more by the same barrier.
  EXPECT_LT(BarrierLossDb(0.2, 250.0, c), BarrierLossDb(0.2, 2000.0, c));
}

// ---- Direct and ground paths ------------------------------------------------------------

TEST(PathFinderTest, UnobstructedDirectPathHasNoDelta) {
  const PathFinder finder(CityModel{}, StillAir(), DirectOnly());
  const V3 s(3, 4, 1.5), r(303, -396, 4);
  const auto paths = finder.Paths(s, r);
  ASSERT_EQ(paths.size(), 1u);
  const PropagationPath& direct = paths[0];
  EXPECT_EQ(direct.kind, PathKind::kDirect);
  EXPECT_DOUBLE_EQ(direct.length_m, (r - s).norm());
  EXPECT_EQ(direct.diffraction_delta_m, 0.0);
  EXPECT_EQ(direct.reflection_gain, 1.0);
  EXPECT_TRUE(direct.departure.isApprox((r - s).normalized()));
  EXPECT_DOUBLE_EQ(direct.travel_time_s, TravelTimeS(s, r, StillAir()));
  ASSERT_EQ(direct.points_m.size(), 2u);
  EXPECT_TRUE(finder.LineOfSight(s, r));
  EXPECT_FALSE(finder.LineOfSight(s, V3(10, 10, -0.5)));  // under the ground
}

TEST(PathFinderTest, GroundReflectionOverFlatGround) {
  CityModel city;
  city.ground.base_m = 5.0;
  city.ground.reflection_coefficient = 0.7;
  PathOptions options;
  options.facade_reflections = false;
  const PathFinder finder(city, StillAir(), options);
  const double hs = 1.5, hr = 4.0, d = 250.0;
  const V3 s(0, 0, 5.0 + hs), r(0.6 * d, 0.8 * d, 5.0 + hr);
  const auto paths = finder.Paths(s, r);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].kind, PathKind::kDirect);
  const PropagationPath& ground = paths[1];
  EXPECT_EQ(ground.kind, PathKind::kGround);
  EXPECT_NEAR(ground.length_m, std::sqrt(d * d + (hs + hr) * (hs + hr)), 1e-9);
  EXPECT_EQ(ground.reflection_gain, 0.7);
  EXPECT_EQ(ground.diffraction_delta_m, 0.0);
  ASSERT_EQ(ground.points_m.size(), 3u);
  const V3 bounce = ground.points_m[1];
  EXPECT_NEAR(bounce.z(), 5.0, 1e-12);
  // The bounce divides the way in the ratio of the heights.
  EXPECT_NEAR(bounce.head<2>().norm(), d * hs / (hs + hr), 1e-9);
  EXPECT_NEAR(ground.travel_time_s,
              TravelTimeS(s, bounce, StillAir()) + TravelTimeS(bounce, r, StillAir()), 1e-15);
  EXPECT_LT(ground.departure.z(), 0.0);  // it leaves the source downwards
}

TEST(PathFinderTest, GroundReflectionOnASlopeIsTheMirrorImage) {
  CityModel city;
  city.ground.base_m = 20.0;
  city.ground.slope = V2(0.05, -0.12);
  PathOptions options;
  options.facade_reflections = false;
  const PathFinder finder(city, StillAir(), options);
  const V3 s(10, 20, city.ground.HeightAt(V2(10, 20)) + 2.0);
  const V3 r(-150, 90, city.ground.HeightAt(V2(-150, 90)) + 6.0);
  const PropagationPath* ground = Find(finder.Paths(s, r), PathKind::kGround);
  ASSERT_NE(ground, nullptr);
  // Mirror the source in the plane z − 0.05x + 0.12y = 20.
  const V3 normal = V3(-0.05, 0.12, 1.0).normalized();
  const double height = (s - V3(0, 0, 20.0)).dot(normal);
  const V3 image = s - 2.0 * height * normal;
  EXPECT_NEAR(ground->length_m, (r - image).norm(), 1e-9);
  const V3 bounce = ground->points_m[1];
  EXPECT_NEAR(bounce.z(), city.ground.HeightAt(bounce.head<2>()), 1e-9);
}

TEST(PathFinderTest, NothingFromUndergroundOrInsideABuilding) {
  CityModel city;
  city.buildings.push_back(Box(0, 0, 20, 20, 10));
  const PathFinder finder(city, StillAir());
  EXPECT_TRUE(finder.Paths(V3(50, 50, -1), V3(80, 50, 2)).empty());
  EXPECT_TRUE(finder.Paths(V3(10, 10, 2), V3(80, 50, 2)).empty());
  EXPECT_FALSE(finder.Paths(V3(10, 10, 12), V3(80, 50, 2)).empty());  // on the roof
}

// ---- Facade reflections ------------------------------------------------------------------

TEST(PathFinderTest, FacadeEchoIsTheImageSourceAndBouncesOnTheWall) {
  CityModel city;
  city.facade_reflection_coefficient = 0.8;
  city.buildings.push_back(Box(40, -50, 60, 50, 15));  // its west wall is x = 40
  PathOptions options;
  options.ground_reflection = false;
  const PathFinder finder(city, StillAir(), options);
  const V3 s(0, -10, 1.5), r(10, 25, 4.0);
  const auto paths = finder.Paths(s, r);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].kind, PathKind::kDirect);
  const PropagationPath& echo = paths[1];
  EXPECT_EQ(echo.kind, PathKind::kFacade);
  const V3 image(80, -10, 1.5);  // the source mirrored in x = 40
  EXPECT_NEAR(echo.length_m, (r - image).norm(), 1e-9);
  ASSERT_EQ(echo.points_m.size(), 3u);
  const V3 hit = echo.points_m[1];
  EXPECT_NEAR(hit.x(), 40.0, 1e-12);  // on the wall's plane,
  EXPECT_GT(hit.y(), -50.0);          // between its corners,
  EXPECT_LT(hit.y(), 50.0);
  EXPECT_GT(hit.z(), 0.0);  // above the ground and below the roof
  EXPECT_LT(hit.z(), 15.0);
  // Angle of incidence equals angle of reflection: the hit is on the line image–receiver.
  EXPECT_NEAR(((hit - image).normalized() - (r - image).normalized()).norm(), 0.0, 1e-12);
  EXPECT_EQ(echo.reflection_gain, 0.8);
  EXPECT_EQ(echo.diffraction_delta_m, 0.0);
  EXPECT_NEAR(PathGainAt(echo, 0.0, StillAir()), 0.8 / echo.length_m, 1e-15);
}

TEST(PathFinderTest, NoEchoWhereTheWallEndsOrBelowTheBounce) {
  PathOptions options;
  options.ground_reflection = false;
  const V3 s(0, -10, 1.5), r(10, 25, 4.0);
  {
    // The wall x = 40 spans only y in [30, 60]: the bounce (y ≈ 8) misses it.
    CityModel city;
    city.buildings.push_back(Box(40, 30, 60, 60, 15));
    EXPECT_EQ(Count(PathFinder(city, StillAir(), options).Paths(s, r), PathKind::kFacade), 0);
  }
  {
    // A low wall: the bounce at ≈ 2.8 m is above its 2 m roof.
    CityModel city;
    city.buildings.push_back(Box(40, -50, 60, 50, 2));
    EXPECT_EQ(Count(PathFinder(city, StillAir(), options).Paths(s, r), PathKind::kFacade), 0);
  }
  {
    // A wall the receiver stands behind: it faces away from one of them.
    CityModel city;
    city.buildings.push_back(Box(5, 20, 60, 22, 15));
    EXPECT_EQ(Count(PathFinder(city, StillAir(), options).Paths(s, r), PathKind::kFacade), 0);
  }
}

TEST(PathFinderTest, EchoWithABlockedLegIsDropped) {
  CityModel city;
  city.buildings.push_back(Box(40, -50, 60, 50, 15));
  city.buildings.push_back(Box(20, -2, 22, 2, 15));  // a kiosk in front of the bounce
  PathOptions options;
  options.ground_reflection = false;
  const PathFinder finder(city, StillAir(),
                          options);  // The bounce is at (40, 5); the source's leg to it crosses x =
                                     // 20 at y = 0, in the kiosk.
  const V3 s(0, -5, 2), r(0, 15, 2);
  const auto paths = finder.Paths(s, r);
  EXPECT_EQ(Count(paths, PathKind::kDirect), 1);
  EXPECT_EQ(Count(paths, PathKind::kFacade), 0);
}

TEST(PathFinderTest,
     StreetCanyonKeepsTheShortestEchoes) {  // A street 20 m wide between two long rows of houses:
                                            // one echo off each side.
  CityModel city;
  for (int i = 0; i < 20; ++i) {
    const double x0 = -200 + 20.0 * i;
    city.buildings.push_back(Box(x0, 10, x0 + 18, 30, 12));
    city.buildings.push_back(Box(x0, -30, x0 + 18, -10, 12));
  }
  PathOptions options;
  options.ground_reflection = false;
  const V3 s(-50, 2, 1.5), r(50, -3, 4);               // the bounces land on house fronts, not gaps
  const double north = (r - V3(-50, 18, 1.5)).norm();  // image in y = 10
  const double south = (r - V3(-50, -22, 1.5)).norm();  // image in y = −10, the shorter
  auto paths = PathFinder(city, StillAir(), options).Paths(s, r);
  ASSERT_EQ(Count(paths, PathKind::kFacade), 2);
  EXPECT_NEAR(paths[1].length_m, south, 1e-9);
  EXPECT_NEAR(paths[2].length_m, north, 1e-9);
  options.max_facade_paths = 1;
  paths = PathFinder(city, StillAir(), options).Paths(s, r);
  ASSERT_EQ(Count(paths, PathKind::kFacade), 1);
  EXPECT_NEAR(Find(paths, PathKind::kFacade)->length_m, south, 1e-9);
}

// ---- Diffraction ------------------------------------------------------------------------

TEST(PathFinderTest, OverAThinWallTheRoofPathIsTheTwoHypotenuses) {
  // A wall 1 mm thick and 200 m long: over it is far shorter than around it.
  CityModel city;
  city.buildings.push_back(Box(0, -100, 0.001, 100, 12));
  const PathFinder finder(city, StillAir(), DirectOnly());
  const double a = 30, b = 70, z = 2, h = 12 - z;
  const V3 s(-a, 5, z), r(b + 0.001, 5, z);
  const auto paths = finder.Paths(s, r);
  EXPECT_EQ(Find(paths, PathKind::kDirect), nullptr);  // blocked, not returned
  EXPECT_FALSE(finder.LineOfSight(s, r));
  ASSERT_FALSE(paths.empty());
  const PropagationPath& over = paths[0];
  EXPECT_EQ(over.kind, PathKind::kDiffractionRoof);
  const double expected = std::hypot(a, h) + std::hypot(b, h);
  EXPECT_NEAR(over.length_m, expected, 1.1e-3);  // the wall's thickness
  EXPECT_NEAR(over.diffraction_delta_m, over.length_m - (r - s).norm(), 1e-12);
  EXPECT_GT(over.diffraction_delta_m, 0.0);
  for (size_t i = 1; i + 1 < over.points_m.size(); ++i) {
    EXPECT_NEAR(over.points_m[i].z(), 12.0, 1e-9);  // bends at the roof edges
  }
  // Its gain carries the barrier loss of its δ.
  const double c = SpeedOfSoundMps(20.0);
  const double expected_db = 20.0 * std::log10(over.length_m) +
                             AbsorptionDbPerM(500.0, StillAir()) * over.length_m +
                             BarrierLossDb(over.diffraction_delta_m, 500.0, c);
  EXPECT_NEAR(-20.0 * std::log10(PathGainAt(over, 500.0, StillAir())), expected_db, 1e-9);
}

TEST(PathFinderTest, OverTwoBuildingsTheStringTouchesOnlyTheTallerEdges) {
  CityModel city;
  city.buildings.push_back(Box(10, -50, 20, 50, 20));
  city.buildings.push_back(Box(40, -50, 50, 50, 8));  // under the string from the first
  const PathFinder finder(city, StillAir(), DirectOnly());
  const V3 s(0, 0, 2), r(100, 0, 2);
  const auto paths = finder.Paths(s, r);
  const PropagationPath* over = Find(paths, PathKind::kDiffractionRoof);
  ASSERT_NE(over, nullptr);
  ASSERT_EQ(over->points_m.size(), 4u);
  EXPECT_TRUE(over->points_m[1].isApprox(V3(10, 0, 20)));
  EXPECT_TRUE(over->points_m[2].isApprox(V3(20, 0, 20)));
  EXPECT_NEAR(over->length_m, std::hypot(10, 18) + 10 + std::hypot(80, 18), 1e-6);
}

TEST(PathFinderTest, AroundACornerTheSidePathIsTheTwoLegs) {
  // A tall block; the line from the source clips its south-west corner.
  CityModel city;
  city.buildings.push_back(Box(0, 0, 20, 20, 60));
  const PathFinder finder(city, StillAir(), DirectOnly());
  const V3 s(-10, 10, 2), r(15, -5, 2);
  const auto paths = finder.Paths(s, r);
  EXPECT_EQ(Find(paths, PathKind::kDirect), nullptr);
  const PropagationPath* around = Find(paths, PathKind::kDiffractionSide);
  ASSERT_NE(around, nullptr);
  ASSERT_EQ(around->points_m.size(), 3u);
  EXPECT_TRUE(around->points_m[1].isApprox(V3(0, 0, 2)));
  const V3 corner(0, 0, 2);
  EXPECT_NEAR(around->length_m, (corner - s).norm() + (r - corner).norm(), 1e-9);
  EXPECT_NEAR(around->diffraction_delta_m, around->length_m - (r - s).norm(), 1e-12);
  EXPECT_NEAR(around->travel_time_s,
              TravelTimeS(s, corner, StillAir()) + TravelTimeS(corner, r, StillAir()), 1e-15);
  // The other way round, past three corners, is also there and longer.
  EXPECT_EQ(Count(paths, PathKind::kDiffractionSide), 2);
  EXPECT_EQ(paths[0].kind, PathKind::kDiffractionSide);
  // Side paths are sought only behind few enough buildings.
  PathOptions options = DirectOnly();
  options.max_side_buildings = 0;
  const auto over_only = PathFinder(city, StillAir(), options).Paths(s, r);
  EXPECT_EQ(Count(over_only, PathKind::kDiffractionSide), 0);
  EXPECT_EQ(Count(over_only, PathKind::kDiffractionRoof), 1);
}

TEST(PathFinderTest,
     SidePathGoesAroundANeighbourInTheWay) {  // The building in the way and, south-west of it, a
                                              // neighbour that the first string
  // (from the source to the corner (0, 0)) would cut through: the southern path goes
  // around the neighbour's corners instead.
  CityModel city;
  city.buildings.push_back(Box(0, 0, 20, 20, 60));
  city.buildings.push_back(Box(-8, -6, -2, 3, 60));
  const PathFinder finder(city, StillAir(), DirectOnly());
  const V3 s(-30, 5, 2), r(50, 5, 2);
  const auto paths = finder.Paths(s, r);
  ASSERT_EQ(Count(paths, PathKind::kDiffractionSide), 2);
  for (const PropagationPath& path : paths) {
    for (size_t i = 0; i + 1 < path.points_m.size(); ++i) {
      EXPECT_TRUE(finder.LineOfSight(path.points_m[i], path.points_m[i + 1]))
          << PathKindName(path.kind) << " leg " << i;
    }
    if (path.kind == PathKind::kDiffractionSide && path.points_m[1].y() < 5) {
      ASSERT_EQ(path.points_m.size(), 4u);
      EXPECT_TRUE(path.points_m[1].head<2>().isApprox(V2(-8, -6)));
      EXPECT_TRUE(path.points_m[2].head<2>().isApprox(V2(-2, -6)));
    }
  }
}

TEST(PathFinderTest, PathsLongerThanTheShortestPlusTheMarginAreDropped) {
  CityModel city;
  city.buildings.push_back(Box(0, -500, 10, 500, 8));  // long and low: around is far
  PathOptions options = DirectOnly();
  options.max_extra_length_m = 50.0;
  const PathFinder finder(city, StillAir(), options);
  const auto paths = finder.Paths(V3(-20, 0, 2), V3(30, 0, 2));
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].kind, PathKind::kDiffractionRoof);
  options.max_extra_length_m = 5000.0;
  EXPECT_EQ(PathFinder(city, StillAir(), options).Paths(V3(-20, 0, 2), V3(30, 0, 2)).size(), 3u);
}

// ---- Wind --------------------------------------------------------------------------------

TEST(PathFinderTest, DownwindArrivesEarlierByTheWind) {
  Atmosphere air = StillAir();
  air.weather.wind_speed_mps = 12.0;
  air.weather.wind_from_deg = 90.0;  // from the east: blows west
  const PathFinder finder(CityModel{}, air, DirectOnly());
  const double c = SpeedOfSoundMps(20.0), d = 800.0;
  const V3 s(0, 0, 2);
  const double west = finder.Paths(s, s + V3(-d, 0, 0))[0].travel_time_s;
  const double east = finder.Paths(s, s + V3(d, 0, 0))[0].travel_time_s;
  EXPECT_NEAR(west, d / (c + 12.0), 1e-12);
  EXPECT_NEAR(east, d / (c - 12.0), 1e-12);
  EXPECT_NEAR(east - west, d * 24.0 / (c * c - 144.0), 1e-12);
}

// ---- Everything at once in a random city -------------------------------------------------

TEST(PathFinderTest, RandomCityPathsAreConsistent) {
  Rng rng(42);
  CityModel city;
  city.ground.base_m = 30.0;
  city.ground.slope = V2(0.02, -0.01);
  for (int i = 0; i < 80; ++i) {
    const V2 c(rng.Uniform(0, 600), rng.Uniform(0, 600));
    city.buildings.push_back(Box(c.x(), c.y(), c.x() + rng.Uniform(8, 40),
                                 c.y() + rng.Uniform(8, 40), rng.Uniform(5, 30)));
  }
  const Atmosphere air = StillAir();
  const PathFinder finder(city, air);
  int heard = 0, diffracted = 0, echoes = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const V2 s2(rng.Uniform(0, 600), rng.Uniform(0, 600));
    const V2 r2(rng.Uniform(0, 600), rng.Uniform(0, 600));
    const V3 s(s2.x(), s2.y(), city.ground.HeightAt(s2) + 1.5);
    const V3 r(r2.x(), r2.y(), city.ground.HeightAt(r2) + 4.0);
    const auto paths = finder.Paths(s, r);
    if (paths.empty()) continue;
    ++heard;
    const double direct_m = (r - s).norm();
    EXPECT_EQ(Find(paths, PathKind::kDirect) != nullptr, finder.LineOfSight(s, r));
    for (size_t k = 0; k < paths.size(); ++k) {
      const PropagationPath& path = paths[k];
      if (k > 0) {
        EXPECT_LE(paths[k - 1].length_m, path.length_m);
      }
      EXPECT_LE(path.length_m, paths[0].length_m + PathOptions{}.max_extra_length_m);
      EXPECT_GE(path.length_m, direct_m - 1e-9);
      ASSERT_GE(path.points_m.size(), 2u);
      EXPECT_EQ(path.points_m.front(), s);
      EXPECT_EQ(path.points_m.back(), r);
      double length = 0.0, time = 0.0;
      for (size_t i = 0; i + 1 < path.points_m.size(); ++i) {
        length += (path.points_m[i + 1] - path.points_m[i]).norm();
        time += TravelTimeS(path.points_m[i], path.points_m[i + 1], air);
        EXPECT_TRUE(finder.LineOfSight(path.points_m[i], path.points_m[i + 1]))
            << trial << " " << PathKindName(path.kind) << " leg " << i;
      }
      EXPECT_NEAR(path.length_m, length, 1e-9);
      EXPECT_NEAR(path.travel_time_s, time, 1e-12);
      const bool diffraction =
          path.kind == PathKind::kDiffractionRoof || path.kind == PathKind::kDiffractionSide;
      EXPECT_EQ(path.diffraction_delta_m > 0.0, diffraction && path.length_m > direct_m);
      diffracted += diffraction ? 1 : 0;
      echoes += path.kind == PathKind::kFacade ? 1 : 0;
    }
    EXPECT_LE(Count(paths, PathKind::kFacade), PathOptions{}.max_facade_paths);
  }
  EXPECT_GT(heard, 120);  // the rest start or end inside a building
  EXPECT_GT(diffracted, 150);
  EXPECT_GT(echoes, 25);
}

// ---- Terrain: a height surface through known ground points ----------------------------

Ground TerrainThrough(const std::vector<V3>& points, double base_m = 0.0) {
  Ground ground;
  ground.base_m = base_m;
  ground.terrain_points_m = points;
  return ground;
}

TEST(TerrainTest, InterpolationIsExactAtTheKnownPointsAndBetweenThem) {
  Rng rng = Rng::Stream(3, "terrain");
  std::vector<V3> points;
  for (int i = 0; i < 40; ++i) {
    points.emplace_back(rng.Uniform(-1000, 1000), rng.Uniform(-1000, 1000), rng.Uniform(-60, 40));
  }
  Ground ground = TerrainThrough(points, -20.0);
  ground.slope = V2(0.01, -0.02);
  double lowest = 1e9, highest = -1e9;
  for (const V3& p : points) {
    EXPECT_EQ(ground.HeightAt(p.head<2>()), p.z());
    lowest = std::min(lowest, p.z() - ground.PlaneHeightAt(p.head<2>()));
    highest = std::max(highest, p.z() - ground.PlaneHeightAt(p.head<2>()));
  }
  // Between the points the height over the plane is a weighted mean of the points' own:
  // within their range, and the gradient is the derivative (checked by differences).
  for (int i = 0; i < 200; ++i) {
    const V2 xy(rng.Uniform(-1200, 1200), rng.Uniform(-1200, 1200));
    V2 gradient;
    const double z = ground.HeightAndGradientAt(xy, &gradient);
    EXPECT_GE(z - ground.PlaneHeightAt(xy), lowest - 1e-9);
    EXPECT_LE(z - ground.PlaneHeightAt(xy), highest + 1e-9);
    const double h = 1e-4;
    const V2 numeric((ground.HeightAt(xy + V2(h, 0)) - ground.HeightAt(xy - V2(h, 0))) / (2 * h),
                     (ground.HeightAt(xy + V2(0, h)) - ground.HeightAt(xy - V2(0, h))) / (2 * h));
    EXPECT_NEAR(gradient.x(), numeric.x(), 1e-6 * (1.0 + numeric.norm()));
    EXPECT_NEAR(gradient.y(), numeric.y(), 1e-6 * (1.0 + numeric.norm()));
  }
}

TEST(TerrainTest, LocalPlaneGroundImageIsTheFlatClosedFormOnFlatTerrain) {
  // Known points all at one height: the surface is that plane, whatever the base plane.
  std::vector<V3> points;
  for (int x = -500; x <= 500; x += 100) {
    for (int y = -500; y <= 500; y += 125) points.emplace_back(x + 0.3 * y, y, 12.0);
  }
  CityModel city;
  city.ground = TerrainThrough(points, -30.0);
  PathOptions options;
  options.facade_reflections = false;
  const PathFinder finder(city, StillAir(), options);
  const double hs = 1.5, hr = 6.0, d = 320.0;
  const V3 s(-40, 15, 12.0 + hs), r(-40 + 0.8 * d, 15 - 0.6 * d, 12.0 + hr);
  const auto paths = finder.Paths(s, r);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].kind, PathKind::kDirect);
  ASSERT_EQ(paths[1].kind, PathKind::kGround);
  EXPECT_NEAR(paths[1].length_m, std::sqrt(d * d + (hs + hr) * (hs + hr)), 1e-9);
  EXPECT_NEAR(paths[1].points_m[1].z(), 12.0, 1e-9);
  EXPECT_NEAR((paths[1].points_m[1] - s).head<2>().norm(), d * hs / (hs + hr), 1e-9);
}

TEST(TerrainTest, OnAPlateauTheGroundPathDiffersByTwoHsHrOverD) {
  // A plateau 40 m above the scene's plane (a hill-top position): the reflection is off
  // the plateau, not off the plane far below, and merges with the direct sound.
  std::vector<V3> points;
  for (int x = -300; x <= 900; x += 150) {
    for (int y = -300; y <= 300; y += 150) points.emplace_back(x, y, 40.0);
  }
  CityModel city;
  city.ground = TerrainThrough(points);
  PathOptions options;
  options.facade_reflections = false;
  const PathFinder finder(city, StillAir(), options);
  const double hs = 1.5, hr = 6.0;
  for (const double d : {100.0, 300.0, 600.0}) {
    const V3 s(0, 0, 40.0 + hs), r(d, 0, 40.0 + hr);
    const auto paths = finder.Paths(s, r);
    const PropagationPath* direct = Find(paths, PathKind::kDirect);
    const PropagationPath* ground = Find(paths, PathKind::kGround);
    ASSERT_NE(direct, nullptr);
    ASSERT_NE(ground, nullptr);
    const double difference = ground->length_m - direct->length_m;
    EXPECT_NEAR(difference, 2.0 * hs * hr / d, 0.01 * 2.0 * hs * hr / d) << d;
  }
}

TEST(TerrainTest, AHillBetweenShieldsAndTheSoundGoesOverItsCrest) {
  // A ridge 30 m high halfway between two valleys.
  std::vector<V3> points;
  for (int y = -600; y <= 600; y += 50) {
    points.emplace_back(0, y, 0.0);
    points.emplace_back(200, y, 30.0);
    points.emplace_back(400, y, 0.0);
  }
  CityModel city;
  city.ground = TerrainThrough(points);
  const PathFinder finder(city, StillAir());
  const V3 s(0, 0, 1.5), r(400, 0, 6.0);
  EXPECT_FALSE(finder.LineOfSight(s, r));
  const auto paths = finder.Paths(s, r);
  ASSERT_FALSE(paths.empty());
  EXPECT_EQ(Find(paths, PathKind::kDirect), nullptr);
  EXPECT_EQ(Find(paths, PathKind::kGround), nullptr);
  const PropagationPath* over = Find(paths, PathKind::kDiffractionRoof);
  ASSERT_NE(over, nullptr);
  // Over the crest: the taut string touches the ridge (30 m) near x = 200.
  double top = 0.0;
  for (const V3& p : over->points_m) top = std::max(top, p.z());
  EXPECT_NEAR(top, 30.0, 0.5);
  const double direct_m = (r - s).norm();
  EXPECT_NEAR(over->diffraction_delta_m, over->length_m - direct_m, 1e-9);
  // One edge at the crest: the thin-wall lengths √(a² + h²) + √(b² + h²).
  EXPECT_NEAR(over->length_m, std::hypot(200.0, 28.5) + std::hypot(200.0, 24.0), 0.05);
  // From the crest both valleys are in sight.
  EXPECT_TRUE(finder.LineOfSight(s, V3(200, 0, 31.0)));
  EXPECT_TRUE(finder.LineOfSight(V3(200, 0, 31.0), r));
}

}  // namespace
}  // namespace earshot::sim
