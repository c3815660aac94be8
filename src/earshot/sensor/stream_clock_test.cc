#include "earshot/sensor/stream_clock.h"

#include <gtest/gtest.h>

namespace earshot::sensor {
namespace {

constexpr int64_t kT0 = 1'545'180'566'000'000'000;  // 2018-12-19T00:49:26Z
constexpr double kRate = 12000.0;

TEST(StreamClock, TimesSamplesOnTheNominalLine) {
  StreamClock clock(kRate, kT0);
  EXPECT_EQ(clock.TimeOfSampleNs(0.0), kT0);
  EXPECT_EQ(clock.TimeOfSampleNs(12000.0), kT0 + 1'000'000'000);
  EXPECT_EQ(clock.TimeOfSampleNs(6.0), kT0 + 500'000);
  EXPECT_EQ(clock.TimeOfSampleNs(1.5), kT0 + 125'000);
  // One hour in, still to the nanosecond.
  EXPECT_EQ(clock.TimeOfSampleNs(3600.0 * kRate), kT0 + 3600LL * 1'000'000'000);
}

TEST(StreamClock, ObservationsOnTheLineAddNoAnchor) {
  StreamClock clock(kRate, kT0);
  EXPECT_EQ(clock.Observe(1200, kT0 + 100'000'000), 0);
  EXPECT_EQ(clock.Observe(2400, kT0 + 200'000'400), 400);  // under the tolerance
  EXPECT_EQ(clock.anchors(), 1u);
}

TEST(StreamClock, ADepartureMovesOnlyTheTimesAfterIt) {
  StreamClock clock(kRate, kT0);
  // Sample 12000 arrives 5 ms late by the source's clock (a frame's own timestamp).
  EXPECT_EQ(clock.Observe(12000, kT0 + 1'005'000'000), 5'000'000);
  EXPECT_EQ(clock.anchors(), 2u);
  EXPECT_EQ(clock.TimeOfSampleNs(11999.0), kT0 + 999'916'667);
  EXPECT_EQ(clock.TimeOfSampleNs(12000.0), kT0 + 1'005'000'000);
  EXPECT_EQ(clock.TimeOfSampleNs(12012.0), kT0 + 1'006'000'000);
}

TEST(StreamClock, ForgetsOnlyAnchorsNoLongerNeeded) {
  StreamClock clock(kRate, kT0);
  clock.Observe(100, kT0 + 1'000'000'000);
  clock.Observe(200, kT0 + 2'000'000'000);
  clock.ForgetBefore(150);  // sample 150 still needs the anchor at 100
  EXPECT_EQ(clock.anchors(), 2u);
  EXPECT_EQ(clock.TimeOfSampleNs(150.0), kT0 + 1'000'000'000 + 4'166'667);
  clock.ForgetBefore(200);
  EXPECT_EQ(clock.anchors(), 1u);
  EXPECT_EQ(clock.TimeOfSampleNs(260.0), kT0 + 2'005'000'000);
}

}  // namespace
}  // namespace earshot::sensor
