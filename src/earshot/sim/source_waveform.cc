// The blast of every kind is built by internal/source_shapes.cc; this file scales it to
// the emission's level and direction, and holds the closed forms: Friedlander's pulse,
// the directivity and the supersonic bullet's Mach cone and N-wave.
#include "earshot/sim/source_waveform.h"

#include <algorithm>
#include <cmath>

#include "earshot/core/error.h"
#include "earshot/sim/internal/sound_level.h"
#include "earshot/sim/internal/source_shapes.h"
#include "earshot/sim/random.h"

namespace earshot::sim {
namespace {

// Behind a gun the blast is not only weaker but longer: the positive phase grows by this
// fraction from the axis to straight behind (an engineering estimate; see the docs).
constexpr double kBehindBroadening = 0.15;

// Whitham's far-field constants for the bullet (docs/simulation.md, "Sources"): a 5.56 mm
// NATO-class bullet, diameter and length, and the ambient pressure.
constexpr double kBulletDiameterM = 5.70e-3;
constexpr double kBulletLengthM = 23e-3;
constexpr double kAmbientPressurePa = 101325.0;
// Whitham's law is a far-field law (miss distance ≫ the bullet's length); closer than
// this it is held at its value here rather than growing without bound.
constexpr double kMinMissDistanceM = 1.0;
// Below this Mach number the flow round the bullet is transonic: the far-field law no
// longer holds and the bow shock weakens and stands off. The crack ends there.
constexpr double kMinShockMach = 1.1;

double CosAngle(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  const double norms = a.norm() * b.norm();
  EARSHOT_CHECK(norms > 0.0);
  return std::clamp(a.dot(b) / norms, -1.0, 1.0);
}

}  // namespace

const SourceTraits& TraitsOf(SourceKind kind) { return internal::ShapeOf(kind).traits; }

double FriedlanderPa(double t_s, double peak_pa, double positive_phase_s, double decay_b) {
  if (t_s < 0.0) return 0.0;
  const double x = t_s / positive_phase_s;
  return peak_pa * (1.0 - x) * std::exp(-decay_b * x);
}

double DirectivityDb(SourceKind kind, double cos_angle_from_axis) {
  const double c = std::clamp(cos_angle_from_axis, -1.0, 1.0);
  return -TraitsOf(kind).front_to_back_db * 0.5 * (1.0 - c);
}

std::vector<float> BlastAt1mPa(const Emission& emission, const Eigen::Vector3d& toward,
                               double sample_rate_hz) {
  EARSHOT_CHECK(sample_rate_hz > 0.0);
  const internal::SourceShape& shape = internal::ShapeOf(emission.kind);
  const double cos_angle = CosAngle(emission.axis, toward);
  const double level_db = emission.peak_db_spl_at_1m + DirectivityDb(emission.kind, cos_angle);
  const double peak_pa = internal::DbSplToPa(level_db);

  // Every draw comes from the emission's own seed, in an order that does not depend on
  // the bearing: all listeners hear the same round.
  Rng rng = Rng::Stream(emission.waveform_seed, "blast");
  internal::RoundShape round = internal::DrawRound(shape, rng);
  if (shape.traits.front_to_back_db > 0.0) {
    round.positive_phase_s *= 1.0 + kBehindBroadening * 0.5 * (1.0 - cos_angle);
  }
  const std::vector<double> unit = internal::SampleRound(round, sample_rate_hz, rng);

  double largest = 0.0;
  for (const double v : unit) largest = std::max(largest, std::abs(v));
  EARSHOT_CHECK(largest > 0.0 && std::isfinite(largest));
  const double scale = peak_pa / largest;
  std::vector<float> blast(unit.size());
  for (size_t k = 0; k < unit.size(); ++k) blast[k] = static_cast<float>(scale * unit[k]);
  return blast;
}

std::optional<ShockArrival> BulletShockAt(const Emission& emission,
                                          const Eigen::Vector3d& receiver_m,
                                          double speed_of_sound_mps, double max_range_m) {
  return BulletShockAt(emission, receiver_m, speed_of_sound_mps, max_range_m,
                       kBulletSpeedDecayLengthM);
}

std::optional<ShockArrival> BulletShockAt(const Emission& emission,
                                          const Eigen::Vector3d& receiver_m,
                                          double speed_of_sound_mps, double max_range_m,
                                          double speed_decay_length_m) {
  const double v0 = emission.bullet_speed_mps;
  const double c = speed_of_sound_mps;
  const double decay_m = speed_decay_length_m;
  EARSHOT_CHECK(c > 0.0 && decay_m > 0.0);
  if (!(v0 > kMinShockMach * c)) return std::nullopt;
  const double axis_norm = emission.axis.norm();
  EARSHOT_CHECK(axis_norm > 0.0);
  const Eigen::Vector3d direction = emission.axis / axis_norm;
  const Eigen::Vector3d offset = receiver_m - emission.position_m;
  const double along_m = offset.dot(direction);
  const double miss_m = (offset - along_m * direction).norm();

  const bool constant_speed = std::isinf(decay_m);
  const auto speed_at = [&](double s_m) {
    return constant_speed ? v0 : v0 * std::exp(-s_m / decay_m);
  };
  const auto flight_time_s = [&](double s_m) {
    return constant_speed ? s_m / v0 : decay_m / v0 * std::expm1(s_m / decay_m);
  };
  const double end_m = constant_speed
                           ? max_range_m
                           : std::min(max_range_m, decay_m * std::log(v0 / (kMinShockMach * c)));

  // Each point s metres down range sends a wavelet at flight_time(s); the shock is the
  // earliest at the receiver, where d/ds [flight_time(s) + |receiver − point(s)|/c]
  // vanishes: the ray to the receiver leaves the trajectory at acos(c/v(s)) from it,
  // normal to the Mach cone (half-angle asin(c/v)). g(s) below falls as s grows (the ray
  // turns back, the bullet slows), so the point is its one zero in [0, end].
  const auto g = [&](double s_m) {
    const double ahead_m = along_m - s_m;
    return ahead_m / std::hypot(ahead_m, miss_m) - c / speed_at(s_m);
  };
  // Behind the muzzle (or outside the cone it starts): no separate crack, the muzzle's own
  // wavelet is part of the blast. Past the end: the bullet has landed or gone transonic.
  if (!(g(0.0) > 0.0) || g(end_m) > 0.0) return std::nullopt;
  double s_m = 0.0;
  if (constant_speed) {
    s_m = along_m - miss_m * c / std::sqrt(v0 * v0 - c * c);  // g's zero in closed form
  } else {
    double lo_m = 0.0, hi_m = end_m;
    for (int i = 0; i < 100 && hi_m - lo_m > 1e-9; ++i) {
      const double mid_m = 0.5 * (lo_m + hi_m);
      (g(mid_m) > 0.0 ? lo_m : hi_m) = mid_m;
    }
    s_m = 0.5 * (lo_m + hi_m);
  }

  ShockArrival shock;
  shock.emission_point_m = emission.position_m + s_m * direction;
  shock.time_after_shot_s = flight_time_s(s_m) + (receiver_m - shock.emission_point_m).norm() / c;
  shock.miss_distance_m = miss_m;

  // Whitham's far-field N-wave at the bullet's Mach number where the shock left:
  // Δp = 0.53 p0 (M² − 1)^(1/8) d / (b^(3/4) l^(1/4)),
  // T = 1.82 M b^(1/4) d / (c (M² − 1)^(3/8) l^(1/4)).
  const double mach = speed_at(s_m) / c;
  const double beta = std::sqrt(mach * mach - 1.0);
  const double b = std::max(miss_m, kMinMissDistanceM);
  const double l_quarter = std::pow(kBulletLengthM, 0.25);
  shock.peak_pa = 0.53 * kAmbientPressurePa * std::pow(beta, 0.25) * kBulletDiameterM /
                  (std::pow(b, 0.75) * l_quarter);
  shock.duration_s =
      1.82 * mach * std::pow(b, 0.25) * kBulletDiameterM / (c * std::pow(beta, 0.75) * l_quarter);
  return shock;
}

std::vector<float> NWavePa(const ShockArrival& shock, double sample_rate_hz) {
  EARSHOT_CHECK(sample_rate_hz > 0.0 && shock.duration_s > 0.0);
  // p(t) = Δp (1 − 2t/T) on [0, T], through the same integrating sampler as the blasts:
  // sample k is the mean over ((k − 1)/fs, k/fs], exactly, from the antiderivative
  // F(t) = Δp (t − t²/T) (zero again at T: the N-wave carries no net impulse). An N-wave
  // of 0.2 ms at 12 kHz spans about two samples, so its sampled peak is below Δp, as a
  // real converter's would be.
  const double peak = shock.peak_pa;
  const double duration = shock.duration_s;
  const auto antiderivative = [&](double t) {
    const double u = std::clamp(t, 0.0, duration);
    return peak * (u - u * u / duration);
  };
  const double dt = 1.0 / sample_rate_hz;
  const auto count = static_cast<size_t>(std::ceil(duration * sample_rate_hz)) + 2;
  std::vector<float> wave(count, 0.0f);
  for (size_t k = 1; k < count; ++k) {
    const double t = static_cast<double>(k) * dt;
    wave[k] = static_cast<float>((antiderivative(t) - antiderivative(t - dt)) / dt);
  }
  return wave;
}

}  // namespace earshot::sim
