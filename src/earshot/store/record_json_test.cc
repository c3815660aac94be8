#include "earshot/store/record_json.h"

#include <cmath>

#include <gtest/gtest.h>

#include "earshot/store/test_records.h"

namespace earshot::store {
namespace {

// Records go through text, as they do in the database.
nlohmann::json ThroughText(const nlohmann::json& record) {
  return nlohmann::json::parse(record.dump());
}

TEST(RecordJsonTest, PulseRoundTripsExactly) {
  const Pulse pulse = testing::SamplePulse("p-1");
  Result<Pulse> back = PulseFromRecord(ThroughText(PulseToRecord(pulse)), "test");
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->id, pulse.id);
  EXPECT_EQ(back->sensor_id, pulse.sensor_id);
  EXPECT_EQ(back->onset_ns, pulse.onset_ns);
  EXPECT_EQ(back->onset_sigma_s, pulse.onset_sigma_s);
  EXPECT_EQ(back->sensor_position_m, pulse.sensor_position_m);
  EXPECT_EQ(back->level_db_spl, pulse.level_db_spl);
  EXPECT_EQ(back->features, pulse.features);
}

TEST(RecordJsonTest, ShotRoundTripsWithNaN) {
  const Shot shot = testing::SampleShot("shot-1", 2, "inc-1");
  Result<Shot> back = ShotFromRecord(ThroughText(ShotToRecord(shot)), "test");
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(ShotToRecord(*back).dump(), ShotToRecord(shot).dump());
  EXPECT_TRUE(std::isnan(back->height_above_ground_m));
  EXPECT_EQ(back->fix.mode, SolveMode::kFixedHeight);
  EXPECT_EQ(back->fix.covariance_en_m2, shot.fix.covariance_en_m2);
  ASSERT_EQ(back->fix.rejected.size(), 1u);
  EXPECT_EQ(back->fix.rejected[0].reason, shot.fix.rejected[0].reason);
}

TEST(RecordJsonTest, IncidentRoundTripsWithDisposition) {
  Incident incident = testing::SampleIncident("inc-1", 3);
  incident.state = IncidentState::kReviewed;
  incident.disposition = Disposition{"evidence_found", "casings", "alice", 42};
  Result<Incident> back = IncidentFromRecord(ThroughText(IncidentToRecord(incident)), "test");
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(IncidentToRecord(*back).dump(), IncidentToRecord(incident).dump());
  EXPECT_EQ(back->state, IncidentState::kReviewed);
  ASSERT_TRUE(back->disposition.has_value());
  EXPECT_EQ(back->disposition->by, "alice");
  EXPECT_TRUE(std::isnan(back->cadence_s));
}

TEST(RecordJsonTest, RefusesARecordMissingAField) {
  nlohmann::json record = ShotToRecord(testing::SampleShot("shot-1", 1, ""));
  record.erase("label");
  Result<Shot> back = ShotFromRecord(record, "db:shots:shot-1");
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().source, "db:shots:shot-1");
}

}  // namespace
}  // namespace earshot::store
