#include "earshot/classify/pulse_dataset.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/detect/features.h"

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A simulated folder with one window, its truth and reports, and no audio.
class SimFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           std::string("earshot_pulse_dataset_")
               .append(::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    WriteText(dir_ / "scenario.json", R"({"generator": "earshot simulate", "mode": "audio"})");
    const fs::path window = dir_ / "TRAIN" / "test_001";
    WriteText(dir_ / "truth.json", R"({
      "test": "test_001",
      "events": [{"id": "e1", "class": "gunfire"}, {"id": "e2", "class": "firecracker"}],
      "emissions": [],
      "pulses": {
        "p1": {"origin": "arrival", "emission": 0, "event": "e1", "sensor": "A"},
        "p2": {"origin": "shock_wave", "emission": 1, "event": "e2", "sensor": "A"},
        "p3": {"origin": "noise", "sensor": "B"}}})");
    WriteText(window / "test_001.allpulses.json", R"([
      {"pulse_uuid": "p1", "serial_number": "A", "arrival_time_utc": "2024-07-04T21:30:01.000Z"},
      {"pulse_uuid": "p2", "serial_number": "A", "arrival_time_utc": "2024-07-04T21:30:01.020Z"},
      {"pulse_uuid": "p3", "serial_number": "B", "arrival_time_utc": "2024-07-04T21:30:01.000Z"}
    ])");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST(PulseClassTest, NamesRoundTrip) {
  for (int i = 0; i < kPulseClassCount; ++i)
    EXPECT_EQ(PulseClassFromName(kPulseClassNames[static_cast<size_t>(i)]), i);
  EXPECT_EQ(PulseClassFromName("gunfire"), kGunfireClass);
  EXPECT_FALSE(PulseClassFromName("thunder"));
}

TEST(PulseFeatureRowTest, DetectorOrderWithNaNForMissing) {
  Pulse pulse;
  pulse.features = {{"rise_time_s", 0.001}, {"snr_db", 30.0}};
  const std::vector<float> row = PulseFeatureRow(pulse);
  ASSERT_EQ(row.size(), detect::kFeatureNames.size());
  EXPECT_FLOAT_EQ(row.front(), 0.001F);
  EXPECT_FLOAT_EQ(row.back(), 30.0F);
  EXPECT_TRUE(std::isnan(row[1]));
  EXPECT_EQ(PulseFeatureNames().front(), "rise_time_s");
}

TEST(LabelDetectionTest, NearestReportOfTheSameSensorWithinTolerance) {
  const std::vector<ReportedPulse> reported = {
      {.sensor_id = "A", .onset_ns = 1'000'000'000, .label = 0},
      {.sensor_id = "A", .onset_ns = 1'008'000'000, .label = 2},
      {.sensor_id = "B", .onset_ns = 1'001'000'000, .label = 3}};
  EXPECT_EQ(LabelDetection("A", 1'003'000'000, reported, 0.005), 0);
  EXPECT_EQ(LabelDetection("A", 1'005'000'000, reported, 0.005), 2);  // 3 ms from the second
  EXPECT_EQ(LabelDetection("B", 1'000'000'000, reported, 0.005), 3);
  EXPECT_FALSE(LabelDetection("A", 1'020'000'000, reported, 0.005));
  EXPECT_FALSE(LabelDetection("C", 1'000'000'000, reported, 0.005));
}

TEST_F(SimFolder, WindowReportsCarryTheirEventsClass) {
  auto classes = ReadPulseClasses((dir_ / "truth.json").string());
  ASSERT_TRUE(classes) << classes.error().ToString();
  auto reported = ReadWindowReports((dir_ / "TRAIN" / "test_001").string(), *classes);
  ASSERT_TRUE(reported) << reported.error().ToString();
  ASSERT_EQ(reported->size(), 3U);
  EXPECT_EQ((*reported)[0].label, kGunfireClass);
  EXPECT_EQ((*reported)[1].label, 2);  // a firecracker's shock wave: firecracker
  EXPECT_EQ((*reported)[2].label, 3);  // a local bang: other impulsive
  // The millisecond is truncated: the onset is taken at its middle.
  EXPECT_EQ((*reported)[0].onset_ns % 1'000'000'000, 500'000);
}

TEST_F(SimFolder, WindowWithoutAudioGivesNoRows) {
  auto dataset = BuildPulseDataset(dir_.string(), {});
  ASSERT_TRUE(dataset) << dataset.error().ToString();
  EXPECT_EQ(dataset->windows.size(), 1U);
  EXPECT_EQ(dataset->labels.size(), 0U);
  EXPECT_EQ(dataset->rows.ColumnCount(), detect::kFeatureNames.size());
}

TEST_F(SimFolder, UnknownEventClassIsRefused) {
  WriteText(dir_ / "truth.json", R"({"events": [{"id": "e1", "class": "thunder"}], "pulses": {}})");
  auto dataset = BuildPulseDataset(dir_.string(), {});
  ASSERT_FALSE(dataset);
  EXPECT_THAT(dataset.error().ToString(), HasSubstr("thunder"));
}

TEST_F(SimFolder, FolderNotFromTheSimulatorIsRefused) {
  fs::remove(dir_ / "scenario.json");
  auto dataset = BuildPulseDataset(dir_.string(), {});
  ASSERT_FALSE(dataset);
  EXPECT_THAT(dataset.error().ToString(), HasSubstr("not an 'earshot simulate' output folder"));

  WriteText(dir_ / "scenario.json", R"({"generator": "someone else", "mode": "audio"})");
  dataset = BuildPulseDataset(dir_.string(), {});
  ASSERT_FALSE(dataset);
  EXPECT_THAT(dataset.error().ToString(), HasSubstr("not written by 'earshot simulate'"));

  WriteText(dir_ / "scenario.json", R"({"generator": "earshot simulate", "mode": "pulses-only"})");
  dataset = BuildPulseDataset(dir_.string(), {});
  ASSERT_FALSE(dataset);
  EXPECT_THAT(dataset.error().ToString(), HasSubstr("--pulses-only"));

  EXPECT_FALSE(BuildPulseDataset((dir_ / "missing").string(), {}));
}

TEST_F(SimFolder, FolderWithoutWindowsIsRefused) {
  fs::remove_all(dir_ / "TRAIN");
  auto dataset = BuildPulseDataset(dir_.string(), {});
  ASSERT_FALSE(dataset);
  EXPECT_THAT(dataset.error().ToString(), HasSubstr("no window folders"));
}

TEST(PulseDatasetTest, AppendShiftsWindows) {
  PulseDataset a, b;
  a.windows = {"x"};
  a.rows.AddRow(std::vector<float>(detect::kFeatureNames.size(), 1.0F));
  a.labels = {0};
  a.window_of_row = {0};
  a.class_counts[0] = 1;
  b = a;
  a.Append(b);
  EXPECT_EQ(a.windows.size(), 2U);
  EXPECT_EQ(a.window_of_row, (std::vector<int>{0, 1}));
  EXPECT_EQ(a.rows.RowCount(), 2U);
  EXPECT_EQ(a.class_counts[0], 2U);
}

}  // namespace
}  // namespace earshot::classify
