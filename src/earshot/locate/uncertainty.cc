#include "earshot/locate/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/Dense>

#include "earshot/locate/robust_solver.h"

namespace earshot::locate {
namespace {

int PositionUnknowns(SolveMode mode) { return mode == SolveMode::k3D ? 3 : 2; }

// Probability that a zero-mean Gaussian with axes σ1, σ2 lies within radius r, and its
// derivative in r. In polar coordinates the radial integral is closed-form, leaving a
// smooth periodic integral over the angle, for which the trapezoid rule converges
// geometrically.
double ProbabilityWithin(double r, double s1, double s2, double* derivative) {
  // Integrate over the angle θ of the standardised direction (u1, u2) = (cos θ, sin θ):
  // along it the radius grows as ρ·√d(θ) with d = (σ1 cos θ)² + (σ2 sin θ)², and the
  // Gaussian's radial mass inside r is 1 − exp(−r²/2d). This integrand stays smooth
  // however elongated the ellipse is (sampling the physical angle instead misses the
  // narrow peak of a thin ellipse).
  constexpr int kSteps = 256;
  double p = 0.0;
  double dp = 0.0;
  for (int i = 0; i < kSteps; ++i) {
    const double theta = 2.0 * std::numbers::pi * i / kSteps;
    const double d = std::pow(s1 * std::cos(theta), 2) + std::pow(s2 * std::sin(theta), 2);
    const double ex = std::exp(-0.5 * r * r / d);
    p += 1.0 - ex;
    dp += r / d * ex;
  }
  *derivative = dp / kSteps;
  return p / kSteps;
}

}  // namespace

bool InverseFisher(std::span<const Arrival> arrivals, const Propagation& model,
                   const Source& source, SolveMode mode, double height_prior_sigma_m,
                   Eigen::MatrixXd* inverse_fisher) {
  const int k = PositionUnknowns(mode);
  Eigen::MatrixXd fisher = Eigen::MatrixXd::Zero(k + 1, k + 1);
  Eigen::VectorXd row(k + 1);
  for (const Arrival& arrival : arrivals) {
    Eigen::Vector3d d_tau;
    TravelTimeS(model, source.position_m, arrival.sensor_m, &d_tau);
    // Predicted arrival = t0 + τ(p): ∂/∂p = ∂τ/∂p, ∂/∂t0 = 1.
    row.head(k) = d_tau.head(k);
    row[k] = 1.0;
    fisher.noalias() += row * row.transpose() / (arrival.sigma_s * arrival.sigma_s);
  }
  if (mode == SolveMode::k3D && height_prior_sigma_m > 0.0) {
    fisher(2, 2) += 1.0 / (height_prior_sigma_m * height_prior_sigma_m);
  }
  Eigen::LDLT<Eigen::MatrixXd> ldlt(fisher);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) return false;
  // Reject a numerically singular geometry (collinear sensors and the like).
  const Eigen::VectorXd diag = ldlt.vectorD();
  if (diag.minCoeff() <= 1e-12 * diag.maxCoeff()) return false;
  *inverse_fisher = ldlt.solve(Eigen::MatrixXd::Identity(k + 1, k + 1));
  return inverse_fisher->allFinite();
}

double CramerRaoRmsM(std::span<const Arrival> arrivals, const Propagation& model,
                     const Source& source, SolveMode mode, double height_prior_sigma_m) {
  Eigen::MatrixXd inverse;
  if (!InverseFisher(arrivals, model, source, mode, height_prior_sigma_m, &inverse)) {
    return std::nan("");
  }
  return std::sqrt(inverse(0, 0) + inverse(1, 1));
}

Uncertainty EstimateUncertainty(std::span<const Arrival> arrivals,
                                std::span<const double> residuals_s, const Propagation& model,
                                const Source& source, SolveMode mode, double height_prior_sigma_m) {
  Uncertainty out;
  Eigen::MatrixXd inverse;
  if (!InverseFisher(arrivals, model, source, mode, height_prior_sigma_m, &inverse)) return out;
  const int k = PositionUnknowns(mode);
  const int n = static_cast<int>(arrivals.size());

  // Assumed noise: the RMS of the arrivals' σ_i. Observed: the residual spread with the
  // unknowns' degrees of freedom removed, when there are enough to say.
  double assumed_sq = 0.0;
  for (const Arrival& arrival : arrivals) assumed_sq += arrival.sigma_s * arrival.sigma_s;
  const double assumed_s = std::sqrt(assumed_sq / n);
  double scale = 1.0;
  const int dof = n - (k + 1);
  if (dof >= 2 && static_cast<int>(residuals_s.size()) == n) {
    double chi_sq = 0.0;
    for (int i = 0; i < n; ++i) chi_sq += std::pow(residuals_s[i] / arrivals[i].sigma_s, 2);
    scale = std::max(1.0, std::sqrt(chi_sq / dof));
  }
  out.timing_sigma_s = assumed_s * scale;
  out.crb_rms_m = std::sqrt(inverse(0, 0) + inverse(1, 1));
  const Eigen::MatrixXd covariance = inverse * (scale * scale);
  out.covariance_en_m2 = covariance.topLeftCorner<2, 2>();
  out.ellipse = EllipseFromCovariance(out.covariance_en_m2);
  out.radius95_m = CircularErrorRadiusM(out.ellipse, 0.95);
  if (mode == SolveMode::k3D) out.height_sigma_m = std::sqrt(covariance(2, 2));
  out.emission_sigma_s = std::sqrt(covariance(k, k));
  out.valid = true;
  return out;
}

ErrorEllipse EllipseFromCovariance(const Eigen::Matrix2d& covariance_en_m2) {
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> solver(covariance_en_m2);
  const Eigen::Vector2d values = solver.eigenvalues().cwiseMax(0.0);  // ascending
  const Eigen::Vector2d major = solver.eigenvectors().col(1);         // (east, north)
  ErrorEllipse ellipse;
  ellipse.sigma1_m = std::sqrt(values[1]);
  ellipse.sigma2_m = std::sqrt(values[0]);
  double azimuth_deg = std::atan2(major.x(), major.y()) * 180.0 / std::numbers::pi;
  azimuth_deg = std::fmod(azimuth_deg + 360.0, 180.0);
  ellipse.angle_deg = azimuth_deg;
  return ellipse;
}

double CircularErrorRadiusM(const ErrorEllipse& ellipse, double probability) {
  const double s1 = ellipse.sigma1_m;
  const double s2 = std::max(ellipse.sigma2_m, 1e-6 * s1);
  if (!(s1 > 0.0)) return 0.0;
  // The radius lies between the one-dimensional quantile of σ1 and the circular one;
  // Newton from the circular guess, kept inside that bracket.
  double lo = 0.0;
  double hi = std::sqrt(-2.0 * std::log(1.0 - probability)) * s1;
  double r = hi;
  for (int iteration = 0; iteration < 50; ++iteration) {
    double dp = 0.0;
    const double f = ProbabilityWithin(r, s1, s2, &dp) - probability;
    if (std::abs(f) < 1e-10) break;
    if (f > 0.0)
      hi = r;
    else
      lo = r;
    double next = dp > 0.0 ? r - f / dp : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    r = next;
  }
  return r;
}

}  // namespace earshot::locate
