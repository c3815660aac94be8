#include "earshot/sim/simulator.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "earshot/core/time.h"

namespace earshot::sim {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = kNanosPerSecond;
constexpr int64_t kStartNs = 1'720'137'600LL * kSecond;  // 2024-07-05T00:00:00Z

// Two shots and a firecracker in a block with one building, six sensors.
Scenario TinyScenario() {
  Scenario scenario;
  Scene& scene = scenario.scene;
  scene.name = "tiny";
  scene.seed = 99;
  scene.start_ns = kStartNs;
  scene.end_ns = kStartNs + 40 * kSecond;
  scene.background.local_impulses_per_hour = 360.0;
  Building building;
  building.footprint_m = {{40, 40}, {80, 40}, {80, 70}, {40, 70}};
  building.height_m = 15.0;
  scene.city.buildings.push_back(building);
  for (int i = 0; i < 6; ++i) {
    SimSensor sensor;
    sensor.id = std::string("SIM-000").append(std::to_string(i));
    sensor.true_position_m = {150.0 * (i % 3) - 100.0, 180.0 * (i / 3) - 60.0, 8.0};
    sensor.reported_position_m = sensor.true_position_m + Eigen::Vector3d(0.7, -0.4, 0.0);
    scene.sensors.push_back(sensor);
  }
  scene.sensors[4].clock_faults.push_back({{kStartNs, kStartNs + 30 * kSecond}, 0.002, 1e-6});
  const auto add = [&](const char* id, SourceKind kind, double t_s, const Eigen::Vector3d& at,
                       int rounds) {
    Event event;
    event.id = id;
    event.kind = kind;
    event.event_class = ClassOfKind(kind);
    event.description = SourceKindName(kind);
    event.position_m = at;
    event.time_ns = kStartNs + static_cast<int64_t>(t_s * 1e9);
    event.rounds = rounds;
    for (int r = 0; r < rounds; ++r) {
      Emission emission;
      emission.event_index = static_cast<int>(scene.events.size());
      emission.round_index = r;
      emission.kind = kind;
      emission.time_ns = event.time_ns + r * 300'000'000LL;
      emission.position_m = at;
      emission.peak_db_spl_at_1m = 150.0;
      emission.waveform_seed = 1000 + static_cast<uint64_t>(scene.emissions.size());
      scene.emissions.push_back(emission);
    }
    scene.events.push_back(event);
  };
  add("E0", SourceKind::kHandgun, 5.0, {10.0, 20.0, 1.5}, 2);
  add("E1", SourceKind::kFirecracker, 18.0, {120.0, 90.0, 1.0}, 1);
  add("E2", SourceKind::kHandgun, 30.0, {-20.0, 60.0, 1.5}, 1);
  scenario.output.window_s = 4.0;
  scenario.output.lead_s = 1.0;
  scenario.output.max_audio_sensors = 3;
  scenario.output.group = "FP1";
  return scenario;
}

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           std::string("earshot_simulator_")
               .append(::testing::UnitTest::GetInstance()->current_test_info()->name())
               .append("_")
               .append(std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

// Every file under `dir` by relative path, with its bytes.
std::map<std::string, std::string> ReadTree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files[fs::relative(entry.path(), dir).string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

TEST_F(SimulatorTest, SameScenarioTwiceGivesByteIdenticalFolders) {
  const Scenario scenario = TinyScenario();
  SimulationOptions one_thread;
  SimulationOptions two_threads;
  two_threads.threads = 2;
  auto first = RunSimulation(scenario, (dir_ / "a").string(), one_thread);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = RunSimulation(scenario, (dir_ / "b").string(), two_threads);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();

  const auto a = ReadTree(dir_ / "a");
  const auto b = ReadTree(dir_ / "b");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.contains(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs";
  }
  // The layout: network files, three windows of the dataset's files, three recordings each.
  for (const char* name :
       {"pulses.jsonl", "sensors.json", "weather.json", "truth.json", "scenario.json",
        "FP1/test_001/test_001.survey.json", "FP1/test_003/test_003.allpulses.json",
        "FP1/test_002/test_002.nlos-tuples.json"}) {
    EXPECT_TRUE(a.contains(name)) << name;
  }
  EXPECT_EQ(first->windows, 3);
  EXPECT_EQ(first->audio_files, 9);
  EXPECT_EQ(first->events_by_class.at("gunfire"), 2);
  EXPECT_EQ(first->emissions, 4);
  EXPECT_GT(first->arrival_pulses, 10);
  int wavs = 0;
  for (const auto& [name, bytes] : a) wavs += name.ends_with(".wav") ? 1 : 0;
  EXPECT_EQ(wavs, 9);
}

TEST_F(SimulatorTest, PulsesOnlyWritesNoWindows) {
  SimulationOptions options;
  options.pulses_only = true;
  auto summary = RunSimulation(TinyScenario(), dir_.string(), options);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->windows, 0);
  EXPECT_EQ(summary->audio_files, 0);
  EXPECT_FALSE(fs::exists(dir_ / "FP1"));
  std::ifstream in(dir_ / "scenario.json");
  const nlohmann::json resolved = nlohmann::json::parse(in);
  EXPECT_EQ(resolved["mode"], "pulses-only");
  EXPECT_EQ(resolved["seed"], 99);
  EXPECT_EQ(resolved["counts"]["pulses"], summary->pulses);
}

TEST_F(SimulatorTest, DifferentSeedDifferentPulses) {
  Scenario scenario = TinyScenario();
  SimulationOptions options;
  options.pulses_only = true;
  ASSERT_TRUE(RunSimulation(scenario, (dir_ / "a").string(), options).has_value());
  scenario.scene.seed = 100;
  ASSERT_TRUE(RunSimulation(scenario, (dir_ / "b").string(), options).has_value());
  EXPECT_NE(ReadTree(dir_ / "a").at("pulses.jsonl"), ReadTree(dir_ / "b").at("pulses.jsonl"));
}

}  // namespace
}  // namespace earshot::sim
