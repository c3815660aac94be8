#include "earshot/core/pulse_validation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kStartNs = 1'545'180'567 * kSecondNs;  // 2018-12-19T00:49:27Z
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Pulse MakePulse(const std::string& id, int64_t onset_ns, const std::string& sensor = "s1") {
  Pulse pulse;
  pulse.id = id;
  pulse.sensor_id = sensor;
  pulse.onset_ns = onset_ns;
  pulse.onset_sigma_s = 0.001;
  pulse.sensor_position_m = {1.0, 2.0, 3.0};
  pulse.sensor_position_sigma_m = 0.03;
  pulse.snr_db = 10.0;
  pulse.level_db_spl = 80.0;
  return pulse;
}

// "p<n>". Built by appending: GCC 12 at -O2 reports a false -Wrestrict for
// `"p" + std::to_string(n)` (GCC bug 105329).
std::string NumberedId(size_t n) {
  std::string id = "p";
  id += std::to_string(n);
  return id;
}

std::vector<std::string> Ids(const ValidatedPulses& validated) {
  std::vector<std::string> ids;
  for (const Pulse& pulse : validated.pulses) ids.push_back(pulse.id);
  return ids;
}

int SkippedCount(const ValidatedPulses& v) {
  return v.duplicate_ids + v.non_finite + v.out_of_order + v.negative_sigma + v.missing_ids;
}

TEST(PulseValidationOptions, DefaultIsValid) {
  std::string error;
  EXPECT_TRUE(PulseValidationOptions().IsValid(&error));
  EXPECT_TRUE(PulseValidationOptions{.reorder_window_s = 0.0}.IsValid(nullptr));
}

TEST(PulseValidationOptions, RefusesUnusableWindows) {
  for (const double window_s : {-1.0, kNan, kInf}) {
    std::string error;
    EXPECT_FALSE(PulseValidationOptions{.reorder_window_s = window_s}.IsValid(&error));
    EXPECT_THAT(error, HasSubstr("reorder_window_s"));
    EXPECT_FALSE(PulseValidationOptions{.reorder_window_s = window_s}.IsValid(nullptr));
  }
}

TEST(ValidatePulses, AcceptsGoodPulsesSortedByOnsetThenId) {
  const ValidatedPulses v = ValidatePulses(
      {MakePulse("c", kStartNs + 2), MakePulse("b", kStartNs), MakePulse("a", kStartNs)}, "in", {});
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("a", "b", "c"));
  EXPECT_TRUE(v.skipped.empty());
  EXPECT_EQ(SkippedCount(v), 0);
}

TEST(ValidatePulses, SkipsAnIdenticalReplay) {
  const Pulse pulse = MakePulse("a", kStartNs);
  const ValidatedPulses v = ValidatePulses({pulse, MakePulse("b", kStartNs), pulse}, "bus", {});
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("a", "b"));
  EXPECT_EQ(v.duplicate_ids, 1);
  ASSERT_EQ(v.skipped.size(), 1u);
  EXPECT_EQ(v.skipped[0].source, "bus");
  EXPECT_EQ(v.skipped[0].where, "input index 2, pulse_id a");
  EXPECT_THAT(v.skipped[0].message, HasSubstr("identical replay of input index 0"));
}

TEST(ValidatePulses, KeepsTheFirstOfConflictingCopies) {
  Pulse changed = MakePulse("a", kStartNs);
  changed.snr_db = 99.0;
  const ValidatedPulses v = ValidatePulses({MakePulse("a", kStartNs), changed, changed}, "in", {});
  ASSERT_EQ(v.pulses.size(), 1u);
  EXPECT_EQ(v.pulses[0].snr_db, 10.0);
  EXPECT_EQ(v.duplicate_ids, 2);
  EXPECT_THAT(v.skipped[0].message, HasSubstr("different content"));
}

TEST(ValidatePulses, ARejectedFirstCopyDoesNotBlockAGoodOne) {
  Pulse broken = MakePulse("a", kStartNs);
  broken.snr_db = kNan;
  const ValidatedPulses v = ValidatePulses({broken, MakePulse("a", kStartNs)}, "in", {});
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("a"));
  EXPECT_EQ(v.non_finite, 1);
  EXPECT_EQ(v.duplicate_ids, 0);
}

TEST(ValidatePulses, SkipsEveryKindOfNonFiniteValue) {
  std::vector<Pulse> pulses;
  std::vector<std::string> fields;
  auto add = [&](const std::string& field, auto&& spoil) {
    Pulse pulse = MakePulse(NumberedId(pulses.size()), kStartNs);
    spoil(pulse);
    pulses.push_back(pulse);
    fields.push_back(field);
  };
  add("sensor_position", [](Pulse& p) { p.sensor_position_m.y() = kNan; });
  add("sensor_position", [](Pulse& p) { p.sensor_position_m.z() = -kInf; });
  add("onset_sigma_s", [](Pulse& p) { p.onset_sigma_s = kInf; });
  add("position_sigma_m", [](Pulse& p) { p.sensor_position_sigma_m = kNan; });
  add("snr_db", [](Pulse& p) { p.snr_db = kNan; });
  add("level_db_spl", [](Pulse& p) { p.level_db_spl = kInf; });
  add("features.rise_time_s", [](Pulse& p) { p.features["rise_time_s"] = kNan; });
  const ValidatedPulses v = ValidatePulses(pulses, "in", {});
  EXPECT_TRUE(v.pulses.empty());
  EXPECT_EQ(v.non_finite, static_cast<int>(pulses.size()));
  ASSERT_EQ(v.skipped.size(), pulses.size());
  for (size_t i = 0; i < pulses.size(); ++i) {
    EXPECT_THAT(v.skipped[i].message, HasSubstr("in " + fields[i] + ", got NaN or infinity"));
  }
}

TEST(ValidatePulses, SkipsNegativeSigmas) {
  Pulse onset = MakePulse("a", kStartNs);
  onset.onset_sigma_s = -0.001;
  Pulse position = MakePulse("b", kStartNs);
  position.sensor_position_sigma_m = -1.0;
  const ValidatedPulses v = ValidatePulses({onset, position}, "in", {});
  EXPECT_TRUE(v.pulses.empty());
  EXPECT_EQ(v.negative_sigma, 2);
  EXPECT_THAT(v.skipped[0].message, HasSubstr("expected onset_sigma_s >= 0"));
  EXPECT_THAT(v.skipped[1].message, HasSubstr("expected position_sigma_m >= 0"));
}

TEST(ValidatePulses, SkipsEmptyIds) {
  const ValidatedPulses v =
      ValidatePulses({MakePulse("", kStartNs), MakePulse("b", kStartNs, "")}, "in", {});
  EXPECT_TRUE(v.pulses.empty());
  EXPECT_EQ(v.missing_ids, 2);
}

TEST(ValidatePulses, AcceptsAnyOrderWithinTheWindow) {
  const PulseValidationOptions options{.reorder_window_s = 30.0};
  const ValidatedPulses v =
      ValidatePulses({MakePulse("late", kStartNs + 30 * kSecondNs), MakePulse("early", kStartNs),
                      MakePulse("middle", kStartNs + 10 * kSecondNs)},
                     "in", options);
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("early", "middle", "late"));
  EXPECT_EQ(v.out_of_order, 0) << "exactly the window earlier is still inside it";
}

TEST(ValidatePulses, SkipsPulsesMoreThanTheWindowBeforeTheLatest) {
  const PulseValidationOptions options{.reorder_window_s = 30.0};
  const ValidatedPulses v =
      ValidatePulses({MakePulse("now", kStartNs + 30 * kSecondNs + 1), MakePulse("stale", kStartNs),
                      MakePulse("fresh", kStartNs + 25 * kSecondNs)},
                     "in", options);
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("fresh", "now"));
  EXPECT_EQ(v.out_of_order, 1);
  ASSERT_EQ(v.skipped.size(), 1u);
  EXPECT_EQ(v.skipped[0].where, "input index 1, pulse_id stale");
  EXPECT_THAT(v.skipped[0].message, HasSubstr("out of order"));
  EXPECT_THAT(v.skipped[0].message, HasSubstr("30.000 s before the latest accepted onset"));
}

TEST(ValidatePulses, OnlyAcceptedPulsesMoveTheLatestOnset) {
  // A broken pulse from the far future must not make every later pulse "out of order".
  Pulse future = MakePulse("future", kStartNs + 3'600 * kSecondNs);
  future.level_db_spl = kNan;
  const ValidatedPulses v =
      ValidatePulses({MakePulse("a", kStartNs), future, MakePulse("b", kStartNs + 1)}, "in", {});
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("a", "b"));
  EXPECT_EQ(v.out_of_order, 0);
}

TEST(ValidatePulses, ZeroWindowDemandsNonDecreasingOnsets) {
  const ValidatedPulses v = ValidatePulses(
      {MakePulse("a", kStartNs), MakePulse("b", kStartNs), MakePulse("c", kStartNs - 1)}, "in",
      {.reorder_window_s = 0.0});
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("a", "b"));
  EXPECT_EQ(v.out_of_order, 1);
}

TEST(ValidatePulses, ExtremeOnsetsDoNotOverflow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  const ValidatedPulses v =
      ValidatePulses({MakePulse("max", max), MakePulse("min", min), MakePulse("max2", max - 1)},
                     "in", {.reorder_window_s = 1e12});
  EXPECT_THAT(Ids(v), ::testing::ElementsAre("max2", "max"));
  EXPECT_EQ(v.out_of_order, 1);
}

TEST(ValidatePulsesDeathTest, InvalidOptionsAreABug) {
  EXPECT_DEATH(ValidatePulses({}, "in", {.reorder_window_s = kNan}), "internal check failed");
}

// Property: a stream with replays, conflicting copies, broken values and late pulses is
// split without loss: every input is either accepted or skipped with one message, the
// accepted ids are unique, the output is sorted, and no accepted pulse lies more than the
// window before an accepted pulse that preceded it in the input.
TEST(ValidatePulsesProperty, EveryPulseIsAcceptedOrSkippedOnce) {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<int64_t> jitter_ns(-60 * kSecondNs, 5 * kSecondNs);
  for (int round = 0; round < 50; ++round) {
    std::vector<Pulse> input;
    int64_t clock_ns = kStartNs;
    for (int i = 0; i < 300; ++i) {
      clock_ns += kSecondNs / 10;
      const int k = kind(random);
      if (k == 0 && !input.empty()) {
        input.push_back(input[random() % input.size()]);  // replay
        continue;
      }
      Pulse pulse = MakePulse(NumberedId(i), clock_ns + (k == 1 ? jitter_ns(random) : 0));
      if (k == 2) pulse.snr_db = kNan;
      if (k == 3 && !input.empty()) pulse.id = input[random() % input.size()].id;  // conflict
      input.push_back(pulse);
    }
    const PulseValidationOptions options{.reorder_window_s = 30.0};
    const ValidatedPulses v = ValidatePulses(input, "in", options);
    ASSERT_EQ(v.pulses.size() + v.skipped.size(), input.size());
    ASSERT_EQ(SkippedCount(v), static_cast<int>(v.skipped.size()));
    std::set<std::string> ids;
    for (const Pulse& pulse : v.pulses) ASSERT_TRUE(ids.insert(pulse.id).second) << pulse.id;
    ASSERT_TRUE(
        std::is_sorted(v.pulses.begin(), v.pulses.end(), [](const Pulse& a, const Pulse& b) {
          return a.onset_ns != b.onset_ns ? a.onset_ns < b.onset_ns : a.id < b.id;
        }));
    // Validation is idempotent: the accepted pulses pass again unchanged.
    const ValidatedPulses again = ValidatePulses(v.pulses, "again", options);
    ASSERT_EQ(again.pulses.size(), v.pulses.size());
    ASSERT_TRUE(again.skipped.empty());
  }
}

}  // namespace
}  // namespace earshot
