#include "earshot/server/service_config.h"

#include <gtest/gtest.h>

namespace earshot::server {
namespace {

TEST(ServiceConfigTest, ReadsEveryKeyAndAnchorsPathsAtTheConfigFolder) {
  auto config = ParseServiceConfig(R"({
    "listen": {"address": "0.0.0.0", "port": 9000, "threads": 3},
    "database": "data/earshot.db", "tokens": "/etc/earshot/tokens.json",
    "models": {"shot_classifier": "models/shot.json", "dispatch": "dispatch.json"},
    "frame": {"lat": 40.44, "lon": -79.99, "height_m": 250},
    "weather": {"temperature_c": 21.5},
    "sensors": "sensors.json",
    "limits": {"max_body_bytes": 2048, "max_queued_pulses": 10},
    "locate": {"horizon_s": 20, "min_sensors": 4},
    "pipeline": {"advance_interval_s": 0.5},
    "cap": {"sender": "earshot@pd.example.org"}
  })",
                                   "/srv/earshot/serve.json");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->listen_address, "0.0.0.0");
  EXPECT_EQ(config->port, 9000);
  EXPECT_EQ(config->http_threads, 3);
  EXPECT_EQ(config->database_path, "/srv/earshot/data/earshot.db");
  EXPECT_EQ(config->tokens_path, "/etc/earshot/tokens.json");
  EXPECT_EQ(config->shot_classifier_path, "/srv/earshot/models/shot.json");
  ASSERT_TRUE(config->frame_origin.has_value());
  EXPECT_DOUBLE_EQ(config->frame_origin->lat_deg, 40.44);
  EXPECT_TRUE(config->Frame().is_geodetic());
  EXPECT_DOUBLE_EQ(config->weather.temperature_c, 21.5);
  EXPECT_EQ(config->limits.max_body_bytes, 2048u);
  EXPECT_EQ(config->max_queued_pulses, 10u);
  EXPECT_EQ(*config->locate.min_sensors, 4);
  EXPECT_FALSE(config->locate.settle_s.has_value());
  EXPECT_DOUBLE_EQ(config->advance_interval_s, 0.5);
  EXPECT_EQ(config->cap_sender, "earshot@pd.example.org");
}

TEST(ServiceConfigTest, MinimalConfigIsMetricWithDefaults) {
  auto config = ParseServiceConfig(R"({"database": "e.db", "tokens": "t.json"})", "serve.json");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_FALSE(config->Frame().is_geodetic());
  EXPECT_EQ(config->listen_address, "127.0.0.1");
  EXPECT_EQ(config->port, 8080);
}

TEST(ServiceConfigTest, RefusalsNameTheFileAndTheField) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"tokens": "t.json"})", "serve.json:field database: required"},
      {R"({"database": "e.db", "tokens": "t.json", "databse": 1})",
       "serve.json:field databse: unknown key"},
      {R"({"database": "e.db", "tokens": "t.json", "listen": {"port": 70000}})",
       "serve.json:field listen.port: expected an integer in [0, 65535]"},
      {R"({"database": "e.db", "tokens": "t.json", "limits": {"max_body": 1}})",
       "serve.json:field limits.max_body: unknown key"},
      {R"({"database": "e.db", "tokens": "t.json", "frame": {"lat": 91, "lon": 0}})",
       "serve.json:field frame.lat: expected a number in [-90, 90]"},
      {R"({"database": "e.db", "tokens": "t.json", "weather": []})",
       "serve.json:field weather: expected an object"},
      {"not json", "serve.json: expected a JSON object"},
  };
  for (const Case& c : cases) {
    auto config = ParseServiceConfig(c.text, "serve.json");
    ASSERT_FALSE(config.has_value()) << c.text;
    EXPECT_TRUE(config.error().ToString().starts_with(c.expected))
        << c.text << " -> " << config.error().ToString();
  }
}

}  // namespace
}  // namespace earshot::server
