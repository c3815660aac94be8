// Robust refinement of a source location with Ceres.
//
// Unknowns: the source position (x, y and, in 3D, z) and the emission time; there is
// no reference sensor. Each arrival contributes the normalised residual
//   e_i = (t_i − t0 − τ(p, s_i)) / σ_i
// passed through an asymmetric "arrival skew" loss. In a city the dominant timing
// error is a late arrival: a diffracted path around a building or an echo taken for the
// direct sound is always later than the straight ray, never earlier. So
//   g(e) = +k_late  · log(1 + e/k_late)     for e ≥ 0  (late: influence fades quickly)
//   g(e) = −k_early · log(1 − e/k_early)    for e < 0  (early: close to Gaussian)
// and the solver minimises Σ g(e_i)². Both branches have g(0) = 0 and g'(0) = 1, so
// arrivals within a sigma or so count as in ordinary least squares; a late arrival
// tens of sigma out has almost no pull, and an early one (which physics does not
// allow, so it is a timing fault or a wrong association) keeps most of its weight.
//
// The cost function has an analytic Jacobian (checked against finite differences in
// robust_solver_test.cc).
#ifndef EARSHOT_LOCATE_ROBUST_SOLVER_H_
#define EARSHOT_LOCATE_ROBUST_SOLVER_H_

#include <span>
#include <string>

#include "earshot/core/fix.h"
#include "earshot/locate/arrival.h"

namespace earshot::locate {

struct RefineOptions {
  SolveMode mode = SolveMode::kFixedHeight;
  double fixed_height_m = 0.0;  // source height in kFixedHeight
  // In k3D, an optional soft prior on the source height (a ground model). Zero sigma
  // means no prior: the height is left to the geometry alone.
  double height_prior_m = 0.0;
  double height_prior_sigma_m = 0.0;
  double late_scale_sigmas = 3.0;   // k_late in the loss above
  double early_scale_sigmas = 8.0;  // k_early
  int max_iterations = 100;         // the log loss converges slower than least squares from far off

  bool IsValid(std::string* error) const;
};

struct Refinement {
  Source source;
  SolverSummary summary;
  bool usable = false;  // finite, and Ceres reported convergence or an acceptable stop
};

// The asymmetric loss of one normalised residual, and its derivative.
double ArrivalSkewLoss(double e, double k_late, double k_early, double* derivative = nullptr);

// Measured minus predicted arrival, seconds.
inline double ArrivalResidualS(const Arrival& arrival, const Source& source,
                               const Propagation& model) {
  return arrival.time_s - source.emission_s -
         TravelTimeS(model, source.position_m, arrival.sensor_m);
}

// Refines `start` on `arrivals`. In SolveMode::k2D the caller passes sensors and the
// start with z = 0 (horizontal distances only).
Refinement RefineSource(std::span<const Arrival> arrivals, const Propagation& model,
                        const Source& start, const RefineOptions& options);

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_ROBUST_SOLVER_H_
