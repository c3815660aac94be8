#include "earshot/sim/internal/generate_events.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "earshot/core/time.h"
#include "earshot/sim/random.h"
#include "earshot/sim/source_waveform.h"

namespace earshot::sim::internal {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

// Burst heights of aerial shells: consumer cakes near 30 m, display shells up to 300 m.
constexpr double kMinBurstHeightM = 30.0;
constexpr double kMaxBurstHeightM = 300.0;

int64_t SecondsToNs(double seconds) {
  return static_cast<int64_t>(std::llround(seconds * static_cast<double>(kNanosPerSecond)));
}

// A whole number drawn uniformly in [lo, hi].
int UniformInt(Rng& rng, int lo, int hi) {
  return lo + static_cast<int>(rng.Below(static_cast<uint64_t>(hi - lo + 1)));
}

// Log-uniform in [lo, hi]: as many strings of 20–40 crackers as of 100–200.
double LogUniform(Rng& rng, double lo, double hi) {
  return lo * std::exp(rng.Uniform() * std::log(hi / lo));
}

Eigen::Vector3d AxisOf(double azimuth_deg, double elevation_deg) {
  const double az = azimuth_deg * kDegToRad, el = elevation_deg * kDegToRad;
  return {std::sin(az) * std::cos(el), std::cos(az) * std::cos(el), std::sin(el)};
}

bool Directional(SourceKind kind) { return TraitsOf(kind).front_to_back_db > 0.0; }

// A shell rises for 2 s to 30 m and 5 s to 300 m (decelerating; the fuse is cut to it).
double BurstDelayForHeight(double height_m, Rng& rng) {
  const double delay =
      2.0 + 3.0 * (height_m - kMinBurstHeightM) / (kMaxBurstHeightM - kMinBurstHeightM);
  return std::clamp(delay + rng.Normal(0.0, 0.2), 2.0, 5.0);
}

// The rounds, cadence and aim of one generated event of `kind` (docs/simulation.md,
// "Generated events"); ExpectedEmissionsPerEvent must follow any change here.
void DrawStructure(Rng& rng, EventPlan* plan) {
  plan->rounds = 1;
  plan->cadence_s = DefaultCadenceS(plan->kind);
  plan->cadence_spread = DefaultCadenceSpread(plan->kind);
  switch (plan->kind) {
    case SourceKind::kHandgun:  // semi-automatic, trigger pulled quickly
      plan->rounds = 1 + static_cast<int>(std::min<int64_t>(rng.Poisson(1.5), 16));
      plan->cadence_s = rng.Uniform(0.15, 0.6);
      plan->cadence_spread = 0.25;
      break;
    case SourceKind::kRifle:
      if (rng.Bernoulli(0.35)) {  // automatic burst at 600–1000 rounds a minute
        plan->rounds = UniformInt(rng, 3, 30);
        plan->cadence_s = rng.Uniform(0.06, 0.1);
        plan->cadence_spread = 0.05;
      } else {
        plan->rounds = 1 + static_cast<int>(std::min<int64_t>(rng.Poisson(2.0), 29));
        plan->cadence_s = rng.Uniform(0.2, 0.6);
        plan->cadence_spread = 0.25;
      }
      break;
    case SourceKind::kShotgun:  // pump action
      plan->rounds = 1 + static_cast<int>(std::min<int64_t>(rng.Poisson(0.8), 7));
      plan->cadence_s = rng.Uniform(0.5, 1.5);
      plan->cadence_spread = 0.2;
      break;
    case SourceKind::kFirecracker:  // a string, or one cracker thrown
      if (rng.Bernoulli(0.7)) {
        plan->rounds = static_cast<int>(std::lround(LogUniform(rng, 20.0, 200.0)));
        plan->cadence_s = rng.Uniform(0.04, 0.065);
        plan->cadence_spread = 0.5;  // 20–100 ms apart
      }
      break;
    case SourceKind::kFireworkBurst:  // one shell, or a cake of several
      if (rng.Bernoulli(0.4)) {
        plan->rounds = UniformInt(rng, 5, 25);
        plan->cadence_s = rng.Uniform(0.8, 2.5);
        plan->cadence_spread = 0.3;
      }
      break;
    case SourceKind::kBackfire:
      if (rng.Bernoulli(0.3)) plan->rounds = 1 + UniformInt(rng, 1, 3);
      plan->cadence_s = rng.Uniform(0.1, 0.5);
      break;
    case SourceKind::kHammer:
      plan->rounds = UniformInt(rng, 3, 20);
      plan->cadence_s = rng.Uniform(0.4, 1.0);
      break;
    case SourceKind::kNailGun:
      plan->rounds = UniformInt(rng, 2, 10);
      plan->cadence_s = rng.Uniform(0.3, 1.5);
      break;
    case SourceKind::kFireworkLift:
    case SourceKind::kDoorSlam:
    case SourceKind::kBalloonPop:
      break;
  }
  if (ClassOfKind(plan->kind) == EventClass::kGunfire) {
    // Aimed about level; the axis matters for the blast's directivity and the bullet.
    plan->aim_elevation_deg = std::clamp(rng.Normal(0.0, 5.0), -30.0, 30.0);
  }
}

// A peak level: the given one, or `event_db` moved by a round-to-round spread, kept in
// the kind's range.
double RoundLevel(const EventPlan& plan, SourceKind kind, double event_db, double spread_db,
                  Rng& rng) {
  if (plan.peak_db_spl_at_1m && kind == plan.kind) return *plan.peak_db_spl_at_1m;
  const SourceTraits& traits = TraitsOf(kind);
  return std::clamp(event_db + rng.Normal(0.0, spread_db), traits.peak_db_spl_at_1m_min,
                    traits.peak_db_spl_at_1m_max);
}

double DrawLevel(SourceKind kind, Rng& rng) {
  const SourceTraits& traits = TraitsOf(kind);
  return rng.Uniform(traits.peak_db_spl_at_1m_min, traits.peak_db_spl_at_1m_max);
}

// The lift and the burst of one aerial shell launched at `launch` at `t_s`.
void ExpandShell(const EventPlan& plan, int round, double t_s, Rng& rng, const Weather& weather,
                 std::vector<Emission>* out) {
  Emission lift;
  lift.kind = SourceKind::kFireworkLift;
  lift.round_index = round;
  lift.time_ns = plan.time_ns + SecondsToNs(t_s);
  lift.position_m = plan.position_m;
  lift.peak_db_spl_at_1m = DrawLevel(SourceKind::kFireworkLift, rng);
  lift.axis = Eigen::Vector3d::UnitZ();
  lift.waveform_seed = rng.NextU64();

  const double height_m =
      plan.burst_height_m.value_or(LogUniform(rng, kMinBurstHeightM, kMaxBurstHeightM));
  const double delay_s = plan.burst_delay_s.value_or(BurstDelayForHeight(height_m, rng));
  // The shell leaves its tube a few degrees off vertical and the wind carries it.
  const Eigen::Vector2d tilt(rng.Normal(0.0, 0.05 * height_m), rng.Normal(0.0, 0.05 * height_m));
  const Eigen::Vector2d drift = WindVelocityEnMps(weather) * delay_s;
  Emission burst;
  burst.kind = SourceKind::kFireworkBurst;
  burst.round_index = round;
  burst.time_ns = lift.time_ns + SecondsToNs(delay_s);
  burst.position_m =
      plan.position_m + Eigen::Vector3d(tilt.x() + drift.x(), tilt.y() + drift.y(), height_m);
  burst.peak_db_spl_at_1m =
      plan.peak_db_spl_at_1m.value_or(DrawLevel(SourceKind::kFireworkBurst, rng));
  burst.axis = Eigen::Vector3d::UnitZ();
  burst.waveform_seed = rng.NextU64();
  out->push_back(lift);
  out->push_back(burst);
}

}  // namespace

double DefaultSourceHeightM(SourceKind kind) {
  switch (kind) {
    case SourceKind::kHandgun:
    case SourceKind::kShotgun:
      return 1.4;  // a muzzle at chest height
    case SourceKind::kRifle:
      return 1.5;
    case SourceKind::kFirecracker:
      return 0.05;  // on the pavement
    case SourceKind::kFireworkLift:
    case SourceKind::kFireworkBurst:
      return 0.3;  // the top of the mortar tube
    case SourceKind::kBackfire:
      return 0.4;  // an exhaust pipe
    case SourceKind::kDoorSlam:
    case SourceKind::kHammer:
      return 1.0;
    case SourceKind::kNailGun:
    case SourceKind::kBalloonPop:
      return 1.5;
  }
  return 1.0;
}

double DefaultCadenceS(SourceKind kind) {
  const double traits = TraitsOf(kind).cadence_s;
  if (traits > 0.0) return traits;
  switch (kind) {
    case SourceKind::kHandgun:
      return 0.25;
    case SourceKind::kRifle:
      return 0.1;
    case SourceKind::kShotgun:
      return 0.8;
    case SourceKind::kFirecracker:
      return 0.05;
    case SourceKind::kFireworkLift:
    case SourceKind::kFireworkBurst:
      return 1.5;
    case SourceKind::kBackfire:
      return 0.3;
    case SourceKind::kDoorSlam:
      return 1.0;
    case SourceKind::kHammer:
      return 0.6;
    case SourceKind::kNailGun:
      return 0.8;
    case SourceKind::kBalloonPop:
      return 0.5;
  }
  return 0.5;
}

double DefaultCadenceSpread(SourceKind kind) {
  switch (kind) {
    case SourceKind::kRifle:
      return 0.05;
    case SourceKind::kHandgun:
    case SourceKind::kShotgun:
      return 0.1;
    case SourceKind::kFirecracker:
      return 0.5;
    case SourceKind::kHammer:
      return 0.2;
    default:
      return 0.3;
  }
}

double ExpectedEmissionsPerEvent(SourceKind kind) {
  switch (kind) {
    case SourceKind::kHandgun:
      return 2.5;
    case SourceKind::kRifle:
      return 0.35 * 16.5 + 0.65 * 3.0;
    case SourceKind::kShotgun:
      return 1.8;
    case SourceKind::kFirecracker:  // E[log-uniform 20..200] = 180 / ln 10
      return 0.3 + 0.7 * 180.0 / std::log(10.0);
    case SourceKind::kFireworkBurst:
      return 2.0 * (0.6 + 0.4 * 15.0);
    case SourceKind::kBackfire:
      return 1.0 + 0.3 * 2.0;
    case SourceKind::kHammer:
      return 11.5;
    case SourceKind::kNailGun:
      return 6.0;
    case SourceKind::kFireworkLift:
    case SourceKind::kDoorSlam:
    case SourceKind::kBalloonPop:
      return 1.0;
  }
  return 1.0;
}

std::vector<EventPlan> GenerateEventPlans(const EventGeneratorSpec& spec, uint64_t seed,
                                          int64_t start_ns, double duration_s, const Ground& ground,
                                          const BuildingIndex& buildings) {
  std::vector<EventPlan> plans;
  const Eigen::Vector2d lo = spec.area.Min(), hi = spec.area.Max();
  for (const auto& [kind, per_hour] : spec.rates_per_hour) {
    const std::string stream = spec.key + "/" + SourceKindName(kind);
    Rng counter = Rng::Stream(seed, stream);
    const int64_t count = counter.Poisson(per_hour * duration_s / 3600.0);
    for (int64_t n = 0; n < count; ++n) {
      EventPlan plan;
      plan.kind = kind;
      plan.stream = stream + "/" + std::to_string(n);
      Rng rng = Rng::Stream(seed, plan.stream);
      plan.time_ns = start_ns + SecondsToNs(rng.Uniform(0.0, duration_s));
      Eigen::Vector2d xy;
      for (int attempt = 0; attempt < 100; ++attempt) {
        xy = {rng.Uniform(lo.x(), hi.x()), rng.Uniform(lo.y(), hi.y())};
        if (!buildings.Inside(xy)) break;
      }
      plan.position_m = {xy.x(), xy.y(), ground.HeightAt(xy) + DefaultSourceHeightM(kind)};
      DrawStructure(rng, &plan);
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

std::vector<Emission> ExpandEventPlan(const EventPlan& plan, uint64_t seed,
                                      const Weather& weather) {
  Rng rng = Rng::Stream(seed, plan.stream + "/emissions");
  std::vector<Emission> emissions;
  // What the whole event shares: one weapon's level, one aim.
  const double event_db = DrawLevel(plan.kind, rng);
  const bool aimed = Directional(plan.kind) || plan.aim_azimuth_deg.has_value();
  const double azimuth_deg = plan.aim_azimuth_deg.value_or(rng.Uniform(0.0, 360.0));
  const double elevation_deg = plan.aim_elevation_deg.value_or(0.0);
  const double bullet_mps = plan.bullet_speed_mps.value_or(TraitsOf(plan.kind).bullet_speed_mps);

  double t_s = 0.0;
  for (int round = 0; round < plan.rounds; ++round) {
    if (round > 0) {
      const double factor = 1.0 + plan.cadence_spread * rng.Uniform(-1.0, 1.0);
      t_s += std::max(1e-3, plan.cadence_s * factor);
    }
    if (plan.kind == SourceKind::kFireworkBurst) {
      ExpandShell(plan, round, t_s, rng, weather, &emissions);
      continue;
    }
    Emission emission;
    emission.kind = plan.kind;
    emission.round_index = round;
    emission.time_ns = plan.time_ns + SecondsToNs(t_s);
    emission.position_m = plan.position_m;
    switch (ClassOfKind(plan.kind)) {
      case EventClass::kGunfire:
        emission.peak_db_spl_at_1m = RoundLevel(plan, plan.kind, event_db, 0.5, rng);
        break;
      case EventClass::kFirecracker:
        // Each cracker its own; the string jumps about on the pavement.
        emission.peak_db_spl_at_1m = plan.peak_db_spl_at_1m.value_or(DrawLevel(plan.kind, rng));
        emission.position_m += Eigen::Vector3d(rng.Normal(0.0, 0.3), rng.Normal(0.0, 0.3), 0.0);
        break;
      default:
        emission.peak_db_spl_at_1m = RoundLevel(plan, plan.kind, event_db, 1.0, rng);
        break;
    }
    if (aimed) {
      // A given aim is kept exactly; a drawn one wanders a little from round to round.
      const double wobble_deg = plan.aim_azimuth_deg ? 0.0 : rng.Normal(0.0, 3.0);
      emission.axis = AxisOf(azimuth_deg + wobble_deg, elevation_deg);
    }
    if (ClassOfKind(plan.kind) == EventClass::kGunfire) emission.bullet_speed_mps = bullet_mps;
    emission.waveform_seed = rng.NextU64();
    emissions.push_back(emission);
  }
  std::stable_sort(emissions.begin(), emissions.end(),
                   [](const Emission& a, const Emission& b) { return a.time_ns < b.time_ns; });
  return emissions;
}

}  // namespace earshot::sim::internal
