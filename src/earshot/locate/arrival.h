// The solvers' view of the world: arrivals of one sound at several sensors, and the
// propagation model that connects a source to an arrival.
//
// Times inside the locate module are seconds relative to a reference epoch chosen per
// shot (the first arrival), so that double precision keeps nanoseconds.
#ifndef EARSHOT_LOCATE_ARRIVAL_H_
#define EARSHOT_LOCATE_ARRIVAL_H_

#include <cmath>

#include <Eigen/Core>

namespace earshot::locate {

// One pulse as a solver sees it.
struct Arrival {
  Eigen::Vector3d sensor_m = Eigen::Vector3d::Zero();  // local ENU metres
  double time_s = 0.0;                                 // arrival, seconds after the reference epoch
  double sigma_s = 1e-3;                               // 1-sigma timing noise
};

// A source hypothesis: where and when the sound was emitted.
struct Source {
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  double emission_s = 0.0;  // seconds after the reference epoch
};

// Straight-ray propagation in a uniformly moving atmosphere.
struct Propagation {
  double speed_of_sound_mps = 331.3;
  // Horizontal wind, East-North, m/s (where the air moves to). The wavefront is carried
  // with the air, which is the same as the sensor moving by −wind·τ in still air
  // (DESIGN.md §4).
  Eigen::Vector2d wind_en_mps = Eigen::Vector2d::Zero();
};

// Travel time τ from `source_m` to `sensor_m`, seconds, and optionally ∂τ/∂source.
//
// With d = sensor − source and w the wind, the ray reaches the sensor when
// |d − w·τ| = c·τ, i.e. (c² − |w|²)τ² + 2(d·w)τ − |d|² = 0, whose positive root is
//   τ = (−d·w + √((d·w)² + (c² − |w|²)|d|²)) / (c² − |w|²).
// Without wind this is |d|/c.
inline double TravelTimeS(const Propagation& model, const Eigen::Vector3d& source_m,
                          const Eigen::Vector3d& sensor_m,
                          Eigen::Vector3d* d_tau_d_source = nullptr) {
  const Eigen::Vector3d d = sensor_m - source_m;
  const Eigen::Vector3d w(model.wind_en_mps.x(), model.wind_en_mps.y(), 0.0);
  const double c = model.speed_of_sound_mps;
  const double a = c * c - w.squaredNorm();
  const double b = d.dot(w);
  const double range_sq = d.squaredNorm();
  // At the sensor itself the derivative is undefined; a tiny floor keeps it finite.
  const double root = std::sqrt(std::max(b * b + a * range_sq, 1e-18));
  const double tau = (-b + root) / a;
  if (d_tau_d_source != nullptr) {
    // ∂τ/∂d = (−w + (b·w + a·d)/root) / a, and ∂d/∂source = −I.
    *d_tau_d_source = -(-w + (b * w + a * d) / root) / a;
  }
  return tau;
}

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_ARRIVAL_H_
