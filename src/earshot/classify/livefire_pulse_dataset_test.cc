#include "earshot/classify/livefire_pulse_dataset.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string LivefireDir() {
  const char* shared = std::getenv("EARSHOT_SHARED_DATA");
  const std::string base = shared != nullptr ? shared : "../shared/data";
  return base + "/pittsburgh-livefire-2018";
}

TEST(LivefirePulseDatasetTest, RealGunshotPulsesOfOneFiringPosition) {
  const fs::path real_fp1 = fs::absolute(LivefireDir() + "/FP1");
  if (!fs::is_directory(real_fp1)) GTEST_SKIP() << "no live-fire data at " << real_fp1;
  // The loader reads a dataset root (GROUP/test_NNN/): a root with FP1 alone in it.
  const fs::path root = fs::temp_directory_path() / "earshot_livefire_pulse_fp1";
  fs::remove_all(root);
  fs::create_directories(root);
  fs::create_directory_symlink(real_fp1, root / "FP1");
  const std::string fp1 = root.string();
  auto one = BuildLivefirePulseDataset(fp1, {.threads = 1});
  ASSERT_TRUE(one.has_value()) << one.error().ToString();
  // FP1 has 18 tests of up to 6 recordings; most shots are heard by every recorded sensor.
  EXPECT_EQ(one->windows.size(), 18U);
  EXPECT_GE(one->recordings, 80U);
  const std::size_t rows = one->labels.size();
  EXPECT_EQ(rows + one->unmatched, one->detections);
  EXPECT_EQ(one->rows.RowCount(), rows);
  EXPECT_EQ(one->class_counts[kGunfireClass], rows);
  for (int label : one->labels) EXPECT_EQ(label, kGunfireClass);
  // Each test fires a handful of rounds at six sensors: well over a hundred gunshot pulses.
  EXPECT_GT(rows, 150U);

  // The thread count never changes the rows.
  auto two = BuildLivefirePulseDataset(fp1, {.threads = 2});
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->labels, one->labels);
  ASSERT_EQ(two->rows.values.size(), one->rows.values.size());
  for (std::size_t i = 0; i < one->rows.values.size(); ++i) {
    const float a = one->rows.values[i];
    const float b = two->rows.values[i];
    EXPECT_TRUE((a == b) || (a != a && b != b)) << "value " << i;
  }
  fs::remove_all(root);
}

TEST(LivefirePulseDatasetTest, RefusesAFolderWithoutTests) {
  const fs::path empty = fs::temp_directory_path() / "earshot_livefire_pulse_empty";
  fs::create_directories(empty);
  auto rows = BuildLivefirePulseDataset(empty.string(), {});
  ASSERT_FALSE(rows.has_value());
  EXPECT_THAT(rows.error().ToString(), HasSubstr(empty.string()));
  fs::remove_all(empty);
}

}  // namespace
}  // namespace earshot::classify
