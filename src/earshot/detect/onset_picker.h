// Sub-sample onset of one impulsive arrival.
//
// The onset is where the leading edge of the arrival's first lobe, extended as a straight
// line, meets the background: a line fitted to the samples between 10 % and 80 % of the
// first lobe's peak, with the background's own drift (wind, rumble) removed by a line
// fitted to the samples before. For an arrival whose first lobe rises linearly this is
// its exact start, whatever its amplitude; for a rounded edge it is a fixed fraction of
// the rise later, the same at every sensor, which the locator's unknown emission time
// absorbs. The uncertainty is the fit's own (least squares), from the background's noise.
#ifndef EARSHOT_DETECT_ONSET_PICKER_H_
#define EARSHOT_DETECT_ONSET_PICKER_H_

#include <span>

namespace earshot::detect {

struct OnsetOptions {
  // A sample belongs to the arrival when it departs from the background by this many
  // standard deviations of the background.
  double departure_sigmas = 4.0;
  // The first lobe counts as the arrival when its peak reaches this many standard
  // deviations of the background and this fraction of the window's largest lobe.
  double lobe_sigmas = 6.0;
  double lobe_fraction = 0.05;
  // The leading edge is fitted between these fractions of the first lobe's peak.
  double edge_low_fraction = 0.1;
  double edge_high_fraction = 0.8;
  // The first lobe ends where the signal falls below this fraction of its running peak.
  double lobe_end_fraction = 0.5;
  // Longest first lobe looked at, samples.
  int max_lobe_samples = 48;
};

struct OnsetEstimate {
  bool found = false;
  double onset = 0.0;            // fractional index into the window
  double sigma_samples = 0.0;    // one-sigma uncertainty of `onset` from the background noise
  double background_rms = 0.0;   // after removing the background's linear drift
  double first_lobe_peak = 0.0;  // magnitude above the background
  int departure_index = 0;       // first sample that departs from the background
};

// `window` holds `background_samples` samples of background followed by the stretch in
// which the arrival starts. Needs background_samples >= 8.
OnsetEstimate PickOnset(std::span<const float> window, int background_samples,
                        const OnsetOptions& options = {});

}  // namespace earshot::detect

#endif  // EARSHOT_DETECT_ONSET_PICKER_H_
