// From a stream of pulses to located shots: association and location in one step.
//
// Pulses of one source at sensors i and j satisfy |t_i − t_j| ≤ d_ij / c (plus a
// tolerance): no sound can reach two places further apart in time than it takes to
// travel between them. The locator takes the earliest pulse not yet explained as an
// anchor, gathers the pulses that could share its source by that rule, and searches
// them by consensus (random minimal subsets with the anchor, each solved in closed
// form, scored by how many sensors it explains within the inlier window). The best
// hypothesis is refined with the robust solver, its inliers gathered again, and the fix
// is accepted only when it explains at least `min_sensors` sensors, every one within the
// residual window. Echoes (several pulses a sensor), unrelated bangs, bursts of rounds
// 60 ms apart and two sources in the same second at different places all fall out of
// this: each fix keeps only the pulses that are consistent with one point and one time.
//
//   LocateOptions options;               // defaults suit a city network
//   LocateResult result = LocatePulses(validated.pulses, weather, options);
//   for (const Fix& fix : result.fixes) ...
#ifndef EARSHOT_LOCATE_LOCATOR_H_
#define EARSHOT_LOCATE_LOCATOR_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"
#include "earshot/locate/robust_solver.h"

namespace earshot::locate {

inline RefineOptions CityRefineOptions() {
  RefineOptions options;
  options.late_scale_sigmas = 1.0;
  return options;
}

struct LocateOptions {
  // Unset: 3D with a soft prior that the source is near the height of the sensors that
  // heard it (a ground model); the geometry decides where it can.
  std::optional<SolveMode> mode;
  // Source height for SolveMode::kFixedHeight; unset: the median height of the sensors used.
  std::optional<double> fixed_height_m;
  double height_prior_sigma_m = 30.0;

  // For pulses that do not state their own: pulse times with millisecond resolution
  // (the dataset's, many vendors') have a quantisation noise of 0.29 ms alone.
  double default_onset_sigma_s = 0.5e-3;
  double association_slack_s = 0.050;  // added to d_ij / c
  double max_range_m = 4000.0;         // farthest a sensor is taken to hear a source
  double inlier_early_s = 0.004;       // a pulse this much earlier than predicted still fits
  double inlier_late_s = 0.050;        // ... and this much later (diffraction around buildings)
  int min_sensors = 5;
  // ... of which at least min_sensors within ±core_window_s: a real source has a core of
  // line-of-sight arrivals that agree to the timing noise; a set of unrelated pulses that
  // only just fits inside the wide late window does not.
  double core_window_s = 0.004;
  // A fix must be heard by at least this share of the listening sensors that are nearer
  // to it than its median participating sensor (Fix::coverage). A sensor listens when
  // it reported any pulse within `listening_window_s` of the fix.
  double min_coverage = 0.6;
  double listening_window_s = 120.0;
  // One bang reaches a sensor more than once (the direct sound, then reflections, or a
  // long arrival the sensor reports as two pulses). Pulses at a sensor of a fix that
  // follow its used pulse within this window are taken as such echoes, and a second fix
  // this soon after and within `echo_merge_distance_m` of the first is the same bang
  // heard again. Shorter than the 60 ms between rounds of automatic fire.
  double echo_window_s = 0.040;
  double echo_merge_distance_m = 25.0;
  // A reflector makes an image of a bang: a consistent but false source, later and heard
  // by fewer sensors, all of which heard the bang itself. A fix emitted within
  // `echo_horizon_s` after an accepted one, heard by at most `echo_ghost_max_share` (0.75) of
  // its sensors, nearly all of them (`echo_ghost_min_overlap`) also its sensors, is
  // taken as such an echo image and not reported.
  double echo_horizon_s = 1.0;
  double echo_ghost_max_share = 0.75;
  double echo_ghost_min_overlap = 0.8;
  int max_hypotheses = 200;
  uint64_t seed = 1;  // consensus sampling; same seed, same answer
  // Loss shape; mode and heights are set per fix. In a city, late arrivals (diffraction
  // around buildings, tens of ms) dominate the timing error, so late residuals lose
  // weight beyond one sigma (measured on the live-fire data: a k_late of 3 locates the
  // same shots with more spread; plain least squares loses a third of them).
  RefineOptions refine = CityRefineOptions();

  bool IsValid(std::string* error) const;
};

struct LocateResult {
  std::vector<Fix> fixes;                   // by emission time
  std::vector<RejectedPulse> unassociated;  // pulses no fix explains, with the reason
  int pulses_in = 0;
};

// Locates every source in `pulses` (any order; positions in one metric frame).
LocateResult LocatePulses(std::span<const Pulse> pulses, const Weather& weather,
                          const LocateOptions& options);

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_LOCATOR_H_
