#include "earshot/locate/streaming_locator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/locate/internal/synthetic_test_util.h"

namespace earshot::locate {
namespace {

using internal::CoolStillAir;
using internal::ModelOf;
using internal::PulseStream;
using internal::SensorGrid;
using internal::Uniform;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kStartNs = 1'700'000'000 * kSecondNs;
constexpr double kGridSpacingM = 500.0;  // 5 × 5 sensors: a 2 km × 2 km network

// A pulse and when it reaches the locator.
struct Arrival {
  Pulse pulse;
  int64_t arrival_ns = 0;
};

// The direct arrival of a shot at `position_m` emitted at `emission_ns` at each of the
// sensors [first_sensor, first_sensor + count), without noise (exact).
void AddShot(std::mt19937_64& rng, PulseStream* stream, const Eigen::Vector3d& position_m,
             int64_t emission_ns, int first_sensor, int count) {
  for (int s = first_sensor; s < first_sensor + count; ++s) {
    stream->AddDirect(rng, s, position_m, emission_ns, 0.0);
  }
}

// The pulses of `stream`, each arriving up to `max_lateness_s` after its onset, in
// arrival order (ties by id, so the order is a function of the seed only).
std::vector<Arrival> InArrivalOrder(std::mt19937_64& rng, const PulseStream& stream,
                                    double max_lateness_s) {
  std::vector<Arrival> arrivals;
  for (const Pulse& pulse : stream.pulses()) {
    const auto lateness_ns = static_cast<int64_t>(Uniform(rng, 0.0, max_lateness_s) * 1e9);
    arrivals.push_back({pulse, pulse.onset_ns + lateness_ns});
  }
  std::sort(arrivals.begin(), arrivals.end(), [](const Arrival& a, const Arrival& b) {
    return std::pair(a.arrival_ns, a.pulse.id) < std::pair(b.arrival_ns, b.pulse.id);
  });
  return arrivals;
}

std::set<std::string> UsedIds(const Fix& fix) {
  std::set<std::string> ids;
  for (const UsedPulse& used : fix.used) ids.insert(used.pulse_id);
  return ids;
}

// Streams `arrivals` one pulse per Add; returns the last version of every shot by id.
std::map<std::string, FixUpdate> StreamAll(StreamingLocator* locator,
                                           const std::vector<Arrival>& arrivals) {
  std::map<std::string, FixUpdate> latest;
  for (const Arrival& arrival : arrivals) {
    for (FixUpdate& update : locator->Add({&arrival.pulse, 1}, arrival.arrival_ns)) {
      auto it = latest.find(update.shot_id);
      if (it != latest.end()) {
        EXPECT_EQ(update.version, it->second.version + 1);
      }
      latest[update.shot_id] = std::move(update);
    }
  }
  return latest;
}

// Each batch fix has a streamed one with the same pulses and (nearly) the same position.
void ExpectSameFixes(const std::vector<Fix>& batch, const std::map<std::string, FixUpdate>& latest,
                     double tolerance_m) {
  ASSERT_EQ(latest.size(), batch.size());
  for (const Fix& fix : batch) {
    const auto match = std::find_if(latest.begin(), latest.end(), [&](const auto& entry) {
      return UsedIds(entry.second.fix) == UsedIds(fix);
    });
    ASSERT_NE(match, latest.end()) << "no streamed fix with the batch fix's pulses";
    EXPECT_LT((match->second.fix.position_m - fix.position_m).norm(), tolerance_m);
  }
}

TEST(StreamingLocatorTest, StreamedShotsGiveTheBatchFixes) {
  std::mt19937_64 rng(11);
  PulseStream stream(SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0), ModelOf(CoolStillAir()));
  for (int k = 0; k < 4; ++k) {
    const Eigen::Vector3d source(Uniform(rng, 200.0, 1800.0), Uniform(rng, 200.0, 1800.0), 0.0);
    // 4 s apart: no sensor hears two of them within the echo window, where the batch
    // locator, seeing both shots at once, may take the later arrival for an echo.
    AddShot(rng, &stream, source, kStartNs + k * 4 * kSecondNs, 0, 25);
  }
  const LocateResult batch = LocatePulses(stream.pulses(), CoolStillAir(), {});
  ASSERT_EQ(batch.fixes.size(), 4u);

  StreamingLocator locator(CoolStillAir(), {});
  const auto latest = StreamAll(&locator, InArrivalOrder(rng, stream, 0.0));
  ExpectSameFixes(batch.fixes, latest, 1e-3);
  EXPECT_EQ(locator.counters().shots_published, 4u);
  for (const auto& [id, update] : latest) {
    EXPECT_EQ(locator.PulsesOf(update.fix).size(), update.fix.used.size());
  }
}

TEST(StreamingLocatorTest, PublishesAtTheMinSensorsthPulseAndUpdatesOnTheNext) {
  std::mt19937_64 rng(5);
  PulseStream stream(SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0), ModelOf(CoolStillAir()));
  AddShot(rng, &stream, {900.0, 1100.0, 0.0}, kStartNs, 0, 25);
  const std::vector<Arrival> arrivals = InArrivalOrder(rng, stream, 0.0);

  StreamingLocateOptions options;
  StreamingLocator locator(CoolStillAir(), options);
  const int min_sensors = options.locate.min_sensors;
  for (int i = 0; i < min_sensors + 1; ++i) {
    const std::vector<FixUpdate> updates =
        locator.Add({&arrivals[i].pulse, 1}, arrivals[i].arrival_ns);
    if (i + 1 < min_sensors) {
      EXPECT_TRUE(updates.empty()) << "published with " << i + 1 << " pulses";
    } else {
      ASSERT_EQ(updates.size(), 1u) << "after " << i + 1 << " pulses";
      EXPECT_EQ(updates[0].shot_id, "shot-1");
      EXPECT_EQ(updates[0].version, i + 2 - min_sensors);
      EXPECT_EQ(updates[0].fix.n_sensors(), i + 1);
      EXPECT_TRUE(UsedIds(updates[0].fix).contains(arrivals[i].pulse.id));
    }
  }
  EXPECT_EQ(locator.counters().shots_published, 1u);
  EXPECT_EQ(locator.counters().shot_updates, 1u);
}

TEST(StreamingLocatorTest, ShotsFarApartAtTheSameTimeAreIndependent) {
  std::mt19937_64 rng(7);
  // Two 5 × 5 networks 30 km apart (further than twice the range): pulses of one can never
  // be in the other's neighbourhood.
  std::vector<Eigen::Vector3d> sensors = SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0);
  for (const Eigen::Vector3d& sensor : std::vector(sensors)) {
    sensors.push_back(sensor + Eigen::Vector3d(30'000.0, 0.0, 0.0));
  }
  PulseStream stream(sensors, ModelOf(CoolStillAir()));
  AddShot(rng, &stream, {800.0, 700.0, 0.0}, kStartNs, 0, 25);
  AddShot(rng, &stream, {31'200.0, 1300.0, 0.0}, kStartNs, 25, 25);
  const std::vector<Arrival> arrivals = InArrivalOrder(rng, stream, 0.0);

  StreamingLocator locator(CoolStillAir(), {});
  std::map<std::string, bool> east_of_shot;  // shot id → in the eastern network
  for (const Arrival& arrival : arrivals) {
    const bool east = arrival.pulse.sensor_position_m.x() > 15'000.0;
    for (const FixUpdate& update : locator.Add({&arrival.pulse, 1}, arrival.arrival_ns)) {
      const auto [it, inserted] = east_of_shot.emplace(update.shot_id, east);
      EXPECT_EQ(it->second, east) << "a pulse in one network changed a shot in the other";
      for (const Pulse& pulse : locator.PulsesOf(update.fix)) {
        EXPECT_EQ(pulse.sensor_position_m.x() > 15'000.0, east);
      }
    }
  }
  EXPECT_EQ(east_of_shot.size(), 2u);
  // Each run saw one network's pulses at most.
  EXPECT_LE(locator.counters().pulses_relocated, 2u * (25u * 26u / 2u));
}

TEST(StreamingLocatorTest, DuplicatePulsesAreIgnoredAndCounted) {
  std::mt19937_64 rng(3);
  PulseStream stream(SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0), ModelOf(CoolStillAir()));
  AddShot(rng, &stream, {1000.0, 1000.0, 0.0}, kStartNs, 0, 25);
  const std::vector<Arrival> arrivals = InArrivalOrder(rng, stream, 0.0);
  StreamingLocator locator(CoolStillAir(), {});
  const auto latest = StreamAll(&locator, arrivals);
  ASSERT_EQ(latest.size(), 1u);
  const size_t relocations = locator.counters().relocations;

  // The whole stream replayed, in one batch and pulse by pulse: nothing new.
  const int64_t now_ns = arrivals.back().arrival_ns;
  EXPECT_TRUE(locator.Add(stream.pulses(), now_ns).empty());
  for (const Arrival& arrival : arrivals) {
    EXPECT_TRUE(locator.Add({&arrival.pulse, 1}, now_ns).empty());
  }
  EXPECT_EQ(locator.counters().duplicate_pulses, 2 * stream.pulses().size());
  EXPECT_EQ(locator.counters().relocations, relocations);
  EXPECT_EQ(locator.pulses_held(), stream.pulses().size());
}

TEST(StreamingLocatorTest, ForgetsPulsesOlderThanTheHorizon) {
  std::mt19937_64 rng(9);
  PulseStream stream(SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0), ModelOf(CoolStillAir()));
  constexpr int kShots = 150;  // one every 2 s for 300 s, ten horizons
  for (int k = 0; k < kShots; ++k) {
    const Eigen::Vector3d source(Uniform(rng, 200.0, 1800.0), Uniform(rng, 200.0, 1800.0), 0.0);
    AddShot(rng, &stream, source, kStartNs + k * 2 * kSecondNs, 0, 25);
  }
  StreamingLocateOptions options;
  StreamingLocator locator(CoolStillAir(), options);
  const std::vector<Arrival> arrivals = InArrivalOrder(rng, stream, 0.5);
  std::set<std::string> shot_ids;
  size_t most_held = 0;
  for (const Arrival& arrival : arrivals) {
    for (const FixUpdate& update : locator.Add({&arrival.pulse, 1}, arrival.arrival_ns)) {
      shot_ids.insert(update.shot_id);
    }
    most_held = std::max(most_held, locator.pulses_held());
  }
  // Pulses of the last horizon (and the lateness) at 25 pulses per 2 s.
  const size_t bound = static_cast<size_t>((options.horizon_s + 1.0) / 2.0 + 1.0) * 25;
  EXPECT_LE(most_held, bound);
  EXPECT_GT(most_held, bound / 2);
  EXPECT_EQ(shot_ids.size(), static_cast<size_t>(kShots));
  EXPECT_GT(locator.counters().shots_settled, static_cast<size_t>(kShots) / 2);

  // A pulse from before the horizon is refused as late.
  Pulse old = stream.pulses().front();
  old.id = "replayed-long-after";
  EXPECT_TRUE(locator.Add({&old, 1}, arrivals.back().arrival_ns).empty());
  EXPECT_EQ(locator.counters().late_pulses, 1u);

  // Time passing alone forgets everything.
  locator.Advance(arrivals.back().arrival_ns + 60 * kSecondNs);
  EXPECT_EQ(locator.pulses_held(), 0u);
}

TEST(StreamingLocatorTest, ArrivalOrderWithinLatenessDoesNotChangeTheFixes) {
  std::mt19937_64 rng(21);
  PulseStream stream(SensorGrid(rng, 5, 5, kGridSpacingM, 5.0, 30.0), ModelOf(CoolStillAir()));
  for (int k = 0; k < 5; ++k) {
    const Eigen::Vector3d source(Uniform(rng, 200.0, 1800.0), Uniform(rng, 200.0, 1800.0), 0.0);
    AddShot(rng, &stream, source, kStartNs + k * 4 * kSecondNs, 0, 25);
  }
  const LocateResult batch = LocatePulses(stream.pulses(), CoolStillAir(), {});
  ASSERT_EQ(batch.fixes.size(), 5u);
  for (int trial = 0; trial < 8; ++trial) {
    SCOPED_TRACE(trial);
    std::mt19937_64 order_rng(100 + trial);
    StreamingLocator locator(CoolStillAir(), {});
    ExpectSameFixes(batch.fixes, StreamAll(&locator, InArrivalOrder(order_rng, stream, 2.0)), 1e-3);
  }
}

TEST(StreamingLocatorTest, RefusesInvalidOptions) {
  StreamingLocateOptions options;
  options.settle_s = options.horizon_s + 1.0;
  std::string error;
  EXPECT_FALSE(options.IsValid(&error));
  EXPECT_THROW(StreamingLocator(CoolStillAir(), options), std::invalid_argument);
}

}  // namespace
}  // namespace earshot::locate
