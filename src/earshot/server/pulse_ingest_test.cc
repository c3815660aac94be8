#include "earshot/server/pulse_ingest.h"

#include <gtest/gtest.h>

namespace earshot::server {
namespace {

using nlohmann::json;

json Pulse(const std::string& id) {
  return {{"pulse_id", id},
          {"sensor", "S1"},
          {"time_utc", "2024-05-01T22:00:01.5Z"},
          {"sensor_position", {{"x_m", 1.0}, {"y_m", 2.0}, {"z_m", 3.0}}}};
}

TEST(PulseIngestTest, AcceptsGoodPulsesAndRefusesBadOnesByIndex) {
  json bad_time = Pulse("b");
  bad_time["time_utc"] = "yesterday";
  json body = {{"pulses", json::array({Pulse("a"), bad_time, 7, Pulse("c")})}};
  auto batch = ParseIngestBody(body, LocalFrame::Metric(), {});
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->pulses.size(), 2u);
  EXPECT_EQ(batch->indices, (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(batch->pulses[1].pulse.id, "c");
  EXPECT_DOUBLE_EQ(batch->pulses[0].pulse.sensor_position_m.y(), 2.0);
  ASSERT_EQ(batch->refused.size(), 2u);
  EXPECT_EQ(batch->refused[0].index, 1u);
  EXPECT_EQ(batch->refused[0].pulse_id, "b");
  EXPECT_TRUE(batch->refused[0].error.starts_with("pulses[1], field time_utc:"))
      << batch->refused[0].error;
  EXPECT_EQ(batch->refused[1].index, 2u);
}

TEST(PulseIngestTest, SnippetIsDecodedAndItsDigestChecked) {
  json with_audio = Pulse("a");
  // "RIFF" in base64, and its SHA-256.
  with_audio["snippet"] = {{"mime_type", "audio/wav"}, {"data_base64", "UklGRg=="}};
  json wrong_digest = Pulse("b");
  wrong_digest["snippet"] = {
      {"mime_type", "audio/wav"}, {"data_base64", "UklGRg=="}, {"sha256", std::string(64, '0')}};
  auto batch = ParseIngestBody({{"pulses", {with_audio, wrong_digest}}}, LocalFrame::Metric(), {});
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->pulses.size(), 1u);
  ASSERT_TRUE(batch->pulses[0].snippet.has_value());
  EXPECT_EQ(batch->pulses[0].snippet->bytes, (std::vector<unsigned char>{'R', 'I', 'F', 'F'}));
  ASSERT_EQ(batch->refused.size(), 1u);
  EXPECT_NE(batch->refused[0].error.find("snippet.sha256"), std::string::npos);
}

TEST(PulseIngestTest, GeodeticPulsesLandInTheDeploymentFrame) {
  const LocalFrame frame = LocalFrame::Geodetic(40.44, -79.99, 250.0);
  json pulse = Pulse("a");
  pulse["sensor_position"] = {{"lat", 40.441}, {"lon", -79.99}, {"height_m", 250.0}};
  auto batch = ParseIngestBody({{"pulses", {pulse}}}, frame, {});
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->pulses.size(), 1u);
  EXPECT_NEAR(batch->pulses[0].pulse.sensor_position_m.y(), 111.0, 1.0);
  EXPECT_NEAR(batch->pulses[0].pulse.sensor_position_m.x(), 0.0, 0.01);
  // Without a geodetic frame a lat/lon position cannot be placed.
  auto metric = ParseIngestBody({{"pulses", {pulse}}}, LocalFrame::Metric(), {});
  ASSERT_TRUE(metric.has_value());
  EXPECT_EQ(metric->refused.size(), 1u);
}

TEST(PulseIngestTest, RefusesABodyWithoutPulsesOrWithTooMany) {
  EXPECT_FALSE(ParseIngestBody(json::object(), LocalFrame::Metric(), {}).has_value());
  json many = {{"pulses", json::array()}};
  for (std::size_t i = 0; i <= kMaxPulsesPerRequest; ++i) many["pulses"].push_back(Pulse("x"));
  EXPECT_FALSE(ParseIngestBody(many, LocalFrame::Metric(), {}).has_value());
}

TEST(PulseIngestTest, Base64) {
  std::vector<unsigned char> bytes;
  EXPECT_TRUE(DecodeBase64("aGVsbG8=", &bytes));
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "hello");
  EXPECT_TRUE(DecodeBase64("aGVsbG8", &bytes));
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "hello");
  EXPECT_FALSE(DecodeBase64("aGV*bG8=", &bytes));
}

}  // namespace
}  // namespace earshot::server
