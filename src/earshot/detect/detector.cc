// First cut, to be replaced by the real detector (issue 3): compiles and runs so that the
// modules around it can be built against the interface.
#include "earshot/detect/detector.h"

#include <cmath>

namespace earshot::detect {
namespace {

class SimpleDetector final : public ImpulseDetector {
 public:
  SimpleDetector(const DetectorOptions& options, double fs, int64_t t0)
      : options_(options), fs_(fs), t0_(t0) {}
  void Push(std::span<const float> samples) override {
    for (float x : samples) {
      const double e = static_cast<double>(x) * x;
      noise_ = noise_ == 0 ? e + 1e-12 : noise_ * 0.9999 + e * 0.0001;
      if (10 * std::log10(e / noise_) > options_.trigger_snr_db &&
          n_ - last_ > options_.min_separation_s * fs_) {
        DetectedPulse p;
        p.onset_sample = static_cast<double>(n_);
        p.onset_ns = TimeOfSampleNs(p.onset_sample);
        p.onset_sigma_s = 1.0 / fs_;
        p.snr_db = 10 * std::log10(e / noise_);
        p.level_db_spl = options_.full_scale_db_spl + 10 * std::log10(e + 1e-20);
        pulses_.push_back(p);
        last_ = n_;
      }
      ++n_;
    }
  }
  void PushGap(int64_t missing, const std::string& cause) override {
    gaps_.push_back({TimeOfSampleNs(n_), TimeOfSampleNs(n_ + missing), n_, missing, cause});
    n_ += missing;
  }
  void Finish() override {}
  std::vector<DetectedPulse> TakePulses() override { return std::exchange(pulses_, {}); }
  std::vector<Gap> TakeGaps() override { return std::exchange(gaps_, {}); }
  int64_t samples_seen() const override { return n_; }
  double sample_rate_hz() const override { return fs_; }
  int64_t TimeOfSampleNs(double index) const override {
    return t0_ + static_cast<int64_t>(std::llround(index * 1e9 / fs_));
  }

 private:
  DetectorOptions options_;
  double fs_;
  int64_t t0_;
  int64_t n_ = 0, last_ = -1000000;
  double noise_ = 0;
  std::vector<DetectedPulse> pulses_;
  std::vector<Gap> gaps_;
};

}  // namespace

Result<std::unique_ptr<ImpulseDetector>> ImpulseDetector::Create(const DetectorOptions& options,
                                                                double sample_rate_hz,
                                                                int64_t first_sample_ns) {
  if (!(sample_rate_hz >= 1000.0 && sample_rate_hz <= 384000.0)) {
    return Fail("detector", "sample_rate_hz",
                "expected a sample rate between 1 kHz and 384 kHz, got " +
                    std::to_string(sample_rate_hz));
  }
  return std::make_unique<SimpleDetector>(options, sample_rate_hz, first_sample_ns);
}

}  // namespace earshot::detect
