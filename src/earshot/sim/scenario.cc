#include "earshot/sim/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "earshot/core/internal/json_fields.h"
#include "earshot/core/time.h"
#include "earshot/sim/internal/generate_city.h"
#include "earshot/sim/internal/generate_events.h"
#include "earshot/sim/internal/generate_sensors.h"
#include "earshot/sim/internal/scenario_livefire.h"
#include "earshot/sim/internal/scenario_parse.h"
#include "earshot/sim/internal/scenario_spec.h"
#include "earshot/sim/random.h"

namespace earshot::sim {
namespace {

using internal::EventPlan;
using internal::ScenarioSpec;

// Margin of a live-fire scene before its first and after its last test, seconds.
constexpr double kLivefireMarginS = 30.0;
// Generated emissions beyond this are a slip in the rates (a day of July 4th in a
// district is about 200000), refused before they fill the memory.
constexpr double kMaxGeneratedEmissions = 1e7;
// A shooter's GPS survey point (a phone in the hand) stands about this far above the ground.
constexpr double kShooterHeightM = 1.5;
// Known ground points of a live-fire terrain closer than this in plan are one point.
constexpr double kTerrainPointMergeM = 0.5;

std::string FormatMetres(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

int64_t SecondsToNs(double seconds) {
  return static_cast<int64_t>(std::llround(seconds * static_cast<double>(kNanosPerSecond)));
}

// Everything the expansion builds up, with what it must check on the way.
class Expansion {
 public:
  Expansion(const ScenarioSpec& spec, const std::string& source) : spec_(spec), source_(source) {}

  Result<Scenario> Run();

 private:
  Result<void> ReadLivefire();
  void SetTimeAndAir();
  Result<void> SetGround();
  Result<void> PlaceSensors();
  Result<void> PlanGivenEvents();
  void BuildCity();
  Result<void> GenerateEvents();
  void ExpandEvents();

  // Refuses a given point below the ground plane.
  Result<void> CheckAboveGround(const internal::PositionSpec& position) const;
  Result<void> AddSensor(const std::string& id, const Eigen::Vector3d& position_m,
                         const std::string& key);

  const ScenarioSpec& spec_;
  const std::string& source_;
  Scenario scenario_;
  std::optional<internal::LivefirePlan> livefire_;
  std::vector<std::pair<std::string, Eigen::Vector3d>> sensor_positions_;
  std::set<std::string> sensor_ids_;
  std::vector<EventPlan> plans_;
  std::map<std::string, Eigen::Vector3d> survey_positions_;  // live-fire: by event id
};

Result<void> Expansion::ReadLivefire() {
  if (!spec_.livefire) return {};
  auto plan = internal::ReadLivefirePlan(*spec_.livefire, source_);
  if (!plan) return std::unexpected(plan.error());
  livefire_ = std::move(*plan);
  return {};
}

void Expansion::SetTimeAndAir() {
  Scene& scene = scenario_.scene;
  scene.name = spec_.name;
  scene.seed = spec_.seed;
  scene.frame = spec_.frame;
  // Without start_utc or duration_s (allowed only with livefire) the scene spans the
  // tests with a margin, on whole seconds.
  int64_t first_ns = 0, last_ns = 0;
  if (livefire_ && !livefire_->events.empty()) {
    first_ns = last_ns = livefire_->events.front().time_ns;
    for (const EventPlan& event : livefire_->events) {
      first_ns = std::min(first_ns, event.time_ns);
      last_ns = std::max(last_ns, event.time_ns);
    }
  }
  constexpr int64_t kSecond = kNanosPerSecond;
  const int64_t margin_ns = SecondsToNs(kLivefireMarginS);
  scene.start_ns = spec_.start_ns.value_or((first_ns - margin_ns) / kSecond * kSecond);
  if (spec_.duration_s) {
    scene.end_ns = scene.start_ns + SecondsToNs(*spec_.duration_s);
  } else {
    const int64_t span_ns = last_ns + margin_ns - scene.start_ns;
    scene.end_ns = scene.start_ns + (span_ns + kSecond - 1) / kSecond * kSecond;
  }

  scene.atmosphere = spec_.atmosphere;
  if (livefire_) {
    if (!spec_.temperature_given) {
      scene.atmosphere.weather.temperature_c = livefire_->weather.temperature_c;
    }
    if (!spec_.wind_given) {
      scene.atmosphere.weather.wind_speed_mps = livefire_->weather.wind_speed_mps;
      scene.atmosphere.weather.wind_from_deg = livefire_->weather.wind_from_deg;
    }
  }
  scene.background = spec_.background;
  if (!spec_.background_wind_given) {
    scene.background.wind_speed_mps = scene.atmosphere.weather.wind_speed_mps;
  }
  scenario_.output = spec_.output;
  if (livefire_ && !spec_.output_group_given) scenario_.output.group = livefire_->group;
}

Result<void> Expansion::SetGround() {
  CityModel& city = scenario_.scene.city;
  city.ground = spec_.city.ground;
  city.facade_reflection_coefficient = spec_.city.facade_reflection_coefficient;
  if (!livefire_) return {};
  std::vector<internal::StandingPoint> points;
  for (const internal::LivefireSensor& sensor : livefire_->sensors) {
    points.push_back({sensor.position_m, spec_.sensors.mounting_height_m});
  }
  for (const EventPlan& event : livefire_->events) {
    points.push_back({event.position_m, kShooterHeightM});
  }
  if (!spec_.city.ground_given) {
    // The plane through them, and the ground under each as a terrain over it.
    city.ground = internal::FitGround(points, spec_.city.ground);
    for (const internal::StandingPoint& point : points) {
      const Eigen::Vector2d xy = point.position_m.head<2>();
      const bool known =
          std::any_of(city.ground.terrain_points_m.begin(), city.ground.terrain_points_m.end(),
                      [&](const Eigen::Vector3d& p) {
                        return (p.head<2>() - xy).norm() < kTerrainPointMergeM;
                      });
      if (!known) {
        city.ground.terrain_points_m.emplace_back(
            xy.x(), xy.y(), point.position_m.z() - point.height_above_ground_m);
      }
    }
    return {};
  }
  for (const internal::StandingPoint& point : points) {
    const double ground_m = city.ground.HeightAt(point.position_m.head<2>());
    if (point.position_m.z() < ground_m) {
      return Fail(source_, "key city.ground",
                  "expected a ground plane below every position of the live-fire dataset, got "
                  "one at z = " +
                      FormatMetres(ground_m) +
                      " m under a point at z = " + FormatMetres(point.position_m.z()) +
                      " m (leave city.ground out to fit one to the dataset)");
    }
  }
  return {};
}

Result<void> Expansion::CheckAboveGround(const internal::PositionSpec& position) const {
  if (!position.z_m) return {};
  const double ground_m = scenario_.scene.city.ground.HeightAt(position.xy_m);
  if (*position.z_m >= ground_m - 1e-9) return {};
  return Fail(source_, "key " + position.key,
              "expected a point at or above the ground (z = " + FormatMetres(ground_m) +
                  " m there), got z = " + FormatMetres(*position.z_m) + " m");
}

Result<void> Expansion::AddSensor(const std::string& id, const Eigen::Vector3d& position_m,
                                  const std::string& key) {
  if (!sensor_ids_.insert(id).second) {
    return Fail(
        source_, "key " + key,
        "expected sensor ids used once, got " + earshot::internal::QuoteForMessage(id) + " again");
  }
  sensor_positions_.emplace_back(id, position_m);
  return {};
}

Result<void> Expansion::PlaceSensors() {
  const Ground& ground = scenario_.scene.city.ground;
  const double mounting_m = spec_.sensors.mounting_height_m;
  for (size_t i = 0; i < spec_.sensors.list.size(); ++i) {
    const internal::SensorEntrySpec& entry = spec_.sensors.list[i];
    if (auto ok = CheckAboveGround(entry.position); !ok) return ok;
    if (auto ok = AddSensor(entry.id, entry.position.Resolve(ground, mounting_m),
                            "sensors[" + std::to_string(i) + "].id");
        !ok) {
      return ok;
    }
  }
  for (const internal::SensorGeneratorSpec& generator : spec_.sensors.generators) {
    for (const internal::PlacedSensor& placed :
         internal::GenerateSensorGrid(generator, spec_.seed)) {
      const Eigen::Vector3d position(placed.xy_m.x(), placed.xy_m.y(),
                                     ground.HeightAt(placed.xy_m) + mounting_m);
      if (auto ok = AddSensor(placed.id, position, generator.key + ".id_prefix"); !ok) return ok;
    }
  }
  if (livefire_) {
    for (const internal::LivefireSensor& sensor : livefire_->sensors) {
      if (auto ok = AddSensor(sensor.id, sensor.position_m, "livefire.dataset"); !ok) return ok;
    }
  }
  for (const auto& [id, position] : sensor_positions_) {
    scenario_.scene.sensors.push_back(internal::MakeSensor(id, position, spec_.sensors.model,
                                                           spec_.seed, scenario_.scene.start_ns,
                                                           scenario_.scene.end_ns));
  }
  return {};
}

Result<void> Expansion::PlanGivenEvents() {
  std::set<std::string> ids;
  const auto claim = [&](const std::string& id, const std::string& key) -> Result<void> {
    if (ids.insert(id).second) return {};
    return Fail(
        source_, "key " + key,
        "expected event ids used once, got " + earshot::internal::QuoteForMessage(id) + " again");
  };
  for (size_t i = 0; i < spec_.events.size(); ++i) {
    const internal::EventSpec& given = spec_.events[i];
    if (auto ok = CheckAboveGround(given.position); !ok) return ok;
    EventPlan plan;
    plan.kind = given.kind;
    if (given.id) {
      if (auto ok = claim(*given.id, given.key + ".id"); !ok) return ok;
      plan.id = *given.id;
    }
    plan.description = given.description;
    plan.stream = given.id ? "event/" + *given.id : "events[" + std::to_string(i) + "]";
    plan.position_m = given.position.Resolve(scenario_.scene.city.ground,
                                             internal::DefaultSourceHeightM(given.kind));
    plan.time_ns = scenario_.scene.start_ns + SecondsToNs(given.time_s);
    plan.rounds = given.rounds;
    plan.cadence_s = given.cadence_s.value_or(internal::DefaultCadenceS(given.kind));
    plan.cadence_spread = internal::DefaultCadenceSpread(given.kind);
    plan.peak_db_spl_at_1m = given.peak_db_spl_at_1m;
    plan.aim_azimuth_deg = given.aim_azimuth_deg;
    plan.aim_elevation_deg = given.aim_elevation_deg;
    plan.bullet_speed_mps = given.bullet_speed_mps;
    plan.burst_height_m = given.burst_height_m;
    plan.burst_delay_s = given.burst_delay_s;
    plans_.push_back(std::move(plan));
  }
  if (livefire_) {
    // The survey's error: one draw for the firing position, every test surveyed alike.
    Rng rng = Rng::Stream(spec_.seed, "livefire/survey");
    const double sigma_m = spec_.livefire->survey_sigma_m;
    const Eigen::Vector3d error(sigma_m * rng.Normal(), sigma_m * rng.Normal(),
                                1.5 * sigma_m * rng.Normal());
    for (EventPlan& plan : livefire_->events) {
      if (auto ok = claim(plan.id, "livefire.dataset"); !ok) return ok;
      if (sigma_m > 0.0) survey_positions_[plan.id] = plan.position_m + error;
      plans_.push_back(plan);
    }
  }
  return {};
}

void Expansion::BuildCity() {
  std::vector<Building>& buildings = scenario_.scene.city.buildings;
  buildings = spec_.city.buildings;
  if (spec_.city.generators.empty()) return;
  // Clearings: every sensor and every event the file or the dataset places.
  std::vector<Eigen::Vector2d> clearings;
  for (const auto& [id, position] : sensor_positions_) clearings.push_back(position.head<2>());
  for (const EventPlan& plan : plans_) clearings.push_back(plan.position_m.head<2>());
  for (const internal::CityGeneratorSpec& generator : spec_.city.generators) {
    Rng rng = Rng::Stream(spec_.seed, generator.key);
    std::vector<Building> generated = internal::GenerateCity(generator, clearings, rng);
    buildings.insert(buildings.end(), std::make_move_iterator(generated.begin()),
                     std::make_move_iterator(generated.end()));
  }
}

Result<void> Expansion::GenerateEvents() {
  if (spec_.event_generators.empty()) return {};
  const Scene& scene = scenario_.scene;
  const double duration_s = NanosToSeconds(scene.end_ns - scene.start_ns);
  // Refuse rates that would fill the memory before drawing a single event.
  for (const internal::EventGeneratorSpec& generator : spec_.event_generators) {
    double emissions = 0.0;
    for (const auto& [kind, per_hour] : generator.rates_per_hour) {
      emissions += per_hour * duration_s / 3600.0 * internal::ExpectedEmissionsPerEvent(kind);
    }
    if (emissions > kMaxGeneratedEmissions) {
      return Fail(source_, "key " + generator.key + ".rates_per_hour",
                  "expected rates that give at most 10000000 emissions over the scene, got "
                  "rates that give about " +
                      std::to_string(static_cast<int64_t>(emissions)));
    }
  }
  const internal::BuildingIndex index(scene.city.buildings);
  for (const internal::EventGeneratorSpec& generator : spec_.event_generators) {
    std::vector<EventPlan> generated = internal::GenerateEventPlans(
        generator, spec_.seed, scene.start_ns, duration_s, scene.city.ground, index);
    plans_.insert(plans_.end(), std::make_move_iterator(generated.begin()),
                  std::make_move_iterator(generated.end()));
  }
  return {};
}

void Expansion::ExpandEvents() {
  std::sort(plans_.begin(), plans_.end(), [](const EventPlan& a, const EventPlan& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.stream < b.stream;
  });
  std::set<std::string> taken;
  for (const EventPlan& plan : plans_) {
    if (!plan.id.empty()) taken.insert(plan.id);
  }
  Scene& scene = scenario_.scene;
  int next_number = 1;
  for (EventPlan& plan : plans_) {
    while (plan.id.empty()) {
      char id[32];
      std::snprintf(id, sizeof id, "E%04d", next_number++);
      if (!taken.contains(id)) plan.id = id;
    }
    const int index = static_cast<int>(scene.events.size());
    Event event;
    event.id = plan.id;
    event.event_class = ClassOfKind(plan.kind);
    event.kind = plan.kind;
    event.description = plan.description;
    event.position_m = plan.position_m;
    event.time_ns = plan.time_ns;
    event.rounds = plan.rounds;
    if (const auto survey = survey_positions_.find(plan.id); survey != survey_positions_.end()) {
      event.survey_position_m = survey->second;
    }
    scene.events.push_back(std::move(event));
    for (Emission& emission :
         internal::ExpandEventPlan(plan, spec_.seed, scene.atmosphere.weather)) {
      emission.event_index = index;
      scene.emissions.push_back(emission);
    }
  }
  std::sort(scene.emissions.begin(), scene.emissions.end(),
            [](const Emission& a, const Emission& b) {
              if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
              if (a.event_index != b.event_index) return a.event_index < b.event_index;
              if (a.round_index != b.round_index) return a.round_index < b.round_index;
              return static_cast<int>(a.kind) < static_cast<int>(b.kind);
            });
}

Result<Scenario> Expansion::Run() {
  if (auto ok = ReadLivefire(); !ok) return std::unexpected(ok.error());
  SetTimeAndAir();
  if (auto ok = SetGround(); !ok) return std::unexpected(ok.error());
  if (auto ok = PlaceSensors(); !ok) return std::unexpected(ok.error());
  if (auto ok = PlanGivenEvents(); !ok) return std::unexpected(ok.error());
  BuildCity();
  if (auto ok = GenerateEvents(); !ok) return std::unexpected(ok.error());
  ExpandEvents();
  return std::move(scenario_);
}

}  // namespace

Result<Scenario> ParseScenario(const std::string& json_text, const std::string& source_name,
                               const std::string& base_dir, std::optional<uint64_t> seed) {
  auto document = earshot::internal::ParseJsonDocument(json_text, source_name);
  if (!document) return std::unexpected(document.error());
  auto spec = internal::ParseScenarioSpec(*document, source_name, base_dir, seed);
  if (!spec) return std::unexpected(spec.error());
  return Expansion(*spec, source_name).Run();
}

Result<Scenario> ReadScenarioFile(const std::string& path, std::optional<uint64_t> seed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", "cannot open: " + std::string(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return ParseScenario(std::move(text).str(), path, base_dir, seed);
}

}  // namespace earshot::sim
