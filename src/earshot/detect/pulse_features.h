// Computes the feature vector of features.h for one detected pulse, from the stretch of
// audio that starts at its onset and runs through its tail (echo pattern).
#ifndef EARSHOT_DETECT_PULSE_FEATURES_H_
#define EARSHOT_DETECT_PULSE_FEATURES_H_

#include <span>

#include "earshot/audio/fft.h"
#include "earshot/detect/features.h"

namespace earshot::detect {

struct PulseAudio {
  double sample_rate_hz = 0.0;
  // From the onset to the end of the tail: the raw samples (full scale +-1) and the
  // detector's energy envelope (mean square of the high-passed signal over its
  // envelope window).
  std::span<const float> raw;
  std::span<const float> envelope;
  // Samples of `raw` that belong to this pulse (a following pulse starts after them).
  int pulse_samples = 0;
  double noise_mean_square = 0.0;  // envelope units
  double snr_db = 0.0;
  double peak_level_db_spl = 0.0;
};

// The spectrum is taken over the pulse's first fft.size() samples at most.
Features ComputeFeatures(const PulseAudio& pulse, audio::RealFft& fft);

}  // namespace earshot::detect

#endif  // EARSHOT_DETECT_PULSE_FEATURES_H_
