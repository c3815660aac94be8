#include "earshot/sim/dataset_writer.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "earshot/audio/audio_file.h"
#include "earshot/audio/recording_metadata.h"
#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot::sim {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = kNanosPerSecond;
constexpr int64_t kStartNs = 1'545'180'540LL * kSecond;  // 2018-12-19T00:49:00Z

class DatasetWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           std::string("earshot_writer_")
               .append(::testing::UnitTest::GetInstance()->current_test_info()->name())
               .append("_")
               .append(std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

Scenario SmallScenario() {
  Scenario scenario;
  Scene& scene = scenario.scene;
  scene.name = "writer";
  scene.seed = 17;
  scene.start_ns = kStartNs;
  scene.end_ns = kStartNs + 120 * kSecond;
  scene.atmosphere.weather = {4.5, 3.0, 250.0};
  for (int i = 0; i < 4; ++i) {
    SimSensor sensor;
    sensor.id = std::string("SIM-000").append(std::to_string(i));
    sensor.true_position_m = {100.0 * i, 50.0, 8.0};
    sensor.reported_position_m = {100.0 * i + 1.25, 49.5, 8.0};
    sensor.position_sigma_m = 2.5;
    scene.sensors.push_back(sensor);
  }
  scene.sensors[0].outages.push_back({kStartNs + 30 * kSecond, kStartNs + 40 * kSecond});
  scene.sensors[1].clock_faults.push_back({{kStartNs, kStartNs + 60 * kSecond}, 0.003, 1e-6});
  const auto add_event = [&](const std::string& id, double t_s, const Eigen::Vector3d& at) {
    Event event;
    event.id = id;
    event.description = "45 Cal Automatic Handgun";
    event.position_m = at;
    event.time_ns = kStartNs + static_cast<int64_t>(t_s * 1e9);
    event.rounds = 1;
    Emission emission;
    emission.event_index = static_cast<int>(scene.events.size());
    emission.time_ns = event.time_ns;
    emission.position_m = at;
    scene.events.push_back(event);
    scene.emissions.push_back(emission);
  };
  add_event("E0", 10.0, {5.0, 0.0, 1.5});
  add_event("E1", 13.0, {5.0, 0.0, 1.5});    // joins E0's window
  add_event("E2", 35.0, {290.0, 0.0, 1.5});  // its own window; sensor 0 is out
  scenario.output.group = "FP9";
  scenario.output.max_audio_sensors = 2;
  return scenario;
}

SimulatedPulse MakePulse(const Scene& scene, const std::string& id, int sensor, int64_t onset_ns,
                         int emission, bool first_arrival) {
  SimulatedPulse p;
  p.pulse.id = id;
  p.pulse.sensor_id = scene.sensors[static_cast<size_t>(sensor)].id;
  p.pulse.onset_ns = onset_ns;
  p.pulse.onset_sigma_s = 0.000123;
  p.pulse.sensor_position_m = scene.sensors[static_cast<size_t>(sensor)].reported_position_m;
  p.pulse.sensor_position_sigma_m = 2.5;
  p.pulse.snr_db = 12.34;
  p.pulse.level_db_spl = 81.5;
  p.truth.origin = emission >= 0 ? PulseOrigin::kArrival : PulseOrigin::kNoise;
  p.truth.emission_index = emission;
  p.truth.first_arrival = first_arrival;
  p.truth.sensor_index = sensor;
  p.truth.true_arrival_ns = onset_ns - 1234;
  return p;
}

PulseReports SomeReports(const Scene& scene) {
  PulseReports reports;
  reports.pulses.push_back(MakePulse(scene, "p1", 1, kStartNs + 10'300'123'456, 0, true));
  reports.pulses.push_back(MakePulse(scene, "p2", 2, kStartNs + 10'600'999'999, 0, true));
  reports.pulses.push_back(MakePulse(scene, "p3", 2, kStartNs + 10'700'000'000, 0, false));
  reports.pulses.push_back(MakePulse(scene, "p4", 3, kStartNs + 20'000'000'000, -1, false));
  reports.pulses.push_back(MakePulse(scene, "p5", 3, kStartNs + 35'200'000'000, 2, true));
  return reports;
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST_F(DatasetWriterTest, WindowsGroupCloseEventsAndPickNearSensors) {
  const Scenario scenario = SmallScenario();
  const std::vector<DatasetWindow> windows = PlanWindows(scenario.scene, scenario.output);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].name, "test_001");
  EXPECT_EQ(windows[0].test_id, 1);
  EXPECT_EQ(windows[0].begin_ns, kStartNs + 8 * kSecond);
  EXPECT_EQ(windows[0].end_ns, kStartNs + 18 * kSecond);
  EXPECT_EQ(windows[0].events, (std::vector<int>{0, 1}));
  EXPECT_EQ(windows[0].emissions, (std::vector<int>{0, 1}));
  EXPECT_EQ(windows[0].audio_sensors, (std::vector<int>{0, 1}));
  EXPECT_EQ(windows[1].name, "test_002");
  EXPECT_EQ(windows[1].events, (std::vector<int>{2}));
  // Sensor 3 (at 300 m) is nearest to E2 at 290 m, then sensor 2; sensor 0 is out.
  EXPECT_EQ(windows[1].audio_sensors, (std::vector<int>{3, 2}));
}

TEST_F(DatasetWriterTest, LiveFireEventIdsNameTheFolders) {
  Scenario scenario = SmallScenario();
  scenario.scene.events[0].id = "test_007";
  scenario.scene.events[2].id = "test_012";
  const std::vector<DatasetWindow> windows = PlanWindows(scenario.scene, scenario.output);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].name, "test_007");
  EXPECT_EQ(windows[0].test_id, 7);
  EXPECT_EQ(windows[1].name, "test_012");
  // One window without such an id: all are numbered.
  scenario.scene.events[2].id = "E2";
  EXPECT_EQ(PlanWindows(scenario.scene, scenario.output)[0].name, "test_001");
}

TEST_F(DatasetWriterTest, NetworkFilesReadBackWithCoreReaders) {
  const Scenario scenario = SmallScenario();
  const Scene& scene = scenario.scene;
  const PulseReports reports = SomeReports(scene);
  ASSERT_TRUE(WritePulsesFile(Path("pulses.jsonl"), scene, reports).has_value());
  ASSERT_TRUE(WriteSensorsFile(Path("sensors.json"), scene).has_value());
  ASSERT_TRUE(WriteWeatherFile(Path("weather.json"), scene).has_value());
  ASSERT_TRUE(WriteTruthFile(Path("truth.json"), scene, reports).has_value());

  auto sensors = ReadSensorsFile(Path("sensors.json"), LocalFrame::Metric());
  ASSERT_TRUE(sensors.has_value()) << sensors.error().ToString();
  ASSERT_EQ(sensors->size(), scene.sensors.size());
  for (size_t i = 0; i < sensors->size(); ++i) {
    EXPECT_EQ((*sensors)[i].id, scene.sensors[i].id);
    EXPECT_EQ((*sensors)[i].position_m, scene.sensors[i].reported_position_m);
    EXPECT_EQ((*sensors)[i].position_sigma_m, 2.5);
  }

  auto pulses = ReadPulsesFile(Path("pulses.jsonl"), *sensors);
  ASSERT_TRUE(pulses.has_value());
  EXPECT_TRUE(pulses->refused.empty());
  ASSERT_EQ(pulses->set.pulses.size(), reports.pulses.size());
  for (size_t i = 0; i < reports.pulses.size(); ++i) {
    const Pulse& got = pulses->set.pulses[i];
    const Pulse& want = reports.pulses[i].pulse;
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.sensor_id, want.sensor_id);
    EXPECT_EQ(got.onset_ns, want.onset_ns);  // to the nanosecond
    EXPECT_EQ(got.onset_sigma_s, want.onset_sigma_s);
    EXPECT_EQ(got.sensor_position_m, want.sensor_position_m);
    EXPECT_EQ(got.snr_db, want.snr_db);
    EXPECT_EQ(got.level_db_spl, want.level_db_spl);
  }

  auto weather = ReadWeatherFile(Path("weather.json"));
  ASSERT_TRUE(weather.has_value()) << weather.error().ToString();
  EXPECT_EQ(weather->temperature_c, 4.5);
  EXPECT_EQ(weather->wind_speed_mps, 3.0);
  EXPECT_EQ(weather->wind_from_deg, 250.0);

  const nlohmann::json truth = ReadJson(Path("truth.json"));
  EXPECT_EQ(truth["seed"], 17);
  ASSERT_EQ(truth["events"].size(), 3u);
  EXPECT_EQ(truth["events"][2]["id"], "E2");
  EXPECT_EQ(truth["events"][2]["class"], "gunfire");
  EXPECT_EQ(truth["emissions"].size(), 3u);
  EXPECT_EQ(truth["sensors"][0]["outages"].size(), 1u);
  EXPECT_EQ(truth["sensors"][1]["clock_faults"][0]["offset_s"], 0.003);
  EXPECT_EQ(truth["sensors"][1]["true_position"]["x_m"], 100.0);
  EXPECT_EQ(truth["pulses"]["p1"]["origin"], "arrival");
  EXPECT_EQ(truth["pulses"]["p1"]["emission"], 0);
  EXPECT_EQ(truth["pulses"]["p1"]["first_arrival"], true);
  EXPECT_EQ(truth["pulses"]["p4"]["origin"], "noise");
  EXPECT_FALSE(truth["pulses"]["p4"].contains("emission"));
}

TEST_F(DatasetWriterTest, WindowFilesHaveTheDatasetsFormat) {
  const Scenario scenario = SmallScenario();
  const Scene& scene = scenario.scene;
  const PulseReports reports = SomeReports(scene);
  const std::vector<DatasetWindow> windows = PlanWindows(scene, scenario.output);
  ASSERT_TRUE(WriteWindowFiles(dir_.string(), scenario, windows[0], reports).has_value());

  const nlohmann::json survey = ReadJson(Path("test_001.survey.json"));
  EXPECT_EQ(survey["test_id"], 1);
  EXPECT_EQ(survey["firing_position"], "FP9");
  EXPECT_EQ(survey["num_rounds"], 1);
  EXPECT_EQ(survey["firearm"], "45 Cal Automatic Handgun");
  EXPECT_EQ(survey["approximate_time_utc"], "2018-12-19T00:49:00.000Z");
  EXPECT_EQ(survey["survey_location"]["x"], 5.0);
  EXPECT_EQ(survey["survey_location"]["z"], 1.5);

  auto weather = ReadWeatherFile(Path("test_001.weather.json"));
  ASSERT_TRUE(weather.has_value()) << weather.error().ToString();
  EXPECT_EQ(weather->temperature_c, 4.5);
  EXPECT_EQ(weather->wind_from_deg, 250.0);

  // The dataset's allpulses: the window's pulses only, times truncated to milliseconds.
  auto pulses = ReadPulsesFile(Path("test_001.allpulses.json"));
  ASSERT_TRUE(pulses.has_value());
  EXPECT_TRUE(pulses->refused.empty());
  ASSERT_EQ(pulses->set.pulses.size(), 3u);
  EXPECT_EQ(pulses->set.pulses[0].id, "p1");
  EXPECT_EQ(pulses->set.pulses[0].onset_ns, kStartNs + 10'300'000'000);
  EXPECT_EQ(pulses->set.pulses[1].onset_ns, kStartNs + 10'600'000'000);
  EXPECT_EQ(pulses->set.pulses[0].sensor_position_m, scene.sensors[1].reported_position_m);
  EXPECT_EQ(pulses->set.pulses[0].snr_db, 12.34);
  EXPECT_EQ(pulses->set.pulses[0].level_db_spl, 81.5);
  const nlohmann::json raw = ReadJson(Path("test_001.allpulses.json"));
  EXPECT_EQ(raw[0]["arrival_time_utc"], "2018-12-19T00:49:10.300Z");
  EXPECT_EQ(raw[0]["location_error"], 2.5);

  const nlohmann::json tuples = ReadJson(Path("test_001.nlos-tuples.json"));
  ASSERT_EQ(tuples.size(), 2u);  // two gunfire emissions in the window
  EXPECT_EQ(tuples[0]["shot_index"], 0);
  EXPECT_EQ(tuples[0]["pulse_uuids"], nlohmann::json({"p1", "p2"}));
  EXPECT_TRUE(tuples[1]["pulse_uuids"].empty());

  const nlohmann::json truth = ReadJson(Path("test_001.truth.json"));
  EXPECT_EQ(truth["events"].size(), 2u);
  EXPECT_EQ(truth["audio_sensors"], nlohmann::json({"SIM-0000", "SIM-0001"}));
  EXPECT_EQ(truth["pulses"].size(), 3u);
}

TEST_F(DatasetWriterTest, RecordingAndSidecarReadBack) {
  const Scenario scenario = SmallScenario();
  const SimSensor& sensor = scenario.scene.sensors[2];
  RenderedAudio audio;
  audio.clip.sample_rate_hz = 12000.0;
  for (int i = 0; i < 1200; ++i) {
    audio.clip.samples.push_back(
        static_cast<float>(std::round(8000.0 * std::sin(0.05 * i)) / 32768.0));
  }
  audio.true_first_sample_ns = kStartNs + 8 * kSecond;
  audio.stamped_first_sample_ns = kStartNs + 8 * kSecond + 12'345;
  const std::string stem = Path("test_001.audio.SIM-0002");
  ASSERT_TRUE(WriteRecording(stem, sensor, audio, "a test").has_value());

  auto clip = audio::ReadAudioFile(stem + ".wav");
  ASSERT_TRUE(clip.has_value()) << clip.error().ToString();
  EXPECT_EQ(clip->sample_rate_hz, 12000.0);
  EXPECT_EQ(clip->bits_per_sample, 16);
  EXPECT_EQ(clip->samples, audio.clip.samples);

  auto metadata = audio::ReadRecordingMetadata(audio::SidecarPathFor(stem + ".wav"));
  ASSERT_TRUE(metadata.has_value()) << metadata.error().ToString();
  EXPECT_EQ(metadata->sensor_id, "SIM-0002");
  EXPECT_EQ(metadata->first_sample_ns, audio.stamped_first_sample_ns);
  EXPECT_FALSE(metadata->geodetic);
  EXPECT_EQ(metadata->position, sensor.reported_position_m);
  EXPECT_EQ(metadata->sample_rate_hz, 12000.0);
  EXPECT_EQ(metadata->full_scale_db_spl, 93.0);
  EXPECT_EQ(RecordingStem(PlanWindows(scenario.scene, scenario.output)[0], sensor),
            "test_001.audio.SIM-0002");
}

}  // namespace
}  // namespace earshot::sim
