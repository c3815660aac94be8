#include "earshot/locate/robust_solver.h"

#include <cmath>
#include <deque>
#include <memory>
#include <vector>

#include <ceres/ceres.h>

namespace earshot::locate {
namespace {

// One arrival: residual g((t − t0 − τ(p)) / σ) over the blocks position[3], emission[1].
class ArrivalCost final : public ceres::SizedCostFunction<1, 3, 1> {
 public:
  ArrivalCost(const Arrival& arrival, const Propagation& model, double k_late, double k_early)
      : arrival_(arrival), model_(model), k_late_(k_late), k_early_(k_early) {}

  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override {
    const Eigen::Map<const Eigen::Vector3d> position(parameters[0]);
    const double emission_s = parameters[1][0];
    Eigen::Vector3d d_tau;
    const double tau = TravelTimeS(model_, position, arrival_.sensor_m, &d_tau);
    const double inv_sigma = 1.0 / arrival_.sigma_s;
    const double e = (arrival_.time_s - emission_s - tau) * inv_sigma;
    double g_prime = 0.0;
    residuals[0] = ArrivalSkewLoss(e, k_late_, k_early_, &g_prime);
    if (jacobians != nullptr) {
      if (jacobians[0] != nullptr) {
        for (int k = 0; k < 3; ++k) jacobians[0][k] = -g_prime * d_tau[k] * inv_sigma;
      }
      if (jacobians[1] != nullptr) jacobians[1][0] = -g_prime * inv_sigma;
    }
    return std::isfinite(residuals[0]);
  }

 private:
  Arrival arrival_;
  Propagation model_;
  double k_late_;
  double k_early_;
};

// Soft prior on the source height: (z − z_prior) / σ.
class HeightPriorCost final : public ceres::SizedCostFunction<1, 3> {
 public:
  HeightPriorCost(double height_m, double sigma_m) : height_m_(height_m), sigma_m_(sigma_m) {}

  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override {
    residuals[0] = (parameters[0][2] - height_m_) / sigma_m_;
    if (jacobians != nullptr && jacobians[0] != nullptr) {
      jacobians[0][0] = 0.0;
      jacobians[0][1] = 0.0;
      jacobians[0][2] = 1.0 / sigma_m_;
    }
    return true;
  }

 private:
  double height_m_;
  double sigma_m_;
};

const char* TerminationName(ceres::TerminationType type) {
  switch (type) {
    case ceres::CONVERGENCE:
      return "converged";
    case ceres::NO_CONVERGENCE:
      return "iteration limit";
    case ceres::FAILURE:
      return "failure";
    case ceres::USER_SUCCESS:
      return "user success";
    case ceres::USER_FAILURE:
      return "user failure";
  }
  return "unknown";
}

}  // namespace

bool RefineOptions::IsValid(std::string* error) const {
  auto fail = [&](const char* message) {
    if (error != nullptr) *error = message;
    return false;
  };
  if (!(late_scale_sigmas > 0.0)) return fail("late_scale_sigmas must be > 0");
  if (!(early_scale_sigmas > 0.0)) return fail("early_scale_sigmas must be > 0");
  if (height_prior_sigma_m < 0.0) return fail("height_prior_sigma_m must be >= 0");
  if (max_iterations < 1) return fail("max_iterations must be >= 1");
  return true;
}

double ArrivalSkewLoss(double e, double k_late, double k_early, double* derivative) {
  if (e >= 0.0) {
    if (derivative != nullptr) *derivative = 1.0 / (1.0 + e / k_late);
    return k_late * std::log1p(e / k_late);
  }
  if (derivative != nullptr) *derivative = 1.0 / (1.0 - e / k_early);
  return -k_early * std::log1p(-e / k_early);
}

Refinement RefineSource(std::span<const Arrival> arrivals, const Propagation& model,
                        const Source& start, const RefineOptions& options) {
  Refinement out;
  double position[3] = {start.position_m.x(), start.position_m.y(), start.position_m.z()};
  double emission[1] = {start.emission_s};
  if (options.mode == SolveMode::kFixedHeight) position[2] = options.fixed_height_m;
  if (options.mode == SolveMode::k2D) position[2] = 0.0;

  // The cost functions live on the stack of this call; the problem must not delete them.
  ceres::Problem::Options problem_options;
  problem_options.cost_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  problem_options.manifold_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  problem_options.enable_fast_removal = false;
  ceres::Problem problem(problem_options);

  std::deque<ArrivalCost> costs;  // cost functions are neither copyable nor movable
  for (const Arrival& arrival : arrivals) {
    costs.emplace_back(arrival, model, options.late_scale_sigmas, options.early_scale_sigmas);
  }
  for (ArrivalCost& cost : costs) problem.AddResidualBlock(&cost, nullptr, position, emission);

  ceres::SubsetManifold fixed_height(3, {2});
  std::unique_ptr<HeightPriorCost> prior;
  if (options.mode == SolveMode::k3D) {
    if (options.height_prior_sigma_m > 0.0) {
      prior =
          std::make_unique<HeightPriorCost>(options.height_prior_m, options.height_prior_sigma_m);
      problem.AddResidualBlock(prior.get(), nullptr, position);
    }
  } else {
    problem.SetManifold(position, &fixed_height);
  }

  ceres::Solver::Options solver_options;
  solver_options.linear_solver_type = ceres::DENSE_QR;
  solver_options.max_num_iterations = options.max_iterations;
  solver_options.logging_type = ceres::SILENT;
  solver_options.minimizer_progress_to_stdout = false;
  solver_options.num_threads = 1;
  solver_options.function_tolerance = 1e-10;
  solver_options.parameter_tolerance = 1e-10;
  ceres::Solver::Summary summary;
  ceres::Solve(solver_options, &problem, &summary);

  out.source.position_m = Eigen::Vector3d(position[0], position[1], position[2]);
  out.source.emission_s = emission[0];
  out.summary.method = "ceres levenberg-marquardt, arrival-skew loss";
  out.summary.iterations = static_cast<int>(summary.iterations.size()) - 1;
  out.summary.termination = TerminationName(summary.termination_type);
  out.summary.initial_cost = summary.initial_cost;
  out.summary.final_cost = summary.final_cost;
  out.usable = out.source.position_m.allFinite() && std::isfinite(out.source.emission_s) &&
               (summary.termination_type == ceres::CONVERGENCE ||
                summary.termination_type == ceres::NO_CONVERGENCE);
  return out;
}

}  // namespace earshot::locate
