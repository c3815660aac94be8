#include "earshot/sensor/ring_buffer.h"

#include <numeric>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::sensor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Sample i of the test stream has the value i, so a read shows which samples it got.
std::vector<float> Ramp(int64_t first, int64_t count) {
  std::vector<float> out(static_cast<size_t>(count));
  std::iota(out.begin(), out.end(), static_cast<float>(first));
  return out;
}

TEST(RingBuffer, ReadsBackWhatWasAppended) {
  RingBuffer ring(10);
  ring.Append(Ramp(0, 6));
  EXPECT_EQ(ring.begin_index(), 0);
  EXPECT_EQ(ring.end_index(), 6);
  std::vector<float> out(4);
  ASSERT_TRUE(ring.Read(1, out).has_value());
  EXPECT_THAT(out, ElementsAre(1, 2, 3, 4));
}

TEST(RingBuffer, WrapsAroundAndKeepsOnlyTheNewestCapacitySamples) {
  RingBuffer ring(10);
  for (int64_t first = 0; first < 37; first += 3) ring.Append(Ramp(first, 3));  // 0..38
  EXPECT_EQ(ring.end_index(), 39);
  EXPECT_EQ(ring.begin_index(), 29);
  std::vector<float> out(10);
  ASSERT_TRUE(ring.Read(29, out).has_value());
  EXPECT_EQ(out, Ramp(29, 10));  // read across the wrap point
}

TEST(RingBuffer, ABlockLongerThanTheRingKeepsItsTail) {
  RingBuffer ring(8);
  ring.Append(Ramp(0, 3));
  ring.Append(Ramp(3, 20));
  EXPECT_EQ(ring.begin_index(), 15);
  std::vector<float> out(8);
  ASSERT_TRUE(ring.Read(15, out).has_value());
  EXPECT_EQ(out, Ramp(15, 8));
}

TEST(RingBuffer, RefusesOverwrittenAndFutureSamples) {
  RingBuffer ring(10);
  ring.Append(Ramp(0, 25));
  std::vector<float> out(5, -1.0f);
  auto old = ring.Read(14, out);
  ASSERT_FALSE(old.has_value());
  EXPECT_THAT(old.error().ToString(), HasSubstr("already overwritten"));
  EXPECT_THAT(old.error().ToString(), HasSubstr("the ring holds [15, 25)"));
  auto future = ring.Read(21, out);
  ASSERT_FALSE(future.has_value());
  EXPECT_THAT(future.error().ToString(), HasSubstr("not recorded yet"));
  EXPECT_THAT(out, ElementsAre(-1, -1, -1, -1, -1));  // untouched on failure
  EXPECT_TRUE(ring.Read(20, out).has_value());        // exactly the newest five
  EXPECT_TRUE(ring.Read(15, out).has_value());        // exactly the oldest five
}

TEST(RingBuffer, GapsAreZerosAndMarked) {
  RingBuffer ring(20);
  ring.Append(Ramp(1, 5));  // indices 0..4 hold 1..5
  ring.AppendGap(3);        // 5..7 lost
  ring.AppendGap(2);        // 8..9 lost: one gap with the previous one
  ring.Append(Ramp(100, 4));
  std::vector<float> out(14);
  ASSERT_TRUE(ring.Read(0, out).has_value());
  EXPECT_THAT(out, ElementsAre(1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 100, 101, 102, 103));
  const auto gaps = ring.GapsWithin(0, 14);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first_sample, 5);
  EXPECT_EQ(gaps[0].samples, 5);
  // Clipped to the asked span.
  const auto clipped = ring.GapsWithin(7, 2);
  ASSERT_EQ(clipped.size(), 1u);
  EXPECT_EQ(clipped[0].first_sample, 7);
  EXPECT_EQ(clipped[0].samples, 2);
  EXPECT_TRUE(ring.GapsWithin(10, 4).empty());
}

TEST(RingBuffer, GapMarksLeaveWithTheirSamples) {
  RingBuffer ring(10);
  ring.Append(Ramp(0, 2));
  ring.AppendGap(2);
  EXPECT_EQ(ring.GapsWithin(0, 4).size(), 1u);
  ring.Append(Ramp(4, 13));  // the gap is overwritten
  EXPECT_TRUE(ring.GapsWithin(ring.begin_index(), 10).empty());
  EXPECT_EQ(ring.bytes(), static_cast<int64_t>(10 * sizeof(float)));
}

TEST(RingBuffer, AGapLongerThanTheRingClearsIt) {
  RingBuffer ring(10);
  ring.Append(Ramp(1, 10));
  ring.AppendGap(1'000'000'000);  // hours lost: no billion-sample loop, no allocation
  EXPECT_EQ(ring.end_index(), 1'000'000'010);
  std::vector<float> out(10, -1.0f);
  ASSERT_TRUE(ring.Read(1'000'000'000, out).has_value());
  EXPECT_EQ(out, std::vector<float>(10, 0.0f));
  const auto gaps = ring.GapsWithin(1'000'000'000, 10);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].samples, 10);
}

TEST(RingBuffer, MemoryDoesNotGrowWithTheStream) {
  RingBuffer ring(1200);
  const int64_t bytes = ring.bytes();
  std::vector<float> block(100, 0.5f);
  for (int i = 0; i < 100'000; ++i) {
    ring.Append(block);
    if (i % 7 == 0) ring.AppendGap(3);
  }
  EXPECT_LE(ring.bytes(), bytes + static_cast<int64_t>(12 * 2 * sizeof(GapMark)));
}

}  // namespace
}  // namespace earshot::sensor
