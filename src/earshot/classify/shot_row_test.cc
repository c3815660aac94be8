#include "earshot/classify/shot_row.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/detect/features.h"

namespace earshot::classify {
namespace {

Pulse MakePulse(const std::string& id, const std::string& sensor, int64_t onset_ns,
                std::map<std::string, double> features) {
  Pulse pulse;
  pulse.id = id;
  pulse.sensor_id = sensor;
  pulse.onset_ns = onset_ns;
  pulse.features = std::move(features);
  return pulse;
}

// Column of a detector feature in the model row.
std::size_t Column(std::string_view detector_feature) {
  for (std::size_t i = 0; i < detect::kFeatureNames.size(); ++i)
    if (detect::kFeatureNames[i] == detector_feature) return kShotFeatureNames.size() + i;
  ADD_FAILURE() << detector_feature;
  return 0;
}

TEST(ShotModelFeatureNamesTest, ShotFeaturesThenPulseMediansInTheirOrders) {
  const std::vector<std::string> names = ShotModelFeatureNames();
  ASSERT_EQ(names.size(), 35u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (std::size_t i = 0; i < kShotFeatureNames.size(); ++i)
    EXPECT_EQ(names[i], kShotFeatureNames[i]);
  for (std::size_t i = 0; i < detect::kFeatureNames.size(); ++i)
    EXPECT_EQ(names[kShotFeatureNames.size() + i],
              "pulse_median_" + std::string(detect::kFeatureNames[i]));
  EXPECT_EQ(names[17], "pulse_median_rise_time_s");
  EXPECT_EQ(names.back(), "pulse_median_snr_db");
}

TEST(ShotModelRowTest, ShotValuesThenMediansOverTheFirstPulseOfEachSensor) {
  ShotFeatures shot;
  shot.source_level_db_at_1m = 160.0;
  shot.sensor_count = 3.0;
  const std::vector<Pulse> used = {
      MakePulse("a", "A", 100, {{"rise_time_s", 0.001}, {"snr_db", 20.0}}),
      MakePulse("b", "B", 200, {{"rise_time_s", 0.003}, {"snr_db", 10.0}}),
      MakePulse("c", "C", 300, {{"rise_time_s", 0.002}, {"snr_db", 40.0}, {"echo_count", 2}}),
      // A later pulse of sensor C (an echo): not counted.
      MakePulse("c2", "C", 900, {{"rise_time_s", 0.010}, {"snr_db", 50.0}, {"echo_count", 5}}),
  };
  const std::vector<float> row = ShotModelRow(shot, used);
  ASSERT_EQ(row.size(), ShotModelFeatureNames().size());
  EXPECT_FLOAT_EQ(row[0], 160.0F);
  EXPECT_FLOAT_EQ(row[14], 3.0F);   // sensor_count
  EXPECT_TRUE(std::isnan(row[2]));  // height_above_ground_m stays NaN
  EXPECT_FLOAT_EQ(row[Column("rise_time_s")], 0.002F);
  EXPECT_FLOAT_EQ(row[Column("snr_db")], 20.0F);
  EXPECT_FLOAT_EQ(row[Column("echo_count")], 2.0F);    // only C's first pulse has it
  EXPECT_TRUE(std::isnan(row[Column("duration_s")]));  // no pulse has it
}

TEST(ShotModelRowTest, EvenCountTakesTheMeanOfTheMiddleTwoAndSkipsNonFinite) {
  const std::vector<Pulse> used = {
      MakePulse("a", "A", 1, {{"duration_s", 0.004}}),
      MakePulse("b", "B", 2, {{"duration_s", 0.010}}),
      MakePulse("c", "C", 3, {{"duration_s", std::nan("")}}),
  };
  const std::vector<float> row = ShotModelRow({}, used);
  EXPECT_FLOAT_EQ(row[Column("duration_s")], 0.007F);
  const std::vector<float> empty = ShotModelRow({}, {});
  for (std::size_t i = kShotFeatureNames.size(); i < empty.size(); ++i)
    EXPECT_TRUE(std::isnan(empty[i]));
}

TEST(PulsesUsedByTest, LooksUpIdsInUsedOrderAndSkipsUnknown) {
  const std::vector<Pulse> pulses = {MakePulse("a", "A", 1, {}), MakePulse("b", "B", 2, {}),
                                     MakePulse("c", "C", 3, {})};
  Fix fix;
  fix.used = {{.pulse_id = "c", .sensor_id = "C"},
              {.pulse_id = "missing", .sensor_id = "D"},
              {.pulse_id = "a", .sensor_id = "A"}};
  const std::vector<Pulse> used = PulsesUsedBy(fix, pulses);
  ASSERT_EQ(used.size(), 2u);
  EXPECT_EQ(used[0].id, "c");
  EXPECT_EQ(used[1].id, "a");
  EXPECT_TRUE(PulsesUsedBy(Fix{}, pulses).empty());
}

}  // namespace
}  // namespace earshot::classify
