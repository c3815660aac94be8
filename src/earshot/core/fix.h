// A Fix is a located source: where and when one sound was emitted, how well that is
// known, and the record of how the solver got there (which pulses it used, which it
// rejected and why, and the solver's own summary). Like Ceres' Solver::Summary it
// explains itself, so that an analyst or a court can see why the pin is where it is.
#ifndef EARSHOT_CORE_FIX_H_
#define EARSHOT_CORE_FIX_H_

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace earshot {

// Which coordinates of the source the solver estimated.
enum class SolveMode {
  k2D,           // x, y; the source is taken at the mean sensor height
  kFixedHeight,  // "2.5D": x, y with the source on a known height (ground model)
  k3D,           // x, y, z: when the geometry supports it (aerial fireworks far above)
};
const char* SolveModeName(SolveMode mode);

// The horizontal 1-sigma error ellipse of a position.
struct ErrorEllipse {
  double sigma1_m = 0.0;   // semi-major axis (largest standard deviation)
  double sigma2_m = 0.0;   // semi-minor axis
  double angle_deg = 0.0;  // azimuth of the major axis, degrees clockwise from north, [0, 180)
};

// A pulse that a fix explains, with its time residual (measured − predicted arrival).
struct UsedPulse {
  std::string pulse_id;
  std::string sensor_id;
  double residual_s = 0.0;
};

// A pulse that was considered for a fix but not used, with the reason in words
// ("later arrival at a sensor already used: echo", "residual 41.2 ms exceeds 8.0 ms").
struct RejectedPulse {
  std::string pulse_id;
  std::string sensor_id;
  std::string reason;
  double residual_s = 0.0;  // 0 when no residual was computed
};

struct SolverSummary {
  std::string method;       // e.g. "linear-ls + ceres(arrival-skew loss)"
  int iterations = 0;       // of the refinement
  std::string termination;  // "converged", "no convergence", ...
  double initial_cost = 0.0;
  double final_cost = 0.0;
};

struct Fix {
  int64_t emission_ns = 0;                               // UTC ns at the source
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();  // local ENU metres
  SolveMode mode = SolveMode::k2D;
  // Horizontal covariance of position_m (east, north), m², from the Jacobian at the
  // solution and the timing noise.
  Eigen::Matrix2d covariance_en_m2 = Eigen::Matrix2d::Zero();
  ErrorEllipse ellipse;
  double radius95_m = 0.0;        // radius of the circle holding the position with 95 % probability
  double height_sigma_m = 0.0;    // 1-sigma of the height, when mode == k3D
  double emission_sigma_s = 0.0;  // 1-sigma of the emission time
  double timing_sigma_s = 0.0;    // the arrival-time noise the covariance assumes
  // Cramér–Rao bound for the same geometry and timing noise: the smallest RMS horizontal
  // error any unbiased estimator can reach, metres.
  double crb_rms_m = 0.0;
  double speed_of_sound_mps = 0.0;
  // Negative evidence: of the listening sensors nearer to the fix than its median
  // participating sensor, the share that heard it. A real bang is heard by most sensors
  // close to it; a false fix stitched from echoes and unrelated pulses is not.
  double coverage = 0.0;
  std::vector<UsedPulse> used;
  std::vector<RejectedPulse> rejected;
  SolverSummary summary;

  int n_sensors() const { return static_cast<int>(used.size()); }
};

}  // namespace earshot

#endif  // EARSHOT_CORE_FIX_H_
