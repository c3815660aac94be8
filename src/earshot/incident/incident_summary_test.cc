#include "earshot/incident/incident_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace earshot::incident {
namespace {

constexpr double kNaN = IncidentShot::kNaN;

using Shots = std::vector<IncidentShot>;

IncidentShot At(double t_s, double x_m, double y_m, double p = kNaN) {
  IncidentShot shot;
  shot.id = std::string("s").append(std::to_string(t_s));
  shot.emission_ns = static_cast<int64_t>(std::llround(t_s * 1e9));
  shot.position_m = {x_m, y_m, 0.0};
  shot.p_gunfire = p;
  return shot;
}

// `count` shots at one place, `interval_s` apart from `start_s`.
std::vector<IncidentShot> Burst(int count, double interval_s, double start_s = 0.0) {
  std::vector<IncidentShot> shots;
  for (int i = 0; i < count; ++i) shots.push_back(At(start_s + i * interval_s, 0.0, 0.0));
  return shots;
}

Incident Summary(const std::vector<IncidentShot>& shots, IncidentSummaryOptions options = {}) {
  Incident incident;
  Summarize(shots, options, &incident);
  return incident;
}

TEST(CadenceTest, MedianInterval) {
  EXPECT_DOUBLE_EQ(CadenceS(Shots{At(0, 0, 0), At(0.1, 0, 0), At(0.3, 0, 0), At(0.6, 0, 0)}), 0.2);
  EXPECT_DOUBLE_EQ(CadenceS(Shots{At(0, 0, 0), At(1, 0, 0), At(3, 0, 0)}), 1.5);  // even count
  EXPECT_TRUE(std::isnan(CadenceS(Shots{At(0, 0, 0)})));
  EXPECT_TRUE(std::isnan(CadenceS(Shots{})));
}

TEST(AutomaticFireTest, FiveShotsATenthApartAreAutomatic) {
  const Incident incident = Summary(Burst(5, 0.1));
  EXPECT_TRUE(incident.automatic_fire);
  EXPECT_EQ(incident.rounds, 5);
  EXPECT_DOUBLE_EQ(incident.cadence_s, 0.1);
  EXPECT_EQ(incident.shooters, 1);
}

TEST(AutomaticFireTest, HalfASecondApartIsNot) {
  EXPECT_FALSE(Summary(Burst(5, 0.5)).automatic_fire);
}

TEST(AutomaticFireTest, ThreeShotsMakeABurstTwoDoNot) {
  EXPECT_FALSE(Summary(Burst(2, 0.1)).automatic_fire);  // a double tap
  EXPECT_TRUE(Summary(Burst(3, 0.1)).automatic_fire);
  // Two short intervals separated by a long one are two double taps, not a burst.
  EXPECT_FALSE(Summary({At(0, 0, 0), At(0.1, 0, 0), At(1.0, 0, 0), At(1.1, 0, 0)}).automatic_fire);
  EXPECT_FALSE(Summary(Burst(5, 0.150)).automatic_fire);  // under 150 ms, not at
  EXPECT_TRUE(Summary(Burst(5, 0.149)).automatic_fire);
}

TEST(AutomaticFireTest, TwoPlacesAlternatingQuicklyAreNotOneAutomatic) {
  // A and B 200 m apart, each firing every 0.2 s, together a shot every 0.1 s.
  std::vector<IncidentShot> shots;
  for (int i = 0; i < 6; ++i) shots.push_back(At(i * 0.1, i % 2 == 0 ? 0.0 : 200.0, 0.0));
  const Incident incident = Summary(shots);
  EXPECT_FALSE(incident.automatic_fire);
  EXPECT_EQ(incident.shooters, 2);
}

TEST(ShootersTest, TwoPlacesFiringAlternatelyAreTwoShooters) {
  const std::vector<IncidentShot> shots = {At(0, 0, 0),     At(0.5, 200, 0), At(1, 0, 0),
                                           At(1.5, 200, 0), At(2, 0, 0),     At(2.5, 200, 0)};
  const Incident incident = Summary(shots);
  EXPECT_EQ(incident.shooters, 2);
  EXPECT_EQ(Places(shots, {}), (std::vector<int>{0, 1, 0, 1, 0, 1}));
  EXPECT_DOUBLE_EQ(incident.movement_m, 200.0);
}

TEST(ShootersTest, OnePlaceThenAnotherIsOneShooterMoving) {
  const std::vector<IncidentShot> shots = {At(0, 0, 0), At(1, 0, 0), At(2, 0, 0), At(10, 60, 80),
                                           At(12, 60, 80)};
  const Incident incident = Summary(shots);
  EXPECT_EQ(incident.shooters, 1);
  EXPECT_DOUBLE_EQ(incident.movement_m, 100.0);
  EXPECT_DOUBLE_EQ(incident.speed_mps, 100.0 / 12.0);
}

TEST(ShootersTest, SimultaneousShotsAtTwoPlacesAreTwo) {
  EXPECT_EQ(Summary({At(1, 0, 0), At(1, 100, 0)}).shooters, 2);
  EXPECT_EQ(Summary({At(1, 0, 0), At(1, 10, 0)}).shooters, 1);
}

TEST(ShootersTest, ThreePlacesAtOnce) {
  const std::vector<IncidentShot> shots = {At(0, 0, 0),    At(0.2, 100, 0), At(0.4, 0, 100),
                                           At(0.6, 0, 0),  At(0.8, 100, 0), At(1.0, 0, 100),
                                           At(5, 500, 500)};
  EXPECT_EQ(Summary(shots).shooters, 3);
}

TEST(PlacesTest, SingleLinkageAndSeparation) {
  // 25 m steps chain into one place; a 31 m step starts another.
  EXPECT_EQ(Places(Shots{At(0, 0, 0), At(1, 25, 0), At(2, 50, 0), At(3, 81, 0)}, {}),
            (std::vector<int>{0, 0, 0, 1}));
  // Height does not separate places (a 2D fix only assumed it).
  std::vector<IncidentShot> shots = {At(0, 0, 0), At(1, 0, 0)};
  shots[1].position_m.z() = 500.0;
  EXPECT_EQ(Places(shots, {}), (std::vector<int>{0, 0}));
}

TEST(PlacesTest, WeakFixesWidenThePlace) {
  std::vector<IncidentShot> shots = {At(0, 0, 0), At(1, 50, 0)};
  EXPECT_EQ(Places(shots, {}), (std::vector<int>{0, 1}));
  shots[0].position_sigma_m = 20.0;
  shots[1].position_sigma_m = 20.0;  // 2 * hypot(20, 20) = 56.6 m > 50 m
  EXPECT_EQ(Places(shots, {}), (std::vector<int>{0, 0}));
  IncidentSummaryOptions separation_only;
  separation_only.shooter_separation_sigmas = 0.0;
  EXPECT_EQ(Places(shots, separation_only), (std::vector<int>{0, 1}));
}

TEST(MovementTest, OneShotAndNone) {
  EXPECT_DOUBLE_EQ(MovementM(std::vector<IncidentShot>{At(0, 5, 5)}), 0.0);
  EXPECT_TRUE(std::isnan(SpeedMps(std::vector<IncidentShot>{At(0, 5, 5)})));
  EXPECT_TRUE(std::isnan(MovementM({})));
}

TEST(LabelTest, ThresholdsAsDispatchPolicy) {
  const IncidentSummaryOptions options;
  EXPECT_EQ(DispatchLabelFor(0.80, options), "gunfire");
  EXPECT_EQ(DispatchLabelFor(0.79, options), "probable_gunfire");
  EXPECT_EQ(DispatchLabelFor(0.50, options), "probable_gunfire");
  EXPECT_EQ(DispatchLabelFor(0.49, options), "not_gunfire");
  EXPECT_EQ(DispatchLabelFor(kNaN, options), "not_gunfire");
}

TEST(ProbabilityTest, MeanOfClassifiedShotsByDefault) {
  const Incident incident = Summary({At(0, 0, 0, 1.0), At(1, 0, 0, kNaN), At(2, 0, 0, 0.5)});
  EXPECT_DOUBLE_EQ(incident.p_gunfire, 0.75);
  EXPECT_EQ(incident.label, "probable_gunfire");
}

TEST(ProbabilityTest, InjectedCombination) {
  IncidentSummaryOptions options;
  std::vector<double> seen;
  options.incident_p_gunfire = [&](std::span<const double> p) {
    seen.assign(p.begin(), p.end());
    return *std::max_element(p.begin(), p.end());
  };
  const Incident incident = Summary({At(0, 0, 0, 0.25), At(1, 0, 0, 0.875)}, options);
  EXPECT_EQ(seen, (std::vector<double>{0.25, 0.875}));
  EXPECT_DOUBLE_EQ(incident.p_gunfire, 0.875);
  EXPECT_EQ(incident.label, "gunfire");
}

TEST(ProbabilityTest, NoClassifiedShotIsNoEvidence) {
  const Incident incident = Summary({At(0, 0, 0)});
  EXPECT_TRUE(std::isnan(incident.p_gunfire));
  EXPECT_EQ(incident.label, "not_gunfire");
}

TEST(SummarizeTest, FieldsFromTheShots) {
  std::vector<IncidentShot> shots = {At(1, 0, 0, 0.5), At(2, 3, 4, 0.9), At(4, 6, 8, 0.7)};
  shots[1].reasons = {"crack_fraction = 0.83 raises p(gunfire) (+1.21)"};
  shots[2].position_sigma_m = 2.5;
  const Incident incident = Summary(shots);
  EXPECT_EQ(incident.shot_ids, (std::vector<std::string>{shots[0].id, shots[1].id, shots[2].id}));
  EXPECT_EQ(incident.first_shot_ns, 1'000'000'000);
  EXPECT_EQ(incident.last_shot_ns, 4'000'000'000);
  EXPECT_EQ(incident.position_m, Eigen::Vector3d(6, 8, 0));
  EXPECT_DOUBLE_EQ(incident.position_sigma_m, 2.5);
  EXPECT_EQ(incident.rounds, 3);
  EXPECT_DOUBLE_EQ(incident.cadence_s, 1.5);
  EXPECT_FALSE(incident.automatic_fire);
  EXPECT_EQ(incident.shooters, 1);
  EXPECT_DOUBLE_EQ(incident.movement_m, 10.0);
  EXPECT_DOUBLE_EQ(incident.speed_mps, 10.0 / 3.0);
  EXPECT_EQ(incident.reasons, shots[1].reasons);  // the most probable shot's
}

// Property: the grid clustering equals plain single linkage over all pairs, on random
// shots with random position errors.
TEST(PlacesPropertyTest, EqualsAllPairsSingleLinkage) {
  std::mt19937_64 rng(6);
  for (int trial = 0; trial < 200; ++trial) {
    std::uniform_real_distribution<double> position_m(-300.0, 300.0);
    std::uniform_real_distribution<double> sigma_m(0.0, 40.0);
    const int n = 1 + static_cast<int>(rng() % 60);
    std::vector<IncidentShot> shots;
    for (int i = 0; i < n; ++i) {
      IncidentShot shot = At(i * 0.1, position_m(rng), position_m(rng));
      if (rng() % 3 == 0) shot.position_sigma_m = sigma_m(rng);
      shots.push_back(shot);
    }
    const IncidentSummaryOptions options;
    std::vector<int> root(n);
    std::iota(root.begin(), root.end(), 0);
    auto find = [&](int i) {
      while (root[i] != i) i = root[i];
      return i;
    };
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < i; ++j) {
        double limit_m = options.shooter_separation_m;
        if (!std::isnan(shots[i].position_sigma_m) && !std::isnan(shots[j].position_sigma_m))
          limit_m = std::max(
              limit_m, 2.0 * std::hypot(shots[i].position_sigma_m, shots[j].position_sigma_m));
        if ((shots[i].position_m - shots[j].position_m).head<2>().norm() <= limit_m)
          root[find(i)] = find(j);
      }
    }
    const std::vector<int> places = Places(shots, options);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        ASSERT_EQ(places[i] == places[j], find(i) == find(j)) << "trial " << trial;
      }
    }
    // Numbered by first shot.
    int next = 0;
    for (int place : places) {
      ASSERT_LE(place, next);
      if (place == next) ++next;
    }
  }
}

// Property: on random incidents the summary's numbers keep their bounds, and do not change
// when the whole incident is moved in space and time.
TEST(SummarizePropertyTest, BoundsAndInvariance) {
  std::mt19937_64 rng(61);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 40);
    std::uniform_real_distribution<double> gap_s(0.01, 3.0);
    std::uniform_real_distribution<double> position_m(-100.0, 100.0);
    std::uniform_real_distribution<double> p(0.0, 1.0);
    std::vector<IncidentShot> shots;
    double t_s = 0.0;
    for (int i = 0; i < n; ++i) {
      t_s += rng() % 4 == 0 ? 0.1 : gap_s(rng);
      shots.push_back(At(t_s, position_m(rng), position_m(rng), p(rng)));
      shots.back().id = std::string("s").append(std::to_string(i));
    }
    const Incident a = Summary(shots);
    ASSERT_EQ(a.rounds, n);
    const std::vector<int> places = Places(shots, {});
    const int place_count = *std::max_element(places.begin(), places.end()) + 1;
    ASSERT_GE(a.shooters, 1);
    ASSERT_LE(a.shooters, place_count);
    ASSERT_GE(a.p_gunfire, 0.0);
    ASSERT_LE(a.p_gunfire, 1.0);
    if (n >= 2) {
      double min_s = 1e9, max_s = 0.0;
      for (int i = 1; i < n; ++i) {
        const double interval_s = (shots[i].emission_ns - shots[i - 1].emission_ns) * 1e-9;
        min_s = std::min(min_s, interval_s);
        max_s = std::max(max_s, interval_s);
      }
      ASSERT_GE(a.cadence_s, min_s);
      ASSERT_LE(a.cadence_s, max_s);
      if (a.automatic_fire) {
        ASSERT_LT(min_s, 0.150);
      }
    }
    std::vector<IncidentShot> moved = shots;
    for (IncidentShot& shot : moved) {
      shot.emission_ns += 1'700'000'000'000'000'000;
      shot.position_m += Eigen::Vector3d(1024.0, -2048.0, 7.0);  // exact in binary
    }
    const Incident b = Summary(moved);
    ASSERT_EQ(b.shooters, a.shooters);
    ASSERT_EQ(b.automatic_fire, a.automatic_fire);
    if (n >= 2) {
      ASSERT_DOUBLE_EQ(b.cadence_s, a.cadence_s);
    }
    ASSERT_NEAR(b.movement_m, a.movement_m, 1e-9);
    ASSERT_EQ(b.label, a.label);
  }
}

}  // namespace
}  // namespace earshot::incident
