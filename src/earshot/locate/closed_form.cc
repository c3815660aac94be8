#include "earshot/locate/closed_form.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

namespace earshot::locate {
namespace {

// The linear system in centred coordinates: unknowns (p_0..p_{k-1}, ρ0, w).
struct LinearSystem {
  Eigen::MatrixXd a;
  Eigen::VectorXd b;
  Eigen::Vector3d centre_m = Eigen::Vector3d::Zero();
  double centre_time_s = 0.0;
  int dims = 2;  // number of position unknowns
};

LinearSystem BuildSystem(std::span<const Arrival> arrivals, double c, SolveMode mode,
                         double fixed_height_m) {
  LinearSystem sys;
  sys.dims = mode == SolveMode::k3D ? 3 : 2;
  const int n = static_cast<int>(arrivals.size());
  for (const Arrival& arrival : arrivals) {
    sys.centre_m += arrival.sensor_m;
    sys.centre_time_s += arrival.time_s;
  }
  sys.centre_m /= n;
  sys.centre_time_s /= n;
  if (mode != SolveMode::k3D) sys.centre_m.z() = 0.0;  // heights enter as known offsets

  sys.a.resize(n, sys.dims + 2);
  sys.b.resize(n);
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector3d s = arrivals[i].sensor_m - sys.centre_m;
    const double r = c * (arrivals[i].time_s - sys.centre_time_s);
    double rhs = -r * r;
    for (int k = 0; k < sys.dims; ++k) {
      sys.a(i, k) = 2.0 * s[k];
      rhs += s[k] * s[k];
    }
    if (mode == SolveMode::kFixedHeight) {
      const double dz = fixed_height_m - arrivals[i].sensor_m.z();
      rhs += dz * dz;
    }
    sys.a(i, sys.dims) = -2.0 * r;
    sys.a(i, sys.dims + 1) = 1.0;
    sys.b(i) = rhs;
  }
  return sys;
}

Source ToSource(const LinearSystem& sys, const Eigen::VectorXd& u, double c, SolveMode mode,
                double fixed_height_m) {
  Source source;
  source.position_m = sys.centre_m;
  for (int k = 0; k < sys.dims; ++k) source.position_m[k] += u[k];
  if (mode == SolveMode::kFixedHeight) source.position_m.z() = fixed_height_m;
  if (mode == SolveMode::k2D) source.position_m.z() = 0.0;
  source.emission_s = sys.centre_time_s + u[sys.dims] / c;
  return source;
}

bool EmitsBeforeArrivals(const Source& source, std::span<const Arrival> arrivals) {
  // Allow a little slack for timing noise: a source may appear to emit a hair after the
  // first arrival when it sits at that sensor.
  constexpr double kSlackS = 2e-3;
  return std::all_of(arrivals.begin(), arrivals.end(),
                     [&](const Arrival& a) { return source.emission_s <= a.time_s + kSlackS; });
}

bool IsFinite(const Source& source) {
  return source.position_m.allFinite() && std::isfinite(source.emission_s);
}

}  // namespace

int MinimalArrivals(SolveMode mode) { return mode == SolveMode::k3D ? 4 : 3; }

std::vector<Source> ClosedFormSolve(std::span<const Arrival> arrivals, double speed_of_sound_mps,
                                    SolveMode mode, double fixed_height_m) {
  std::vector<Source> out;
  const int n = static_cast<int>(arrivals.size());
  if (n < MinimalArrivals(mode)) return out;
  const double c = speed_of_sound_mps;
  const LinearSystem sys = BuildSystem(arrivals, c, mode, fixed_height_m);
  const int unknowns = sys.dims + 2;

  std::vector<Source> candidates;
  if (n >= unknowns) {
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(sys.a);
    if (qr.rank() < unknowns) return out;
    candidates.push_back(ToSource(sys, qr.solve(sys.b), c, mode, fixed_height_m));
  } else {
    // Minimal case: u = u_p + λ·u_n on the solution line; w = ρ0² − |p|² fixes λ.
    Eigen::FullPivLU<Eigen::MatrixXd> lu(sys.a);
    if (lu.rank() < n) return out;
    const Eigen::VectorXd u_p = sys.a.completeOrthogonalDecomposition().solve(sys.b);
    const Eigen::VectorXd u_n = lu.kernel().col(0);
    const int k = sys.dims;
    const auto p_p = u_p.head(k), p_n = u_n.head(k);
    const double r_p = u_p[k], r_n = u_n[k], w_p = u_p[k + 1], w_n = u_n[k + 1];
    const double qa = r_n * r_n - p_n.squaredNorm();
    const double qb = 2.0 * (r_p * r_n - p_p.dot(p_n)) - w_n;
    const double qc = r_p * r_p - p_p.squaredNorm() - w_p;
    std::vector<double> roots;
    if (std::abs(qa) < 1e-12 * std::max(1.0, std::abs(qb))) {
      if (qb != 0.0) roots.push_back(-qc / qb);
    } else {
      const double disc = qb * qb - 4.0 * qa * qc;
      if (disc < 0.0) {
        roots.push_back(-qb / (2.0 * qa));  // noise pushed the roots apart: take the closest
      } else {
        const double sq = std::sqrt(disc);
        // Numerically stable pair of roots.
        const double q = -0.5 * (qb + std::copysign(sq, qb));
        if (q != 0.0) roots.push_back(qc / q);
        roots.push_back(q / qa);
      }
    }
    for (double lambda : roots) {
      candidates.push_back(ToSource(sys, u_p + lambda * u_n, c, mode, fixed_height_m));
    }
  }
  for (const Source& candidate : candidates) {
    if (IsFinite(candidate) && EmitsBeforeArrivals(candidate, arrivals)) out.push_back(candidate);
  }
  return out;
}

}  // namespace earshot::locate
