// How well a source is located: covariance from the Jacobian, the error ellipse and
// 95 % radius, and the Cramér–Rao bound for the same geometry.
//
// With Gaussian timing noise σ and the Jacobian J of predicted arrival times with
// respect to the unknowns (x, y[, z], t0), the Fisher information is F = JᵀJ / σ² and
// any unbiased estimator has covariance ≥ F⁻¹ (the Cramér–Rao bound). The least-squares
// estimate reaches it asymptotically, so F⁻¹ evaluated at the fix is also the reported
// covariance, with σ taken as the larger of the assumed onset noise and the spread the
// residuals actually show: a fix never claims to be better than its own residuals.
#ifndef EARSHOT_LOCATE_UNCERTAINTY_H_
#define EARSHOT_LOCATE_UNCERTAINTY_H_

#include <span>

#include <Eigen/Core>

#include "earshot/core/fix.h"
#include "earshot/locate/arrival.h"

namespace earshot::locate {

struct Uncertainty {
  Eigen::Matrix2d covariance_en_m2 = Eigen::Matrix2d::Zero();
  ErrorEllipse ellipse;
  double radius95_m = 0.0;
  double height_sigma_m = 0.0;  // k3D only
  double emission_sigma_s = 0.0;
  double timing_sigma_s = 0.0;  // the σ the covariance uses
  double crb_rms_m = 0.0;       // √trace of the horizontal CRB with the assumed σ
  bool valid = false;           // false when the geometry is degenerate
};

// Full inverse Fisher information over (x, y[, z], t0) in units of m and s, for the
// arrivals' own σ_i. In k3D a height prior of sigma `height_prior_sigma_m` (> 0) adds
// its information. Returns false when the information matrix is singular.
bool InverseFisher(std::span<const Arrival> arrivals, const Propagation& model,
                   const Source& source, SolveMode mode, double height_prior_sigma_m,
                   Eigen::MatrixXd* inverse_fisher);

// √(trace of the horizontal 2×2 block of the Cramér–Rao bound), metres; NaN if singular.
double CramerRaoRmsM(std::span<const Arrival> arrivals, const Propagation& model,
                     const Source& source, SolveMode mode, double height_prior_sigma_m = 0.0);

// Covariance, ellipse and bounds at a fix. `residuals_s` are the fix's residuals (for
// the a-posteriori spread); the arrivals' σ_i are the assumed onset noise.
Uncertainty EstimateUncertainty(std::span<const Arrival> arrivals,
                                std::span<const double> residuals_s, const Propagation& model,
                                const Source& source, SolveMode mode, double height_prior_sigma_m);

// Ellipse axes and orientation of a horizontal (east, north) covariance.
ErrorEllipse EllipseFromCovariance(const Eigen::Matrix2d& covariance_en_m2);

// Radius of the circle centred on the estimate that holds the true position with
// probability `probability` for a Gaussian with this ellipse (not the 2.45σ of a
// circular one: an elongated ellipse needs a smaller factor of σ1).
double CircularErrorRadiusM(const ErrorEllipse& ellipse, double probability);

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_UNCERTAINTY_H_
