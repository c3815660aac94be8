// A scenario file as read, before its generators are expanded (scenario.cc): every key
// checked, defaults filled in, geodetic positions placed in the scene's frame. The keys,
// units, defaults and ranges are documented in docs/simulation.md ("Scenarios").
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_SCENARIO_SPEC_H_
#define EARSHOT_SIM_INTERNAL_SCENARIO_SPEC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/sim/scenario.h"
#include "earshot/sim/scene.h"

namespace earshot::sim::internal {

// An axis-aligned rectangle of the ground, local metres.
struct AreaSpec {
  Eigen::Vector2d center_m = Eigen::Vector2d::Zero();
  double width_m = 1000.0;   // along x (east)
  double height_m = 1000.0;  // along y (north)

  Eigen::Vector2d Min() const { return center_m - Eigen::Vector2d(width_m, height_m) / 2.0; }
  Eigen::Vector2d Max() const { return center_m + Eigen::Vector2d(width_m, height_m) / 2.0; }
  double AreaKm2() const { return width_m * height_m * 1e-6; }
  bool Contains(const Eigen::Vector2d& xy) const {
    const Eigen::Vector2d lo = Min(), hi = Max();
    return xy.x() >= lo.x() && xy.x() <= hi.x() && xy.y() >= lo.y() && xy.y() <= hi.y();
  }
};

// A point as a scenario gives it: x and y, and the height either absolute (z) or above
// the ground; neither means "the default height above the ground" of what stands there.
struct PositionSpec {
  Eigen::Vector2d xy_m = Eigen::Vector2d::Zero();
  std::optional<double> z_m;
  std::optional<double> height_above_ground_m;
  std::string key;  // "events[2].position", for refusals

  Eigen::Vector3d Resolve(const Ground& ground, double default_height_m) const {
    if (z_m) return {xy_m.x(), xy_m.y(), *z_m};
    return {xy_m.x(), xy_m.y(),
            ground.HeightAt(xy_m) + height_above_ground_m.value_or(default_height_m)};
  }
};

// A seeded grid of city blocks with buildings (generate_city.h).
struct CityGeneratorSpec {
  AreaSpec area;
  double block_size_m = 80.0;    // side of a square block, street to street
  double street_width_m = 15.0;  // kerb to kerb, between blocks
  double min_height_m = 6.0;     // building heights are drawn in [min, max]
  double max_height_m = 25.0;
  double coverage = 0.5;      // built fraction of each block's area
  double clearance_m = 10.0;  // no building this close to a sensor or a given event
  std::string key;            // "city.generators[0]"
};

struct CitySpec {
  Ground ground;
  bool ground_given = false;  // else the live-fire generator fits it to the dataset
  double facade_reflection_coefficient = 0.8;
  std::vector<Building> buildings;
  std::vector<CityGeneratorSpec> generators;
};

// What every sensor of the scenario is like, and how its imperfections are drawn
// (generate_sensors.h).
struct SensorModelSpec {
  double sample_rate_hz = 12000.0;
  double full_scale_db_spl = 93.0;
  double calibration_sigma_db = 1.0;
  double self_noise_db_spl = 35.0;
  double gps_sigma_m = 2.5;
  double clock_jitter_s = 20e-6;
  double clock_faults_per_hour = 0.0;
  double clock_fault_length_s = 600.0;      // mean (exponential)
  double clock_fault_offset_s = 5e-3;       // sigma (normal, mean 0)
  double clock_fault_drift_s_per_s = 1e-6;  // sigma (normal, mean 0)
  double outages_per_hour = 0.0;
  double outage_length_s = 1800.0;  // mean (exponential)
};

struct SensorEntrySpec {
  std::string id;
  PositionSpec position;
};

struct SensorGeneratorSpec {
  AreaSpec area;
  double density_per_km2 = 10.0;
  double jitter_m = 0.0;  // sigma of each sensor's offset from its grid point
  std::string id_prefix = "SIM-";
  std::string key;  // "sensors.generators[0]"
};

struct SensorsSpec {
  SensorModelSpec model;
  double mounting_height_m = 6.0;
  std::vector<SensorEntrySpec> list;
  std::vector<SensorGeneratorSpec> generators;
};

// One event as the file gives it; what is left out is drawn (generate_events.h).
struct EventSpec {
  std::optional<std::string> id;
  std::string description;
  SourceKind kind = SourceKind::kHandgun;
  PositionSpec position;
  double time_s = 0.0;  // after the scene's start
  int rounds = 1;
  std::optional<double> cadence_s;
  std::optional<double> peak_db_spl_at_1m;
  std::optional<double> aim_azimuth_deg;    // clockwise from north
  std::optional<double> aim_elevation_deg;  // above the horizontal
  std::optional<double> bullet_speed_mps;
  std::optional<double> burst_height_m;  // firework: above the launch
  std::optional<double> burst_delay_s;   // firework: burst after lift
  std::string key;                       // "events.list[2]"
};

struct EventGeneratorSpec {
  AreaSpec area;
  std::map<SourceKind, double> rates_per_hour;  // events per hour in the whole area
  std::string key;                              // "events.generators[0]"
};

struct LivefireSpec {
  std::string dataset_dir;  // resolved against the scenario file's folder
  std::string dataset_as_written;
  double cadence_s = 0.7;  // mean time between the rounds of a 3-round test
  // The survey's own error: the written survey position is the true one moved by a normal
  // error of this sigma per horizontal axis (1.5 sigma vertically), one draw per firing
  // position (the dataset's smartphone GPS: about 2.5 m). 0: the survey is exact.
  double survey_sigma_m = 0.0;
};

struct ScenarioSpec {
  std::string name;
  uint64_t seed = 1;
  std::optional<int64_t> start_ns;
  std::optional<double> duration_s;
  LocalFrame frame = LocalFrame::Metric();
  Atmosphere atmosphere;
  // Which of the weather keys the file gave (the live-fire generator fills the others).
  bool temperature_given = false;
  bool wind_given = false;
  CitySpec city;
  SensorsSpec sensors;
  BackgroundSpec background;
  bool background_wind_given = false;
  std::vector<EventSpec> events;
  std::vector<EventGeneratorSpec> event_generators;
  std::optional<LivefireSpec> livefire;
  OutputOptions output;
  bool output_group_given = false;
};

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SCENARIO_SPEC_H_
