#include "earshot/sim/internal/render_arrival.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "earshot/core/error.h"

namespace earshot::sim::internal {
namespace {

// Gains below this are treated as this (−300 dB), so that their logarithm is finite.
constexpr double kGainFloor = 1e-15;
// Room for the filter's tail after the waveform: a path's response, even a diffracted
// one through a kilometre of air, has died away well within 20 ms.
constexpr double kTailS = 0.020;
constexpr int kMinTailSamples = 256;

}  // namespace

int NextPowerOfTwo(int n) {
  EARSHOT_CHECK(n >= 1 && n <= (1 << 30));
  int power = 1;
  while (power < n) power *= 2;
  return power;
}

ArrivalRenderer::ArrivalRenderer(double sample_rate_hz)
    : tail_samples_(
          std::max(kMinTailSamples, static_cast<int>(std::ceil(kTailS * sample_rate_hz)))) {
  EARSHOT_CHECK(sample_rate_hz > 0.0);
}

RenderFft& ArrivalRenderer::FftOfSize(int size) {
  std::unique_ptr<RenderFft>& fft = ffts_[size];
  if (fft == nullptr) fft = std::make_unique<RenderFft>(size);
  return *fft;
}

void ArrivalRenderer::BuildResponse(RenderFft& fft, std::span<const double> gain, double fraction) {
  const int n = fft.size();
  const int bins = fft.bins();
  const int points = static_cast<int>(gain.size());
  EARSHOT_CHECK(points >= 2);

  // The log magnitude at every bin, interpolated linearly (that is, in dB) on the grid.
  std::vector<double> log_grid(gain.size());
  for (int i = 0; i < points; ++i) log_grid[i] = std::log(std::max(gain[i], kGainFloor));
  const bool flat = std::all_of(log_grid.begin(), log_grid.end(),
                                [&](double value) { return value == log_grid[0]; });
  std::vector<double> log_magnitude(static_cast<size_t>(bins));
  for (int k = 0; k < bins; ++k) {
    const double position = static_cast<double>(k) * (points - 1) / (bins - 1);
    const int i = std::min(static_cast<int>(position), points - 2);
    const double t = position - i;
    log_magnitude[k] = (1.0 - t) * log_grid[i] + t * log_grid[i + 1];
  }

  // The minimum phase belonging to that magnitude: fold the real cepstrum onto positive
  // quefrencies; the imaginary part of its transform is the phase. A flat response has
  // none.
  std::vector<double> phase(static_cast<size_t>(bins), 0.0);
  if (!flat) {
    std::complex<float>* spectrum = fft.spectrum();
    for (int k = 0; k < bins; ++k) spectrum[k] = static_cast<float>(log_magnitude[k]);
    fft.Inverse();  // n times the real cepstrum
    float* cepstrum = fft.time();
    const float unit = 1.0f / static_cast<float>(n);
    cepstrum[0] *= unit;
    for (int q = 1; q < n / 2; ++q) cepstrum[q] *= 2.0f * unit;
    cepstrum[n / 2] *= unit;
    std::fill(cepstrum + n / 2 + 1, cepstrum + n, 0.0f);
    fft.Forward();
    for (int k = 0; k < bins; ++k) phase[k] = spectrum[k].imag();
  }

  // The fractional delay: a linear phase. At Nyquist only its real part survives the
  // inverse transform (a real signal's Nyquist bin is real), which is the usual choice.
  response_.resize(static_cast<size_t>(bins));
  const double radians_per_bin = -2.0 * std::numbers::pi * fraction / n;
  for (int k = 0; k < bins; ++k) {
    response_[k] = std::polar(static_cast<float>(std::exp(log_magnitude[k])),
                              static_cast<float>(phase[k] + radians_per_bin * k));
  }
}

double ArrivalRenderer::Add(std::span<const float> waveform, std::span<const double> gain,
                            double front_sample, std::span<float> signal) {
  if (waveform.empty()) return 0.0;
  const double whole = std::floor(front_sample);
  const double fraction = front_sample - whole;
  const int length = static_cast<int>(waveform.size());
  const int margin = kLeadSamples + tail_samples_;
  // One block for a short waveform; a long one (a firework's crackle lasts a second and
  // a half) is cut into segments that are filtered one by one and added up, so that no
  // transform is longer than kMaxBlockSamples.
  const int size = std::min(NextPowerOfTwo(length + margin),
                            std::max(kMaxBlockSamples, NextPowerOfTwo(4 * margin)));
  const int segment = size - margin;
  RenderFft& fft = FftOfSize(size);
  BuildResponse(fft, gain, fraction);

  // The filtered arrival: arrival_[j] lands on signal sample origin + j.
  const int segments = (length + segment - 1) / segment;
  arrival_.assign(static_cast<size_t>(segments) * segment + margin, 0.0f);
  const float unit = 1.0f / static_cast<float>(size);
  float* block = fft.time();
  std::complex<float>* spectrum = fft.spectrum();
  for (int first = 0; first < length; first += segment) {
    const int count = std::min(segment, length - first);
    std::fill(block, block + size, 0.0f);
    std::copy_n(waveform.begin() + first, count, block + kLeadSamples);
    fft.Forward();
    for (int k = 0; k < fft.bins(); ++k) spectrum[k] *= response_[k];
    fft.Inverse();
    float* out = arrival_.data() + first;
    for (int j = 0; j < size; ++j) out[j] += block[j] * unit;
  }

  const int64_t origin = static_cast<int64_t>(whole) - kLeadSamples;
  const auto signal_size = static_cast<int64_t>(signal.size());
  float peak = 0.0f;
  for (size_t j = 0; j < arrival_.size(); ++j) {
    peak = std::max(peak, std::abs(arrival_[j]));
    const int64_t index = origin + static_cast<int64_t>(j);
    if (index >= 0 && index < signal_size) signal[static_cast<size_t>(index)] += arrival_[j];
  }
  return peak;
}

}  // namespace earshot::sim::internal
