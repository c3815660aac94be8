#include "earshot/locate/closed_form.h"

#include <algorithm>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/locate/internal/synthetic_test_util.h"

namespace earshot::locate {
namespace {

using internal::ExactArrivals;
using internal::RandomPointInAnnulus;
using internal::SensorsOnDisc;
using internal::Uniform;

constexpr double kSpeedMps = 340.0;
constexpr double kArrayRadiusM = 500.0;
constexpr int kTrials = 200;
// Exact data gives the exact source up to rounding: micrometres at kilometre ranges.
constexpr double kExactM = 1e-6;
constexpr double kExactS = 1e-6 / kSpeedMps;

struct Scenario {
  Source truth;
  std::vector<Arrival> arrivals;
};

// Exact arrivals of a random source at `n` random sensors on a disc. Even trials put the
// source inside the array, odd ones outside it, up to three array radii from its centre.
// In 3D the sensors' heights spread over 100 m (a coplanar array cannot see height) and
// the source is anywhere from just below them to 300 m up. In 2D the times follow the
// horizontal distances, and the sensors keep random heights the solver must ignore.
Scenario MakeScenario(std::mt19937_64& rng, SolveMode mode, int n, int trial) {
  const double max_height_m = mode == SolveMode::k3D ? 100.0 : 30.0;
  const std::vector<Eigen::Vector3d> sensors =
      SensorsOnDisc(rng, n, Eigen::Vector2d::Zero(), kArrayRadiusM, 0.0, max_height_m);
  const Eigen::Vector2d xy =
      trial % 2 == 0
          ? RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), 0.0, kArrayRadiusM)
          : RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), kArrayRadiusM, 3.0 * kArrayRadiusM);
  Scenario scenario;
  switch (mode) {
    case SolveMode::k3D:
      scenario.truth.position_m << xy, Uniform(rng, -20.0, 300.0);
      break;
    case SolveMode::kFixedHeight:
      scenario.truth.position_m << xy, Uniform(rng, 0.0, 20.0);
      break;
    case SolveMode::k2D:
      scenario.truth.position_m << xy, 0.0;
      break;
  }
  scenario.truth.emission_s = Uniform(rng, -2.0, 0.0);
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  if (mode == SolveMode::k2D) {
    std::vector<Eigen::Vector3d> flat = sensors;
    for (Eigen::Vector3d& sensor : flat) sensor.z() = 0.0;
    scenario.arrivals = ExactArrivals(flat, scenario.truth, still);
    for (int i = 0; i < n; ++i) scenario.arrivals[i].sensor_m.z() = sensors[i].z();
  } else {
    scenario.arrivals = ExactArrivals(sensors, scenario.truth, still);
  }
  return scenario;
}

std::vector<Source> Solve(const Scenario& scenario, SolveMode mode) {
  return ClosedFormSolve(scenario.arrivals, kSpeedMps, mode, scenario.truth.position_m.z());
}

double PositionErrorM(const Source& estimate, const Source& truth) {
  return (estimate.position_m - truth.position_m).norm();
}

class ClosedFormModeTest : public ::testing::TestWithParam<SolveMode> {};

// With more arrivals than unknowns the linear system has one least-squares solution,
// and with exact data it is the source.
TEST_P(ClosedFormModeTest, ExactArrivalsGiveTheExactSource) {
  const SolveMode mode = GetParam();
  std::mt19937_64 rng(20240601);
  const int min_sensors = mode == SolveMode::k3D ? 5 : 4;
  double worst_m = 0.0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const int n = std::uniform_int_distribution<int>(min_sensors, 12)(rng);
    const Scenario scenario = MakeScenario(rng, mode, n, trial);
    const std::vector<Source> candidates = Solve(scenario, mode);
    ASSERT_EQ(candidates.size(), 1u) << "trial " << trial << ", " << n << " sensors";
    const double error_m = PositionErrorM(candidates.front(), scenario.truth);
    EXPECT_LE(error_m, kExactM) << "trial " << trial << ", " << n << " sensors";
    EXPECT_NEAR(candidates.front().emission_s, scenario.truth.emission_s, kExactS)
        << "trial " << trial;
    worst_m = std::max(worst_m, error_m);
  }
  RecordProperty("worst_error_m", ::testing::PrintToString(worst_m));
}

// With exactly one arrival fewer than unknowns the source lies on a line of solutions
// and the constraint w = ρ0² − |p|² picks at most two points on it, one of them the
// source.
TEST_P(ClosedFormModeTest, MinimalCaseHasTheSourceAmongItsCandidates) {
  const SolveMode mode = GetParam();
  std::mt19937_64 rng(7);
  const int n = MinimalArrivals(mode);
  double worst_m = 0.0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const Scenario scenario = MakeScenario(rng, mode, n, trial);
    const std::vector<Source> candidates = Solve(scenario, mode);
    ASSERT_GE(candidates.size(), 1u) << "trial " << trial;
    ASSERT_LE(candidates.size(), 2u) << "trial " << trial;
    double best_m = std::numeric_limits<double>::infinity();
    const Source* best = nullptr;
    for (const Source& candidate : candidates) {
      if (PositionErrorM(candidate, scenario.truth) < best_m) {
        best_m = PositionErrorM(candidate, scenario.truth);
        best = &candidate;
      }
    }
    EXPECT_LE(best_m, kExactM) << "trial " << trial;
    EXPECT_NEAR(best->emission_s, scenario.truth.emission_s, kExactS) << "trial " << trial;
    worst_m = std::max(worst_m, best_m);
  }
  RecordProperty("worst_error_m", ::testing::PrintToString(worst_m));
}

// Below the minimal number of arrivals there is nothing to solve.
TEST_P(ClosedFormModeTest, FewerThanMinimalArrivalsGiveNothing) {
  const SolveMode mode = GetParam();
  std::mt19937_64 rng(3);
  for (int n = 0; n < MinimalArrivals(mode); ++n) {
    const Scenario scenario = MakeScenario(rng, mode, std::max(n, 1), 0);
    const std::span<const Arrival> arrivals(scenario.arrivals.data(), static_cast<size_t>(n));
    EXPECT_TRUE(ClosedFormSolve(arrivals, kSpeedMps, mode, 0.0).empty()) << n << " arrivals";
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, ClosedFormModeTest,
                         ::testing::Values(SolveMode::k2D, SolveMode::kFixedHeight, SolveMode::k3D),
                         [](const auto& info) { return internal::SolveModeTestName(info.param); });

TEST(ClosedForm, MinimalArrivalsCountTheUnknownsLessOne) {
  EXPECT_EQ(MinimalArrivals(SolveMode::k2D), 3);
  EXPECT_EQ(MinimalArrivals(SolveMode::kFixedHeight), 3);
  EXPECT_EQ(MinimalArrivals(SolveMode::k3D), 4);
}

// Sensors on one line cannot tell a source from its mirror image across the line: the
// solve must say "no answer" rather than pick one, whatever the line's direction.
TEST(ClosedForm, CollinearSensorsGiveNothingInTheHorizontalModes) {
  std::mt19937_64 rng(11);
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  for (int trial = 0; trial < 50; ++trial) {
    const Eigen::Vector2d origin = RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), 0.0, 300.0);
    const double angle = Uniform(rng, 0.0, 2.0 * std::numbers::pi);
    const Eigen::Vector2d along(std::cos(angle), std::sin(angle));
    std::vector<Eigen::Vector3d> sensors;
    for (int i = 0; i < 6; ++i) {
      const Eigen::Vector2d xy = origin + Uniform(rng, -kArrayRadiusM, kArrayRadiusM) * along;
      sensors.emplace_back(xy.x(), xy.y(), 0.0);
    }
    Source truth;
    truth.position_m << origin + Uniform(rng, 50.0, 400.0) * Eigen::Vector2d(-along.y(), along.x()),
        0.0;
    const std::vector<Arrival> arrivals = ExactArrivals(sensors, truth, still);
    EXPECT_TRUE(ClosedFormSolve(arrivals, kSpeedMps, SolveMode::k2D).empty()) << "trial " << trial;
    EXPECT_TRUE(ClosedFormSolve(arrivals, kSpeedMps, SolveMode::kFixedHeight, 0.0).empty())
        << "trial " << trial;
  }
}

// Sensors all at one height cannot tell a source above them from one below.
TEST(ClosedForm, CoplanarSensorsGiveNothingInThreeD) {
  std::mt19937_64 rng(13);
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  for (int trial = 0; trial < 50; ++trial) {
    const std::vector<Eigen::Vector3d> sensors =
        SensorsOnDisc(rng, 8, Eigen::Vector2d::Zero(), kArrayRadiusM, 12.0, 12.0);
    Source truth;
    truth.position_m << RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), 0.0, kArrayRadiusM),
        150.0;
    const std::vector<Arrival> arrivals = ExactArrivals(sensors, truth, still);
    EXPECT_TRUE(ClosedFormSolve(arrivals, kSpeedMps, SolveMode::k3D).empty()) << "trial " << trial;
  }
}

}  // namespace
}  // namespace earshot::locate
