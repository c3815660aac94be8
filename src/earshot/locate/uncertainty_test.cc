#include "earshot/locate/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/locate/closed_form.h"
#include "earshot/locate/internal/synthetic_test_util.h"
#include "earshot/locate/locator.h"
#include "earshot/locate/robust_solver.h"

namespace earshot::locate {
namespace {

using internal::AddTimingNoise;
using internal::ExactArrivals;
using internal::RandomPointInAnnulus;
using internal::SensorsOnDisc;
using internal::SensorsOnRing;

constexpr double kDegToRad = std::numbers::pi / 180.0;

// The covariance of an ellipse with axes σ1 ≥ σ2, the major axis at `azimuth_deg`
// (clockwise from north) in (east, north) coordinates.
Eigen::Matrix2d CovarianceOf(double sigma1_m, double sigma2_m, double azimuth_deg) {
  const Eigen::Vector2d major(std::sin(azimuth_deg * kDegToRad), std::cos(azimuth_deg * kDegToRad));
  const Eigen::Vector2d minor(major.y(), -major.x());
  return sigma1_m * sigma1_m * major * major.transpose() +
         sigma2_m * sigma2_m * minor * minor.transpose();
}

// ----- EllipseFromCovariance -------------------------------------------------------------

TEST(EllipseFromCovariance, MajorAxisAlongNorthIsZeroDegrees) {
  const ErrorEllipse ellipse = EllipseFromCovariance(Eigen::Vector2d(1.0, 9.0).asDiagonal());
  EXPECT_NEAR(ellipse.sigma1_m, 3.0, 1e-12);
  EXPECT_NEAR(ellipse.sigma2_m, 1.0, 1e-12);
  // 0 and 180 are the same axis; the range is [0, 180).
  EXPECT_NEAR(std::min(ellipse.angle_deg, 180.0 - ellipse.angle_deg), 0.0, 1e-9);
  EXPECT_GE(ellipse.angle_deg, 0.0);
  EXPECT_LT(ellipse.angle_deg, 180.0);
}

TEST(EllipseFromCovariance, MajorAxisAlongEastIsNinetyDegrees) {
  const ErrorEllipse ellipse = EllipseFromCovariance(Eigen::Vector2d(16.0, 4.0).asDiagonal());
  EXPECT_NEAR(ellipse.sigma1_m, 4.0, 1e-12);
  EXPECT_NEAR(ellipse.sigma2_m, 2.0, 1e-12);
  EXPECT_NEAR(ellipse.angle_deg, 90.0, 1e-9);
}

// Rotated ellipses round-trip through their covariance, in every quadrant.
TEST(EllipseFromCovariance, RecoversRotatedEllipses) {
  for (double azimuth_deg : {1.0, 30.0, 45.0, 60.0, 89.0, 91.0, 120.0, 135.0, 150.0, 179.0}) {
    const ErrorEllipse ellipse = EllipseFromCovariance(CovarianceOf(5.0, 2.0, azimuth_deg));
    EXPECT_NEAR(ellipse.sigma1_m, 5.0, 1e-12) << azimuth_deg;
    EXPECT_NEAR(ellipse.sigma2_m, 2.0, 1e-12) << azimuth_deg;
    EXPECT_NEAR(ellipse.angle_deg, azimuth_deg, 1e-9) << azimuth_deg;
    // An azimuth and its opposite describe the same axis.
    EXPECT_NEAR(EllipseFromCovariance(CovarianceOf(5.0, 2.0, azimuth_deg + 180.0)).angle_deg,
                azimuth_deg, 1e-9);
  }
  // Positive east-north correlation: the major axis lies north-east, at 45°.
  Eigen::Matrix2d northeast;
  northeast << 2.0, 1.0, 1.0, 2.0;
  EXPECT_NEAR(EllipseFromCovariance(northeast).angle_deg, 45.0, 1e-9);
  EXPECT_NEAR(EllipseFromCovariance(northeast).sigma1_m, std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(EllipseFromCovariance(northeast).sigma2_m, 1.0, 1e-12);
}

// ----- CircularErrorRadiusM ---------------------------------------------------------------

// A circular Gaussian's radius is Rayleigh: r = σ·√(−2 ln(1 − p)), 2.4477σ at 95 %.
TEST(CircularErrorRadius, CircularCaseIsRayleigh) {
  for (double sigma_m : {0.1, 1.0, 7.5}) {
    for (double p : {0.5, 0.9, 0.95, 0.99}) {
      const ErrorEllipse circle{sigma_m, sigma_m, 0.0};
      EXPECT_NEAR(CircularErrorRadiusM(circle, p), sigma_m * std::sqrt(-2.0 * std::log(1.0 - p)),
                  1e-6 * sigma_m)
          << sigma_m << " m, p " << p;
    }
  }
  EXPECT_NEAR(CircularErrorRadiusM({1.0, 1.0, 0.0}, 0.95), 2.4477, 1e-4);
}

// A needle-thin ellipse is one-dimensional: r → the two-sided normal quantile, 1.96σ1.
//
// Once failing (64 steps of the physical angle missed a thin ellipse's peak); now
// integrated over the standardised angle.
TEST(CircularErrorRadius, ElongatedCaseApproachesTheOneDimensionalQuantile) {
  EXPECT_NEAR(CircularErrorRadiusM({10.0, 1e-4, 30.0}, 0.95), 19.5996, 1e-3);
  EXPECT_NEAR(CircularErrorRadiusM({10.0, 0.0, 30.0}, 0.95), 19.5996, 1e-3);
  // Monotone in between: thicker ellipses need larger circles.
  double previous_m = 0.0;
  for (double sigma2_m : {0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0}) {
    const double radius_m = CircularErrorRadiusM({10.0, sigma2_m, 0.0}, 0.95);
    EXPECT_GT(radius_m, previous_m) << sigma2_m;
    previous_m = radius_m;
  }
}

// An intermediate ellipse against 100 000 Gaussian draws.
TEST(CircularErrorRadius, MatchesMonteCarlo) {
  std::mt19937_64 rng(301);
  std::normal_distribution<double> normal;
  constexpr int kDraws = 100'000;
  const ErrorEllipse ellipse{3.0, 1.2, 70.0};  // the radius does not depend on the angle
  std::vector<double> distances_m;
  distances_m.reserve(kDraws);
  for (int i = 0; i < kDraws; ++i) {
    const double along = normal(rng);
    const double across = normal(rng);
    distances_m.push_back(std::hypot(ellipse.sigma1_m * along, ellipse.sigma2_m * across));
  }
  std::sort(distances_m.begin(), distances_m.end());
  for (double p : {0.5, 0.95}) {
    const double empirical_m = distances_m[static_cast<size_t>(p * kDraws)];
    EXPECT_NEAR(CircularErrorRadiusM(ellipse, p), empirical_m, 0.01 * empirical_m) << "p " << p;
  }
}

// ----- The Cramér–Rao bound against the solver ---------------------------------------------

constexpr double kSigmaS = 1e-3;
constexpr double kSpeedMps = 340.0;

struct Scenario {
  Source truth;
  std::vector<Arrival> exact;
  RefineOptions options;
};

// 6–12 sensors on a ~500 m ring or disc around a ground-level source, on the ground or
// on roofs (0–30 m); the source is on the ground at a known height.
Scenario GroundScenario(std::mt19937_64& rng, int trial) {
  const int n = std::uniform_int_distribution<int>(6, 12)(rng);
  Scenario scenario;
  scenario.truth.position_m << RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), 0.0, 150.0), 0.0;
  scenario.truth.emission_s = -1.2;
  const std::vector<Eigen::Vector3d> sensors =
      trial % 2 == 0 ? SensorsOnRing(rng, n, Eigen::Vector2d::Zero(), 500.0, 0.0, 30.0)
                     : SensorsOnDisc(rng, n, Eigen::Vector2d::Zero(), 500.0, 0.0, 30.0);
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  scenario.exact = ExactArrivals(sensors, scenario.truth, still, kSigmaS);
  scenario.options.mode = SolveMode::kFixedHeight;
  scenario.options.fixed_height_m = 0.0;
  return scenario;
}

// An aerial burst 150 m above 8–12 sensors of varied heights (0–60 m) on a 500 m ring:
// here the height is an unknown.
Scenario AerialScenario(std::mt19937_64& rng, int /*trial*/) {
  const int n = std::uniform_int_distribution<int>(8, 12)(rng);
  Scenario scenario;
  scenario.truth.position_m << RandomPointInAnnulus(rng, Eigen::Vector2d::Zero(), 0.0, 150.0),
      150.0;
  scenario.truth.emission_s = -1.2;
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  scenario.exact = ExactArrivals(SensorsOnRing(rng, n, Eigen::Vector2d::Zero(), 500.0, 0.0, 60.0),
                                 scenario.truth, still, kSigmaS);
  scenario.options.mode = SolveMode::k3D;
  return scenario;
}

struct Statistics {
  int trials = 0;
  int solved = 0;
  double sum_ratio_sq = 0.0;  // Σ (error / CRB)²: the efficiency, geometry by geometry
  double sum_error_sq = 0.0;  // Σ error², m²
  double sum_crb_sq = 0.0;    // Σ CRB², m²
  int within_radius95 = 0;

  double RmsOverCrb() const { return std::sqrt(sum_ratio_sq / solved); }
  double Coverage() const { return static_cast<double>(within_radius95) / solved; }
};

// A new geometry and new noise every trial: the closed form starts, RefineSource with
// the loss of `loss` refines, EstimateUncertainty reports. Each error is compared with
// the CRB of its own geometry at the true source.
template <typename MakeScenario>
Statistics RunMonteCarlo(uint64_t seed, int trials, MakeScenario make_scenario,
                         const RefineOptions& loss = RefineOptions()) {
  std::mt19937_64 rng(seed);
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  Statistics stats;
  for (int trial = 0; trial < trials; ++trial) {
    Scenario scenario = make_scenario(rng, trial);
    scenario.options.late_scale_sigmas = loss.late_scale_sigmas;
    scenario.options.early_scale_sigmas = loss.early_scale_sigmas;
    const SolveMode mode = scenario.options.mode;
    const double crb_m = CramerRaoRmsM(scenario.exact, still, scenario.truth, mode);
    std::vector<Arrival> noisy = scenario.exact;
    AddTimingNoise(rng, &noisy);
    ++stats.trials;
    const std::vector<Source> starts =
        ClosedFormSolve(noisy, kSpeedMps, mode, scenario.options.fixed_height_m);
    if (starts.empty() || !std::isfinite(crb_m)) continue;
    const Refinement refinement = RefineSource(noisy, still, starts.front(), scenario.options);
    if (!refinement.usable) continue;
    ++stats.solved;
    const double error_m =
        (refinement.source.position_m - scenario.truth.position_m).head<2>().norm();
    stats.sum_ratio_sq += std::pow(error_m / crb_m, 2);
    stats.sum_error_sq += error_m * error_m;
    stats.sum_crb_sq += crb_m * crb_m;

    std::vector<double> residuals_s;
    residuals_s.reserve(noisy.size());
    for (const Arrival& arrival : noisy) {
      residuals_s.push_back(ArrivalResidualS(arrival, refinement.source, still));
    }
    const Uncertainty u =
        EstimateUncertainty(noisy, residuals_s, still, refinement.source, mode, 0.0);
    if (u.valid && error_m <= u.radius95_m) ++stats.within_radius95;
  }
  return stats;
}

void Record(const std::string& prefix, const Statistics& stats) {
  ::testing::Test::RecordProperty(prefix + "_rms_over_crb",
                                  ::testing::PrintToString(stats.RmsOverCrb()));
  ::testing::Test::RecordProperty(
      prefix + "_pooled_rms_over_rms_crb",
      ::testing::PrintToString(std::sqrt(stats.sum_error_sq / stats.sum_crb_sq)));
  ::testing::Test::RecordProperty(prefix + "_radius95_coverage",
                                  ::testing::PrintToString(stats.Coverage()));
  std::printf("%s: rms/crb %.3f (pooled %.3f), radius95 coverage %.3f, %d of %d solved\n",
              prefix.c_str(), stats.RmsOverCrb(), std::sqrt(stats.sum_error_sq / stats.sum_crb_sq),
              stats.Coverage(), stats.solved, stats.trials);
}

// The key property of the solver: with Gaussian timing noise it is efficient, its RMS
// horizontal error within 20 % of the Cramér–Rao bound, with the default (asymmetric)
// loss; and the 95 % radius it reports holds the true position about 95 % of the time.
TEST(CramerRao, GroundShotWithKnownHeightReachesTheBound) {
  const Statistics stats = RunMonteCarlo(401, 500, GroundScenario);
  Record("ground", stats);
  ASSERT_GE(stats.solved, 495);
  EXPECT_GE(stats.RmsOverCrb(), 0.8);
  EXPECT_LE(stats.RmsOverCrb(), 1.2);
  EXPECT_GE(stats.Coverage(), 0.90);
  EXPECT_LE(stats.Coverage(), 0.99);
}

TEST(CramerRao, AerialBurstInThreeDReachesTheBound) {
  const Statistics stats = RunMonteCarlo(402, 500, AerialScenario);
  Record("aerial", stats);
  ASSERT_GE(stats.solved, 495);
  EXPECT_GE(stats.RmsOverCrb(), 0.8);
  EXPECT_LE(stats.RmsOverCrb(), 1.2);
  EXPECT_GE(stats.Coverage(), 0.90);
  EXPECT_LE(stats.Coverage(), 0.99);
}

// The locator refines with a sharper late-arrival loss (k_late = 1 sigma, measured on
// live-fire data), which buys robustness to diffracted arrivals with some efficiency on
// Gaussian noise: measured rms/CRB 1.07–1.18 over ten seeds (least squares: 1.00–1.06).
// Still within the 20 % the default loss is held to; 1000 trials, as it is nearer the edge.
TEST(CramerRao, LocatorsCityLossStaysWithinTwentyPercentOfTheBound) {
  const Statistics ground = RunMonteCarlo(403, 1000, GroundScenario, CityRefineOptions());
  const Statistics aerial = RunMonteCarlo(404, 1000, AerialScenario, CityRefineOptions());
  Record("city_ground", ground);
  Record("city_aerial", aerial);
  EXPECT_LE(ground.RmsOverCrb(), 1.2);
  EXPECT_LE(aerial.RmsOverCrb(), 1.2);
  EXPECT_GE(ground.Coverage(), 0.90);
  EXPECT_GE(aerial.Coverage(), 0.90);
}

// ----- InverseFisher and EstimateUncertainty --------------------------------------------

TEST(InverseFisher, RefusesCollinearSensors) {
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  std::vector<Eigen::Vector3d> sensors;
  sensors.reserve(6);
  for (int i = 0; i < 6; ++i) sensors.emplace_back(100.0 * i, 50.0 * i, 0.0);
  Source source;
  source.position_m << 300.0, 150.0, 0.0;  // on the line: no cross-line information at all
  const std::vector<Arrival> arrivals = ExactArrivals(sensors, source, still);
  Eigen::MatrixXd inverse;
  EXPECT_FALSE(InverseFisher(arrivals, still, source, SolveMode::k2D, 0.0, &inverse));
  EXPECT_TRUE(std::isnan(CramerRaoRmsM(arrivals, still, source, SolveMode::k2D)));
  EXPECT_FALSE(EstimateUncertainty(arrivals, {}, still, source, SolveMode::k2D, 0.0).valid);
}

// Residuals larger than the assumed noise inflate the covariance; smaller ones never
// shrink it below the bound.
TEST(EstimateUncertainty, NeverClaimsBetterThanItsResiduals) {
  std::mt19937_64 rng(501);
  const Scenario scenario = GroundScenario(rng, 0);
  Propagation still;
  still.speed_of_sound_mps = kSpeedMps;
  const int n = static_cast<int>(scenario.exact.size());
  const std::vector<double> zero(n, 0.0);
  std::vector<double> big(n);
  for (int i = 0; i < n; ++i) big[i] = (i % 2 == 0 ? 3.0 : -3.0) * kSigmaS;
  const Uncertainty quiet = EstimateUncertainty(scenario.exact, zero, still, scenario.truth,
                                                SolveMode::kFixedHeight, 0.0);
  const Uncertainty loud =
      EstimateUncertainty(scenario.exact, big, still, scenario.truth, SolveMode::kFixedHeight, 0.0);
  ASSERT_TRUE(quiet.valid && loud.valid);
  EXPECT_NEAR(quiet.timing_sigma_s, kSigmaS, 1e-15);
  EXPECT_NEAR(quiet.crb_rms_m,
              CramerRaoRmsM(scenario.exact, still, scenario.truth, SolveMode::kFixedHeight), 1e-12);
  EXPECT_NEAR(std::sqrt(quiet.covariance_en_m2.trace()), quiet.crb_rms_m, 1e-9);
  const double scale = std::sqrt(9.0 * n / (n - 3));
  EXPECT_NEAR(loud.timing_sigma_s, scale * kSigmaS, 1e-12);
  EXPECT_NEAR(loud.radius95_m, scale * quiet.radius95_m, 1e-6 * loud.radius95_m);
  EXPECT_EQ(loud.crb_rms_m, quiet.crb_rms_m);  // the bound is for the assumed noise
}

}  // namespace
}  // namespace earshot::locate
