#include "earshot/cli/locate_options.h"

#include <cmath>
#include <iostream>

namespace earshot::cli {

void AddLocateFlags(CLI::App& command, LocateFlags* flags, locate::LocateOptions* options) {
  command
      .add_option("--mode", flags->mode,
                  "2d, 2.5d (source on --height), 3d, or auto (3d with a soft prior at the "
                  "height of the sensors that heard it)")
      ->check(CLI::IsMember({"auto", "2d", "2.5d", "3d"}))
      ->capture_default_str();
  command.add_option("--height", flags->height_m, "source height for --mode 2.5d, metres");
  command.add_option("--min-sensors", options->min_sensors, "sensors a fix needs at least")
      ->check(CLI::Range(4, 1000))
      ->capture_default_str();
  command
      .add_option_function<double>(
          "--onset-sigma-ms", [options](double ms) { options->default_onset_sigma_s = ms * 1e-3; },
          "timing noise of pulses that do not state their own, ms (default 0.5)")
      ->check(CLI::PositiveNumber);
  command
      .add_option_function<double>(
          "--inlier-late-ms", [options](double ms) { options->inlier_late_s = ms * 1e-3; },
          "how much later than predicted a pulse may arrive and still count, ms (default 50)")
      ->check(CLI::PositiveNumber);
  command
      .add_option_function<double>(
          "--inlier-early-ms", [options](double ms) { options->inlier_early_s = ms * 1e-3; },
          "how much earlier than predicted a pulse may arrive and still count, ms (default 4)")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--min-coverage", options->min_coverage,
                  "share of the sensors near a fix that must have heard it")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command
      .add_option("--late-scale", options->refine.late_scale_sigmas,
                  "arrival-skew loss: late residuals beyond this many sigma lose weight")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command.add_option("--seed", options->seed, "consensus sampling seed")->capture_default_str();
}

bool FinishLocateOptions(const LocateFlags& flags, locate::LocateOptions* options) {
  if (flags.mode == "2d") options->mode = SolveMode::k2D;
  if (flags.mode == "3d") options->mode = SolveMode::k3D;
  if (flags.mode == "2.5d") {
    options->mode = SolveMode::kFixedHeight;
    if (!std::isnan(flags.height_m)) options->fixed_height_m = flags.height_m;
  }
  std::string error;
  if (!options->IsValid(&error)) {
    std::cerr << "earshot: invalid locator options: " << error << "\n";
    return false;
  }
  return true;
}

}  // namespace earshot::cli
