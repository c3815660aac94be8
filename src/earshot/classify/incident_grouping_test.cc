#include "earshot/classify/incident_grouping.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::classify {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kSecond = 1'000'000'000;

Fix MakeFix(double t_s, double x_m, double y_m = 0.0, double z_m = 0.0) {
  Fix fix;
  fix.emission_ns = static_cast<int64_t>(std::llround(t_s * 1e9));
  fix.position_m = {x_m, y_m, z_m};
  return fix;
}

TEST(GroupIncidentsTest, GapJustUnderJoinsJustOverSplits) {
  // 3.99 s after the previous shot joins; 4.01 s after starts a new incident.
  const std::vector<Fix> fixes = {MakeFix(0.0, 0), MakeFix(3.99, 0), MakeFix(7.98, 0),
                                  MakeFix(11.99, 0)};
  EXPECT_THAT(GroupIncidents(fixes, {}), ElementsAre(ElementsAre(0u, 1u, 2u), ElementsAre(3u)));
}

TEST(GroupIncidentsTest, DistanceIsToTheFirstShotAndHorizontal) {
  // 149 m east of the first joins, 151 m does not; a burst 300 m up above the first joins
  // (horizontal distance); a shot 100 m past the second (249 m from the first) does not.
  const std::vector<Fix> fixes = {MakeFix(0.0, 0), MakeFix(1.0, 149), MakeFix(2.0, 151),
                                  MakeFix(3.0, 0, 0, 300), MakeFix(3.5, 249)};
  EXPECT_THAT(GroupIncidents(fixes, {}), ElementsAre(ElementsAre(0u, 1u, 3u), ElementsAre(2u, 4u)));
}

TEST(GroupIncidentsTest, InterleavedIncidentsStayApartAndOrderIsByFirstEmission) {
  // Given out of emission order; two places 1 km apart fire alternately.
  const std::vector<Fix> fixes = {MakeFix(2.0, 1000), MakeFix(0.0, 0), MakeFix(1.0, 1000),
                                  MakeFix(1.5, 10), MakeFix(30.0, 0)};
  const auto incidents = GroupIncidents(fixes, {});
  EXPECT_THAT(incidents, ElementsAre(ElementsAre(1u, 3u), ElementsAre(2u, 0u), ElementsAre(4u)));
  std::vector<int> seen(fixes.size(), 0);
  for (const auto& incident : incidents)
    for (std::size_t i : incident) ++seen[i];
  EXPECT_THAT(seen, ::testing::Each(1));
}

TEST(GroupIncidentsTest, OptionsAreHonouredAndEmptyGivesNone) {
  const std::vector<Fix> fixes = {MakeFix(0.0, 0), MakeFix(1.0, 0)};
  EXPECT_THAT(GroupIncidents(fixes, {.max_gap_s = 0.5}),
              ElementsAre(ElementsAre(0u), ElementsAre(1u)));
  EXPECT_TRUE(GroupIncidents({}, {}).empty());
}

TEST(ContextForShotTest, OtherEmissionsWeatherAndGroundBelowTheMedianSensor) {
  const std::vector<Fix> fixes = {MakeFix(0.0, 0), MakeFix(0.5, 0), MakeFix(9.0, 0)};
  std::vector<Pulse> used(4);
  const double heights_m[] = {10.0, 20.0, 14.0, 99.0};
  const char* sensors[] = {"A", "B", "C", "C"};
  for (int i = 0; i < 4; ++i) {
    used[i].sensor_id = sensors[i];
    used[i].onset_ns = i;  // the second pulse of C is later: its height is not counted
    used[i].sensor_position_m = {0, 0, heights_m[i]};
  }
  Weather weather;
  weather.temperature_c = -3.0;
  const ShotContext context = ContextForShot(fixes, 0, {0, 1}, used, weather, 6.0);
  EXPECT_DOUBLE_EQ(context.air_temperature_c, -3.0);
  EXPECT_DOUBLE_EQ(context.relative_humidity_pct, ShotContext{}.relative_humidity_pct);
  EXPECT_THAT(context.other_shot_emission_ns, UnorderedElementsAre(kSecond / 2));
  EXPECT_DOUBLE_EQ(context.ground_height_m, 14.0 - 6.0);
  EXPECT_TRUE(std::isnan(ContextForShot(fixes, 2, {2}, {}, weather, 6.0).ground_height_m));
  EXPECT_TRUE(ContextForShot(fixes, 2, {2}, {}, weather, 6.0).other_shot_emission_ns.empty());
}

}  // namespace
}  // namespace earshot::classify
