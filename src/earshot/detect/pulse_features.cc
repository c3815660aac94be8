#include "earshot/detect/pulse_features.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace earshot::detect {
namespace {

constexpr double kTiny = 1e-30;

size_t Index(std::string_view name) {
  for (size_t i = 0; i < kFeatureNames.size(); ++i) {
    if (kFeatureNames[i] == name) return i;
  }
  return kFeatureNames.size();  // unreachable for the names used below
}

double Db(double ratio) { return 10.0 * std::log10(std::max(ratio, kTiny)); }

// Moments of time under the envelope, as if it were a distribution: a sharp blast is
// front-loaded (positive skew), a crackling firework is spread out.
void EnvelopeShape(std::span<const float> envelope, double* skew, double* kurtosis) {
  double mass = 0.0, mean = 0.0;
  for (size_t i = 0; i < envelope.size(); ++i) {
    mass += envelope[i];
    mean += static_cast<double>(i) * envelope[i];
  }
  *skew = 0.0;
  *kurtosis = 0.0;
  if (mass <= 0.0) return;
  mean /= mass;
  double m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (size_t i = 0; i < envelope.size(); ++i) {
    const double d = static_cast<double>(i) - mean;
    const double w = envelope[i] / mass;
    m2 += w * d * d;
    m3 += w * d * d * d;
    m4 += w * d * d * d * d;
  }
  if (m2 <= 0.0) return;
  *skew = m3 / std::pow(m2, 1.5);
  *kurtosis = m4 / (m2 * m2);
}

}  // namespace

Features ComputeFeatures(const PulseAudio& pulse, audio::RealFft& fft) {
  Features f{};
  const double fs = pulse.sample_rate_hz;
  const int total = static_cast<int>(std::min(pulse.raw.size(), pulse.envelope.size()));
  const int span = std::clamp(pulse.pulse_samples, 1, std::max(total, 1));
  f[Index("peak_level_db_spl")] = pulse.peak_level_db_spl;
  f[Index("snr_db")] = pulse.snr_db;
  if (total == 0) return f;
  std::span<const float> env = pulse.envelope.first(static_cast<size_t>(total));
  std::span<const float> raw = pulse.raw.first(static_cast<size_t>(total));

  // Peak of the envelope within the pulse, and its rise and fall.
  int peak = 0;
  for (int i = 1; i < span; ++i) {
    if (env[i] > env[peak]) peak = i;
  }
  const double peak_energy = env[peak];
  int t10 = 0;
  while (t10 < peak && env[t10] < 0.1 * peak_energy) ++t10;
  int t90 = t10;
  while (t90 < peak && env[t90] < 0.9 * peak_energy) ++t90;
  f[Index("rise_time_s")] = (t90 - t10) / fs;
  int end = peak;  // first sample after the peak at -20 dB
  while (end < span && env[end] > 0.01 * peak_energy) ++end;
  f[Index("duration_s")] = end / fs;
  f[Index("decay_time_s")] = (end - peak) / fs;
  const int body = std::max(end, 1);
  EnvelopeShape(env.first(static_cast<size_t>(body)), &f[Index("envelope_skew")],
                &f[Index("envelope_kurtosis")]);

  // Spectrum of the pulse body.
  const std::vector<double> power =
      audio::PowerSpectrum(fft, raw.first(static_cast<size_t>(std::min(body, fft.size()))));
  double low = 0.0, mid = 0.0, high = 0.0, weighted = 0.0, log_sum = 0.0;
  int bins_used = 0;
  for (int k = 1; k < static_cast<int>(power.size()); ++k) {  // DC is wind, not the pulse
    const double hz = fft.BinFrequencyHz(k, fs);
    const double p = power[static_cast<size_t>(k)];
    (hz < 500.0 ? low : hz < 2000.0 ? mid : high) += p;
    weighted += hz * p;
    log_sum += std::log(p + kTiny);
    ++bins_used;
  }
  const double total_power = low + mid + high;
  if (total_power > 0.0 && bins_used > 0) {
    f[Index("band_energy_low")] = low / total_power;
    f[Index("band_energy_mid")] = mid / total_power;
    f[Index("band_energy_high")] = high / total_power;
    f[Index("spectral_centroid_hz")] = weighted / total_power;
    f[Index("spectral_flatness")] = std::exp(log_sum / bins_used) / (total_power / bins_used);
  }

  // Crest factor and clipping over the body.
  double peak_abs = 0.0, sum_sq = 0.0;
  int clipped = 0;
  for (int i = 0; i < body; ++i) {
    const double a = std::abs(raw[i]);
    peak_abs = std::max(peak_abs, a);
    sum_sq += a * a;
    // Recorders clip a little below digital full scale (the live-fire sensors at 0.98).
    if (a >= 0.97) ++clipped;
  }
  const double rms = std::sqrt(sum_sq / body);
  f[Index("crest_factor_db")] = rms > 0.0 ? 20.0 * std::log10(peak_abs / rms) : 0.0;
  f[Index("clipped_fraction")] = static_cast<double>(clipped) / body;

  // Supersonic crack: a burst shorter than 1 ms at the very start that dies away by
  // 10 dB before the louder, longer muzzle blast arrives 2-40 ms later.
  const int one_ms = std::max(1, static_cast<int>(std::lround(fs * 1e-3)));
  int crack_peak = 0;
  for (int i = 1; i < std::min(2 * one_ms, span); ++i) {
    if (env[i] > env[crack_peak]) crack_peak = i;
  }
  if (peak >= 2 * one_ms && peak <= 40 * one_ms &&
      env[crack_peak] > 10.0 * pulse.noise_mean_square) {
    int dip = crack_peak;
    while (dip < peak && env[dip] > 0.1 * env[crack_peak]) ++dip;
    if (dip < peak && dip - crack_peak <= one_ms && peak_energy > 2.0 * env[crack_peak]) {
      f[Index("crack_present")] = 1.0;
      f[Index("crack_lead_s")] = (peak - crack_peak) / fs;
    }
  }

  // Echo pattern after the pulse: distinct rises of 10 dB over the level 10 ms before,
  // at least 10 ms apart, above the detector's noise floor.
  double pulse_energy = 0.0, tail_energy = 0.0;
  for (int i = 0; i < total; ++i) (i < span ? pulse_energy : tail_energy) += env[i];
  f[Index("echo_energy_ratio_db")] = Db(tail_energy / std::max(pulse_energy, kTiny));
  int echoes = 0;
  int last_echo = -10 * one_ms;
  for (int i = span; i < total; ++i) {
    const int before = i - 10 * one_ms;
    if (before < 0 || i - last_echo < 10 * one_ms) continue;
    if (env[i] > 10.0 * env[before] && env[i] > 10.0 * pulse.noise_mean_square) {
      ++echoes;
      last_echo = i;
    }
  }
  f[Index("echo_count")] = echoes;
  return f;
}

}  // namespace earshot::detect
