#include "earshot/sim/pulse_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "earshot/core/time.h"
#include "earshot/sim/sensor_model.h"

namespace earshot::sim {
namespace {

constexpr int64_t kStartNs = 1'700'000'000LL * kNanosPerSecond;
constexpr int64_t kSecond = kNanosPerSecond;

SimSensor MakeSensor(int index, const Eigen::Vector3d& position_m) {
  SimSensor sensor;
  char id[16];
  std::snprintf(id, sizeof id, "SIM-%04d", index);
  sensor.id = id;
  sensor.true_position_m = position_m;
  sensor.reported_position_m = position_m;
  sensor.position_sigma_m = 0.0;
  sensor.self_noise_db_spl = 20.0;
  sensor.clock_jitter_s = 20e-6;
  return sensor;
}

// Open ground, quiet air, no local impulses: only the shots are heard.
Scene QuietScene(uint64_t seed) {
  Scene scene;
  scene.name = "quiet";
  scene.seed = seed;
  scene.start_ns = kStartNs;
  scene.end_ns = kStartNs + 600 * kSecond;
  scene.atmosphere.weather.temperature_c = 15.0;
  scene.background.traffic_db_spl = 30.0;
  scene.background.local_impulses_per_hour = 0.0;
  return scene;
}

// One handgun shot per second at `source`, each its own event.
void AddShots(Scene* scene, const Eigen::Vector3d& source, int count, double level_db = 150.0) {
  for (int i = 0; i < count; ++i) {
    Event event;
    event.id = std::string("E").append(std::to_string(scene->events.size()));
    event.kind = SourceKind::kHandgun;
    event.event_class = EventClass::kGunfire;
    event.description = "test handgun";
    event.position_m = source;
    event.time_ns = scene->start_ns + (10 + static_cast<int64_t>(scene->events.size())) * kSecond;
    Emission emission;
    emission.event_index = static_cast<int>(scene->events.size());
    emission.kind = SourceKind::kHandgun;
    emission.time_ns = event.time_ns;
    emission.position_m = source;
    emission.peak_db_spl_at_1m = level_db;
    emission.axis = Eigen::Vector3d::UnitX();
    scene->events.push_back(event);
    scene->emissions.push_back(emission);
  }
}

PulseReports Simulate(const Scene& scene, int threads = 1) {
  const PathFinder paths(scene.city, scene.atmosphere);
  PulseModelOptions options;
  options.threads = threads;
  return SimulatePulses(scene, paths, options);
}

std::vector<std::pair<std::string, int64_t>> IdsAndOnsets(const PulseReports& reports) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const SimulatedPulse& p : reports.pulses) out.emplace_back(p.pulse.id, p.pulse.onset_ns);
  return out;
}

TEST(DetectionProbabilityTest, LogisticAroundTheThreshold) {
  const PulseModelOptions options;
  EXPECT_DOUBLE_EQ(DetectionProbability(options.detection_snr_db, options), 0.5);
  EXPECT_NEAR(DetectionProbability(options.detection_snr_db + options.detection_spread_db, options),
              1.0 / (1.0 + std::exp(-1.0)), 1e-12);
  double previous = 0.0;
  for (double snr = -20.0; snr <= 40.0; snr += 0.5) {
    const double p = DetectionProbability(snr, options);
    EXPECT_GE(p, previous);
    previous = p;
  }
  EXPECT_LT(DetectionProbability(-10.0, options), 1e-5);
  EXPECT_GT(DetectionProbability(30.0, options), 1.0 - 1e-5);
}

TEST(TimingSigmaTest, GrowsAtLowSnrWithinItsBounds) {
  const PulseModelOptions options;
  EXPECT_NEAR(TimingSigmaS(options.detection_snr_db, options), 0.3e-3, 1e-12);
  EXPECT_NEAR(TimingSigmaS(options.detection_snr_db + 20.0, options), 0.12e-3, 1e-12);
  EXPECT_GT(TimingSigmaS(2.0, options), TimingSigmaS(20.0, options));
  EXPECT_LE(TimingSigmaS(-100.0, options), options.timing_sigma_max_s);
}

TEST(PulseIdTest, LooksLikeAVersion4Uuid) {
  Rng rng(42);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = DrawPulseId(rng);
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(PulseModelTest, LoudNearbyShotGivesADirectPulseWithinTheTimingBound) {
  Scene scene = QuietScene(1);
  for (int i = 0; i < 8; ++i) {
    const double angle = 2.0 * 3.14159265358979 * i / 8.0;
    scene.sensors.push_back(
        MakeSensor(i, {60.0 * std::cos(angle) + 5.0 * i, 60.0 * std::sin(angle), 8.0}));
  }
  AddShots(&scene, {0.0, 0.0, 1.5}, 40);
  const PulseReports reports = Simulate(scene);

  const PulseModelOptions options;
  int direct = 0;
  double sum_sq = 0.0;
  for (const SimulatedPulse& p : reports.pulses) {
    if (!p.truth.first_arrival) continue;
    ASSERT_EQ(p.truth.origin, PulseOrigin::kArrival);
    EXPECT_EQ(p.truth.path, PathKind::kDirect);
    ++direct;
    const SimSensor& sensor = scene.sensors[static_cast<size_t>(p.truth.sensor_index)];
    // The stated sigma is the detector's and the clock's together.
    const double bound_s =
        std::hypot(TimingSigmaS(p.truth.true_snr_db, options), sensor.clock_jitter_s);
    EXPECT_NEAR(p.pulse.onset_sigma_s, bound_s, 1e-6);
    const double error_s = NanosToSeconds(p.pulse.onset_ns - p.truth.true_arrival_ns);
    EXPECT_LT(std::abs(error_s), 5.0 * bound_s);
    sum_sq += (error_s / bound_s) * (error_s / bound_s);
    // Levels: near a 150 dB shot, far above the quiet background.
    EXPECT_GT(p.pulse.snr_db, 30.0);
    EXPECT_LT((p.pulse.sensor_position_m - sensor.reported_position_m).norm(), 1e-3);  // mm
  }
  EXPECT_EQ(direct, 8 * 40);  // every sensor heard every shot
  // The normalised errors have unit variance (320 draws: within ±25 %).
  EXPECT_NEAR(std::sqrt(sum_sq / direct), 1.0, 0.25);
}

TEST(PulseModelTest, SensorInAnOutageReportsNothing) {
  Scene scene = QuietScene(2);
  scene.background.local_impulses_per_hour = 600.0;
  scene.sensors.push_back(MakeSensor(0, {50.0, 0.0, 8.0}));
  scene.sensors.push_back(MakeSensor(1, {-50.0, 0.0, 8.0}));
  scene.sensors[1].outages.push_back({scene.start_ns, scene.end_ns + 60 * kSecond});
  AddShots(&scene, {0.0, 0.0, 1.5}, 10);
  const PulseReports reports = Simulate(scene);
  int heard = 0;
  for (const SimulatedPulse& p : reports.pulses) {
    EXPECT_NE(p.pulse.sensor_id, "SIM-0001");
    ++heard;
  }
  EXPECT_GT(heard, 10);
}

TEST(PulseModelTest, DetectionFallsWithDistance) {
  Scene scene = QuietScene(3);
  scene.background.traffic_db_spl = 55.0;
  const std::vector<double> distances = {100, 300, 600, 1000, 1500, 2200, 3000, 4500, 7000};
  for (size_t i = 0; i < distances.size(); ++i) {
    // Spread around the source so that no sensor shadows another.
    const double angle = 0.7 * static_cast<double>(i);
    scene.sensors.push_back(MakeSensor(static_cast<int>(i), {distances[i] * std::cos(angle),
                                                             distances[i] * std::sin(angle), 8.0}));
  }
  AddShots(&scene, {0.0, 0.0, 1.5}, 200, 140.0);
  const PulseReports reports = Simulate(scene);
  std::map<int, int> heard;
  for (const SimulatedPulse& p : reports.pulses) {
    if (p.truth.first_arrival) ++heard[p.truth.sensor_index];
  }
  // Each rate has a binomial standard error of at most √(0.25/200) = 3.5 %.
  for (size_t i = 1; i < distances.size(); ++i) {
    EXPECT_LE(heard[static_cast<int>(i)], heard[static_cast<int>(i - 1)] + 20) << distances[i];
  }
  EXPECT_EQ(heard[0], 200);
  EXPECT_LT(heard[static_cast<int>(distances.size() - 1)], 20);
}

TEST(PulseModelTest, NoisePulsesFollowTheBackgroundRate) {
  Scene scene = QuietScene(4);
  scene.end_ns = scene.start_ns + 3600 * kSecond;
  scene.background.local_impulses_per_hour = 30.0;
  for (int i = 0; i < 50; ++i) scene.sensors.push_back(MakeSensor(i, {100.0 * i, 0.0, 8.0}));
  const PulseReports reports = Simulate(scene);
  // 50 sensors * 30 per hour: mean 1500, sigma √1500 = 38.7; five sigmas either side.
  EXPECT_EQ(reports.noise_pulses, static_cast<int64_t>(reports.pulses.size()));
  EXPECT_NEAR(static_cast<double>(reports.noise_pulses), 1500.0, 5.0 * std::sqrt(1500.0));
  for (const SimulatedPulse& p : reports.pulses) {
    EXPECT_EQ(p.truth.origin, PulseOrigin::kNoise);
    EXPECT_EQ(p.truth.emission_index, -1);
    EXPECT_GE(p.truth.true_arrival_ns, scene.start_ns);
    EXPECT_LT(p.truth.true_arrival_ns, scene.end_ns);
  }
}

Scene BusyScene(uint64_t seed) {
  Scene scene = QuietScene(seed);
  scene.background.local_impulses_per_hour = 120.0;
  scene.background.traffic_db_spl = 55.0;
  for (int i = 0; i < 12; ++i) {
    scene.sensors.push_back(MakeSensor(i, {300.0 * (i % 4), 300.0 * (i / 4), 8.0}));
  }
  scene.sensors[3].clock_faults.push_back({{scene.start_ns, scene.end_ns}, 0.004, 1e-6});
  AddShots(&scene, {420.0, 250.0, 1.5}, 15);
  AddShots(&scene, {100.0, 500.0, 1.5}, 15, 145.0);
  return scene;
}

TEST(PulseModelTest, SameSeedSameReportsWhateverTheThreads) {
  const Scene scene = BusyScene(5);
  const PulseReports one = Simulate(scene, 1);
  const PulseReports three = Simulate(scene, 3);
  ASSERT_GT(one.pulses.size(), 100u);
  EXPECT_EQ(IdsAndOnsets(one), IdsAndOnsets(three));
  for (size_t i = 0; i < one.pulses.size(); ++i) {
    EXPECT_EQ(one.pulses[i].pulse.level_db_spl, three.pulses[i].pulse.level_db_spl);
    EXPECT_EQ(one.pulses[i].pulse.snr_db, three.pulses[i].pulse.snr_db);
  }
}

TEST(PulseModelTest, DifferentSeedDifferentReports) {
  EXPECT_NE(IdsAndOnsets(Simulate(BusyScene(5))), IdsAndOnsets(Simulate(BusyScene(6))));
}

TEST(PulseModelTest, AddingASensorLeavesTheOthersAlone) {
  const Scene scene = BusyScene(8);
  Scene more = scene;
  more.sensors.push_back(MakeSensor(99, {150.0, 150.0, 8.0}));
  const PulseReports before = Simulate(scene);
  PulseReports after = Simulate(more);
  std::erase_if(after.pulses,
                [](const SimulatedPulse& p) { return p.pulse.sensor_id == "SIM-0099"; });
  EXPECT_EQ(IdsAndOnsets(before), IdsAndOnsets(after));
}

TEST(PulseModelTest, ClockFaultMakesStampsLate) {
  const Scene scene = BusyScene(9);
  const PulseReports reports = Simulate(scene);
  int checked = 0;
  for (const SimulatedPulse& p : reports.pulses) {
    if (p.truth.sensor_index != 3 || p.truth.origin == PulseOrigin::kNoise) continue;
    EXPECT_TRUE(p.truth.clock_faulted);
    const double bias_s = ClockBiasS(scene.sensors[3], p.truth.true_arrival_ns);
    const double error_s = NanosToSeconds(p.pulse.onset_ns - p.truth.true_arrival_ns) - bias_s;
    EXPECT_LT(std::abs(error_s - p.truth.timing_error_s), 5.0 * scene.sensors[3].clock_jitter_s);
    EXPECT_GT(bias_s, 0.004);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(PulseModelTest, PulsesAreSortedByOnsetAndIdsAreUnique) {
  const PulseReports reports = Simulate(BusyScene(10));
  std::set<std::string> ids;
  for (size_t i = 0; i < reports.pulses.size(); ++i) {
    EXPECT_TRUE(ids.insert(reports.pulses[i].pulse.id).second);
    if (i > 0) {
      EXPECT_LE(reports.pulses[i - 1].pulse.onset_ns, reports.pulses[i].pulse.onset_ns);
    }
  }
  EXPECT_EQ(reports.arrival_pulses + reports.shock_wave_pulses + reports.noise_pulses,
            static_cast<int64_t>(reports.pulses.size()));
}

TEST(PulseModelTest, EveryCrackerOfAStringArrivesFromItsOwnSpot) {
  Scene scene = QuietScene(12);
  Building building;
  building.footprint_m = {{20, -15}, {40, -15}, {40, 15}, {20, 15}};
  building.height_m = 12.0;
  scene.city.buildings.push_back(building);
  for (int i = 0; i < 6; ++i) {
    const double angle = 1.05 * i;
    scene.sensors.push_back(MakeSensor(i, {90.0 * std::cos(angle), 90.0 * std::sin(angle), 6.0}));
  }
  // One string of crackers hopping about a metre at a time: one source group.
  Event event;
  event.id = "S1";
  event.kind = SourceKind::kFirecracker;
  event.event_class = EventClass::kFirecracker;
  event.time_ns = scene.start_ns + 5 * kSecond;
  event.rounds = 8;
  scene.events.push_back(event);
  for (int r = 0; r < 8; ++r) {
    Emission emission;
    emission.kind = SourceKind::kFirecracker;
    emission.round_index = r;
    emission.time_ns = event.time_ns + r * 80'000'000LL;
    emission.position_m = {0.3 * r, 0.25 * r * (r % 2 == 0 ? 1 : -1), 0.5};
    emission.peak_db_spl_at_1m = 140.0;
    scene.emissions.push_back(emission);
  }
  const PathFinder paths(scene.city, scene.atmosphere);
  const PulseReports reports = SimulatePulses(scene, paths, {});
  int checked = 0;
  for (const SimulatedPulse& p : reports.pulses) {
    if (!p.truth.first_arrival) continue;
    const Emission& emission = scene.emissions[static_cast<size_t>(p.truth.emission_index)];
    const std::vector<PropagationPath> own =
        paths.Paths(emission.position_m,
                    scene.sensors[static_cast<size_t>(p.truth.sensor_index)].true_position_m);
    ASSERT_FALSE(own.empty());
    EXPECT_EQ(p.truth.true_arrival_ns, emission.time_ns + std::llround(own[0].travel_time_s * 1e9));
    EXPECT_EQ(p.truth.path, own[0].kind);
    ++checked;
  }
  EXPECT_GE(checked, 8 * 5);
}

TEST(PulseModelTest, RifleShockWaveIsASeparateEarlierPulse) {
  Scene scene = QuietScene(11);
  // Sensors beside the line of fire, 40-200 m downrange and 30 m to the side.
  for (int i = 0; i < 5; ++i) scene.sensors.push_back(MakeSensor(i, {40.0 + 40.0 * i, 30.0, 8.0}));
  AddShots(&scene, {0.0, 0.0, 1.5}, 5, 160.0);
  for (Emission& emission : scene.emissions) {
    emission.kind = SourceKind::kRifle;
    emission.bullet_speed_mps = 900.0;
  }
  for (Event& event : scene.events) event.kind = SourceKind::kRifle;
  const PulseReports reports = Simulate(scene);
  EXPECT_GT(reports.shock_wave_pulses, 0);
  std::map<std::pair<int, int>, int64_t> shock_ns, blast_ns;
  for (const SimulatedPulse& p : reports.pulses) {
    const auto key = std::make_pair(p.truth.emission_index, p.truth.sensor_index);
    if (p.truth.origin == PulseOrigin::kShockWave) shock_ns[key] = p.truth.true_arrival_ns;
    if (p.truth.first_arrival) blast_ns[key] = p.truth.true_arrival_ns;
  }
  for (const auto& [key, t] : shock_ns) {
    if (blast_ns.contains(key)) {
      EXPECT_LT(t, blast_ns[key]);
    }
  }
}

}  // namespace
}  // namespace earshot::sim
