// The streaming impulse detector: audio in, pulses out (DESIGN.md §1, "audio -> detect").
//
// Feed it blocks of samples as they arrive, in order; it reports each impulsive arrival
// with a sub-sample onset time, the onset's uncertainty, level, SNR and a fixed feature
// vector. Its memory is bounded (a few seconds of history) whatever the stream's length.
//
// Time: sample k of the stream (counting samples lost in gaps) is at
//   first_sample_ns + k * 1e9 / sample_rate_hz.
// A gap (samples the capture lost) advances the clock without samples, so times after a
// gap stay right; each gap is reported.
//
// Typical use:
//   auto detector = ImpulseDetector::Create(options, 12000.0, first_sample_ns);
//   for (block : capture) { detector->Push(block); for (p : detector->TakePulses()) ... }
//   detector->Finish();  // end of stream: flushes pulses still waiting for their tail
#ifndef EARSHOT_DETECT_DETECTOR_H_
#define EARSHOT_DETECT_DETECTOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/detect/features.h"
#include "earshot/detect/onset_picker.h"

namespace earshot::detect {

struct DetectorOptions {
  // Level of a full-scale sample in dB SPL (the sensor's calibration).
  double full_scale_db_spl = 93.0;
  // Energy envelope rise over the noise floor that starts a pulse, dB.
  double trigger_snr_db = 10.0;
  // ... and this far over the mean of the recent stretch before it, so that the ringing of a pulse
  // does not trigger again while a new pulse rising out of it does, dB.
  double rise_over_recent_db = 10.0;
  // Length of that recent stretch, s.
  double recent_window_s = 20e-3;
  // A pulse is reported only if its peak rises this far over the noise floor, dB.
  double min_snr_db = 10.0;
  // The energy envelope is the mean square over this long, s: about the length of a
  // blast's first lobes, so it averages background flicker but not the blast.
  double envelope_window_s = 2e-3;
  // High-pass corner that removes wind and traffic rumble before detection, Hz.
  double highpass_hz = 300.0;
  // A second band in which the onset search also looks for the direct arrival, Hz (low
  // edge 0: none). A direct path keeps its high frequencies, while traffic and wind
  // have little energy there: a weak direct arrival that the broad band's low-frequency
  // background masks can stand clear in this band. Ignored where the sample rate cannot
  // hold it (the high edge must be under 0.45 of the sample rate).
  double direct_band_low_hz = 1000.0;
  double direct_band_high_hz = 3000.0;
  // How far before the trigger the onset search looks for a weaker direct arrival, s.
  double onset_lookback_s = 0.040;
  // A weaker arrival before a pulse's loudest part counts as its start down to this far
  // below that loudest part, dB (a direct path behind a building, a loud echo after it).
  double direct_below_peak_db = 24.0;
  // Two onsets closer than this are one pulse, s (automatic fire is >= 50 ms apart;
  // distinct reflections 12 ms or more behind a pulse are reported as pulses of their own).
  double min_separation_s = 0.012;
  // Stretch after the onset used for features (echo pattern), s.
  double tail_s = 0.250;
  // Exactly-zero runs at least this long are dropouts, s. The detector does not look for
  // them itself: its callers (detect/recording.cc, the sensor agent's zero-run splitter)
  // feed such runs as PushGap so that they are recorded as gaps, not heard as silence.
  double dropout_min_s = 0.050;
  // Uncertainty of where a real outdoor arrival "starts" beyond the background noise
  // (its edge is rounded by distance and obstacles); added in quadrature, s.
  double onset_model_sigma_s = 0.2e-3;
  OnsetOptions onset;
};

// One detected impulsive arrival.
struct DetectedPulse {
  int64_t onset_ns = 0;
  double onset_sample = 0.0;   // fractional sample index in the stream (gaps included)
  double onset_sigma_s = 0.0;  // one-sigma onset uncertainty
  double snr_db = 0.0;         // peak envelope over the noise floor before the pulse
  double level_db_spl = 0.0;   // peak level
  Features features;
};

// Samples the stream did not deliver (capture overrun, link dropout, zero-filled file).
struct Gap {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t first_sample = 0;  // stream index of the first missing sample
  int64_t missing_samples = 0;
  std::string cause;
};

class ImpulseDetector {
 public:
  // Fails on a non-positive or absurd sample rate or inconsistent options.
  static Result<std::unique_ptr<ImpulseDetector>> Create(const DetectorOptions& options,
                                                         double sample_rate_hz,
                                                         int64_t first_sample_ns);
  virtual ~ImpulseDetector() = default;

  // Appends samples (full scale +-1) that follow the previous ones without a break.
  virtual void Push(std::span<const float> samples) = 0;
  // Records that `missing_samples` samples were lost here; the clock moves over them.
  virtual void PushGap(int64_t missing_samples, const std::string& cause) = 0;
  // End of stream: reports the pulses still waiting for their tail.
  virtual void Finish() = 0;

  // Pulses and gaps found since the last call, in time order.
  virtual std::vector<DetectedPulse> TakePulses() = 0;
  virtual std::vector<Gap> TakeGaps() = 0;

  // Stream position: samples pushed plus samples lost in gaps.
  virtual int64_t samples_seen() const = 0;
  virtual double sample_rate_hz() const = 0;
  // UTC time of stream sample `index` (may be fractional).
  virtual int64_t TimeOfSampleNs(double index) const = 0;
};

}  // namespace earshot::detect

#endif  // EARSHOT_DETECT_DETECTOR_H_
