#include "earshot/sim/pulse_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <thread>

#include "earshot/core/time.h"
#include "earshot/core/weather.h"
#include "earshot/sim/atmosphere.h"
#include "earshot/sim/background.h"
#include "earshot/sim/internal/parallel_for.h"
#include "earshot/sim/internal/sound_level.h"
#include "earshot/sim/local_impulses.h"
#include "earshot/sim/sensor_model.h"
#include "earshot/sim/source_waveform.h"

namespace earshot::sim {
namespace {

constexpr double kSecondsPerHour = 3600.0;
// Arrivals within a source's positive phase of each other add their pressures; direct
// and ground paths in phase add up to 6 dB over either alone. The range cut allows it.
constexpr double kCoherentSumMarginDb = 6.0;
// Rifles: sensors this far from the muzzle are checked for the bullet's shock wave
// (source_waveform.h: BulletShockAt gives none beyond the trajectory's range).
constexpr double kShockSearchRadiusM = 1200.0;
// Sensor grid cell size, m. The range cut is hundreds of metres to kilometres.
constexpr double kGridCellM = 250.0;
// Emissions of one event within this distance of its first form a source group.
constexpr double kGroupRadiusM = 3.0;
// Safety margin on a group member's level estimated from the group's first emission, dB.
constexpr double kNeighbourMarginDb = 10.0;

// Rounds to `digits` decimals: the nearest double to the decimal, so it prints short.
double Round(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}
int64_t SecondsToNanos(double seconds) {
  return std::llround(seconds * static_cast<double>(kNanosPerSecond));
}

// Sensors bucketed on a coarse grid, for "which sensors lie within r of this point".
class SensorGrid {
 public:
  explicit SensorGrid(const std::vector<SimSensor>& sensors) : sensors_(sensors) {
    if (sensors.empty()) return;
    Eigen::Vector2d lo = sensors[0].true_position_m.head<2>();
    Eigen::Vector2d hi = lo;
    for (const SimSensor& sensor : sensors) {
      lo = lo.cwiseMin(sensor.true_position_m.head<2>());
      hi = hi.cwiseMax(sensor.true_position_m.head<2>());
    }
    origin_ = lo;
    nx_ = static_cast<int>((hi.x() - lo.x()) / kGridCellM) + 1;
    ny_ = static_cast<int>((hi.y() - lo.y()) / kGridCellM) + 1;
    cells_.resize(static_cast<size_t>(nx_) * static_cast<size_t>(ny_));
    for (int i = 0; i < static_cast<int>(sensors.size()); ++i) {
      const auto [cx, cy] = CellOf(sensors[i].true_position_m.head<2>());
      cells_[static_cast<size_t>(cy) * static_cast<size_t>(nx_) + static_cast<size_t>(cx)]
          .push_back(i);
    }
  }

  // Indices of the sensors within `radius_m` (3D) of `point`, ascending.
  std::vector<int> Within(const Eigen::Vector3d& point, double radius_m) const {
    std::vector<int> found;
    if (cells_.empty()) return found;
    const auto cell_range = [&](double coordinate, double origin, int n) {
      const double lo = std::floor((coordinate - radius_m - origin) / kGridCellM);
      const double hi = std::floor((coordinate + radius_m - origin) / kGridCellM);
      return std::pair<int, int>(static_cast<int>(std::clamp(lo, 0.0, n - 1.0)),
                                 static_cast<int>(std::clamp(hi, 0.0, n - 1.0)));
    };
    const auto [x0, x1] = cell_range(point.x(), origin_.x(), nx_);
    const auto [y0, y1] = cell_range(point.y(), origin_.y(), ny_);
    for (int cy = y0; cy <= y1; ++cy) {
      for (int cx = x0; cx <= x1; ++cx) {
        for (const int i :
             cells_[static_cast<size_t>(cy) * static_cast<size_t>(nx_) + static_cast<size_t>(cx)]) {
          if ((sensors_[i].true_position_m - point).norm() <= radius_m) found.push_back(i);
        }
      }
    }
    std::sort(found.begin(), found.end());
    return found;
  }

 private:
  std::pair<int, int> CellOf(const Eigen::Vector2d& xy) const {
    const int cx = std::clamp(static_cast<int>((xy.x() - origin_.x()) / kGridCellM), 0, nx_ - 1);
    const int cy = std::clamp(static_cast<int>((xy.y() - origin_.y()) / kGridCellM), 0, ny_ - 1);
    return {cx, cy};
  }

  const std::vector<SimSensor>& sensors_;
  Eigen::Vector2d origin_ = Eigen::Vector2d::Zero();
  int nx_ = 0;
  int ny_ = 0;
  std::vector<std::vector<int>> cells_;
};

// What every emission-sensor pair needs, computed once.
struct Context {
  const Scene& scene;
  const PathFinder& paths;
  const PulseModelOptions& options;
  SensorGrid grid;
  std::vector<double> noise_floor_db;  // per sensor
  double quietest_floor_db = 0.0;
  double speed_of_sound_mps = 343.0;
};

// The free-field level at distance d is an upper bound on every path's level: every path
// is at least d long, reflections and barriers only take away, and the directivity is
// at most its on-axis 0 dB.
double UpperBoundLevelDb(const Emission& emission, double alpha_db_per_m, double distance_m) {
  const double r = std::max(distance_m, 1.0);
  return emission.peak_db_spl_at_1m + kCoherentSumMarginDb - 20.0 * std::log10(r) -
         alpha_db_per_m * r;
}

// Distance beyond which the bound falls below `floor_db`, m (bisection; the bound falls
// monotonically with distance).
double AudibleRangeM(const Emission& emission, double alpha_db_per_m, double floor_db) {
  double lo = 1.0;
  double hi = 1e6;
  if (UpperBoundLevelDb(emission, alpha_db_per_m, lo) < floor_db) return lo;
  if (UpperBoundLevelDb(emission, alpha_db_per_m, hi) >= floor_db) return hi;
  for (int i = 0; i < 60; ++i) {
    const double mid = std::sqrt(lo * hi);
    (UpperBoundLevelDb(emission, alpha_db_per_m, mid) >= floor_db ? lo : hi) = mid;
  }
  return hi;
}

std::string PairStreamName(const Scene& scene, const Emission& emission, const SimSensor& sensor,
                           const char* what) {
  std::string name("pulses/");
  name.append(scene.events[static_cast<size_t>(emission.event_index)].id)
      .append("/")
      .append(std::to_string(emission.round_index))
      .append("/")
      .append(SourceKindName(emission.kind))
      .append("/")
      .append(sensor.id)
      .append("/")
      .append(what);
  return name;
}

// Turns a detected arrival into the sensor's report: level scatter, detector timing
// error, clock stamp, id. Draws from `rng` in a fixed order.
SimulatedPulse Report(const Context& ctx, int sensor_index, const PulseTruth& truth_in,
                      bool late_onset, Rng& rng) {
  const SimSensor& sensor = ctx.scene.sensors[static_cast<size_t>(sensor_index)];
  const PulseModelOptions& options = ctx.options;
  SimulatedPulse out;
  out.truth = truth_in;
  out.truth.sensor_index = sensor_index;
  out.truth.clock_faulted = ClockFaulted(sensor, truth_in.true_arrival_ns);

  const double level_error_db = options.level_sigma_db * rng.Normal();
  const double sigma_s = TimingSigmaS(truth_in.true_snr_db, options);
  double error_s = sigma_s * rng.Normal();
  if (late_onset) error_s += rng.Exponential(options.diffraction_late_mean_s);
  out.truth.timing_error_s = error_s;
  const int64_t onset_ns =
      StampTimeNs(sensor, truth_in.true_arrival_ns + SecondsToNanos(error_s), rng);

  // The sensor reads levels through its own (mis)calibration and cannot read above
  // its full scale; the SNR is against its equally miscalibrated noise floor.
  const double measured_db =
      std::min(truth_in.true_level_db_spl + sensor.calibration_error_db + level_error_db,
               sensor.full_scale_db_spl);
  const double floor_db =
      ctx.noise_floor_db[static_cast<size_t>(sensor_index)] + sensor.calibration_error_db;

  Pulse& pulse = out.pulse;
  pulse.id = DrawPulseId(rng);
  pulse.sensor_id = sensor.id;
  pulse.onset_ns = onset_ns;
  pulse.onset_sigma_s =
      Round(std::hypot(sigma_s, sensor.clock_jitter_s), 6);  // what the sensor states
  pulse.sensor_position_m =
      sensor.reported_position_m.unaryExpr([](double v) { return Round(v, 3); });
  pulse.sensor_position_sigma_m = Round(sensor.position_sigma_m, 3);
  pulse.level_db_spl = Round(measured_db, 2);
  pulse.snr_db = Round(measured_db - floor_db, 2);
  return out;
}

struct Arrival {
  PathKind kind = PathKind::kDirect;
  int64_t true_ns = 0;
  double pressure_pa = 0.0;
};

bool IsDiffraction(PathKind kind) {
  return kind == PathKind::kDiffractionRoof || kind == PathKind::kDiffractionSide;
}

// The blast's arrivals at one sensor: the first, and the later ones the detector can
// tell from it.
void BlastPulses(const Context& ctx, int emission_index, int sensor_index,
                 const std::vector<PropagationPath>& paths, Rng& rng,
                 std::vector<SimulatedPulse>* out) {
  const Scene& scene = ctx.scene;
  const PulseModelOptions& options = ctx.options;
  const Emission& emission = scene.emissions[static_cast<size_t>(emission_index)];
  const SimSensor& sensor = scene.sensors[static_cast<size_t>(sensor_index)];
  const double floor_db = ctx.noise_floor_db[static_cast<size_t>(sensor_index)];
  const int64_t positive_phase_ns = SecondsToNanos(TraitsOf(emission.kind).positive_phase_s);
  const int64_t separation_ns = SecondsToNanos(options.min_separation_s);

  std::vector<Arrival> arrivals;
  arrivals.reserve(paths.size());
  for (const PropagationPath& path : paths) {
    arrivals.push_back({path.kind, emission.time_ns + SecondsToNanos(path.travel_time_s),
                        internal::DbSplToPa(ArrivalLevelDbSpl(emission, path, scene.atmosphere))});
  }
  const PathKind first_kind = arrivals[0].kind;
  int64_t previous_ns = arrivals[0].true_ns;
  size_t k = 0;
  while (k < arrivals.size()) {
    const Arrival& arrival = arrivals[k];
    // Arrivals within the positive phase add to this one's peak.
    double pressure_pa = arrival.pressure_pa;
    size_t next = k + 1;
    while (next < arrivals.size() &&
           arrivals[next].true_ns - arrival.true_ns <= positive_phase_ns) {
      pressure_pa += arrivals[next].pressure_pa;
      ++next;
    }
    const bool first = k == 0;
    // Later arrivals: a detector tells them apart only when they come well after the
    // previous one; a diffracted one only when the direct path exists (behind a building
    // the diffracted arrivals are the pulse itself, smeared).
    const bool candidate =
        first || (arrival.true_ns - previous_ns >= separation_ns &&
                  (!IsDiffraction(arrival.kind) || first_kind == PathKind::kDirect));
    if (candidate) {
      previous_ns = arrival.true_ns;
      const double level_db = internal::PaToDbSpl(pressure_pa);
      const double snr_db = level_db - floor_db;
      const bool detected = rng.Bernoulli(DetectionProbability(snr_db, options));
      if (detected && sensor.HeardAt(arrival.true_ns)) {
        PulseTruth truth;
        truth.origin = PulseOrigin::kArrival;
        truth.emission_index = emission_index;
        truth.path = arrival.kind;
        truth.first_arrival = first;
        truth.true_arrival_ns = arrival.true_ns;
        truth.true_level_db_spl = level_db;
        truth.true_snr_db = snr_db;
        out->push_back(Report(ctx, sensor_index, truth, IsDiffraction(arrival.kind), rng));
      }
    }
    k = next;
  }
}

void ShockWavePulse(const Context& ctx, int emission_index, int sensor_index,
                    std::vector<SimulatedPulse>* out) {
  const Scene& scene = ctx.scene;
  const Emission& emission = scene.emissions[static_cast<size_t>(emission_index)];
  const SimSensor& sensor = scene.sensors[static_cast<size_t>(sensor_index)];
  const std::optional<ShockArrival> shock =
      BulletShockAt(emission, sensor.true_position_m, ctx.speed_of_sound_mps);
  if (!shock || shock->peak_pa <= 0.0) return;
  if (!ctx.paths.LineOfSight(shock->emission_point_m, sensor.true_position_m)) return;
  Rng rng = Rng::Stream(scene.seed, PairStreamName(scene, emission, sensor, "shock"));
  const double level_db = internal::PaToDbSpl(shock->peak_pa);
  const double snr_db = level_db - ctx.noise_floor_db[static_cast<size_t>(sensor_index)];
  const int64_t arrival_ns = emission.time_ns + SecondsToNanos(shock->time_after_shot_s);
  if (!rng.Bernoulli(DetectionProbability(snr_db, ctx.options))) return;
  if (!sensor.HeardAt(arrival_ns)) return;
  PulseTruth truth;
  truth.origin = PulseOrigin::kShockWave;
  truth.emission_index = emission_index;
  truth.path = PathKind::kDirect;
  truth.true_arrival_ns = arrival_ns;
  truth.true_level_db_spl = level_db;
  truth.true_snr_db = snr_db;
  out->push_back(Report(ctx, sensor_index, truth, /*late_onset=*/false, rng));
}

// Emissions of one event close together (the rounds of a burst of fire from one spot,
// the crackers of a string). Paths are traced from the first (the representative); a
// member at the same spot uses them as they are. A member elsewhere is traced from its
// own spot, unless the representative's arrivals are so far below the range cut that
// the member's cannot reach it either (see GroupPulses): every reported pulse comes from
// its own source's paths.
struct SourceGroup {
  std::vector<int> emissions;  // the first is the representative
};

std::vector<SourceGroup> GroupSources(const Scene& scene) {
  std::vector<SourceGroup> groups;
  std::map<std::pair<int, SourceKind>, std::vector<int>> by_event;  // -> group indices
  for (int e = 0; e < static_cast<int>(scene.emissions.size()); ++e) {
    const Emission& emission = scene.emissions[static_cast<size_t>(e)];
    std::vector<int>& candidates = by_event[{emission.event_index, emission.kind}];
    bool joined = false;
    for (const int g : candidates) {
      const Emission& first =
          scene.emissions[static_cast<size_t>(groups[static_cast<size_t>(g)].emissions[0])];
      if ((first.position_m - emission.position_m).norm() <= kGroupRadiusM) {
        groups[static_cast<size_t>(g)].emissions.push_back(e);
        joined = true;
        break;
      }
    }
    if (!joined) {
      candidates.push_back(static_cast<int>(groups.size()));
      groups.push_back({{e}});
    }
  }
  return groups;
}

// All of an emission's arrivals at once, pressures added, dB SPL: at least the level of
// any pulse BlastPulses can make of them.
double TotalArrivalDbSpl(const Emission& emission, const std::vector<PropagationPath>& paths,
                         const Atmosphere& air) {
  double pressure_pa = 0.0;
  for (const PropagationPath& path : paths) {
    pressure_pa += internal::DbSplToPa(ArrivalLevelDbSpl(emission, path, air));
  }
  return pressure_pa > 0.0 ? internal::PaToDbSpl(pressure_pa)
                           : -std::numeric_limits<double>::infinity();
}

// Every pulse of one source group, in sensor order per emission (each emission's pulses
// go to its own slot of `out`). Returns the pairs traced.
int64_t GroupPulses(const Context& ctx, const SourceGroup& group,
                    std::vector<std::vector<SimulatedPulse>>* out) {
  const Scene& scene = ctx.scene;
  const PulseModelOptions& options = ctx.options;
  const Emission& first = scene.emissions[static_cast<size_t>(group.emissions[0])];
  const double alpha_db_per_m =
      AbsorptionDbPerM(TraitsOf(first.kind).dominant_frequency_hz, scene.atmosphere);
  const double cut_snr_db =
      options.detection_snr_db - options.range_cut_spreads * options.detection_spread_db;
  // A member's arrivals may be louder than the representative's by the source's
  // directivity swing (another aim) and by what a metre or two changes on the way: over
  // the July-4th district's firecracker strings at most 5.3 dB (99.9 % within 1.4 dB)
  // where the member has no line of sight; kNeighbourMarginDb holds that twice.
  const double swing_db = TraitsOf(first.kind).front_to_back_db + kNeighbourMarginDb;
  double radius_m = 0.0;
  for (const int e : group.emissions) {
    const Emission& emission = scene.emissions[static_cast<size_t>(e)];
    radius_m = std::max(
        radius_m, (emission.position_m - first.position_m).norm() +
                      AudibleRangeM(emission, alpha_db_per_m, ctx.quietest_floor_db + cut_snr_db));
    if (emission.bullet_speed_mps > 0.0) radius_m = std::max(radius_m, kShockSearchRadiusM);
  }

  int64_t pairs = 0;
  for (const int s : ctx.grid.Within(first.position_m, radius_m)) {
    const SimSensor& sensor = scene.sensors[static_cast<size_t>(s)];
    const double floor_db = ctx.noise_floor_db[static_cast<size_t>(s)];
    std::optional<std::vector<PropagationPath>> first_paths;  // traced once, when needed
    double first_total_db = 0.0;
    for (const int e : group.emissions) {
      const Emission& emission = scene.emissions[static_cast<size_t>(e)];
      std::vector<SimulatedPulse>* pulses = &(*out)[static_cast<size_t>(e)];
      if (emission.bullet_speed_mps > 0.0) ShockWavePulse(ctx, e, s, pulses);
      const double distance_m = (sensor.true_position_m - emission.position_m).norm();
      if (UpperBoundLevelDb(emission, alpha_db_per_m, distance_m) - floor_db < cut_snr_db) {
        continue;
      }
      if (!first_paths) {
        first_paths = ctx.paths.Paths(first.position_m, sensor.true_position_m);
        first_total_db = TotalArrivalDbSpl(first, *first_paths, scene.atmosphere);
        ++pairs;
      }
      const std::vector<PropagationPath>* paths = &*first_paths;
      std::vector<PropagationPath> own;
      if (emission.position_m != first.position_m) {
        const double estimate_db =
            first_total_db + emission.peak_db_spl_at_1m - first.peak_db_spl_at_1m + swing_db;
        if (estimate_db - floor_db < cut_snr_db &&
            !ctx.paths.LineOfSight(emission.position_m, sensor.true_position_m)) {
          continue;
        }
        own = ctx.paths.Paths(emission.position_m, sensor.true_position_m);
        ++pairs;
        paths = &own;
      }
      if (paths->empty()) continue;
      Rng rng = Rng::Stream(scene.seed, PairStreamName(scene, emission, sensor, "blast"));
      BlastPulses(ctx, e, s, *paths, rng, pulses);
    }
  }
  return pairs;
}

// Unrelated impulses heard by one sensor alone (local_impulses.h: the same ones the
// audio renderer puts into the sensor's recordings).
void NoisePulses(const Context& ctx, int sensor_index, std::vector<SimulatedPulse>* out) {
  const Scene& scene = ctx.scene;
  const SimSensor& sensor = scene.sensors[static_cast<size_t>(sensor_index)];
  Rng rng = Rng::Stream(scene.seed, std::string("pulses/noise/").append(sensor.id));
  const double floor_db = ctx.noise_floor_db[static_cast<size_t>(sensor_index)];
  for (const LocalImpulse& impulse : LocalImpulsesAt(scene, sensor_index)) {
    PulseTruth truth;
    truth.origin = PulseOrigin::kNoise;
    truth.true_arrival_ns = impulse.time_ns;
    truth.true_level_db_spl = impulse.peak_db_spl;
    truth.true_snr_db = impulse.peak_db_spl - floor_db;
    out->push_back(Report(ctx, sensor_index, truth, /*late_onset=*/false, rng));
  }
}

}  // namespace

const char* PulseOriginName(PulseOrigin origin) {
  switch (origin) {
    case PulseOrigin::kArrival:
      return "arrival";
    case PulseOrigin::kShockWave:
      return "shock_wave";
    case PulseOrigin::kNoise:
      return "noise";
  }
  return "unknown";
}

double DetectionProbability(double snr_db, const PulseModelOptions& options) {
  return 1.0 / (1.0 + std::exp(-(snr_db - options.detection_snr_db) / options.detection_spread_db));
}

double TimingSigmaS(double snr_db, const PulseModelOptions& options) {
  const double sigma_s =
      options.timing_sigma_floor_s +
      options.timing_sigma_low_snr_s * std::pow(10.0, -(snr_db - options.detection_snr_db) / 20.0);
  return std::min(sigma_s, options.timing_sigma_max_s);
}

double NoiseFloorDbSpl(const BackgroundSpec& background, const SimSensor& sensor,
                       const PulseModelOptions& options) {
  return NoisePeakDbSpl(background, sensor, options.noise_peak_over_leq_db);
}

double ArrivalLevelDbSpl(const Emission& emission, const PropagationPath& path,
                         const Atmosphere& air) {
  const double gain = PathGainAt(path, TraitsOf(emission.kind).dominant_frequency_hz, air);
  if (!(gain > 0.0)) return -std::numeric_limits<double>::infinity();
  const double axis_norm = emission.axis.norm();
  const double departure_norm = path.departure.norm();
  const double cos_angle = axis_norm > 0.0 && departure_norm > 0.0
                               ? emission.axis.dot(path.departure) / (axis_norm * departure_norm)
                               : 1.0;
  return emission.peak_db_spl_at_1m + DirectivityDb(emission.kind, cos_angle) +
         20.0 * std::log10(gain);
}

std::string DrawPulseId(Rng& rng) {
  const uint64_t hi = (rng.NextU64() & ~0xf000ULL) | 0x4000ULL;        // version 4
  const uint64_t lo = (rng.NextU64() & ~(3ULL << 62)) | (2ULL << 62);  // RFC 4122 variant
  char text[40];
  std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

PulseReports SimulatePulses(const Scene& scene, const PathFinder& paths,
                            const PulseModelOptions& options) {
  Context ctx{scene, paths, options, SensorGrid(scene.sensors), {}, 0.0, 343.0};
  ctx.speed_of_sound_mps = SpeedOfSoundMps(scene.atmosphere.weather.temperature_c);
  ctx.quietest_floor_db = std::numeric_limits<double>::infinity();
  for (const SimSensor& sensor : scene.sensors) {
    ctx.noise_floor_db.push_back(NoiseFloorDbSpl(scene.background, sensor, options));
    ctx.quietest_floor_db = std::min(ctx.quietest_floor_db, ctx.noise_floor_db.back());
  }

  const int n_emissions = static_cast<int>(scene.emissions.size());
  const int n_sensors = static_cast<int>(scene.sensors.size());
  const std::vector<SourceGroup> groups = GroupSources(scene);
  const int n_groups = static_cast<int>(groups.size());
  std::vector<std::vector<SimulatedPulse>> per_emission(static_cast<size_t>(n_emissions));
  std::vector<int64_t> pairs(static_cast<size_t>(n_groups), 0);
  std::vector<std::vector<SimulatedPulse>> per_sensor(static_cast<size_t>(n_sensors));
  internal::ParallelFor(n_groups + n_sensors, options.threads, [&](int i) {
    if (i < n_groups) {
      pairs[static_cast<size_t>(i)] =
          GroupPulses(ctx, groups[static_cast<size_t>(i)], &per_emission);
    } else {
      NoisePulses(ctx, i - n_groups, &per_sensor[static_cast<size_t>(i - n_groups)]);
    }
  });

  PulseReports reports;
  for (const int64_t n : pairs) reports.pairs_considered += n;
  for (int i = 0; i < n_emissions; ++i) {
    for (SimulatedPulse& pulse : per_emission[static_cast<size_t>(i)]) {
      (pulse.truth.origin == PulseOrigin::kShockWave ? reports.shock_wave_pulses
                                                     : reports.arrival_pulses)++;
      reports.pulses.push_back(std::move(pulse));
    }
  }
  for (std::vector<SimulatedPulse>& pulses : per_sensor) {
    reports.noise_pulses += static_cast<int64_t>(pulses.size());
    for (SimulatedPulse& pulse : pulses) reports.pulses.push_back(std::move(pulse));
  }
  std::sort(reports.pulses.begin(), reports.pulses.end(),
            [](const SimulatedPulse& a, const SimulatedPulse& b) {
              if (a.pulse.onset_ns != b.pulse.onset_ns) return a.pulse.onset_ns < b.pulse.onset_ns;
              if (a.pulse.sensor_id != b.pulse.sensor_id)
                return a.pulse.sensor_id < b.pulse.sensor_id;
              return a.pulse.id < b.pulse.id;
            });
  return reports;
}

}  // namespace earshot::sim
