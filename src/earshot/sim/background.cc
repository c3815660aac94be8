// Each component is white noise (or impulses, or notes) through a few first- and
// second-order sections, under a slow envelope drawn at a control rate of 200 Hz, and is
// calibrated so that its equivalent level over the rendered span is the spec's: the
// filter's noise gain is known exactly, and the envelope is normalised to unit mean
// square over the span. Spectra, levels and their sources are in docs/simulation.md
// ("Background").
#include "earshot/sim/background.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <span>

#include "earshot/audio/biquad.h"
#include "earshot/core/error.h"
#include "earshot/sim/internal/noise_envelope.h"
#include "earshot/sim/internal/noise_filters.h"
#include "earshot/sim/internal/sound_level.h"

namespace earshot::sim {
namespace {

using audio::BiquadCoefficients;
using internal::ControlEnvelope;
using internal::CornerBelowNyquist;

constexpr double kControlPeriodS = 0.005;
size_t ControlStep(double sample_rate_hz) {
  return static_cast<size_t>(std::max<int64_t>(1, std::llround(kControlPeriodS * sample_rate_hz)));
}
double ControlTimeS(const ControlEnvelope& envelope, size_t j, double sample_rate_hz) {
  return static_cast<double>(j * envelope.step()) / sample_rate_hz;
}

// Filters start from rest; this much noise before the span lets the slowest pole (the
// 10–20 Hz high-passes) settle, so the span's first samples are at full level.
constexpr double kPreRollS = 0.1;
size_t PreRollSamples(double sample_rate_hz) {
  return static_cast<size_t>(std::llround(kPreRollS * sample_rate_hz));
}
// Long enough for the impulse response of the slowest pole (10 Hz: 16 ms) to vanish.
constexpr double kGainSettleS = 0.5;

// Adds white noise shaped by `sections`, scaled to unit variance, then to `level_pa`
// (rms) under `envelope`. Block by block, so that minutes of audio never need more than
// the output itself; the pre-roll runs through the same filter first.
void AddShapedNoise(const std::vector<BiquadCoefficients>& sections,
                    const ControlEnvelope& envelope, double level_pa, double sample_rate_hz,
                    Rng& rng, std::span<float> out) {
  constexpr size_t kBlock = 2048;
  std::array<float, kBlock> buffer;
  audio::BiquadCascade filter(sections);
  for (size_t done = 0, pre = PreRollSamples(sample_rate_hz); done < pre; done += kBlock) {
    const std::span<float> block(buffer.data(), std::min(kBlock, pre - done));
    internal::FillUniformNoise(rng, block);
    filter.Process(block, block);
  }
  const double scale =
      level_pa / std::sqrt(internal::WhiteNoiseGain(sections, sample_rate_hz, kGainSettleS));
  for (size_t first = 0; first < out.size(); first += kBlock) {
    const std::span<float> block(buffer.data(), std::min(kBlock, out.size() - first));
    internal::FillUniformNoise(rng, block);
    filter.Process(block, block);
    envelope.MultiplyAdd(block, first, scale, out);
  }
}

// ---- Traffic -------------------------------------------------------------------------

// Vehicles passing on a street near the sensor, a Poisson stream; each is a point source
// on a straight road at distance d and speed v, so its intensity at the sensor is
// W / (d² + v² (t − t0)²), a bump of width τ = d/v. Heavy vehicles are 10 dB louder.
constexpr double kVehiclesPerS = 0.25;
constexpr double kMinRoadDistanceM = 10.0, kMaxRoadDistanceM = 50.0;
constexpr double kMinVehicleSpeedMps = 8.0, kMaxVehicleSpeedMps = 16.0;
constexpr double kHeavyFraction = 0.1, kHeavyPower = 10.0;
// Distant traffic, a steady floor, as this fraction of the mean intensity of pass-bys.
constexpr double kDistantTrafficFraction = 0.7;
// A pass-by is followed for this many τ either side of its closest approach (its
// intensity there is 1 % of the peak).
constexpr double kPassByWidths = 10.0;

ControlEnvelope PassByEnvelope(double sample_rate_hz, size_t count, Rng& rng) {
  ControlEnvelope envelope(count, ControlStep(sample_rate_hz));
  const double duration_s = static_cast<double>(count) / sample_rate_hz;
  // Mean pass-by intensity: λ π E[W] E[1/d] E[1/v] (each pass-by integrates to π W/(d v)).
  const double mean_power = (1.0 - kHeavyFraction) + kHeavyFraction * kHeavyPower;
  const double mean_inverse_d =
      std::log(kMaxRoadDistanceM / kMinRoadDistanceM) / (kMaxRoadDistanceM - kMinRoadDistanceM);
  const double mean_inverse_v = std::log(kMaxVehicleSpeedMps / kMinVehicleSpeedMps) /
                                (kMaxVehicleSpeedMps - kMinVehicleSpeedMps);
  const double distant = kDistantTrafficFraction * kVehiclesPerS * std::numbers::pi * mean_power *
                         mean_inverse_d * mean_inverse_v;
  std::vector<double> intensity(envelope.points(), distant);
  const double margin_s = kPassByWidths * kMaxRoadDistanceM / kMinVehicleSpeedMps;
  const double control_rate_hz = sample_rate_hz / static_cast<double>(envelope.step());
  for (double t0 = -margin_s + rng.Exponential(1.0 / kVehiclesPerS); t0 < duration_s + margin_s;
       t0 += rng.Exponential(1.0 / kVehiclesPerS)) {
    const double d = rng.Uniform(kMinRoadDistanceM, kMaxRoadDistanceM);
    const double v = rng.Uniform(kMinVehicleSpeedMps, kMaxVehicleSpeedMps);
    const double power = rng.Bernoulli(kHeavyFraction) ? kHeavyPower : 1.0;
    const double tau = d / v;
    const double peak = power / (d * d);
    const auto first =
        static_cast<int64_t>(std::ceil((t0 - kPassByWidths * tau) * control_rate_hz));
    const auto last =
        static_cast<int64_t>(std::floor((t0 + kPassByWidths * tau) * control_rate_hz));
    for (int64_t j = std::max<int64_t>(first, 0);
         j <= std::min<int64_t>(last, static_cast<int64_t>(envelope.points()) - 1); ++j) {
      const double x = (ControlTimeS(envelope, static_cast<size_t>(j), sample_rate_hz) - t0) / tau;
      intensity[static_cast<size_t>(j)] += peak / (1.0 + x * x);
    }
  }
  for (size_t j = 0; j < envelope.points(); ++j) envelope[j] = std::sqrt(intensity[j]);
  envelope.NormaliseMeanSquare();
  return envelope;
}

// The spectrum: flat below 50 Hz (engines and tyres), falling 6 dB/octave to 1 kHz, a
// shelf to 2 kHz and a roll-off above 4 kHz, which follows EN 1793-3's normalised
// traffic spectrum within about 2 dB per third octave from 100 Hz to 5 kHz.
void AddTraffic(double level_db, double sample_rate_hz, size_t count, Rng& rng,
                std::span<float> out) {
  const double fs = sample_rate_hz;
  const std::vector<BiquadCoefficients> sections = {
      internal::OnePoleHighPass(20.0, fs), internal::OnePoleLowPass(50.0, fs),
      internal::FirstOrderShelf(CornerBelowNyquist(1000.0, fs), CornerBelowNyquist(2000.0, fs), fs),
      internal::OnePoleLowPass(CornerBelowNyquist(4000.0, fs), fs)};
  const ControlEnvelope envelope = PassByEnvelope(fs, count, rng);
  AddShapedNoise(sections, envelope, internal::DbSplToPa(level_db), fs, rng, out);
}

// ---- Wind on the microphone ----------------------------------------------------------

// Turbulence: the wind speed fluctuates by this fraction (one sigma) with this
// correlation time; the noise pressure follows the dynamic pressure, ∝ u².
constexpr double kTurbulenceIntensity = 0.3;
constexpr double kGustTimeS = 2.0;
// Where the wind-noise spectrum turns down, per m/s of wind (a Strouhal number f·D/U of
// about 1.8 for a 9 cm windscreen).
constexpr double kWindCornerHzPerMps = 20.0;

ControlEnvelope GustEnvelope(double sample_rate_hz, size_t count, Rng& rng) {
  ControlEnvelope envelope(count, ControlStep(sample_rate_hz));
  // An Ornstein–Uhlenbeck process at the control rate, started in its stationary state.
  const double dt = static_cast<double>(envelope.step()) / sample_rate_hz;
  const double a = std::exp(-dt / kGustTimeS);
  const double innovation = std::sqrt(1.0 - a * a);
  double x = rng.Normal();
  for (size_t j = 0; j < envelope.points(); ++j) {
    const double relative_speed = std::max(0.1, 1.0 + kTurbulenceIntensity * x);
    envelope[j] = relative_speed * relative_speed;
    x = a * x + innovation * rng.Normal();
  }
  envelope.NormaliseMeanSquare();
  return envelope;
}

void AddWind(double speed_mps, double sample_rate_hz, size_t count, Rng& rng,
             std::span<float> out) {
  const double fs = sample_rate_hz;
  const double corner_hz =
      CornerBelowNyquist(std::clamp(kWindCornerHzPerMps * speed_mps, 20.0, 250.0), fs);
  const std::vector<BiquadCoefficients> sections = {internal::OnePoleHighPass(10.0, fs),
                                                    audio::LowPass(corner_hz, fs)};
  const ControlEnvelope envelope = GustEnvelope(fs, count, rng);
  AddShapedNoise(sections, envelope, internal::DbSplToPa(WindNoiseDbSpl(speed_mps)), fs, rng, out);
}

// ---- Rain ----------------------------------------------------------------------------

// Drops striking the pole, the enclosure and the ground nearby: impacts per second per
// mm/h, each a click whose size varies log-normally (drop sizes spread widely).
constexpr double kImpactsPerSPerMmH = 500.0;
constexpr double kImpactLogSigma = 0.8;

void AddRain(double rate_mm_per_h, double sample_rate_hz, size_t count, Rng& rng,
             std::span<float> out) {
  const double fs = sample_rate_hz;
  // Above a quarter of the sample rate the clicks merge into a hiss anyway.
  const double impacts_per_s = std::min(kImpactsPerSPerMmH * rate_mm_per_h, 0.25 * fs);
  const double mean_gap_samples = fs / impacts_per_s;
  const size_t pre = PreRollSamples(fs);
  std::vector<float> clicks(pre + count, 0.0f);
  double energy_in_span = 0.0;
  for (double t = rng.Exponential(mean_gap_samples); t < static_cast<double>(clicks.size());
       t += rng.Exponential(mean_gap_samples)) {
    const auto index = static_cast<size_t>(t);
    const double size = std::exp(kImpactLogSigma * rng.Normal());
    const double amplitude = (rng.NextU64() >> 63) != 0 ? size : -size;
    clicks[index] += static_cast<float>(amplitude);
    if (index >= pre) energy_in_span += amplitude * amplitude;
  }
  if (energy_in_span <= 0.0) return;  // a span too short for a single drop
  // Broadband clicks: the rain's energy is above ~500 Hz, where small impacts ring.
  const std::vector<BiquadCoefficients> sections = {
      audio::HighPass(CornerBelowNyquist(500.0, fs), fs),
      internal::OnePoleLowPass(CornerBelowNyquist(6000.0, fs), fs)};
  audio::BiquadCascade filter(sections);
  filter.Process(clicks, clicks);
  const double mean_square = energy_in_span / static_cast<double>(count) *
                             internal::WhiteNoiseGain(sections, fs, kGainSettleS);
  const double scale = internal::DbSplToPa(RainNoiseDbSpl(rate_mm_per_h)) / std::sqrt(mean_square);
  for (size_t n = 0; n < count; ++n) out[n] += static_cast<float>(scale * clicks[pre + n]);
}

// ---- Distant voices ------------------------------------------------------------------

// A few talkers out of sight: syllables of 120–220 ms at about 4 per second, with pauses
// between phrases, so the band's envelope carries speech's 4 Hz modulation.
constexpr int kTalkers = 2;
constexpr double kSyllableIntervalS = 0.25;
constexpr double kPhrasePauseProbability = 0.06;
constexpr double kMurmurFloor = 0.02;  // intensity between syllables, re a syllable's peak

ControlEnvelope SyllableEnvelope(double sample_rate_hz, size_t count, Rng& rng) {
  ControlEnvelope envelope(count, ControlStep(sample_rate_hz));
  const double duration_s = static_cast<double>(count) / sample_rate_hz;
  const double control_rate_hz = sample_rate_hz / static_cast<double>(envelope.step());
  std::vector<double> intensity(envelope.points(), kMurmurFloor * kTalkers);
  for (int talker = 0; talker < kTalkers; ++talker) {
    for (double t = rng.Uniform(-1.0, 0.0); t < duration_s;) {
      const double length_s = rng.Uniform(0.12, 0.22);
      const double stress = std::exp(0.25 * rng.Normal());
      const auto first = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(t * control_rate_hz)));
      const auto last = std::min<int64_t>(static_cast<int64_t>(envelope.points()) - 1,
                                          static_cast<int64_t>((t + length_s) * control_rate_hz));
      for (int64_t j = first; j <= last; ++j) {
        const double u =
            (ControlTimeS(envelope, static_cast<size_t>(j), sample_rate_hz) - t) / length_s;
        const double s = std::sin(std::numbers::pi * std::clamp(u, 0.0, 1.0));
        intensity[static_cast<size_t>(j)] += stress * s * s;
      }
      double gap_s = std::max(length_s, kSyllableIntervalS * std::exp(0.15 * rng.Normal()));
      if (rng.Bernoulli(kPhrasePauseProbability)) gap_s += rng.Uniform(0.2, 0.6);
      t += gap_s;
    }
  }
  for (size_t j = 0; j < envelope.points(); ++j) envelope[j] = std::sqrt(intensity[j]);
  envelope.NormaliseMeanSquare();
  return envelope;
}

// Speech band: 200 Hz to 3 kHz, tilted down 6 dB/octave above 1 kHz as the long-term
// speech spectrum is.
void AddVoices(double level_db, double sample_rate_hz, size_t count, Rng& rng,
               std::span<float> out) {
  const double fs = sample_rate_hz;
  const std::vector<BiquadCoefficients> sections = {
      audio::HighPass(CornerBelowNyquist(200.0, fs), fs),
      internal::OnePoleLowPass(CornerBelowNyquist(1000.0, fs), fs),
      audio::LowPass(CornerBelowNyquist(3000.0, fs), fs)};
  const ControlEnvelope envelope = SyllableEnvelope(fs, count, rng);
  AddShapedNoise(sections, envelope, internal::DbSplToPa(level_db), fs, rng, out);
}

// ---- Music ---------------------------------------------------------------------------

// Music from a party or a car down the street: what carries through walls and over
// distance is the beat and the bass. A kick drum on every beat and a bass line of eight
// notes, at a tempo of 96–128 beats per minute.
constexpr std::array<double, 6> kBassNotesHz = {55.0, 61.74, 65.41, 73.42, 82.41, 98.0};
constexpr int kPatternBeats = 8;
constexpr double kKickLengthS = 0.25;
constexpr double kBassAmplitude = 0.6;  // re the kick

// A kick: a sine falling from 110 to 50 Hz, with a 4 ms attack (a thump, not a click:
// distant music should not look like an impulse) and a 90 ms decay.
std::vector<double> KickTemplate(double sample_rate_hz) {
  std::vector<double> kick(static_cast<size_t>(kKickLengthS * sample_rate_hz));
  constexpr double kSweepS = 0.03;
  for (size_t n = 0; n < kick.size(); ++n) {
    const double t = static_cast<double>(n) / sample_rate_hz;
    const double phase =
        2.0 * std::numbers::pi * (50.0 * t + 60.0 * kSweepS * (1.0 - std::exp(-t / kSweepS)));
    kick[n] = (1.0 - std::exp(-t / 0.004)) * std::exp(-t / 0.09) * std::sin(phase);
  }
  return kick;
}

// A bass note of one beat: fundamental, second and third harmonics, a 15 ms attack, a
// slow decay and a 30 ms fade at the end so that notes join without clicks. The sine
// comes from a rotating phasor, the harmonics from sin 2x and sin 3x in terms of sin x.
std::vector<double> BassTemplate(double frequency_hz, double beat_s, double sample_rate_hz) {
  std::vector<double> note(static_cast<size_t>(beat_s * sample_rate_hz));
  const std::complex<double> step =
      std::polar(1.0, 2.0 * std::numbers::pi * frequency_hz / sample_rate_hz);
  std::complex<double> phasor = 1.0;
  constexpr double kFadeS = 0.03;
  for (size_t n = 0; n < note.size(); ++n) {
    const double t = static_cast<double>(n) / sample_rate_hz;
    const double s = phasor.imag(), c = phasor.real();
    const double tone = s + 0.5 * (2.0 * s * c) + 0.25 * (3.0 * s - 4.0 * s * s * s);
    const double fade = std::clamp((beat_s - t) / kFadeS, 0.0, 1.0);
    note[n] = (1.0 - std::exp(-t / 0.015)) * std::exp(-t / 0.35) * fade * tone;
    phasor *= step;
  }
  return note;
}

void AddMusic(double level_db, double sample_rate_hz, size_t count, Rng& rng,
              std::span<float> out) {
  const double fs = sample_rate_hz;
  const double beat_s = 60.0 / rng.Uniform(96.0, 128.0);
  std::array<size_t, kPatternBeats> pattern;
  for (size_t& note : pattern) note = rng.Below(kBassNotesHz.size());
  const double offset_s = rng.Uniform(0.0, kPatternBeats * beat_s);  // into the pattern

  const std::vector<double> kick = KickTemplate(fs);
  std::array<std::vector<double>, kBassNotesHz.size()> bass;
  for (const size_t note : pattern) {
    if (bass[note].empty()) bass[note] = BassTemplate(kBassNotesHz[note], beat_s, fs);
  }
  std::vector<double> music(count, 0.0);
  const auto add = [&](const std::vector<double>& sound, int64_t start, double gain) {
    for (size_t i = 0; i < sound.size(); ++i) {
      const int64_t n = start + static_cast<int64_t>(i);
      if (n >= static_cast<int64_t>(count)) break;
      if (n >= 0) music[static_cast<size_t>(n)] += gain * sound[i];
    }
  };
  const double duration_s = static_cast<double>(count) / fs;
  const double longest_s = std::max(kKickLengthS, beat_s);
  const auto first_beat = static_cast<int64_t>(std::floor((offset_s - longest_s) / beat_s));
  for (int64_t beat = first_beat;; ++beat) {
    const double onset_s = static_cast<double>(beat) * beat_s - offset_s;
    if (onset_s >= duration_s) break;
    const int64_t start = std::llround(onset_s * fs);
    const size_t note =
        pattern[static_cast<size_t>(((beat % kPatternBeats) + kPatternBeats) % kPatternBeats)];
    add(kick, start, 1.0);
    add(bass[note], start, kBassAmplitude);
  }
  // The waveform is deterministic given the draws, so its level is set exactly.
  double sum_squares = 0.0;
  for (const double v : music) sum_squares += v * v;
  if (sum_squares <= 0.0) return;
  const double scale =
      internal::DbSplToPa(level_db) / std::sqrt(sum_squares / static_cast<double>(count));
  for (size_t n = 0; n < count; ++n) out[n] += static_cast<float>(scale * music[n]);
}

double EnergySumDb(std::span<const double> levels_db) {
  double power = 0.0;
  for (const double level : levels_db) {
    if (level > 0.0) power += std::pow(10.0, level / 10.0);
  }
  return power > 0.0 ? 10.0 * std::log10(power) : 0.0;
}

}  // namespace

// Wind noise grows with the dynamic pressure ρU²/2 (Strasberg's dimensional analysis),
// 40 dB per decade of wind speed, from 62 dB at 5 m/s at a windscreened microphone.
double WindNoiseDbSpl(double wind_speed_mps) {
  if (wind_speed_mps <= 0.0) return 0.0;
  return 62.0 + 40.0 * std::log10(wind_speed_mps / 5.0);
}

// Rain noise grows with the number of drops: 10 dB per decade of rain rate, from 48 dB
// at 1 mm/h.
double RainNoiseDbSpl(double rain_mm_per_h) {
  if (rain_mm_per_h <= 0.0) return 0.0;
  return 48.0 + 10.0 * std::log10(rain_mm_per_h);
}

std::vector<float> RenderBackgroundPa(const BackgroundSpec& spec, double sample_rate_hz,
                                      size_t sample_count, Rng& rng) {
  EARSHOT_CHECK(sample_rate_hz > 0.0);
  // One stream per component, drawn in a fixed order whether or not the component is on,
  // so that switching one off leaves the others as they were.
  Rng traffic_rng(rng.NextU64());
  Rng wind_rng(rng.NextU64());
  Rng rain_rng(rng.NextU64());
  Rng voices_rng(rng.NextU64());
  Rng music_rng(rng.NextU64());
  std::vector<float> out(sample_count, 0.0f);
  if (sample_count == 0) return out;
  const double fs = sample_rate_hz;
  if (spec.traffic_db_spl > 0.0)
    AddTraffic(spec.traffic_db_spl, fs, sample_count, traffic_rng, out);
  if (spec.wind_speed_mps > 0.0) AddWind(spec.wind_speed_mps, fs, sample_count, wind_rng, out);
  if (spec.rain_mm_per_h > 0.0) AddRain(spec.rain_mm_per_h, fs, sample_count, rain_rng, out);
  if (spec.voices_db_spl > 0.0) AddVoices(spec.voices_db_spl, fs, sample_count, voices_rng, out);
  if (spec.music_db_spl > 0.0) AddMusic(spec.music_db_spl, fs, sample_count, music_rng, out);
  return out;
}

double BackgroundLevelDbSpl(const BackgroundSpec& spec) {
  const std::array<double, 5> levels_db = {spec.traffic_db_spl, WindNoiseDbSpl(spec.wind_speed_mps),
                                           RainNoiseDbSpl(spec.rain_mm_per_h), spec.voices_db_spl,
                                           spec.music_db_spl};
  return EnergySumDb(levels_db);
}

}  // namespace earshot::sim
