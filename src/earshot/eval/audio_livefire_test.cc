// The live-fire evaluation from audio alone, end to end on the real dataset (skipped when
// the shared data is not beside the checkout): detect on every recording of FP1-FP3,
// locate from our own pulses only. Timing is held to the acceptance figures;
// recall and location are held to what they reached when written (floors against
// regression), below the aims (recall >= 98 %, >= 90 % of shots within 25 m),
// which are not met yet: see docs/detecting.md, "Where it falls short".
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "earshot/eval/audio_eval.h"
#include "earshot/eval/livefire_dataset.h"

namespace earshot::eval {
namespace {

std::string DatasetDir() {
  const char* shared = std::getenv("EARSHOT_SHARED_DATA");
  const std::string base = shared != nullptr ? shared : "../shared/data";
  return base + "/pittsburgh-livefire-2018";
}

TEST(AudioLivefireTest, DetectsAndLocatesFp1ToFp3FromAudioAlone) {
  if (!std::filesystem::is_directory(DatasetDir())) GTEST_SKIP() << "no " << DatasetDir();
  std::vector<Error> problems;
  const auto tests = LoadLivefireDataset(DatasetDir(), &problems);
  ASSERT_TRUE(tests.has_value()) << tests.error().ToString();
  ASSERT_EQ(tests->size(), 54u);

  AudioEvalOptions options;
  options.livefire.locate.min_sensors = 4;  // as `eval livefire --from-audio`: six sensors at most
  const AudioEvalReport report = EvaluateLivefireFromAudio(*tests, options);
  EXPECT_TRUE(report.problems.empty()) << report.problems.front().ToString();
  ASSERT_FALSE(report.positions.empty());
  const DetectionSummary& all = report.positions.back();
  ASSERT_EQ(all.firing_position, "all");
  EXPECT_EQ(all.recordings, 268);
  std::cout << FormatAudioEvalReport(report, options, /*per_sensor=*/true);

  // Detection against the vendor's pulses that located shots.
  EXPECT_GE(all.counts.UsedRecall(), 0.975);  // aim 0.98; reached 0.9795
  EXPECT_LE(std::abs(all.counts.MedianOffsetMs()), 2.0);
  EXPECT_LE(all.counts.OffsetMadMs(), 0.5);

  // Location from our own pulses only.
  // Aim 0.90; reached 0.676 (4.4 of at most 6 recorded sensors hear each shot).
  EXPECT_GE(ShareOfShotsFiredWithin(report.location, "all", 25.0), 0.65);
}

}  // namespace
}  // namespace earshot::eval
