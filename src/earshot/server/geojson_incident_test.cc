#include "earshot/server/geojson_incident.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace earshot {
namespace {

using nlohmann::json;

constexpr int64_t kT0Ns = 1'720'149'129'118'204'000;  // 2024-07-05T03:12:09.118204Z

LocalFrame Pittsburgh() { return LocalFrame::Geodetic(40.44062, -79.99591, 250.0); }

Incident MakeIncident() {
  Incident incident;
  incident.id = "inc-1";
  incident.version = 2;
  incident.state = IncidentState::kUpdated;
  incident.shot_ids = {"s1", "s2"};
  incident.first_shot_ns = kT0Ns;
  incident.last_shot_ns = kT0Ns + 500'000'000;
  incident.position_m = {0.0, 0.0, 0.0};  // the frame's origin: exact coordinates known
  incident.position_sigma_m = 4.5;
  incident.rounds = 2;
  incident.cadence_s = 0.5;
  incident.shooters = 1;
  incident.movement_m = 3.0;
  incident.speed_mps = 6.0;
  incident.label = "gunfire";
  incident.p_gunfire = 0.91;
  incident.reasons = {"crack_fraction = 0.83 raises p(gunfire) (+1.21)"};
  return incident;
}

Shot MakeShot() {
  Shot shot;
  shot.id = "s1";
  shot.version = 3;
  shot.fix.emission_ns = kT0Ns;
  shot.fix.position_m = {100.0, 200.0, 1.5};
  shot.fix.ellipse = {5.0, 2.0, 30.0};
  shot.fix.radius95_m = 11.0;
  shot.p = {0.9, 0.05, 0.03, 0.02};
  shot.label = "gunfire";
  shot.reasons = {"r1"};
  shot.source_level_db_at_1m = 150.0;
  shot.crack = true;
  shot.incident_id = "inc-1";
  return shot;
}

TEST(GeoJsonIncidentTest, IncidentFeatureHasLonLatAndEveryField) {
  const json feature = IncidentToGeoJsonFeature(MakeIncident(), Pittsburgh());
  EXPECT_EQ(feature["type"], "Feature");
  EXPECT_EQ(feature["id"], "inc-1");
  EXPECT_EQ(feature["geometry"]["type"], "Point");
  const json& coordinates = feature["geometry"]["coordinates"];
  ASSERT_EQ(coordinates.size(), 2u);
  EXPECT_NEAR(coordinates[0].get<double>(), -79.99591, 1e-9);  // longitude first
  EXPECT_NEAR(coordinates[1].get<double>(), 40.44062, 1e-9);
  const json& p = feature["properties"];
  EXPECT_EQ(p["kind"], "incident");
  EXPECT_EQ(p["id"], "inc-1");
  EXPECT_EQ(p["version"], 2);
  EXPECT_EQ(p["state"], "updated");
  EXPECT_EQ(p["shot_ids"], json({"s1", "s2"}));
  EXPECT_EQ(p["first_shot_utc"], "2024-07-05T03:12:09.118204Z");
  EXPECT_EQ(p["last_shot_utc"], "2024-07-05T03:12:09.618204Z");
  EXPECT_NEAR(p["lat"].get<double>(), 40.44062, 1e-9);
  EXPECT_NEAR(p["lon"].get<double>(), -79.99591, 1e-9);
  EXPECT_NEAR(p["height_m"].get<double>(), 250.0, 1e-6);
  EXPECT_EQ(p["position_sigma_m"], 4.5);
  EXPECT_EQ(p["rounds"], 2);
  EXPECT_EQ(p["cadence_s"], 0.5);
  EXPECT_EQ(p["automatic_fire"], false);
  EXPECT_EQ(p["shooters"], 1);
  EXPECT_EQ(p["movement_m"], 3.0);
  EXPECT_EQ(p["speed_mps"], 6.0);
  EXPECT_EQ(p["label"], "gunfire");
  EXPECT_EQ(p["p_gunfire"], 0.91);
  EXPECT_EQ(p["reasons"].size(), 1u);
  EXPECT_TRUE(p["disposition"].is_null());
  EXPECT_FALSE(p.contains("crs_note"));
}

TEST(GeoJsonIncidentTest, UnknownNumbersAreNullAndDispositionIsAnObject) {
  Incident incident = MakeIncident();
  incident.cadence_s = Incident::kNaN;
  incident.position_sigma_m = Incident::kNaN;
  incident.disposition = Disposition{"no_evidence", "nothing found", "officer 12", kT0Ns};
  const json p = IncidentToJson(incident, Pittsburgh());
  EXPECT_TRUE(p["cadence_s"].is_null());
  EXPECT_TRUE(p["position_sigma_m"].is_null());
  EXPECT_EQ(p["disposition"], json({{"code", "no_evidence"},
                                    {"note", "nothing found"},
                                    {"by", "officer 12"},
                                    {"at_utc", "2024-07-05T03:12:09.118204Z"}}));
}

TEST(GeoJsonIncidentTest, ShotFeatureMatchesTheFrameAndCarriesClassesAndEllipse) {
  const LocalFrame frame = Pittsburgh();
  const json feature = ShotToGeoJsonFeature(MakeShot(), frame);
  const GeodeticPoint expected = frame.Reverse({100.0, 200.0, 1.5});
  const json& coordinates = feature["geometry"]["coordinates"];
  EXPECT_DOUBLE_EQ(coordinates[0].get<double>(), expected.lon_deg);
  EXPECT_DOUBLE_EQ(coordinates[1].get<double>(), expected.lat_deg);
  // 100 m east and 200 m north of the origin, to within the frame's curvature.
  EXPECT_NEAR((expected.lon_deg + 79.99591) * 111'320.0 * std::cos(40.44062 * M_PI / 180.0), 100.0,
              0.5);
  EXPECT_NEAR((expected.lat_deg - 40.44062) * 111'030.0, 200.0, 0.5);
  EXPECT_EQ(feature["id"], "s1");
  const json& p = feature["properties"];
  EXPECT_EQ(p["kind"], "shot");
  EXPECT_EQ(p["version"], 3);
  EXPECT_EQ(p["incident_id"], "inc-1");
  EXPECT_EQ(p["time_utc"], "2024-07-05T03:12:09.118204Z");
  EXPECT_EQ(p["ellipse"], json({{"sigma1_m", 5.0}, {"sigma2_m", 2.0}, {"angle_deg", 30.0}}));
  EXPECT_EQ(p["radius95_m"], 11.0);
  EXPECT_EQ(p["classification"]["label"], "gunfire");
  EXPECT_EQ(p["classification"]["p"], json({{"gunfire", 0.9},
                                            {"aerial_firework", 0.05},
                                            {"firecracker", 0.03},
                                            {"other_impulsive", 0.02}}));
  EXPECT_EQ(p["classification"]["reasons"], json({"r1"}));
  EXPECT_EQ(p["source_level_db_at_1m"], 150.0);
  EXPECT_TRUE(p["height_above_ground_m"].is_null());
  EXPECT_EQ(p["crack"], true);
}

TEST(GeoJsonIncidentTest, UnclassifiedShotHasNullClassification) {
  Shot shot = MakeShot();
  shot.label.clear();
  shot.p = {};
  EXPECT_TRUE(ShotToJson(shot, Pittsburgh())["classification"].is_null());
}

TEST(GeoJsonIncidentTest, CollectionHoldsIncidentsThenShots) {
  const json collection = IncidentsToGeoJson({MakeIncident()}, {MakeShot()}, Pittsburgh());
  EXPECT_EQ(collection["type"], "FeatureCollection");
  ASSERT_EQ(collection["features"].size(), 2u);
  EXPECT_EQ(collection["features"][0]["properties"]["kind"], "incident");
  EXPECT_EQ(collection["features"][1]["properties"]["kind"], "shot");
  // Round trip through text: what clients parse.
  EXPECT_EQ(json::parse(collection.dump()), collection);
}

TEST(GeoJsonIncidentTest, MetricFrameUsesLocalMetresAndSaysSo) {
  const json feature = ShotToGeoJsonFeature(MakeShot(), LocalFrame::Metric());
  EXPECT_EQ(feature["geometry"]["coordinates"], json({100.0, 200.0}));
  EXPECT_EQ(feature["properties"]["crs_note"], "local metric frame, metres");
  EXPECT_EQ(feature["properties"]["x_m"], 100.0);
  const json incident = IncidentToGeoJsonFeature(MakeIncident(), LocalFrame::Metric());
  EXPECT_EQ(incident["geometry"]["coordinates"], json({0.0, 0.0}));
  EXPECT_EQ(incident["properties"]["crs_note"], "local metric frame, metres");
}

}  // namespace
}  // namespace earshot
