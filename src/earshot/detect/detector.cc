// The streaming impulse detector.
//
// Per sample: a 4th-order high-pass removes wind and traffic rumble; the energy envelope
// is the mean square of that over `envelope_window_s`; the background is the median
// energy of the 10 ms blocks of the last 1.5 s. A pulse triggers when the envelope rises
// `trigger_snr_db` over the background and `rise_over_recent_db` over its own mean in the
// `recent_window_s` before: the second rule keeps the ringing of a pulse from triggering
// again and again while the next round of automatic fire, rising out of it, still does.
//
// A trigger is only a hint of where a pulse is. Once its tail has been heard, the pulse
// is finalised from the history: the earliest clear rise within `onset_lookback_s`
// before the trigger's loudest part is found (so a loud echo never hides a weaker direct
// arrival), its onset is picked to a fraction of a sample (onset_picker.h), and features
// are computed over the following `tail_s`.
#include "earshot/detect/detector.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numbers>

#include "earshot/audio/biquad.h"
#include "earshot/audio/fft.h"
#include "earshot/detect/internal/noise_floor.h"
#include "earshot/detect/internal/sample_history.h"
#include "earshot/detect/onset_picker.h"
#include "earshot/detect/pulse_features.h"

namespace earshot::detect {
namespace {

double FromDb(double db) { return std::pow(10.0, db / 10.0); }

int64_t Samples(double seconds, double sample_rate_hz) {
  return std::max<int64_t>(1, std::llround(seconds * sample_rate_hz));
}

// A trigger waiting for its tail.
struct Trigger {
  int64_t index = 0;           // stream sample where the envelope crossed
  double noise_ms = 0.0;       // the level it rose over (mean square)
  double band_noise_ms = 0.0;  // the direct band's background (mean square)
};

// The direct band's filter: 4th-order Butterworth high-pass and low-pass.
audio::BiquadCascade DirectBandFilter(double low_hz, double high_hz, double fs) {
  const double q1 = 1.0 / (2.0 * std::cos(std::numbers::pi / 8.0));
  const double q2 = 1.0 / (2.0 * std::cos(3.0 * std::numbers::pi / 8.0));
  return audio::BiquadCascade({audio::HighPass(low_hz, fs, q1), audio::HighPass(low_hz, fs, q2),
                               audio::LowPass(high_hz, fs, q1), audio::LowPass(high_hz, fs, q2)});
}

class StreamingImpulseDetector final : public ImpulseDetector {
 public:
  StreamingImpulseDetector(const DetectorOptions& options, double sample_rate_hz,
                           int64_t first_sample_ns)
      : options_(options),
        fs_(sample_rate_hz),
        first_sample_ns_(first_sample_ns),
        highpass_(audio::BiquadCascade::ButterworthHighPass4(options.highpass_hz, fs_)),
        has_band_(options.direct_band_low_hz > 0.0 &&
                  options.direct_band_high_hz > options.direct_band_low_hz &&
                  options.direct_band_high_hz < 0.45 * sample_rate_hz),
        band_(has_band_
                  ? DirectBandFilter(options.direct_band_low_hz, options.direct_band_high_hz, fs_)
                  : audio::BiquadCascade()),
        window_(Samples(options.envelope_window_s, fs_)),
        block_(Samples(10e-3, fs_)),
        background_(Samples(3e-3, fs_)),
        lookback_(Samples(options.onset_lookback_s, fs_)),
        separation_(Samples(options.min_separation_s, fs_)),
        tail_(Samples(options.tail_s, fs_)),
        reference_span_(Samples(options.recent_window_s, fs_)),
        reference_lag_(Samples(2e-3, fs_)),
        history_span_(background_ + 2 * window_ + lookback_ + tail_ + Samples(0.1, fs_)),
        raw_(history_span_ + block_),
        envelope_(history_span_ + block_),
        band_envelope_(history_span_ + block_),
        energy_window_(static_cast<size_t>(window_), 0.0),
        band_window_(static_cast<size_t>(window_), 0.0),
        noise_(150),
        band_noise_(150),
        fft_(static_cast<int>(std::bit_ceil(static_cast<uint64_t>(Samples(0.1, fs_))))) {}

  void Push(std::span<const float> samples) override {
    for (float x : samples) {
      Step(x);
      // As soon as a tail is complete, while the history still holds the pulse.
      if (!pending_.empty() && pending_.front().index + tail_ <= next_) FinaliseReady(false);
    }
  }

  void PushGap(int64_t missing_samples, const std::string& cause) override {
    if (missing_samples <= 0) return;
    FinaliseReady(true);  // their tails end at the gap
    gaps_.push_back(Gap{TimeOfSampleNs(static_cast<double>(next_)),
                        TimeOfSampleNs(static_cast<double>(next_ + missing_samples)), next_,
                        missing_samples, cause});
    raw_.PushZeros(missing_samples);
    envelope_.PushZeros(missing_samples);
    band_envelope_.PushZeros(missing_samples);
    next_ += missing_samples;
    // The signal is discontinuous across the gap: start the filter and envelope afresh
    // and wait for a little background before triggering again.
    highpass_.Reset();
    band_.Reset();
    std::fill(energy_window_.begin(), energy_window_.end(), 0.0);
    std::fill(band_window_.begin(), band_window_.end(), 0.0);
    energy_sum_ = 0.0;
    band_sum_ = 0.0;
    block_sum_ = 0.0;
    band_block_sum_ = 0.0;
    block_fill_ = 0;
    recent_sum_ = 0.0;
    quiet_after_gap_ = background_ + 2 * window_;
  }

  void Finish() override { FinaliseReady(true); }

  std::vector<DetectedPulse> TakePulses() override { return std::exchange(pulses_, {}); }
  std::vector<Gap> TakeGaps() override { return std::exchange(gaps_, {}); }
  int64_t samples_seen() const override { return next_; }
  double sample_rate_hz() const override { return fs_; }
  int64_t TimeOfSampleNs(double index) const override {
    return first_sample_ns_ + static_cast<int64_t>(std::llround(index * 1e9 / fs_));
  }

 private:
  void Step(float x) {
    const double y = highpass_.Process(x);
    const double e = y * y;
    const size_t slot = static_cast<size_t>(next_ % window_);
    energy_sum_ += e - energy_window_[slot];
    energy_window_[slot] = e;
    if (slot == 0) {  // re-sum now and then so rounding cannot accumulate
      energy_sum_ = 0.0;
      for (double v : energy_window_) energy_sum_ += v;
    }
    const double envelope = std::max(energy_sum_, 0.0) / static_cast<double>(window_);
    raw_.Push(x);
    envelope_.Push(static_cast<float>(envelope));
    double band_e = 0.0;
    if (has_band_) {
      const double b = band_.Process(x);
      band_e = b * b;
      band_sum_ += band_e - band_window_[slot];
      band_window_[slot] = band_e;
      if (slot == 0) {
        band_sum_ = 0.0;
        for (double v : band_window_) band_sum_ += v;
      }
      band_envelope_.Push(static_cast<float>(std::max(band_sum_, 0.0) / window_));
    }

    block_sum_ += e;
    band_block_sum_ += band_e;
    if (++block_fill_ == block_) {
      noise_.AddBlock(block_sum_ / static_cast<double>(block_));
      if (has_band_) band_noise_.AddBlock(band_block_sum_ / static_cast<double>(block_));
      block_sum_ = 0.0;
      band_block_sum_ = 0.0;
      block_fill_ = 0;
    }
    const int64_t n = next_++;
    // The level a new pulse must stand out from: the background (median of recent
    // blocks), or the ringing of the previous pulse when that is louder (mean envelope
    // over the last 20 ms, ending 2 ms ago so the new rise is not in it).
    const int64_t lagged = n - reference_lag_;
    if (envelope_.Holds(lagged)) recent_sum_ += envelope_[lagged];
    if (envelope_.Holds(lagged - reference_span_))
      recent_sum_ -= envelope_[lagged - reference_span_];
    if (n % reference_span_ == 0) {  // re-sum now and then so rounding cannot accumulate
      recent_sum_ = 0.0;
      for (int64_t k = lagged - reference_span_ + 1; k <= lagged; ++k) {
        recent_sum_ += envelope_.AtOrZero(k);
      }
    }
    if (quiet_after_gap_ > 0) {
      --quiet_after_gap_;
      return;
    }
    if (noise_.blocks_seen() < 5) return;  // no background yet to compare with
    const double floor = std::max(noise_.mean_square(), 1e-20);
    const double recent = recent_sum_ / static_cast<double>(reference_span_);
    const double reference = std::max(floor, recent);
    if (envelope > floor * FromDb(options_.trigger_snr_db) &&
        envelope > recent * FromDb(options_.rise_over_recent_db) &&
        n - last_trigger_ >= separation_) {
      last_trigger_ = n;
      pending_.push_back(Trigger{n, reference, std::max(band_noise_.mean_square(), 1e-20)});
    }
  }

  // Finalises the triggers whose tail has been heard (all of them when `all`).
  void FinaliseReady(bool all) {
    while (!pending_.empty() && (all || pending_.front().index + tail_ <= next_)) {
      const Trigger trigger = pending_.front();
      pending_.pop_front();
      Finalise(trigger);
    }
  }

  float Envelope(int64_t i) const { return envelope_.AtOrZero(i); }

  void Finalise(const Trigger& trigger) {
    const double noise = trigger.noise_ms;
    // Where may this pulse start? Not before the previous pulse plus the separation,
    // and not before what the history still holds.
    int64_t earliest = std::max(trigger.index - lookback_, envelope_.begin() + background_);
    if (last_onset_index_ > -1) earliest = std::max(earliest, last_onset_index_ + separation_);
    if (earliest > trigger.index) return;  // within the previous pulse: an echo of it

    // The loudest part of what triggered, and from it the earliest clear rise: a
    // direct arrival may be up to `direct_below_peak_db` weaker than a loud echo, and
    // must stand clear of the background like a trigger would. The rise may also come
    // after the trigger (a background flicker just before a pulse).
    int64_t peak_index = trigger.index;
    for (int64_t i = trigger.index; i < std::min(next_, trigger.index + separation_); ++i) {
      if (Envelope(i) > Envelope(peak_index)) peak_index = i;
    }
    const double direct_level =
        std::max(noise * FromDb(options_.trigger_snr_db - 3.0),
                 Envelope(peak_index) * FromDb(-options_.direct_below_peak_db));
    // A candidate must itself rise out of what came just before it (as a trigger
    // would), so that the flicker of a noisy background ahead of a loud pulse is not
    // taken for its start. Running sums make the 20 ms mean before each one cheap.
    const int64_t sums_begin = earliest - reference_lag_ - reference_span_;
    prefix_.assign(1, 0.0);
    for (int64_t i = sums_begin; i <= peak_index; ++i)
      prefix_.push_back(prefix_.back() + Envelope(i));
    auto mean_before = [&](int64_t i) {
      const int64_t last = i - reference_lag_ - sums_begin;  // offsets into prefix_
      return (prefix_[static_cast<size_t>(last + 1)] -
              prefix_[static_cast<size_t>(last + 1 - reference_span_)]) /
             static_cast<double>(reference_span_);
    };
    const double rise = FromDb(options_.rise_over_recent_db);
    int64_t coarse = peak_index;
    for (int64_t i = earliest; i <= peak_index; ++i) {
      if (Envelope(i) > direct_level && Envelope(i) > rise * mean_before(i)) {
        coarse = i;
        break;
      }
    }
    // Back down the rise to where it leaves the level it rose over.
    while (coarse - 1 >= earliest && Envelope(coarse - 1) > noise * FromDb(3.0) &&
           Envelope(coarse - 1) < Envelope(coarse)) {
      --coarse;
    }
    if (has_band_) coarse = std::min(coarse, EarliestInBand(trigger, earliest, coarse));

    // The envelope at `coarse` averages the last window_ samples: the arrival starts in
    // (coarse - window_, coarse]. The background for the onset picker ends before that.
    const int64_t window_start = coarse - window_ - background_;
    const int64_t window_end = std::min(next_, coarse + window_ + 4 * window_);
    if (window_start < raw_.begin() || window_end <= coarse) return;
    scratch_.clear();
    for (int64_t i = window_start; i < window_end; ++i) scratch_.push_back(raw_[i]);
    const OnsetEstimate onset = PickOnset(scratch_, static_cast<int>(background_), options_.onset);

    double onset_index;
    double sigma_samples;
    if (onset.found) {
      onset_index = static_cast<double>(window_start) + onset.onset;
      sigma_samples = onset.sigma_samples;
    } else {  // buried in noise: the envelope's own resolution
      onset_index = static_cast<double>(coarse - window_ / 2);
      sigma_samples = static_cast<double>(window_) / 2.0;
    }
    const int64_t first = static_cast<int64_t>(std::floor(onset_index));
    if (last_onset_index_ > -1 && first < last_onset_index_ + separation_) return;

    // This pulse runs until the next trigger that will become a pulse of its own, or
    // the end of its tail.
    int64_t pulse_end = std::min(first + tail_, next_);
    for (const Trigger& later : pending_) {
      if (later.index - separation_ >= first) {
        pulse_end = std::min(pulse_end, later.index - window_);
        break;
      }
    }
    pulse_end = std::max(pulse_end, first + 1);

    double peak_envelope = 0.0, peak_abs = 0.0;
    for (int64_t i = first; i < pulse_end; ++i) {
      peak_envelope = std::max<double>(peak_envelope, Envelope(i));
      peak_abs = std::max<double>(peak_abs, std::abs(raw_.AtOrZero(i)));
    }
    const double snr_db = 10.0 * std::log10(std::max(peak_envelope, 1e-30) / noise);
    if (snr_db < options_.min_snr_db) return;

    DetectedPulse pulse;
    pulse.onset_sample = onset_index;
    pulse.onset_ns = TimeOfSampleNs(onset_index);
    const double sigma_s = sigma_samples / fs_;
    pulse.onset_sigma_s =
        std::sqrt(sigma_s * sigma_s + options_.onset_model_sigma_s * options_.onset_model_sigma_s);
    pulse.snr_db = snr_db;
    pulse.level_db_spl = options_.full_scale_db_spl + 20.0 * std::log10(std::max(peak_abs, 1e-10));

    const int64_t tail_end = std::min(first + tail_, next_);
    raw_tail_.clear();
    envelope_tail_.clear();
    for (int64_t i = first; i < tail_end; ++i) {
      raw_tail_.push_back(raw_.AtOrZero(i));
      envelope_tail_.push_back(Envelope(i));
    }
    PulseAudio audio;
    audio.sample_rate_hz = fs_;
    audio.raw = raw_tail_;
    audio.envelope = envelope_tail_;
    audio.pulse_samples = static_cast<int>(pulse_end - first);
    audio.noise_mean_square = noise;
    audio.snr_db = snr_db;
    audio.peak_level_db_spl = pulse.level_db_spl;
    pulse.features = ComputeFeatures(audio, fft_);

    last_onset_index_ = first;
    pulses_.push_back(pulse);
  }

  float BandEnvelope(int64_t i) const { return band_envelope_.AtOrZero(i); }

  // The earliest clear rise in the direct band before `before`, by the broad band's
  // rules (within `direct_below_peak_db` of the band's loudest part of the trigger, clear
  // of the band's background, a rise over what came just before it); `before` if none.
  int64_t EarliestInBand(const Trigger& trigger, int64_t earliest, int64_t before) {
    double peak = 0.0;
    for (int64_t i = trigger.index; i < std::min(next_, trigger.index + separation_); ++i) {
      peak = std::max<double>(peak, BandEnvelope(i));
    }
    const double level = std::max(trigger.band_noise_ms * FromDb(options_.trigger_snr_db),
                                  peak * FromDb(-options_.direct_below_peak_db));
    const double rise = FromDb(options_.rise_over_recent_db);
    const int64_t sums_begin = earliest - reference_lag_ - reference_span_;
    prefix_.assign(1, 0.0);
    for (int64_t i = sums_begin; i < before; ++i)
      prefix_.push_back(prefix_.back() + BandEnvelope(i));
    for (int64_t i = earliest; i < before; ++i) {
      const int64_t last = i - reference_lag_ - sums_begin;
      const double mean_before = (prefix_[static_cast<size_t>(last + 1)] -
                                  prefix_[static_cast<size_t>(last + 1 - reference_span_)]) /
                                 static_cast<double>(reference_span_);
      if (BandEnvelope(i) > level && BandEnvelope(i) > rise * mean_before) {
        int64_t start = i;  // back down the rise, as in the broad band
        while (start - 1 >= earliest &&
               BandEnvelope(start - 1) > trigger.band_noise_ms * FromDb(3.0) &&
               BandEnvelope(start - 1) < BandEnvelope(start)) {
          --start;
        }
        return start;
      }
    }
    return before;
  }

  const DetectorOptions options_;
  const double fs_;
  const int64_t first_sample_ns_;
  audio::BiquadCascade highpass_;
  const bool has_band_;
  audio::BiquadCascade band_;
  const int64_t window_, block_, background_, lookback_, separation_, tail_, reference_span_,
      reference_lag_, history_span_;
  internal::SampleHistory raw_;
  internal::SampleHistory envelope_;
  internal::SampleHistory band_envelope_;  // the direct band's, as envelope_
  std::vector<double> energy_window_;
  std::vector<double> band_window_;
  double energy_sum_ = 0.0;
  double band_sum_ = 0.0;
  double block_sum_ = 0.0;
  double band_block_sum_ = 0.0;
  int64_t block_fill_ = 0;
  internal::NoiseFloor noise_;
  internal::NoiseFloor band_noise_;
  audio::RealFft fft_;

  int64_t next_ = 0;  // stream index of the next sample (gaps included)
  int64_t quiet_after_gap_ = 0;
  double recent_sum_ = 0.0;
  int64_t last_trigger_ = std::numeric_limits<int64_t>::min() / 2;
  int64_t last_onset_index_ = -1;
  std::deque<Trigger> pending_;
  std::vector<float> scratch_, raw_tail_, envelope_tail_;
  std::vector<double> prefix_;
  std::vector<DetectedPulse> pulses_;
  std::vector<Gap> gaps_;
};

}  // namespace

Result<std::unique_ptr<ImpulseDetector>> ImpulseDetector::Create(const DetectorOptions& options,
                                                                 double sample_rate_hz,
                                                                 int64_t first_sample_ns) {
  const std::string source = "detector options";
  if (!(sample_rate_hz >= 4000.0 && sample_rate_hz <= 384000.0)) {
    return Fail(
        source, "sample_rate_hz",
        "expected a sample rate between 4 kHz and 384 kHz, got " + std::to_string(sample_rate_hz));
  }
  if (!(options.highpass_hz > 0.0 && options.highpass_hz < 0.4 * sample_rate_hz)) {
    return Fail(source, "highpass_hz",
                "expected a corner between 0 and 0.4 times the sample rate, got " +
                    std::to_string(options.highpass_hz));
  }
  if (!(options.trigger_snr_db > 0.0) || !(options.min_snr_db >= 0.0)) {
    return Fail(source, "trigger_snr_db", "expected positive dB values");
  }
  if (!(options.onset_lookback_s >= 0.0 && options.onset_lookback_s <= 0.5) ||
      !(options.min_separation_s > 0.0 && options.min_separation_s <= 1.0) ||
      !(options.tail_s > 0.0 && options.tail_s <= 2.0)) {
    return Fail(source, "onset_lookback_s/min_separation_s/tail_s",
                "expected 0 <= lookback <= 0.5 s, 0 < separation <= 1 s, 0 < tail <= 2 s");
  }
  if (!(options.direct_band_low_hz >= 0.0) ||
      (options.direct_band_low_hz > 0.0 &&
       !(options.direct_band_high_hz > options.direct_band_low_hz))) {
    return Fail(source, "direct_band_low_hz/direct_band_high_hz",
                "expected 0 (no direct band) or 0 < low < high");
  }
  if (!(options.onset_model_sigma_s >= 0.0)) {
    return Fail(source, "onset_model_sigma_s", "expected a non-negative time");
  }
  return std::make_unique<StreamingImpulseDetector>(options, sample_rate_hz, first_sample_ns);
}

}  // namespace earshot::detect
