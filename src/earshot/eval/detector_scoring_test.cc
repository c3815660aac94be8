#include "earshot/eval/detector_scoring.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace earshot::eval {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

const std::vector<TimeSpan> kTenSeconds = {{0, 10 * kS}};

std::vector<ReferencePulse> UsedAt(const std::vector<int64_t>& onsets_ns) {
  std::vector<ReferencePulse> pulses;
  for (size_t k = 0; k < onsets_ns.size(); ++k) {
    pulses.push_back({std::to_string(k), onsets_ns[k], true});
  }
  return pulses;
}

TEST(DetectorScoringTest, ExactMatchesHaveFullRecallAndNoOffset) {
  const std::vector<int64_t> onsets = {1 * kS, 1 * kS + 60 * kMs, 4 * kS};
  const DetectionScore score = ScoreDetections(onsets, UsedAt(onsets), kTenSeconds, {});
  EXPECT_EQ(score.counts.used, 3);
  EXPECT_EQ(score.counts.used_matched, 3);
  EXPECT_DOUBLE_EQ(score.counts.UsedRecall(), 1.0);
  EXPECT_DOUBLE_EQ(score.counts.ReferenceRecall(), 1.0);
  EXPECT_DOUBLE_EQ(score.counts.MedianOffsetMs(), 0.0);
  EXPECT_DOUBLE_EQ(score.counts.OffsetMadMs(), 0.0);
  EXPECT_EQ(score.counts.extra, 0);
  ASSERT_EQ(score.used_matches.size(), 3u);
  for (const DetectionMatch& match : score.used_matches) {
    EXPECT_EQ(match.reference_index, match.our_index);
  }
}

TEST(DetectorScoringTest, ConstantShiftIsTheOffsetWithNoSpread) {
  const std::vector<int64_t> reference = {2 * kS, 3 * kS, 3 * kS + 100 * kMs, 7 * kS};
  std::vector<int64_t> ours;
  for (int64_t t : reference) ours.push_back(t + 1'300'000);  // 1.3 ms late
  const DetectionScore score = ScoreDetections(ours, UsedAt(reference), kTenSeconds, {});
  EXPECT_DOUBLE_EQ(score.counts.UsedRecall(), 1.0);
  EXPECT_NEAR(score.counts.MedianOffsetMs(), 1.3, 1e-12);
  EXPECT_NEAR(score.counts.OffsetMadMs(), 0.0, 1e-12);
}

TEST(DetectorScoringTest, OutsideTheWindowIsAMissAndExtra) {
  const std::vector<int64_t> reference = {2 * kS, 5 * kS};
  const std::vector<int64_t> ours = {2 * kS + 5 * kMs, 5 * kS - 5 * kMs - 1};  // edge, just out
  const DetectionScore score = ScoreDetections(ours, UsedAt(reference), kTenSeconds, {});
  EXPECT_EQ(score.counts.used_matched, 1);
  EXPECT_DOUBLE_EQ(score.counts.UsedRecall(), 0.5);
  EXPECT_DOUBLE_EQ(score.counts.MedianOffsetMs(), 5.0);
  EXPECT_EQ(score.counts.extra, 1);
}

TEST(DetectorScoringTest, MatchingIsOneToOneNearestFirst) {
  // Two reference pulses 4 ms apart, one pulse of ours between them, nearer the second.
  const std::vector<int64_t> reference = {1 * kS, 1 * kS + 4 * kMs};
  const std::vector<int64_t> ours = {1 * kS + 3 * kMs};
  const DetectionScore score = ScoreDetections(ours, UsedAt(reference), kTenSeconds, {});
  ASSERT_EQ(score.used_matches.size(), 1u);
  EXPECT_EQ(score.used_matches[0].reference_index, 1u);
  EXPECT_DOUBLE_EQ(score.used_matches[0].offset_ms, -1.0);
  EXPECT_DOUBLE_EQ(score.counts.UsedRecall(), 0.5);
}

TEST(DetectorScoringTest, PulsesInAGapAreNotCovered) {
  // 10 s of audio with 2..8 s missing (a zero-filled stretch).
  const TimeSpan gap = {2 * kS, 8 * kS};
  const std::vector<TimeSpan> covered = CoveredSpans({0, 10 * kS}, std::span(&gap, 1));
  ASSERT_EQ(covered.size(), 2u);
  EXPECT_EQ(covered[0].end_ns, 2 * kS);
  EXPECT_EQ(covered[1].start_ns, 8 * kS);

  std::vector<ReferencePulse> reference = UsedAt({1 * kS, 5 * kS, 9 * kS, 12 * kS});
  reference.push_back({"unused", 6 * kS, false});
  const std::vector<int64_t> ours = {1 * kS, 9 * kS};
  const DetectionScore score = ScoreDetections(ours, reference, covered, {});
  EXPECT_EQ(score.counts.used, 2);
  EXPECT_EQ(score.counts.used_not_covered, 2);  // in the gap, after the end
  EXPECT_EQ(score.counts.reference_not_covered, 3);
  EXPECT_DOUBLE_EQ(score.counts.UsedRecall(), 1.0);
  EXPECT_DOUBLE_EQ(score.counts.covered_s, 4.0);
}

TEST(DetectorScoringTest, CoveredSpansMergeOverlappingGapsAndClip) {
  const std::vector<TimeSpan> gaps = {{5 * kS, 7 * kS}, {-1 * kS, 1 * kS}, {6 * kS, 8 * kS}};
  const std::vector<TimeSpan> covered = CoveredSpans({0, 10 * kS}, gaps);
  ASSERT_EQ(covered.size(), 2u);
  EXPECT_EQ(covered[0].start_ns, 1 * kS);
  EXPECT_EQ(covered[0].end_ns, 5 * kS);
  EXPECT_EQ(covered[1].start_ns, 8 * kS);
  EXPECT_EQ(covered[1].end_ns, 10 * kS);
}

TEST(DetectorScoringTest, ExtraPulsesPerMinuteOfCoveredAudio) {
  // 30 s covered, one reference pulse (unused) matched, three of ours elsewhere: 6/min.
  const std::vector<TimeSpan> covered = {{0, 30 * kS}};
  const std::vector<ReferencePulse> reference = {{"echo", 10 * kS, false}};
  const std::vector<int64_t> ours = {10 * kS + 2 * kMs, 1 * kS, 20 * kS, 25 * kS, 40 * kS};
  const DetectionScore score = ScoreDetections(ours, reference, covered, {});
  EXPECT_EQ(score.counts.ours, 4);  // the one at 40 s is outside the audio
  EXPECT_EQ(score.counts.extra, 3);
  EXPECT_DOUBLE_EQ(score.counts.ExtraPerMinute(), 6.0);
  EXPECT_DOUBLE_EQ(score.counts.ReferenceRecall(), 1.0);
  EXPECT_TRUE(std::isnan(score.counts.UsedRecall()));  // no used pulse: undefined
}

TEST(DetectorScoringTest, PoolingTakesTheMedianOverAllMatches) {
  DetectionCounts a, b;
  a.used = 2;
  a.used_matched = 2;
  a.used_offsets_ms = {0.0, 1.0};
  a.covered_s = 60.0;
  a.extra = 1;
  b.used = 2;
  b.used_matched = 1;
  b.used_offsets_ms = {3.0};
  b.covered_s = 60.0;
  b.extra = 3;
  DetectionCounts all;
  all.Add(a);
  all.Add(b);
  EXPECT_DOUBLE_EQ(all.UsedRecall(), 0.75);
  EXPECT_DOUBLE_EQ(all.MedianOffsetMs(), 1.0);
  EXPECT_DOUBLE_EQ(all.OffsetMadMs(), 1.0);  // deviations 1, 0, 2
  EXPECT_DOUBLE_EQ(all.ExtraPerMinute(), 2.0);
}

TEST(DetectorScoringTest, MedianOfAnEvenCountIsTheMidpoint) {
  EXPECT_DOUBLE_EQ(Median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(MedianAbsoluteDeviation({1.0, 2.0, 3.0, 4.0}), 1.0);
  EXPECT_TRUE(std::isnan(Median({})));
}

}  // namespace
}  // namespace earshot::eval
