#include "earshot/sim/scenario.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "earshot/core/time.h"
#include "earshot/core/weather.h"
#include "earshot/sim/internal/generate_city.h"
#include "earshot/sim/internal/generate_events.h"
#include "earshot/sim/source_waveform.h"

namespace earshot::sim {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ScenariosDir() { return EARSHOT_SCENARIOS_DIR; }

std::string DatasetDir() {
  const char* shared = std::getenv("EARSHOT_SHARED_DATA");
  const std::string base = shared != nullptr ? shared : "../shared/data";
  return base + "/pittsburgh-livefire-2018";
}

// The smallest scenario there is; tests change one key of it.
json Minimal() {
  return json::parse(R"({
    "name": "minimal",
    "seed": 5,
    "start_utc": "2024-01-01T00:00:00Z",
    "duration_s": 60,
    "sensors": [{"id": "A", "position": {"x_m": 0, "y_m": 0}},
                {"id": "B", "position": {"x_m": 100, "y_m": 0}}],
    "events": [{"kind": "handgun", "position": {"x_m": 50, "y_m": 50}, "time_s": 5}]
  })");
}

Result<Scenario> Parse(const json& document, std::optional<uint64_t> seed = std::nullopt) {
  return ParseScenario(document.dump(), "test.json", "", seed);
}

// The error's text, or a failure when the scenario was accepted.
std::string Refusal(const json& document) {
  const auto scenario = Parse(document);
  if (scenario) return "accepted";
  return scenario.error().ToString();
}

Scenario ReadOrDie(const std::string& name, std::optional<uint64_t> seed = std::nullopt) {
  auto scenario = ReadScenarioFile(ScenariosDir() + "/" + name, seed);
  EXPECT_TRUE(scenario.has_value()) << scenario.error().ToString();
  return scenario ? std::move(*scenario) : Scenario{};
}

double Seconds(int64_t ns) { return NanosToSeconds(ns); }

// ---- Refusals ----------------------------------------------------------------------

TEST(ScenarioRefusalTest, SyntaxErrorNamesLineAndColumn) {
  const std::string text = "{\n  \"name\": \"x\",\n  \"seed\": ,\n  \"duration_s\": 1\n}\n";
  const auto scenario = ParseScenario(text, "bad.json", "", std::nullopt);
  ASSERT_FALSE(scenario.has_value());
  EXPECT_EQ(scenario.error().source, "bad.json");
  EXPECT_EQ(scenario.error().where, "line 3");
  EXPECT_THAT(scenario.error().message, HasSubstr("column 11"));
}

TEST(ScenarioRefusalTest, MissingRequiredKey) {
  json document = Minimal();
  document.erase("start_utc");
  EXPECT_EQ(Refusal(document),
            "test.json:key start_utc: expected an ISO 8601 UTC time like "
            "2024-07-04T21:00:00Z, got nothing (the key is missing)");
  document = Minimal();
  document["events"][0].erase("time_s");
  EXPECT_THAT(Refusal(document), StartsWith("test.json:key events[0].time_s: expected seconds"));
}

TEST(ScenarioRefusalTest, WrongType) {
  json document = Minimal();
  document["duration_s"] = "an hour";
  EXPECT_EQ(Refusal(document),
            "test.json:key duration_s: expected seconds, 1..86400, got the string \"an hour\"");
  document = Minimal();
  document["sensors"][1]["position"]["y_m"] = nullptr;
  EXPECT_EQ(Refusal(document),
            "test.json:key sensors[1].position.y_m: expected metres, -1e6..1e6, got null");
  document = Minimal();
  document["city"] = json::array();
  EXPECT_EQ(Refusal(document), "test.json:key city: expected a JSON object {...}, got an array");
}

TEST(ScenarioRefusalTest, OutOfRange) {
  json document = Minimal();
  document["atmosphere"] = {{"temperature_c", 75}};
  EXPECT_EQ(Refusal(document),
            "test.json:key atmosphere.temperature_c: expected an air temperature in degrees "
            "Celsius, -60..60, got 75");
  document = Minimal();
  document["events"][0]["rounds"] = 2.5;
  EXPECT_EQ(Refusal(document),
            "test.json:key events[0].rounds: expected a whole number of rounds (crackers, "
            "shells), 1..10000, got 2.5");
  document = Minimal();
  document["events"][0]["time_s"] = 61;
  EXPECT_THAT(Refusal(document), HasSubstr("key events[0].time_s: expected seconds after "
                                           "start_utc, 0..60 (the scene's duration), got 61"));
  document = Minimal();
  document["events"][0]["kind"] = "firework_burst";
  document["events"][0]["burst_height_m"] = 500;
  EXPECT_THAT(Refusal(document), HasSubstr("key events[0].burst_height_m: expected metres above "
                                           "the launch, 30..300, got 500"));
}

TEST(ScenarioRefusalTest, UnknownKind) {
  json document = Minimal();
  document["events"].push_back(document["events"][0]);
  document["events"].push_back(document["events"][0]);
  document["events"][2]["kind"] = "pistol";
  EXPECT_EQ(Refusal(document),
            "test.json:key events[2].kind: expected a source kind, one of handgun, rifle, "
            "shotgun, firecracker, firework_burst, backfire, door_slam, hammer, nail_gun, "
            "balloon_pop, got the string \"pistol\"");
  document["events"][2]["kind"] = "firework_lift";
  EXPECT_THAT(Refusal(document), HasSubstr("an aerial shell is one firework_burst event"));
  document = Minimal();
  document["event_generators"] =
      json::array({{{"area", {{"km2", 1}}}, {"rates_per_hour", {{"pistol", 3}}}}});
  EXPECT_THAT(Refusal(document),
              StartsWith("test.json:key event_generators[0].rates_per_hour.pistol: unknown key"));
  EXPECT_THAT(Refusal(document),
              HasSubstr("expected one of backfire, balloon_pop, description, door_slam"));
}

TEST(ScenarioRefusalTest, UnknownKey) {
  json document = Minimal();
  document["duraton_s"] = 60;
  EXPECT_THAT(Refusal(document),
              StartsWith("test.json:key duraton_s: unknown key (a typo would otherwise fall "
                         "back to a default): expected one of "));
  EXPECT_THAT(Refusal(document), HasSubstr("duration_s"));
  document = Minimal();
  document["city"] = {{"generatrs", json::array()}};
  EXPECT_THAT(Refusal(document), StartsWith("test.json:key city.generatrs: unknown key"));
  EXPECT_THAT(Refusal(document),
              HasSubstr("expected one of buildings, description, facade_reflection_coefficient, "
                        "generators, ground"));
  document = Minimal();
  document["events"][0]["position"]["z"] = 3;
  EXPECT_THAT(Refusal(document), StartsWith("test.json:key events[0].position.z: unknown key"));
}

TEST(ScenarioRefusalTest, InconsistentScenarios) {
  json document = Minimal();
  document["sensors"][1]["id"] = "A";
  EXPECT_EQ(Refusal(document),
            "test.json:key sensors[1].id: expected sensor ids used once, got \"A\" again");
  document = Minimal();
  document["events"][0]["kind"] = "firecracker";
  document["events"][0]["bullet_speed_mps"] = 900;
  EXPECT_EQ(Refusal(document),
            "test.json:key events[0].bullet_speed_mps: expected only on a handgun, rifle or "
            "shotgun, got it on a firecracker");
  document = Minimal();
  document["events"][0]["position"] = {{"lat", 40.0}, {"lon", -80.0}};
  EXPECT_THAT(Refusal(document), HasSubstr("need the scenario's \"origin\""));
  document = Minimal();
  document["city"] = {{"ground", {{"base_m", 10}}}};
  document["sensors"][0]["position"]["z_m"] = 4;
  EXPECT_EQ(Refusal(document),
            "test.json:key sensors[0].position: expected a point at or above the ground (z = "
            "10.00 m there), got z = 4.00 m");
  document = Minimal();
  document["sensor_generators"] = json::array({{{"density_per_km2", 10}}});
  EXPECT_THAT(Refusal(document), HasSubstr("key sensor_generators[0].area: expected an area"));
  document = Minimal();
  document["city"] = {
      {"buildings",
       json::array({{{"footprint_m", {{0, 0}, {10, 10}, {10, 0}, {0, 10}}}, {"height_m", 10}}})}};
  EXPECT_THAT(Refusal(document), HasSubstr("key city.buildings[0].footprint_m: expected a simple "
                                           "polygon"));
  document = Minimal();
  document["duration_s"] = 86400;
  document["event_generators"] =
      json::array({{{"area", {{"km2", 10}}}, {"rates_per_hour", {{"firecracker", 10000}}}}});
  EXPECT_THAT(Refusal(document),
              StartsWith("test.json:key event_generators[0].rates_per_hour: expected rates that "
                         "give at most 10000000 emissions over the scene, got rates that give "
                         "about 1"));
  document = Minimal();
  document["city"] = {
      {"generators",
       json::array({{{"area", {{"km2", 2500}}}, {"block_size_m", 20}, {"street_width_m", 3}}})}};
  EXPECT_THAT(Refusal(document), HasSubstr("key city.generators[0].block_size_m: expected blocks "
                                           "large enough for at most 1000000 buildings"));
  document = Minimal();
  document["livefire"] = {{"dataset", "no/such/folder"}};
  EXPECT_THAT(Refusal(document),
              StartsWith("test.json:key livefire.dataset: expected the folder of one firing "
                         "position"));
  EXPECT_THAT(Refusal(document), HasSubstr("no such folder"));
}

TEST(ScenarioRefusalTest, MissingFileIsNamed) {
  const auto scenario = ReadScenarioFile("/no/such/scenario.json", std::nullopt);
  ASSERT_FALSE(scenario.has_value());
  EXPECT_EQ(scenario.error().source, "/no/such/scenario.json");
  EXPECT_THAT(scenario.error().message, HasSubstr("cannot open"));
}

// ---- Expansion ---------------------------------------------------------------------

void ExpectSameScene(const Scene& a, const Scene& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.start_ns, b.start_ns);
  EXPECT_EQ(a.end_ns, b.end_ns);
  ASSERT_EQ(a.sensors.size(), b.sensors.size());
  for (size_t i = 0; i < a.sensors.size(); ++i) {
    const SimSensor& s = a.sensors[i];
    const SimSensor& t = b.sensors[i];
    EXPECT_EQ(s.id, t.id);
    EXPECT_EQ(s.true_position_m, t.true_position_m);
    EXPECT_EQ(s.reported_position_m, t.reported_position_m);
    EXPECT_EQ(s.calibration_error_db, t.calibration_error_db);
    ASSERT_EQ(s.clock_faults.size(), t.clock_faults.size());
    for (size_t k = 0; k < s.clock_faults.size(); ++k) {
      EXPECT_EQ(s.clock_faults[k].interval.begin_ns, t.clock_faults[k].interval.begin_ns);
      EXPECT_EQ(s.clock_faults[k].offset_s, t.clock_faults[k].offset_s);
    }
    EXPECT_EQ(s.outages.size(), t.outages.size());
  }
  ASSERT_EQ(a.city.buildings.size(), b.city.buildings.size());
  for (size_t i = 0; i < a.city.buildings.size(); ++i) {
    EXPECT_EQ(a.city.buildings[i].footprint_m, b.city.buildings[i].footprint_m);
    EXPECT_EQ(a.city.buildings[i].height_m, b.city.buildings[i].height_m);
  }
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].id, b.events[i].id);
    EXPECT_EQ(a.events[i].position_m, b.events[i].position_m);
    EXPECT_EQ(a.events[i].time_ns, b.events[i].time_ns);
  }
  ASSERT_EQ(a.emissions.size(), b.emissions.size());
  for (size_t i = 0; i < a.emissions.size(); ++i) {
    const Emission& e = a.emissions[i];
    const Emission& f = b.emissions[i];
    EXPECT_EQ(e.time_ns, f.time_ns);
    EXPECT_EQ(e.position_m, f.position_m);
    EXPECT_EQ(e.peak_db_spl_at_1m, f.peak_db_spl_at_1m);
    EXPECT_EQ(e.axis, f.axis);
    EXPECT_EQ(e.waveform_seed, f.waveform_seed);
    if (::testing::Test::HasFailure()) return;  // one difference is enough to see
  }
}

TEST(ScenarioExpansionTest, UnitScenarioIsWhatItSays) {
  const Scenario scenario = ReadOrDie("unit-three-shots.json");
  const Scene& scene = scenario.scene;
  EXPECT_EQ(scene.name, "unit-three-shots");
  EXPECT_EQ(scene.seed, 42u);
  EXPECT_EQ(scene.end_ns - scene.start_ns, 60 * kNanosPerSecond);
  EXPECT_EQ(scene.sensors.size(), 8u);
  EXPECT_EQ(scene.city.buildings.size(), 4u);
  ASSERT_EQ(scene.events.size(), 3u);
  ASSERT_EQ(scene.emissions.size(), 3u);
  EXPECT_EQ(scene.events[0].id, "E1");
  EXPECT_EQ(scene.events[2].kind, SourceKind::kRifle);
  EXPECT_EQ(scene.emissions[2].bullet_speed_mps, 850.0);
  EXPECT_EQ(scenario.output.group, "UNIT");
  for (const SimSensor& sensor : scene.sensors) {
    EXPECT_DOUBLE_EQ(sensor.true_position_m.z(), 6.0);
    EXPECT_LT((sensor.reported_position_m - sensor.true_position_m).norm(), 5 * 2.5 * 1.5);
    EXPECT_EQ(sensor.sample_rate_hz, 12000.0);
  }
  for (size_t i = 0; i < scene.emissions.size(); ++i) {
    const Emission& emission = scene.emissions[i];
    EXPECT_EQ(emission.event_index, static_cast<int>(i));
    EXPECT_EQ(emission.time_ns, scene.events[i].time_ns);
    EXPECT_DOUBLE_EQ(emission.position_m.z(), emission.kind == SourceKind::kRifle ? 1.5 : 1.4);
    const SourceTraits& traits = TraitsOf(emission.kind);
    EXPECT_GE(emission.peak_db_spl_at_1m, traits.peak_db_spl_at_1m_min);
    EXPECT_LE(emission.peak_db_spl_at_1m, traits.peak_db_spl_at_1m_max);
  }
  // aim_azimuth_deg 30: clockwise from north.
  EXPECT_NEAR(scene.emissions[0].axis.x(), 0.5, 1e-12);
  EXPECT_NEAR(scene.emissions[0].axis.y(), std::sqrt(3.0) / 2.0, 1e-12);
}

TEST(ScenarioExpansionTest, SameSeedGivesTheSameSceneAndAnotherSeedAnother) {
  const Scenario first = ReadOrDie("july4-district.json");
  const Scenario again = ReadOrDie("july4-district.json");
  ExpectSameScene(first.scene, again.scene);

  const Scenario other = ReadOrDie("july4-district.json", 8);
  EXPECT_EQ(other.scene.seed, 8u);
  EXPECT_NE(first.scene.emissions.size(), other.scene.emissions.size());
  EXPECT_NE(first.scene.sensors[0].reported_position_m, other.scene.sensors[0].reported_position_m);
  EXPECT_NE(first.scene.city.buildings[0].height_m, other.scene.city.buildings[0].height_m);
}

TEST(ScenarioExpansionTest, EmissionsAreSortedAndBelongToTheirEvents) {
  const Scene scene = ReadOrDie("july4-district.json").scene;
  ASSERT_FALSE(scene.emissions.empty());
  std::vector<int> per_event(scene.events.size(), 0);
  for (size_t i = 0; i < scene.emissions.size(); ++i) {
    const Emission& emission = scene.emissions[i];
    if (i > 0) {
      ASSERT_LE(scene.emissions[i - 1].time_ns, emission.time_ns);
    }
    ASSERT_GE(emission.event_index, 0);
    ASSERT_LT(emission.event_index, static_cast<int>(scene.events.size()));
    const Event& event = scene.events[static_cast<size_t>(emission.event_index)];
    EXPECT_GE(emission.time_ns, event.time_ns);
    ++per_event[static_cast<size_t>(emission.event_index)];
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < scene.events.size(); ++i) {
    const Event& event = scene.events[i];
    EXPECT_TRUE(ids.insert(event.id).second) << event.id;
    EXPECT_EQ(event.event_class, ClassOfKind(event.kind));
    const int expected = event.kind == SourceKind::kFireworkBurst ? 2 * event.rounds : event.rounds;
    EXPECT_EQ(per_event[i], expected) << event.id;
    if (i > 0) {
      EXPECT_LE(scene.events[i - 1].time_ns, event.time_ns);
    }
  }
}

TEST(ScenarioExpansionTest, ThreeRoundBurstHasThreeEmissionsAtTheCadence) {
  json document = Minimal();
  document["events"][0]["rounds"] = 3;
  document["events"][0]["cadence_s"] = 0.25;
  document["events"][0]["aim_azimuth_deg"] = 90;
  document["events"][0]["peak_db_spl_at_1m"] = 158;
  const auto scenario = Parse(document);
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  const Scene& scene = scenario->scene;
  ASSERT_EQ(scene.events.size(), 1u);
  EXPECT_EQ(scene.events[0].rounds, 3);
  EXPECT_EQ(scene.events[0].id, "E0001");
  ASSERT_EQ(scene.emissions.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    const Emission& emission = scene.emissions[static_cast<size_t>(k)];
    EXPECT_EQ(emission.round_index, k);
    EXPECT_EQ(emission.position_m, scene.emissions[0].position_m);
    EXPECT_EQ(emission.peak_db_spl_at_1m, 158.0);
    EXPECT_NEAR(emission.axis.x(), 1.0, 1e-12);
    if (k > 0) {
      // Handguns keep their cadence within ±10 %.
      EXPECT_NEAR(Seconds(emission.time_ns - scene.emissions[static_cast<size_t>(k) - 1].time_ns),
                  0.25, 0.025 + 1e-9);
    }
  }
  EXPECT_NE(scene.emissions[0].waveform_seed, scene.emissions[1].waveform_seed);
  EXPECT_EQ(scene.emissions[0].time_ns, scene.start_ns + 5 * kNanosPerSecond);
}

TEST(ScenarioExpansionTest, FireworkBurstsAreHighAndAfterTheirLifts) {
  json document = Minimal();
  document["atmosphere"] = {{"wind_speed_mps", 5}, {"wind_from_deg", 270}};
  document["events"][0] = {{"kind", "firework_burst"},
                           {"position", {{"x_m", 10}, {"y_m", 20}}},
                           {"time_s", 1},
                           {"rounds", 8}};
  const auto scenario = Parse(document);
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  const Scene& scene = scenario->scene;
  ASSERT_EQ(scene.emissions.size(), 16u);
  std::map<int, const Emission*> lifts, bursts;
  for (const Emission& emission : scene.emissions) {
    (emission.kind == SourceKind::kFireworkLift ? lifts : bursts)[emission.round_index] = &emission;
  }
  ASSERT_EQ(lifts.size(), 8u);
  ASSERT_EQ(bursts.size(), 8u);
  for (const auto& [round, lift] : lifts) {
    const Emission& burst = *bursts.at(round);
    const double above_m = burst.position_m.z() - lift->position_m.z();
    EXPECT_GE(above_m, 30.0);
    EXPECT_LE(above_m, 300.0);
    const double delay_s = Seconds(burst.time_ns - lift->time_ns);
    EXPECT_GE(delay_s, 2.0);
    EXPECT_LE(delay_s, 5.0);
    // A west wind carries the shell east, 5 m/s for the rise, give or take the tilt.
    const double east_m = burst.position_m.x() - lift->position_m.x();
    EXPECT_NEAR(east_m, 5.0 * delay_s, 4 * 0.05 * above_m + 1e-9);
    EXPECT_EQ(lift->position_m, Eigen::Vector3d(10, 20, 0.3));
  }
}

TEST(ScenarioExpansionTest, GeneratedStructureIsRealistic) {
  const Scene scene = ReadOrDie("july4-district.json").scene;
  int strings = 0, shells = 0;
  for (size_t e = 0; e < scene.events.size(); ++e) {
    const Event& event = scene.events[e];
    std::vector<const Emission*> own;
    for (const Emission& emission : scene.emissions) {
      if (emission.event_index == static_cast<int>(e)) own.push_back(&emission);
    }
    const double ground_m = scene.city.ground.HeightAt(event.position_m.head<2>());
    if (event.kind == SourceKind::kFirecracker && event.rounds > 1) {
      ++strings;
      EXPECT_GE(event.rounds, 20);
      EXPECT_LE(event.rounds, 200);
      for (size_t k = 1; k < own.size(); ++k) {
        const double gap_s = Seconds(own[k]->time_ns - own[k - 1]->time_ns);
        EXPECT_GE(gap_s, 0.02 - 1e-9);
        EXPECT_LE(gap_s, 0.1);
      }
    }
    for (const Emission* emission : own) {
      if (emission->kind != SourceKind::kFireworkBurst) continue;
      ++shells;
      const double above_m = emission->position_m.z() - ground_m;
      EXPECT_GE(above_m, 30.0);
      EXPECT_LE(above_m, 300.5);
    }
  }
  EXPECT_GT(strings, 30);
  EXPECT_GT(shells, 500);
}

// |count − mean| within 5 standard deviations (plus one for small means).
void ExpectPoisson(double count, double mean, const std::string& what) {
  EXPECT_NEAR(count, mean, 5.0 * std::sqrt(mean) + 1.0) << what;
}

TEST(ScenarioExpansionTest, GeneratorCountsFollowTheRates) {
  const Scene scene = ReadOrDie("july4-district.json").scene;
  std::map<SourceKind, int> counts;
  for (const Event& event : scene.events) ++counts[event.kind];
  const std::map<SourceKind, double> rates = {
      {SourceKind::kHandgun, 10},        {SourceKind::kRifle, 2},
      {SourceKind::kShotgun, 1},         {SourceKind::kFirecracker, 100},
      {SourceKind::kFireworkBurst, 250}, {SourceKind::kBackfire, 3},
      {SourceKind::kDoorSlam, 8},        {SourceKind::kHammer, 0.5},
      {SourceKind::kNailGun, 0.2},       {SourceKind::kBalloonPop, 10}};
  for (const auto& [kind, per_hour] : rates) {
    ExpectPoisson(counts[kind], per_hour, SourceKindName(kind));
  }

  // Many events of each kind: the mean emissions per event is what the doc says.
  json document = Minimal();
  document["duration_s"] = 3600;
  json many;
  for (const auto& [kind, per_hour] : rates) many[SourceKindName(kind)] = 1500;
  document["event_generators"] = json::array({{{"area", {{"km2", 4}}}, {"rates_per_hour", many}}});
  const auto generated = Parse(document);
  ASSERT_TRUE(generated.has_value()) << generated.error().ToString();
  std::map<SourceKind, std::vector<double>> emissions_of;
  std::vector<double> per_event(generated->scene.events.size(), 0.0);
  for (const Emission& emission : generated->scene.emissions) {
    ++per_event[static_cast<size_t>(emission.event_index)];
  }
  for (size_t e = 0; e < per_event.size(); ++e) {
    emissions_of[generated->scene.events[e].kind].push_back(per_event[e]);
  }
  for (const auto& [kind, values] : emissions_of) {
    if (values.size() == 1) continue;  // the given handgun of Minimal()
    ExpectPoisson(static_cast<double>(values.size()), 1500, SourceKindName(kind));
    double mean = 0.0, square = 0.0;
    for (const double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    for (const double v : values) square += (v - mean) * (v - mean);
    const double standard_error = std::sqrt(square / static_cast<double>(values.size() - 1) /
                                            static_cast<double>(values.size()));
    EXPECT_NEAR(mean, internal::ExpectedEmissionsPerEvent(kind), 5 * standard_error + 1e-9)
        << SourceKindName(kind);
  }
}

TEST(ScenarioExpansionTest, JulyFourthHasAHundredTimesTheImpulsesOfANight) {
  const auto expected = [](const Scenario& scenario) {
    // The rates as the files give them, through the documented emissions per event.
    std::ifstream in(ScenariosDir() + "/" + scenario.scene.name + ".json");
    const json document = json::parse(in);
    double total = 0.0;
    for (const auto& [name, rate] : document["event_generators"][0]["rates_per_hour"].items()) {
      total += rate.get<double>() * internal::ExpectedEmissionsPerEvent(*SourceKindFromName(name));
    }
    return total;
  };
  const Scenario night = ReadOrDie("district-night.json");
  const Scenario july4 = ReadOrDie("july4-district.json");
  const double ratio = expected(july4) / expected(night);
  EXPECT_GT(ratio, 95.0);
  EXPECT_LT(ratio, 105.0);
  // The drawn hour is near its expectation (firecracker strings vary most).
  EXPECT_NEAR(static_cast<double>(july4.scene.emissions.size()), expected(july4),
              0.15 * expected(july4));
  // Mostly fireworks and firecrackers.
  size_t festive = 0;
  for (const Emission& emission : july4.scene.emissions) {
    const EventClass c = ClassOfKind(emission.kind);
    festive += c == EventClass::kFirecracker || c == EventClass::kAerialFirework;
  }
  EXPECT_GT(static_cast<double>(festive), 0.95 * static_cast<double>(july4.scene.emissions.size()));
  // The same district: blocks and sensors.
  ASSERT_EQ(night.scene.sensors.size(), july4.scene.sensors.size());
  EXPECT_EQ(night.scene.sensors[17].true_position_m, july4.scene.sensors[17].true_position_m);
  ASSERT_EQ(night.scene.city.buildings.size(), july4.scene.city.buildings.size());
  EXPECT_EQ(night.scene.city.buildings[99].footprint_m, july4.scene.city.buildings[99].footprint_m);
}

TEST(ScenarioExpansionTest, SensorDensityAndPlacement) {
  const Scene scene = ReadOrDie("district-night.json").scene;
  EXPECT_TRUE(scene.frame.is_geodetic());
  ASSERT_EQ(scene.sensors.size(), 200u);
  const double half_m = std::sqrt(10.0) * 1000.0 / 2.0;
  int quadrant[4] = {0, 0, 0, 0};
  std::set<std::string> ids;
  for (const SimSensor& sensor : scene.sensors) {
    EXPECT_TRUE(ids.insert(sensor.id).second);
    const Eigen::Vector3d& p = sensor.true_position_m;
    EXPECT_LE(std::abs(p.x()), half_m);
    EXPECT_LE(std::abs(p.y()), half_m);
    EXPECT_NEAR(p.z(), scene.city.ground.HeightAt(p.head<2>()) + 6.0, 1e-9);
    ++quadrant[(p.x() > 0 ? 1 : 0) + (p.y() > 0 ? 2 : 0)];
    // No generated building stands on a sensor.
    for (const Building& building : scene.city.buildings) {
      ASSERT_GE(internal::DistanceToPolygon(building.footprint_m, p.head<2>()), 8.0 - 1e-9);
    }
  }
  for (const int count : quadrant) EXPECT_NEAR(count, 50, 8);
  EXPECT_EQ(scene.sensors.front().id, "SIM-0001");
  // Nearest neighbours are about the grid spacing of 1/√20 km apart.
  double spacing_sum = 0.0;
  for (const SimSensor& a : scene.sensors) {
    double nearest = 1e9;
    for (const SimSensor& b : scene.sensors) {
      if (&a != &b) nearest = std::min(nearest, (a.true_position_m - b.true_position_m).norm());
    }
    spacing_sum += nearest;
  }
  const double mean_spacing_m = spacing_sum / 200.0;
  EXPECT_GT(mean_spacing_m, 0.6 * 1000.0 / std::sqrt(20.0));
  EXPECT_LT(mean_spacing_m, 1.05 * 1000.0 / std::sqrt(20.0));
}

TEST(ScenarioExpansionTest, GeneratedCityFollowsItsParameters) {
  internal::CityGeneratorSpec spec;
  spec.area.width_m = spec.area.height_m = 1500.0;
  spec.block_size_m = 90.0;
  spec.street_width_m = 16.0;
  spec.min_height_m = 6.0;
  spec.max_height_m = 30.0;
  spec.coverage = 0.45;
  Rng rng(3);
  const std::vector<Building> buildings = internal::GenerateCity(spec, {}, rng);
  ASSERT_GT(buildings.size(), 200u);
  double built_m2 = 0.0;
  for (const Building& building : buildings) {
    ASSERT_EQ(building.footprint_m.size(), 4u);
    EXPECT_GE(building.height_m, 6.0);
    EXPECT_LE(building.height_m, 30.0);
    double twice_area = 0.0;
    for (size_t i = 0; i < 4; ++i) {
      const Eigen::Vector2d& a = building.footprint_m[i];
      const Eigen::Vector2d& b = building.footprint_m[(i + 1) % 4];
      twice_area += a.x() * b.y() - b.x() * a.y();
      EXPECT_TRUE(spec.area.Contains(a));
    }
    EXPECT_GT(twice_area, 0.0);  // counter-clockwise
    built_m2 += twice_area / 2.0;
  }
  // 14 × 14 blocks of 90 m at a pitch of 106 m, 45 % of each built.
  const double blocks_m2 = 14.0 * 14.0 * 90.0 * 90.0;
  EXPECT_NEAR(built_m2 / blocks_m2, 0.45, 0.02);

  // A clearing leaves no building within its radius.
  spec.clearance_m = 25.0;
  const std::vector<Eigen::Vector2d> clearings = {{0.0, 0.0}, {300.0, -200.0}};
  Rng again(3);
  const std::vector<Building> cleared = internal::GenerateCity(spec, clearings, again);
  EXPECT_LT(cleared.size(), buildings.size());
  for (const Building& building : cleared) {
    for (const Eigen::Vector2d& point : clearings) {
      EXPECT_GE(internal::DistanceToPolygon(building.footprint_m, point), 25.0);
    }
  }
  // Generated events stand in the open.
  const Scene july4 = ReadOrDie("july4-district.json").scene;
  const internal::BuildingIndex index(july4.city.buildings);
  for (const Event& event : july4.events) {
    EXPECT_FALSE(index.Inside(event.position_m.head<2>())) << event.id;
  }
}

TEST(ScenarioExpansionTest, SensorImperfectionsFollowTheModelAndStayPerSensor) {
  json document = Minimal();
  document["duration_s"] = 3600;
  document["sensor_model"] = {{"clock_faults_per_hour", 10},  {"clock_fault_length_s", 1},
                              {"clock_fault_offset_s", 0.01}, {"outages_per_hour", 5},
                              {"outage_length_s", 2},         {"gps_sigma_m", 3},
                              {"calibration_sigma_db", 1.5}};
  document["sensor_generators"] = json::array({{{"area", {{"km2", 4}}}, {"density_per_km2", 25}}});
  const auto scenario = Parse(document);
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  const Scene& scene = scenario->scene;
  ASSERT_EQ(scene.sensors.size(), 102u);
  double faults = 0, outages = 0, gps_square = 0, calibration_square = 0;
  for (const SimSensor& sensor : scene.sensors) {
    faults += static_cast<double>(sensor.clock_faults.size());
    outages += static_cast<double>(sensor.outages.size());
    const Eigen::Vector3d error = sensor.reported_position_m - sensor.true_position_m;
    gps_square += error.head<2>().squaredNorm() / 2.0;
    calibration_square += sensor.calibration_error_db * sensor.calibration_error_db;
    EXPECT_EQ(sensor.position_sigma_m, 3.0);
    for (const ClockFault& fault : sensor.clock_faults) {
      EXPECT_GE(fault.interval.begin_ns, scene.start_ns);
      EXPECT_LT(fault.interval.begin_ns, scene.end_ns);
      EXPECT_LT(fault.interval.begin_ns, fault.interval.end_ns);
    }
    for (size_t k = 1; k < sensor.outages.size(); ++k) {
      EXPECT_GT(sensor.outages[k].begin_ns, sensor.outages[k - 1].end_ns);
    }
  }
  ExpectPoisson(faults, 102 * 10, "clock faults");
  ExpectPoisson(outages, 102 * 5, "outages");
  EXPECT_NEAR(std::sqrt(gps_square / 102), 3.0, 0.5);
  EXPECT_NEAR(std::sqrt(calibration_square / 102), 1.5, 0.3);

  // Another sensor in the list changes nothing of sensor A.
  json more = document;
  more["sensors"].push_back({{"id", "C"}, {"position", {{"x_m", 7}, {"y_m", 9}}}});
  const auto bigger = Parse(more);
  ASSERT_TRUE(bigger.has_value());
  EXPECT_EQ(bigger->scene.sensors[0].reported_position_m, scene.sensors[0].reported_position_m);
  EXPECT_EQ(bigger->scene.sensors[0].clock_faults.size(), scene.sensors[0].clock_faults.size());
  EXPECT_EQ(bigger->scene.sensors[0].calibration_error_db, scene.sensors[0].calibration_error_db);
}

TEST(ScenarioExpansionTest, GeodeticPositionsArePlacedInTheFrame) {
  json document = Minimal();
  document["origin"] = {{"lat", 40.0}, {"lon", -80.0}, {"height_m", 250}};
  document["city"] = {{"ground", {{"base_m", 0}}}};
  document["events"][0]["position"] = {{"lat", 40.001}, {"lon", -80.0}};
  document["sensors"][0]["position"] = {{"lat", 40.0}, {"lon", -80.0}, {"height_m", 262}};
  const auto scenario = Parse(document);
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  EXPECT_NEAR(scenario->scene.events[0].position_m.y(), 111.0, 1.0);  // 0.001° of latitude
  EXPECT_NEAR(scenario->scene.events[0].position_m.z(), 1.4, 0.01);
  EXPECT_NEAR(scenario->scene.sensors[0].true_position_m.z(), 12.0, 1e-6);
}

TEST(ScenarioExpansionTest, JulyFourthExpansionTime) {
  // Measured, not asserted (tests never assert on wall-clock time): the report quotes it.
  const auto begin = std::chrono::steady_clock::now();
  const Scenario scenario = ReadOrDie("july4-district.json");
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf(
      "july4-district.json: %zu sensors, %zu buildings, %zu events, %zu emissions "
      "expanded in %.3f s\n",
      scenario.scene.sensors.size(), scenario.scene.city.buildings.size(),
      scenario.scene.events.size(), scenario.scene.emissions.size(), elapsed_s);
  EXPECT_FALSE(scenario.scene.emissions.empty());
}

// ---- The live-fire generator -------------------------------------------------------

struct DatasetTest {
  std::string id;
  Eigen::Vector3d survey_m;
  int rounds = 0;
  std::string firearm;
  int64_t approximate_ns = 0;
  int64_t last_pulse_ns = 0;
  // The first shot's emission time implied by the pulses the vendor chose for it
  // (nlos-tuples.json): the earliest arrival less its travel time from the survey point.
  // A check of the simulator's own estimate only; the simulator never reads that file.
  int64_t vendor_emission_ns = 0;
};

// The firing position read straight from its files, without the simulator's code.
void ReadDataset(const std::string& dir, std::vector<DatasetTest>* tests,
                 std::map<std::string, std::map<std::vector<double>, int>>* positions) {
  std::vector<std::filesystem::path> folders;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  for (const auto& folder : folders) {
    const std::string name = folder.filename().string();
    std::ifstream survey_file(folder / (name + ".survey.json"));
    const json survey = json::parse(survey_file);
    DatasetTest test;
    test.id = name;
    const json& at = survey["survey_location"];
    test.survey_m = {at["x"].get<double>(), at["y"].get<double>(), at["z"].get<double>()};
    test.rounds = survey["num_rounds"].get<int>();
    test.firearm = survey["firearm"].get<std::string>();
    test.approximate_ns = *ParseIsoUtc(survey["approximate_time_utc"].get<std::string>());
    std::ifstream weather_file(folder / (name + ".weather.json"));
    const double speed_mps =
        SpeedOfSoundMps(json::parse(weather_file)["temperature"].get<double>());
    std::ifstream tuples_file(folder / (name + ".nlos-tuples.json"));
    const json first_shot = json::parse(tuples_file).at(0)["pulse_uuids"];
    const std::set<std::string> chosen(first_shot.begin(), first_shot.end());
    test.vendor_emission_ns = std::numeric_limits<int64_t>::max();
    std::ifstream pulses_file(folder / (name + ".allpulses.json"));
    for (const json& pulse : json::parse(pulses_file)) {
      const json& p = pulse["location"];
      const Eigen::Vector3d at(p["x"].get<double>(), p["y"].get<double>(), p["z"].get<double>());
      ++(*positions)[pulse["serial_number"].get<std::string>()][{at.x(), at.y(), at.z()}];
      const int64_t onset_ns = *ParseIsoUtc(pulse["arrival_time_utc"].get<std::string>());
      test.last_pulse_ns = std::max(test.last_pulse_ns, onset_ns);
      if (chosen.contains(pulse["pulse_uuid"].get<std::string>())) {
        const double travel_s = (at - test.survey_m).norm() / speed_mps;
        test.vendor_emission_ns =
            std::min(test.vendor_emission_ns, onset_ns - static_cast<int64_t>(travel_s * 1e9));
      }
    }
    tests->push_back(test);
  }
}

class ScenarioLivefireTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ScenarioLivefireTest, ReproducesTheDatasetsPositions) {
  const std::string fp = GetParam();
  const std::string dir = DatasetDir() + "/" + fp;
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no " << dir;
  json document = {
      {"name", fp}, {"livefire", {{"dataset", dir}}}, {"sensor_model", {{"gps_sigma_m", 0}}}};
  const auto scenario = Parse(document);
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  const Scene& scene = scenario->scene;
  std::vector<DatasetTest> tests;
  std::map<std::string, std::map<std::vector<double>, int>> positions;
  ReadDataset(dir, &tests, &positions);
  ASSERT_EQ(tests.size(), 18u);

  EXPECT_EQ(scenario->output.group, fp);
  EXPECT_FALSE(scene.frame.is_geodetic());
  ASSERT_EQ(scene.events.size(), tests.size());
  size_t rounds = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    const Event& event = scene.events[i];
    EXPECT_EQ(event.id, tests[i].id);
    EXPECT_EQ(event.kind, SourceKind::kHandgun);
    EXPECT_EQ(event.position_m, tests[i].survey_m);  // exactly
    EXPECT_EQ(event.rounds, tests[i].rounds);
    EXPECT_EQ(event.description, tests[i].firearm);
    // The shot is near the minute the survey names (test_053 was fired a second early),
    // before the last pulse it caused, and where the vendor's own pulse selection puts it.
    EXPECT_LT(std::abs(Seconds(event.time_ns - tests[i].approximate_ns)), 90.0);
    EXPECT_LT(event.time_ns, tests[i].last_pulse_ns);
    EXPECT_NEAR(Seconds(event.time_ns - tests[i].vendor_emission_ns), 0.0, 0.02) << event.id;
    rounds += static_cast<size_t>(event.rounds);
  }
  EXPECT_EQ(scene.emissions.size(), rounds);
  for (const Emission& emission : scene.emissions) {
    EXPECT_EQ(emission.position_m,
              scene.events[static_cast<size_t>(emission.event_index)].position_m);
  }
  ASSERT_EQ(scene.sensors.size(), positions.size());
  for (const SimSensor& sensor : scene.sensors) {
    const auto it = positions.find(sensor.id);
    ASSERT_NE(it, positions.end()) << sensor.id;
    // The position the sensor reported most often, exactly.
    int most = 0;
    for (const auto& [position, count] : it->second) most = std::max(most, count);
    const std::vector<double> p = {sensor.true_position_m.x(), sensor.true_position_m.y(),
                                   sensor.true_position_m.z()};
    ASSERT_TRUE(it->second.contains(p)) << sensor.id;
    EXPECT_EQ(it->second.at(p), most) << sensor.id;
    EXPECT_EQ(sensor.reported_position_m, sensor.true_position_m);  // gps_sigma_m 0
  }
  // The terrain passes through the ground under every sensor and under the shooter.
  ASSERT_TRUE(scene.city.ground.HasTerrain());
  for (const SimSensor& sensor : scene.sensors) {
    EXPECT_NEAR(sensor.true_position_m.z(),
                scene.city.ground.HeightAt(sensor.true_position_m.head<2>()) + 6.0, 1e-9);
  }
  for (const Event& event : scene.events) {
    EXPECT_NEAR(event.position_m.z(), scene.city.ground.HeightAt(event.position_m.head<2>()) + 1.5,
                1e-9);
    EXPECT_FALSE(event.survey_position_m.has_value());  // survey_sigma_m 0: exact
  }
  // The scene spans the tests.
  EXPECT_LT(scene.start_ns, scene.events.front().time_ns);
  EXPECT_GT(scene.end_ns, scene.events.back().time_ns);
  EXPECT_GE(scene.atmosphere.weather.temperature_c, -1.1);  // the tests' range
  EXPECT_LE(scene.atmosphere.weather.temperature_c, 1.0);
}

INSTANTIATE_TEST_SUITE_P(FiringPositions, ScenarioLivefireTest,
                         ::testing::Values("FP1", "FP2", "FP3"));

TEST(ScenarioLivefireFileTest, CommittedScenariosReadTheirFiringPositions) {
  for (const char* fp : {"FP1", "FP2", "FP3"}) {
    if (!std::filesystem::is_directory(ScenariosDir() +
                                       "/../../shared/data/pittsburgh-livefire-2018/" + fp)) {
      GTEST_SKIP() << "the scenarios' relative dataset path does not resolve here";
    }
    std::string file = std::string("livefire-") + fp + ".json";
    std::transform(file.begin(), file.end(), file.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const Scenario scenario = ReadOrDie(file);
    EXPECT_EQ(scenario.output.group, fp);
    EXPECT_EQ(scenario.scene.events.size(), 18u) << fp;
    EXPECT_GT(scenario.scene.sensors.size(), 20u) << fp;
    // The survey is off by one error for the whole position; the event stays true.
    const Event& first = scenario.scene.events.front();
    ASSERT_TRUE(first.survey_position_m.has_value()) << fp;
    const Eigen::Vector3d error = *first.survey_position_m - first.position_m;
    EXPECT_GT(error.head<2>().norm(), 0.0);
    EXPECT_LT(error.head<2>().norm(), 15.0);  // 2.5 m per axis, well within 4 sigma
    for (const Event& event : scenario.scene.events) {
      EXPECT_EQ(*event.survey_position_m - event.position_m, error) << event.id;
    }
    // A generated urban fabric with clearings round every sensor.
    EXPECT_GT(scenario.scene.city.buildings.size(), 500u) << fp;
  }
}

}  // namespace
}  // namespace earshot::sim
