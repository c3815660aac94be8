// Tests of the JSON writers: pulses read back to what was written, and located shots
// carry every key of the `earshot locate --json` contract (docs/formats.md).
#include <random>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot {
namespace {

using nlohmann::json;

Fix ExampleFix(SolveMode mode) {
  Fix fix;
  fix.emission_ns = ParseIsoUtc("2018-12-19T00:49:26.123456789Z").value();
  fix.position_m = {100.0, 200.0, 30.0};
  fix.mode = mode;
  fix.ellipse = {.sigma1_m = 3.0, .sigma2_m = 1.5, .angle_deg = 30.0};
  fix.radius95_m = 6.0;
  fix.height_sigma_m = 4.0;
  fix.emission_sigma_s = 0.002;
  fix.timing_sigma_s = 0.001;
  fix.crb_rms_m = 2.5;
  fix.speed_of_sound_mps = 331.3;
  fix.used = {{"p1", "s1", 0.0012}, {"p2", "s2", -0.0004}};
  fix.rejected = {{"p3", "s1", "later arrival at a sensor already used: echo", 0.0412}};
  fix.summary = {.method = "linear-ls + ceres",
                 .iterations = 7,
                 .termination = "converged",
                 .initial_cost = 10.0,
                 .final_cost = 0.5};
  return fix;
}

TEST(FixToJson, HasEveryContractKeyInAMetricFrame) {
  const json out = FixToJson(ExampleFix(SolveMode::k2D), LocalFrame::Metric());
  for (const char* key :
       {"time_utc", "x_m", "y_m", "z_m", "mode", "pulse_ids", "n_sensors", "ellipse", "radius95_m",
        "crb_rms_m", "emission_sigma_s", "timing_sigma_s", "speed_of_sound_mps", "residuals",
        "rejected", "solver"}) {
    EXPECT_TRUE(out.contains(key)) << key;
  }
  EXPECT_FALSE(out.contains("lat"));
  EXPECT_FALSE(out.contains("height_sigma_m")) << "only a 3D solve estimates the height";
  EXPECT_EQ(out["time_utc"], "2018-12-19T00:49:26.123456Z");
  EXPECT_EQ(out["x_m"], 100.0);
  EXPECT_EQ(out["z_m"], 30.0);
  EXPECT_EQ(out["mode"], "2d");
  EXPECT_EQ(out["pulse_ids"], json::array({"p1", "p2"}));
  EXPECT_EQ(out["n_sensors"], 2);
  EXPECT_EQ(out["ellipse"]["sigma1_m"], 3.0);
  EXPECT_EQ(out["ellipse"]["sigma2_m"], 1.5);
  EXPECT_EQ(out["ellipse"]["angle_deg"], 30.0);
  EXPECT_EQ(out["radius95_m"], 6.0);
  EXPECT_EQ(out["crb_rms_m"], 2.5);
  EXPECT_EQ(out["speed_of_sound_mps"], 331.3);
  ASSERT_EQ(out["residuals"].size(), 2u);
  EXPECT_EQ(out["residuals"][0]["pulse_id"], "p1");
  EXPECT_EQ(out["residuals"][0]["sensor"], "s1");
  EXPECT_NEAR(out["residuals"][1]["residual_ms"].get<double>(), -0.4, 1e-12);
  ASSERT_EQ(out["rejected"].size(), 1u);
  EXPECT_EQ(out["rejected"][0]["reason"], "later arrival at a sensor already used: echo");
  EXPECT_NEAR(out["rejected"][0]["residual_ms"].get<double>(), 41.2, 1e-12);
  for (const char* key : {"method", "iterations", "termination", "initial_cost", "final_cost"}) {
    EXPECT_TRUE(out["solver"].contains(key)) << key;
  }
  EXPECT_EQ(out["solver"]["iterations"], 7);
}

TEST(FixToJson, GivesLatLonInAGeodeticFrameAndHeightSigmaIn3D) {
  const LocalFrame frame = LocalFrame::Geodetic(40.4406, -79.9959, 250.0);
  Fix fix = ExampleFix(SolveMode::k3D);
  fix.position_m = frame.Forward({40.45, -79.99, 260.0});
  const json out = FixToJson(fix, frame);
  EXPECT_FALSE(out.contains("x_m"));
  EXPECT_NEAR(out["lat"].get<double>(), 40.45, 1e-9);
  EXPECT_NEAR(out["lon"].get<double>(), -79.99, 1e-9);
  EXPECT_NEAR(out["height_m"].get<double>(), 260.0, 1e-6);
  EXPECT_EQ(out["mode"], "3d");
  EXPECT_EQ(out["height_sigma_m"], 4.0);
}

TEST(FixToGeoJsonFeature, PutsLongitudeFirst) {
  const LocalFrame frame = LocalFrame::Geodetic(40.4406, -79.9959, 250.0);
  Fix fix = ExampleFix(SolveMode::k2D);
  fix.position_m = frame.Forward({40.45, -79.99, 260.0});
  const json feature = FixToGeoJsonFeature(fix, frame);
  EXPECT_EQ(feature["type"], "Feature");
  EXPECT_EQ(feature["geometry"]["type"], "Point");
  ASSERT_EQ(feature["geometry"]["coordinates"].size(), 2u);
  EXPECT_NEAR(feature["geometry"]["coordinates"][0].get<double>(), -79.99, 1e-9);
  EXPECT_NEAR(feature["geometry"]["coordinates"][1].get<double>(), 40.45, 1e-9);
  EXPECT_EQ(feature["properties"], FixToJson(fix, frame));
  EXPECT_FALSE(feature["properties"].contains("crs_note"));
}

TEST(FixToGeoJsonFeature, SaysWhenItsCoordinatesAreLocalMetres) {
  const json feature = FixToGeoJsonFeature(ExampleFix(SolveMode::k2D), LocalFrame::Metric());
  EXPECT_EQ(feature["geometry"]["coordinates"], json::array({100.0, 200.0}));
  EXPECT_EQ(feature["properties"]["crs_note"], "local metric frame, metres");
  EXPECT_EQ(feature["properties"]["x_m"], 100.0);
}

TEST(PulseToJson, WritesTheDocumentedForm) {
  Pulse pulse;
  pulse.id = "3e94";
  pulse.sensor_id = "SCP-00-BNG-5028";
  pulse.onset_ns = ParseIsoUtc("2018-12-19T00:49:27.467Z").value();
  pulse.sensor_position_m = {-11784.30, 3135.64, -102.04};
  pulse.features = {{"rise_time_s", 0.0004}};
  const json out = PulseToJson(pulse, LocalFrame::Metric());
  EXPECT_EQ(out["time_utc"], "2018-12-19T00:49:27.467000Z");
  EXPECT_EQ(out["sensor"], "SCP-00-BNG-5028");
  EXPECT_EQ(out["sensor_position"]["x_m"], -11784.30);
  EXPECT_EQ(out["features"]["rise_time_s"], 0.0004);
  pulse.features.clear();
  EXPECT_FALSE(PulseToJson(pulse, LocalFrame::Metric()).contains("features"));
}

Pulse RandomPulse(std::mt19937_64& random, int index) {
  std::uniform_int_distribution<int64_t> any_time(0, 4'000'000'000'000'000'000);
  std::uniform_real_distribution<double> metres(-20'000.0, 20'000.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Pulse pulse;
  pulse.id = "pulse-" + std::to_string(index);
  pulse.sensor_id = "sensor-" + std::to_string(index % 7);
  pulse.onset_ns = any_time(random);
  if (index % 2 == 0) pulse.onset_ns -= pulse.onset_ns % 1'000;  // exercise both digit counts
  pulse.onset_sigma_s = 1e-3 * unit(random);
  pulse.sensor_position_m = {metres(random), metres(random), 0.01 * metres(random)};
  pulse.sensor_position_sigma_m = unit(random);
  pulse.snr_db = 40.0 * unit(random);
  pulse.level_db_spl = 60.0 + 60.0 * unit(random);
  if (index % 3 == 0) pulse.features = {{"rise_time_s", 1e-3 * unit(random)}};
  return pulse;
}

// Property: writing pulses and reading them back gives the same pulses: exactly in a
// metric frame, within a micrometre in a geodetic one (the lat/lon round trip).
TEST(PulseJsonProperty, WriteThenReadIsTheIdentity) {
  for (const bool geodetic : {false, true}) {
    std::mt19937_64 random(geodetic ? 2 : 1);
    std::vector<Pulse> pulses;
    for (int i = 0; i < 500; ++i) pulses.push_back(RandomPulse(random, i));
    // A geodetic reader puts its origin at the first pulse's sensor, so write in a frame
    // with that origin to compare positions directly.
    LocalFrame frame = LocalFrame::Metric();
    if (geodetic) {
      frame = LocalFrame::Geodetic(40.4406, -79.9959, 250.0);
      const GeodeticPoint first = frame.Reverse(pulses[0].sensor_position_m);
      frame = LocalFrame::Geodetic(first.lat_deg, first.lon_deg, first.height_m);
      pulses[0].sensor_position_m.setZero();
    }
    std::string lines;
    for (const Pulse& pulse : pulses) lines += PulseToJson(pulse, frame).dump() + "\n";
    std::istringstream in(lines);
    const PulseReadResult read = ParsePulsesJsonLines(in, "round-trip");
    ASSERT_TRUE(read.refused.empty()) << read.refused[0].ToString();
    ASSERT_EQ(read.set.pulses.size(), pulses.size());
    EXPECT_EQ(read.set.frame.is_geodetic(), geodetic);
    for (size_t i = 0; i < pulses.size(); ++i) {
      const Pulse& a = pulses[i];
      const Pulse& b = read.set.pulses[i];
      ASSERT_EQ(a.id, b.id);
      ASSERT_EQ(a.sensor_id, b.sensor_id);
      ASSERT_EQ(a.onset_ns, b.onset_ns) << FormatIsoUtc(a.onset_ns);
      ASSERT_EQ(a.onset_sigma_s, b.onset_sigma_s);
      ASSERT_EQ(a.sensor_position_sigma_m, b.sensor_position_sigma_m);
      ASSERT_EQ(a.snr_db, b.snr_db);
      ASSERT_EQ(a.level_db_spl, b.level_db_spl);
      ASSERT_EQ(a.features, b.features);
      if (geodetic) {
        ASSERT_LT((a.sensor_position_m - b.sensor_position_m).norm(), 1e-6);
      } else {
        ASSERT_EQ(a.sensor_position_m, b.sensor_position_m);
      }
    }
  }
}

}  // namespace
}  // namespace earshot
