#include "earshot/locate/locator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/locate/internal/synthetic_test_util.h"

namespace earshot::locate {
namespace {

using internal::PulseStream;
using internal::SensorGrid;
using internal::Uniform;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kMillisecondNs = 1'000'000;
constexpr int64_t kStartNs = 1'700'000'000 * kSecondNs;
constexpr double kOnsetNoiseS = 0.5e-3;
constexpr double kGridSpacingM = 500.0;  // 5 × 5 sensors: a 2 km × 2 km network

using internal::CoolStillAir;
using internal::ModelOf;

// 25 sensors on a 500 m grid, on poles and roofs 5–30 m up.
PulseStream GridStream(std::mt19937_64& rng) {
  return PulseStream(SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0), ModelOf(CoolStillAir()));
}

// A ground-level shot somewhere inside the grid, away from its edge.
Eigen::Vector3d ShotInsideGrid(std::mt19937_64& rng) {
  return {Uniform(rng, 200.0, 1800.0), Uniform(rng, 200.0, 1800.0), 0.0};
}

struct Shot {
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  int64_t emission_ns = kStartNs;
  std::vector<size_t> direct;  // indices of its direct pulses, by sensor
};

// The direct arrival of `shot` at every sensor of `stream`, with onset noise.
Shot AddShot(std::mt19937_64& rng, PulseStream* stream, const Eigen::Vector3d& position_m,
             int64_t emission_ns) {
  Shot shot{position_m, emission_ns, {}};
  for (int s = 0; s < static_cast<int>(stream->sensors().size()); ++s) {
    shot.direct.push_back(stream->AddDirect(rng, s, position_m, emission_ns, kOnsetNoiseS));
  }
  return shot;
}

// 1–3 reflections of each of `shot`'s direct pulses, 5–400 ms after it. Returns their
// indices.
std::vector<size_t> AddEchoes(std::mt19937_64& rng, PulseStream* stream, const Shot& shot) {
  std::vector<size_t> echoes;
  for (int sensor = 0; sensor < static_cast<int>(shot.direct.size()); ++sensor) {
    const int64_t onset_ns = stream->pulses()[shot.direct[sensor]].onset_ns;  // AddShot's order
    const int count = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < count; ++k) {
      echoes.push_back(
          stream->Add(sensor, onset_ns + std::llround(Uniform(rng, 0.005, 0.400) * 1e9)));
    }
  }
  return echoes;
}

std::set<std::string> IdsOf(const PulseStream& stream, const std::vector<size_t>& indices) {
  std::set<std::string> ids;
  for (size_t index : indices) ids.insert(stream.pulses()[index].id);
  return ids;
}

std::set<std::string> UsedIds(const Fix& fix) {
  std::set<std::string> ids;
  for (const UsedPulse& used : fix.used) ids.insert(used.pulse_id);
  return ids;
}

double HorizontalErrorM(const Fix& fix, const Shot& shot) {
  return (fix.position_m - shot.position_m).head<2>().norm();
}

// The fix nearest to `shot` in place and time (a metre is worth 10 ms here), or null.
const Fix* FixOf(const LocateResult& result, const Shot& shot) {
  const Fix* best = nullptr;
  double best_score = std::numeric_limits<double>::infinity();
  for (const Fix& fix : result.fixes) {
    const double score =
        HorizontalErrorM(fix, shot) + 100.0 * std::abs(fix.emission_ns - shot.emission_ns) * 1e-9;
    if (score < best_score) {
      best_score = score;
      best = &fix;
    }
  }
  return best;
}

LocateResult Locate(const PulseStream& stream, const LocateOptions& options = LocateOptions()) {
  return LocatePulses(stream.pulses(), CoolStillAir(), options);
}

std::string Describe(const LocateResult& result) {
  std::string text = std::to_string(result.fixes.size()) + " fixes:";
  for (const Fix& fix : result.fixes) {
    char line[160];
    std::snprintf(line, sizeof line, "\n  (%.1f, %.1f, %.1f) at %+.1f ms, %d sensors",
                  fix.position_m.x(), fix.position_m.y(), fix.position_m.z(),
                  (fix.emission_ns - kStartNs) * 1e-6, fix.n_sensors());
    text += line;
  }
  return text;
}

// Whether `result` holds `expected` fixes. If not, records a failure listing them, so
// that a loop over seeds goes on and reports every seed that fails.
bool HasFixCount(const LocateResult& result, size_t expected, const std::string& context) {
  if (result.fixes.size() == expected) return true;
  ADD_FAILURE() << context << ": expected " << expected << " fixes, got " << Describe(result);
  return false;
}

// (a) One shot, direct arrivals only: one fix, on the shot, with every sensor.
TEST(LocatePulses, OneShotGivesOneFixWithEverySensor) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    PulseStream stream = GridStream(rng);
    const Shot shot = AddShot(rng, &stream, ShotInsideGrid(rng), kStartNs);
    const LocateResult result = Locate(stream);
    if (!HasFixCount(result, 1, "seed " + std::to_string(seed))) continue;
    const Fix& fix = result.fixes.front();
    EXPECT_LE(HorizontalErrorM(fix, shot), 2.0) << "seed " << seed << ": " << Describe(result);
    EXPECT_NEAR((fix.emission_ns - shot.emission_ns) * 1e-9, 0.0, 5e-3) << "seed " << seed;
    EXPECT_EQ(UsedIds(fix), IdsOf(stream, shot.direct)) << "seed " << seed;
    EXPECT_TRUE(result.unassociated.empty()) << "seed " << seed;
    EXPECT_EQ(result.pulses_in, static_cast<int>(stream.pulses().size()));
    EXPECT_GT(fix.radius95_m, 0.0);
    EXPECT_GT(fix.crb_rms_m, 0.0);
  }
}

// With the height known (kFixedHeight at the shot's 0 m), the fix is as good as the
// timing noise allows: well under a metre.
TEST(LocatePulses, FixedHeightModeIsExactToTheNoise) {
  LocateOptions options;
  options.mode = SolveMode::kFixedHeight;
  options.fixed_height_m = 0.0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    PulseStream stream = GridStream(rng);
    const Shot shot = AddShot(rng, &stream, ShotInsideGrid(rng), kStartNs);
    const LocateResult result = Locate(stream, options);
    if (!HasFixCount(result, 1, "seed " + std::to_string(seed))) continue;
    EXPECT_LE(HorizontalErrorM(result.fixes.front(), shot), 0.5) << "seed " << seed;
    EXPECT_EQ(result.fixes.front().position_m.z(), 0.0);
    EXPECT_EQ(result.fixes.front().mode, SolveMode::kFixedHeight);
  }
}

// (b) Every sensor also hears 1–3 reflections up to 400 ms later: still one fix, made of
// the direct pulses, none of the echoes.
//
// Once failing (echoes formed a second fix; unrelated pulses made 5-sensor fixes);
// fixed by the core-window and echo-image checks in locator.cc.
TEST(LocatePulses, EchoesAreNotUsedAndMakeNoFixOfTheirOwn) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(100 + seed);
    PulseStream stream = GridStream(rng);
    const Shot shot = AddShot(rng, &stream, ShotInsideGrid(rng), kStartNs);
    const std::set<std::string> echoes = IdsOf(stream, AddEchoes(rng, &stream, shot));
    const LocateResult result = Locate(stream);
    if (!HasFixCount(result, 1, "seed " + std::to_string(seed))) continue;
    const Fix& fix = result.fixes.front();
    EXPECT_LE(HorizontalErrorM(fix, shot), 2.0) << "seed " << seed;
    EXPECT_EQ(UsedIds(fix), IdsOf(stream, shot.direct)) << "seed " << seed;
    for (const std::string& id : UsedIds(fix)) EXPECT_FALSE(echoes.contains(id)) << id;
  }
}

// (c) Three shots in 10 s and 30 unrelated bangs (doors, trucks) at random sensors and
// times: one fix per shot and nothing else.
//
// Once failing (echoes formed a second fix; unrelated pulses made 5-sensor fixes);
// fixed by the core-window and echo-image checks in locator.cc.
TEST(LocatePulses, UnrelatedPulsesMakeNoFix) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(200 + seed);
    PulseStream stream = GridStream(rng);
    std::vector<Shot> shots;
    for (double at_s : {1.0, 4.5, 8.0}) {
      shots.push_back(
          AddShot(rng, &stream, ShotInsideGrid(rng), kStartNs + std::llround(at_s * 1e9)));
    }
    for (int k = 0; k < 30; ++k) {
      stream.Add(std::uniform_int_distribution<int>(0, 24)(rng),
                 kStartNs + std::llround(Uniform(rng, 0.0, 10.0) * 1e9));
    }
    const LocateResult result = Locate(stream);
    if (!HasFixCount(result, shots.size(), "seed " + std::to_string(seed))) continue;
    for (const Shot& shot : shots) {
      const Fix* fix = FixOf(result, shot);
      ASSERT_NE(fix, nullptr);
      EXPECT_LE(HorizontalErrorM(*fix, shot), 2.0) << "seed " << seed << ": " << Describe(result);
    }
  }
}

// (d) Automatic fire: three rounds 60 ms apart from one place are three fixes, not one
// shot and its echoes.
TEST(LocatePulses, BurstOfThreeRoundsGivesThreeFixes) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(300 + seed);
    PulseStream stream = GridStream(rng);
    const Eigen::Vector3d position_m = ShotInsideGrid(rng);
    std::vector<Shot> rounds;
    rounds.reserve(3);
    for (int64_t k = 0; k < 3; ++k) {
      rounds.push_back(AddShot(rng, &stream, position_m, kStartNs + k * 60 * kMillisecondNs));
    }
    const LocateResult result = Locate(stream);
    if (!HasFixCount(result, 3, "seed " + std::to_string(seed))) continue;
    for (int k = 0; k < 3; ++k) {
      const Fix& fix = result.fixes[k];  // by emission time
      EXPECT_LE(HorizontalErrorM(fix, rounds[k]), 2.0) << "seed " << seed << ", round " << k;
      EXPECT_NEAR((fix.emission_ns - rounds[k].emission_ns) * 1e-9, 0.0, 5e-3)
          << "seed " << seed << ", round " << k;
      EXPECT_EQ(UsedIds(fix), IdsOf(stream, rounds[k].direct))
          << "seed " << seed << ", round " << k;
    }
  }
}

// (e) Two shooters 800 m apart firing within the same second: two fixes.
TEST(LocatePulses, TwoShotsInOneSecondEightHundredMetresApart) {
  for (double gap_s : {0.1, 0.3, 0.7}) {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      std::mt19937_64 rng(400 + seed);
      PulseStream stream = GridStream(rng);
      const Eigen::Vector3d first_m{Uniform(rng, 300.0, 900.0), Uniform(rng, 300.0, 1700.0), 0.0};
      const double angle = Uniform(rng, -0.5, 0.5);  // roughly eastwards, inside the grid
      const Eigen::Vector3d second_m =
          first_m + 800.0 * Eigen::Vector3d(std::cos(angle), std::sin(angle), 0.0);
      const std::vector<Shot> shots = {
          AddShot(rng, &stream, first_m, kStartNs),
          AddShot(rng, &stream, second_m, kStartNs + std::llround(gap_s * 1e9))};
      const LocateResult result = Locate(stream);
      const std::string context =
          "gap " + std::to_string(gap_s) + " s, seed " + std::to_string(seed);
      if (!HasFixCount(result, 2, context)) continue;
      for (const Shot& shot : shots) {
        const Fix* fix = FixOf(result, shot);
        ASSERT_NE(fix, nullptr);
        EXPECT_LE(HorizontalErrorM(*fix, shot), 2.0)
            << "gap " << gap_s << " s, seed " << seed << ": " << Describe(result);
      }
    }
  }
}

// (f) A shot 500 m beyond each edge of the network is still located, less well.
TEST(LocatePulses, ShotOutsideTheArrayIsStillLocated) {
  const double far_m = 4.0 * kGridSpacingM + 500.0;
  for (const Eigen::Vector3d& position_m :
       {Eigen::Vector3d(far_m, 1000.0, 0.0), Eigen::Vector3d(-500.0, 700.0, 0.0),
        Eigen::Vector3d(1300.0, far_m, 0.0), Eigen::Vector3d(900.0, -500.0, 0.0)}) {
    std::mt19937_64 rng(500);
    PulseStream stream = GridStream(rng);
    const Shot shot = AddShot(rng, &stream, position_m, kStartNs);
    const LocateResult result = Locate(stream);
    if (!HasFixCount(result, 1, ::testing::PrintToString(position_m.transpose().eval()))) continue;
    EXPECT_LE(HorizontalErrorM(result.fixes.front(), shot), 10.0)
        << position_m.transpose() << ": " << Describe(result);
  }
}

// (g) The order pulses arrive in (network delays) does not change the answer.
TEST(LocatePulses, ShuffledInputGivesTheSameFixes) {
  std::mt19937_64 rng(600);
  PulseStream stream = GridStream(rng);
  for (double at_s : {1.0, 1.4, 5.0}) {
    const Shot shot =
        AddShot(rng, &stream, ShotInsideGrid(rng), kStartNs + std::llround(at_s * 1e9));
    AddEchoes(rng, &stream, shot);
  }
  for (int k = 0; k < 30; ++k) {
    stream.Add(std::uniform_int_distribution<int>(0, 24)(rng),
               kStartNs + std::llround(Uniform(rng, 0.0, 10.0) * 1e9));
  }
  const LocateResult ordered = Locate(stream);
  std::vector<Pulse> shuffled = stream.pulses();
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const LocateResult reordered = LocatePulses(shuffled, CoolStillAir(), LocateOptions());
  ASSERT_EQ(ordered.fixes.size(), reordered.fixes.size());
  EXPECT_GE(ordered.fixes.size(), 3u) << Describe(ordered);
  for (size_t k = 0; k < ordered.fixes.size(); ++k) {
    EXPECT_EQ(ordered.fixes[k].emission_ns, reordered.fixes[k].emission_ns) << k;
    EXPECT_LE((ordered.fixes[k].position_m - reordered.fixes[k].position_m).norm(), 1e-9) << k;
    EXPECT_EQ(UsedIds(ordered.fixes[k]), UsedIds(reordered.fixes[k])) << k;
  }
  EXPECT_EQ(ordered.unassociated.size(), reordered.unassociated.size());
}

// (h) Options are checked once, at the edge.
TEST(LocateOptions, DefaultsAreValid) {
  std::string error;
  EXPECT_TRUE(LocateOptions().IsValid(&error)) << error;
  EXPECT_TRUE(LocateOptions().IsValid(nullptr));
}

TEST(LocateOptions, IsValidRefusesBadOptions) {
  const std::vector<std::pair<std::string, void (*)(LocateOptions&)>> cases = {
      {"zero onset sigma", [](LocateOptions& o) { o.default_onset_sigma_s = 0.0; }},
      {"NaN onset sigma", [](LocateOptions& o) { o.default_onset_sigma_s = std::nan(""); }},
      {"negative slack", [](LocateOptions& o) { o.association_slack_s = -0.01; }},
      {"zero range", [](LocateOptions& o) { o.max_range_m = 0.0; }},
      {"zero early window", [](LocateOptions& o) { o.inlier_early_s = 0.0; }},
      {"negative late window", [](LocateOptions& o) { o.inlier_late_s = -0.01; }},
      {"three sensors", [](LocateOptions& o) { o.min_sensors = 3; }},
      {"no hypotheses", [](LocateOptions& o) { o.max_hypotheses = 0; }},
      {"negative height prior", [](LocateOptions& o) { o.height_prior_sigma_m = -1.0; }},
      {"zero late loss scale", [](LocateOptions& o) { o.refine.late_scale_sigmas = 0.0; }},
      {"no refine iterations", [](LocateOptions& o) { o.refine.max_iterations = 0; }},
  };
  for (const auto& [name, spoil] : cases) {
    LocateOptions options;
    spoil(options);
    std::string error;
    EXPECT_FALSE(options.IsValid(&error)) << name;
    EXPECT_FALSE(error.empty()) << name;
  }
}

// Shares outside [0, 1], negative windows and a non-finite height cannot mean anything
// either; a library caller (not only the CLI, which range-checks its flags) must hear so.
//
// (IsValid checked none of these before the review that added this test.)
TEST(LocateOptions, IsValidRefusesMeaninglessSharesWindowsAndHeights) {
  const std::vector<std::pair<std::string, void (*)(LocateOptions&)>> cases = {
      {"coverage above one", [](LocateOptions& o) { o.min_coverage = 1.5; }},
      {"negative coverage", [](LocateOptions& o) { o.min_coverage = -0.1; }},
      {"negative listening window", [](LocateOptions& o) { o.listening_window_s = -1.0; }},
      {"negative echo window", [](LocateOptions& o) { o.echo_window_s = -0.01; }},
      {"negative echo merge distance", [](LocateOptions& o) { o.echo_merge_distance_m = -1.0; }},
      {"negative echo horizon", [](LocateOptions& o) { o.echo_horizon_s = -1.0; }},
      {"ghost share above one", [](LocateOptions& o) { o.echo_ghost_max_share = 2.0; }},
      {"ghost overlap above one", [](LocateOptions& o) { o.echo_ghost_min_overlap = 1.5; }},
      {"NaN fixed height", [](LocateOptions& o) { o.fixed_height_m = std::nan(""); }},
  };
  for (const auto& [name, spoil] : cases) {
    LocateOptions options;
    spoil(options);
    std::string error;
    EXPECT_FALSE(options.IsValid(&error)) << name;
  }
}

}  // namespace
}  // namespace earshot::locate
