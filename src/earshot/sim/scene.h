// What a simulated scene is made of, after a scenario file has been read and its
// generators expanded: the city (buildings and ground), the air, the sensors, and the
// emissions (every bang at its place and time, with the event it belongs to).
//
// Everything is in the scene's local East-North-Up frame, metres, z up; times are UTC
// nanoseconds (core/time.h). Sound pressures are pascals; levels are dB re 20 µPa.
#ifndef EARSHOT_SIM_SCENE_H_
#define EARSHOT_SIM_SCENE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/local_frame.h"
#include "earshot/core/weather.h"

namespace earshot::sim {

// ---- The city ------------------------------------------------------------------------

// A building: a simple polygon footprint (counter-clockwise, not closed: the last vertex
// joins the first) extruded from the ground to a flat roof.
struct Building {
  std::vector<Eigen::Vector2d> footprint_m;
  double height_m = 10.0;  // roof above the ground at the footprint
};

// The ground: a plane z = base_m + slope · (x, y), and, when `terrain_points_m` is not
// empty, a height surface through known ground points on top of it. Planar scenes (the
// districts) leave the terrain empty. A live-fire scene knows the ground under each sensor
// and under the shooter; between them the surface is the plane plus the inverse-distance
// weighted (Shepard, power 2) residuals of the points from the plane: it passes exactly
// through every point, is smooth between them, and far from all of them follows the
// plane (shifted by the residuals' weighted mean).
struct Ground {
  double base_m = 0.0;
  Eigen::Vector2d slope = Eigen::Vector2d::Zero();  // dz/dx, dz/dy
  // Pressure reflection coefficient of the ground (asphalt ~0.95, grass ~0.6).
  double reflection_coefficient = 0.9;
  // Known ground points (x, y, ground z), distinct in plan; empty: the plane alone.
  std::vector<Eigen::Vector3d> terrain_points_m;

  double PlaneHeightAt(const Eigen::Vector2d& xy) const { return base_m + slope.dot(xy); }
  bool HasTerrain() const { return !terrain_points_m.empty(); }

  // The ground's height at xy and its gradient (dz/dx, dz/dy) there: the local plane.
  double HeightAndGradientAt(const Eigen::Vector2d& xy, Eigen::Vector2d* gradient) const {
    if (terrain_points_m.empty()) {
      if (gradient != nullptr) *gradient = slope;
      return PlaneHeightAt(xy);
    }
    // Shepard: H = Σ w_i r_i / Σ w_i, w_i = 1/d_i², r_i the point's height over the plane;
    // ∇H = Σ ∇w_i (r_i − H) / Σ w_i with ∇w_i = −2 (xy − p_i) / d_i⁴.
    double weight_sum = 0.0, weighted = 0.0;
    Eigen::Vector2d dw_sum = Eigen::Vector2d::Zero(), dw_weighted = Eigen::Vector2d::Zero();
    for (const Eigen::Vector3d& point : terrain_points_m) {
      const Eigen::Vector2d offset = xy - point.head<2>();
      const double d2 = offset.squaredNorm();
      const double residual = point.z() - PlaneHeightAt(point.head<2>());
      if (d2 < 1e-12) {  // on a known point: its height; the gradient of the plane there
        if (gradient != nullptr) *gradient = slope;
        return point.z();
      }
      const double w = 1.0 / d2;
      weight_sum += w;
      weighted += w * residual;
      const Eigen::Vector2d dw = -2.0 * w * w * offset;
      dw_sum += dw;
      dw_weighted += dw * residual;
    }
    const double h = weighted / weight_sum;
    if (gradient != nullptr) *gradient = slope + (dw_weighted - h * dw_sum) / weight_sum;
    return PlaneHeightAt(xy) + h;
  }
  double HeightAt(const Eigen::Vector2d& xy) const { return HeightAndGradientAt(xy, nullptr); }
};

struct CityModel {
  std::vector<Building> buildings;
  Ground ground;
  // Pressure reflection coefficient of facades (brick and glass reflect strongly).
  double facade_reflection_coefficient = 0.8;
};

// The air: temperature, wind (core/weather.h) and what absorption needs besides.
struct Atmosphere {
  Weather weather;
  double relative_humidity_pct = 70.0;
  double pressure_kpa = 101.325;
};

// ---- Sources ---------------------------------------------------------------------------

// The truth classes the classifier must tell apart (issue 5).
enum class EventClass { kGunfire, kAerialFirework, kFirecracker, kOtherImpulsive };

// What made one bang. Each kind has its waveform model in source_waveform.h.
enum class SourceKind {
  kHandgun,
  kRifle,  // muzzle blast plus a supersonic bullet's shock wave
  kShotgun,
  kFirecracker,
  kFireworkLift,   // the lift charge on the ground
  kFireworkBurst,  // the shell bursting 30–300 m up
  kBackfire,
  kDoorSlam,
  kHammer,
  kNailGun,
  kBalloonPop,
};

// "handgun", "firework_burst", ... (the names scenario files use) and back.
const char* SourceKindName(SourceKind kind);
std::optional<SourceKind> SourceKindFromName(const std::string& name);
const char* EventClassName(EventClass event_class);
EventClass ClassOfKind(SourceKind kind);

// One impulsive emission: a single round, one firecracker, one lift or burst.
struct Emission {
  int event_index = 0;  // into Scene::events
  int round_index = 0;  // 0-based within the event (round of a burst, cracker of a string)
  SourceKind kind = SourceKind::kHandgun;
  int64_t time_ns = 0;  // when the sound leaves the source (the muzzle, the shell)
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  // Peak sound pressure level of the blast at 1 m on its loudest axis, dB SPL.
  double peak_db_spl_at_1m = 155.0;
  // Direction the source points (a muzzle, a bullet's flight), unit vector; muzzle
  // blasts are louder ahead than behind (source_waveform.h: Directivity).
  Eigen::Vector3d axis = Eigen::Vector3d::UnitX();
  // Supersonic bullet speed, m/s; 0 when the projectile is subsonic or there is none.
  double bullet_speed_mps = 0.0;
  // Seeds the waveform's small random variations (so each round differs a little).
  uint64_t waveform_seed = 0;
};

// One event as a witness would tell it: "three rounds from a handgun at the corner".
struct Event {
  std::string id;  // "E0007"
  EventClass event_class = EventClass::kGunfire;
  SourceKind kind = SourceKind::kHandgun;
  std::string description;  // "45 Cal Automatic Handgun", "aerial shell", ...
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();  // on the ground (firework: launch)
  int64_t time_ns = 0;                                   // first emission
  int rounds = 1;
  // Where a survey put it, with the survey's own error (a live-fire test's smartphone
  // GPS); none: the survey is the true position. The dataset writer writes this one.
  std::optional<Eigen::Vector3d> survey_position_m;
};

// ---- Sensors ---------------------------------------------------------------------------

// A closed interval of time, UTC ns.
struct TimeInterval {
  int64_t begin_ns = 0;
  int64_t end_ns = 0;
  bool Contains(int64_t t_ns) const { return t_ns >= begin_ns && t_ns <= end_ns; }
};

// A time interval during which a sensor's clock lost its PPS lock and drifts: its time
// stamps are late by offset_s + drift_s_per_s · (t − begin).
struct ClockFault {
  TimeInterval interval;
  double offset_s = 0.0;
  double drift_s_per_s = 0.0;
};

struct SimSensor {
  std::string id;  // "SIM-0042"
  Eigen::Vector3d true_position_m = Eigen::Vector3d::Zero();
  Eigen::Vector3d reported_position_m = Eigen::Vector3d::Zero();  // with its GPS error
  double position_sigma_m = 2.5;                                  // what the sensor claims
  double sample_rate_hz = 12000.0;
  double full_scale_db_spl = 93.0;    // peak of a full-scale sine
  double calibration_error_db = 0.0;  // true gain minus the nominal
  double self_noise_db_spl = 35.0;    // microphone and ADC noise, A-weighted-ish broadband
  double clock_jitter_s = 20e-6;      // PPS-disciplined: one-sigma per time stamp
  std::vector<ClockFault> clock_faults;
  std::vector<TimeInterval> outages;  // hears and reports nothing
  bool HeardAt(int64_t t_ns) const {
    for (const TimeInterval& outage : outages) {
      if (outage.Contains(t_ns)) return false;
    }
    return true;
  }
};

// ---- Background ------------------------------------------------------------------------

// Continuous sound at every sensor (background.h renders it). Levels are the
// equivalent continuous level at a sensor, dB SPL; 0 switches a component off.
struct BackgroundSpec {
  double traffic_db_spl = 50.0;
  double wind_speed_mps = 0.0;  // wind noise on the microphone grows with wind speed
  double rain_mm_per_h = 0.0;
  double voices_db_spl = 0.0;
  double music_db_spl = 0.0;
  // Unrelated impulses per sensor per hour heard only by that sensor (a dropped bin
  // lid next to one pole): the noise pulses the locator must ignore.
  double local_impulses_per_hour = 30.0;
};

// ---- The whole scene -----------------------------------------------------------------

struct Scene {
  std::string name;
  uint64_t seed = 0;
  LocalFrame frame = LocalFrame::Metric();  // for output in WGS84 when geodetic
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  Atmosphere atmosphere;
  CityModel city;
  BackgroundSpec background;
  std::vector<SimSensor> sensors;
  std::vector<Event> events;
  std::vector<Emission> emissions;  // sorted by time_ns
};

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_SCENE_H_
