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

namespace earshot::detect {

struct DetectorOptions {
  // Level of a full-scale sample in dB SPL (the sensor's calibration).
  double full_scale_db_spl = 93.0;
  // Energy envelope rise over the noise floor that starts a pulse, dB.
  double trigger_snr_db = 12.0;
  // A pulse is reported only if its peak rises this far over the noise floor, dB.
  double min_snr_db = 12.0;
  // High-pass corner that removes wind and traffic rumble before detection, Hz.
  double highpass_hz = 300.0;
  // How far before the trigger the onset search looks for a weaker direct arrival, s.
  double onset_lookback_s = 0.040;
  // Two onsets closer than this are one pulse, s (automatic fire is >= 50 ms apart).
  double min_separation_s = 0.030;
  // Stretch after the onset used for features (echo pattern), s.
  double tail_s = 0.250;
  // Exactly-zero runs at least this long are dropouts (recorded as gaps), s.
  double dropout_min_s = 0.050;
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
