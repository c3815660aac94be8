#include "earshot/core/local_frame.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace earshot {
namespace {

// Downtown Pittsburgh, roughly where the live-fire test took place.
constexpr double kLat = 40.4406;
constexpr double kLon = -79.9959;
constexpr double kHeight = 250.0;

TEST(LocalFrame, MetricFrameIsNotGeodetic) {
  EXPECT_FALSE(LocalFrame::Metric().is_geodetic());
  EXPECT_TRUE(LocalFrame::Geodetic(kLat, kLon, kHeight).is_geodetic());
}

TEST(LocalFrame, RemembersItsOrigin) {
  const GeodeticPoint origin = LocalFrame::Geodetic(kLat, kLon, kHeight).origin();
  EXPECT_DOUBLE_EQ(origin.lat_deg, kLat);
  EXPECT_DOUBLE_EQ(origin.lon_deg, kLon);
  EXPECT_DOUBLE_EQ(origin.height_m, kHeight);
}

TEST(LocalFrame, OriginIsZero) {
  const LocalFrame frame = LocalFrame::Geodetic(kLat, kLon, kHeight);
  EXPECT_LT(frame.Forward({kLat, kLon, kHeight}).norm(), 1e-9);
}

// A hundredth of a degree of latitude at 40.44° N is M·Δφ = 1110.43 m on WGS84 (M, the
// meridional radius of curvature, from the ellipsoid's a and f by hand): y is north.
TEST(LocalFrame, HundredthOfADegreeNorthIsAbout1110MetresNorth) {
  const LocalFrame frame = LocalFrame::Geodetic(kLat, kLon, kHeight);
  const Eigen::Vector3d enu_m = frame.Forward({kLat + 0.01, kLon, kHeight});
  EXPECT_NEAR(enu_m.x(), 0.0, 1e-6);
  EXPECT_NEAR(enu_m.y(), 1110.43, 0.05);
  // The ellipsoid curves away below the tangent plane: about −y²/2R ≈ −0.1 m.
  EXPECT_NEAR(enu_m.z(), -0.097, 0.01);
}

// A hundredth of a degree of longitude is N·cos φ·Δλ = 848.42 m: x is east.
TEST(LocalFrame, HundredthOfADegreeEastIsAbout848MetresEast) {
  const LocalFrame frame = LocalFrame::Geodetic(kLat, kLon, kHeight);
  const Eigen::Vector3d enu_m = frame.Forward({kLat, kLon + 0.01, kHeight});
  EXPECT_NEAR(enu_m.x(), 848.42, 0.05);
  EXPECT_NEAR(enu_m.y(), 0.0, 0.1);  // a parallel is not a great circle: a little north
  EXPECT_LT(enu_m.z(), 0.0);
}

TEST(LocalFrame, ZIsUp) {
  const LocalFrame frame = LocalFrame::Geodetic(kLat, kLon, kHeight);
  const Eigen::Vector3d enu_m = frame.Forward({kLat, kLon, kHeight + 10.0});
  EXPECT_NEAR(enu_m.x(), 0.0, 1e-9);
  EXPECT_NEAR(enu_m.y(), 0.0, 1e-9);
  EXPECT_NEAR(enu_m.z(), 10.0, 1e-9);
}

// Property: over a city (±20 km, −100..+500 m) Reverse and Forward invert each other to
// well below a millimetre, in both directions.
TEST(LocalFrameProperty, RoundTripsRandomPointsOverACity) {
  const LocalFrame frame = LocalFrame::Geodetic(kLat, kLon, kHeight);
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> horizontal_m(-20'000.0, 20'000.0);
  std::uniform_real_distribution<double> vertical_m(-100.0, 500.0);
  for (int i = 0; i < 5'000; ++i) {
    const Eigen::Vector3d enu_m(horizontal_m(random), horizontal_m(random), vertical_m(random));
    const GeodeticPoint point = frame.Reverse(enu_m);
    ASSERT_LT((frame.Forward(point) - enu_m).norm(), 1e-6) << enu_m.transpose();

    const GeodeticPoint again = frame.Reverse(frame.Forward(point));
    ASSERT_NEAR(again.lat_deg, point.lat_deg, 1e-11);
    ASSERT_NEAR(again.lon_deg, point.lon_deg, 1e-11);
    ASSERT_NEAR(again.height_m, point.height_m, 1e-6);
  }
}

// Property: distances in the frame match the horizontal distance between points within
// the frame's stated error (below a centimetre over a city), i.e. the frame is conformal
// enough that solvers can treat it as Euclidean.
TEST(LocalFrameProperty, FrameDistancesAreMetres) {
  const LocalFrame frame = LocalFrame::Geodetic(kLat, kLon, kHeight);
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> horizontal_m(-5'000.0, 5'000.0);
  for (int i = 0; i < 1'000; ++i) {
    const Eigen::Vector3d a(horizontal_m(random), horizontal_m(random), 0.0);
    const Eigen::Vector3d b(horizontal_m(random), horizontal_m(random), 0.0);
    // Moving the origin to a changes coordinates but not the distance to b.
    const GeodeticPoint a_point = frame.Reverse(a);
    const LocalFrame at_a =
        LocalFrame::Geodetic(a_point.lat_deg, a_point.lon_deg, a_point.height_m);
    const double distance_m = (a - b).norm();
    const double distance_from_a_m = at_a.Forward(frame.Reverse(b)).norm();
    ASSERT_NEAR(distance_from_a_m, distance_m, 0.01 + 1e-5 * distance_m);
  }
}

TEST(LocalFrameDeathTest, MetricFrameHasNoGeodesy) {
  const LocalFrame frame = LocalFrame::Metric();
  EXPECT_DEATH(frame.Forward({kLat, kLon, kHeight}), "internal check failed");
  EXPECT_DEATH(frame.Reverse(Eigen::Vector3d::Zero()), "internal check failed");
}

}  // namespace
}  // namespace earshot
