#include "earshot/sensor/internal/synthetic_source.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace earshot::sensor::internal {
namespace {

constexpr double kClickHz = 2000.0;
constexpr double kClickDecayS = 0.003;
constexpr double kClickLengthS = 0.030;

// A hash of the index: noise that needs no state and repeats exactly.
double UniformNoise(int64_t index) {
  uint64_t x = static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return static_cast<double>(x >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
}

// Rounded to the 16-bit grid that every capture delivers, so snippets keep it exactly.
float Quantize(double x) {
  return static_cast<float>(std::clamp(std::round(x * 32768.0), -32768.0, 32767.0) / 32768.0);
}

}  // namespace

std::vector<int64_t> SyntheticClickSamples(const SyntheticStream& stream) {
  std::vector<int64_t> clicks;
  for (double t = stream.first_click_s; t<stream.duration_s; t += stream.click_every_s> 0
                                            ? stream.click_every_s
                                            : stream.duration_s) {
    clicks.push_back(std::llround(t * stream.sample_rate_hz));
  }
  return clicks;
}

float SyntheticSample(const SyntheticStream& stream, int64_t index) {
  const double fs = stream.sample_rate_hz;
  double x = stream.noise_amplitude * UniformNoise(index);
  const double t = static_cast<double>(index) / fs;
  if (t >= stream.first_click_s) {
    // The latest click at or before this sample.
    const double since_first = t - stream.first_click_s;
    const double k = stream.click_every_s > 0 ? std::floor(since_first / stream.click_every_s) : 0;
    for (double j : {k, k + 1}) {  // k + 1 covers rounding at the click's own sample
      const int64_t start = std::llround((stream.first_click_s + j * stream.click_every_s) * fs);
      const double age_s = static_cast<double>(index - start) / fs;
      if (index >= start && age_s < kClickLengthS && (j == 0 || stream.click_every_s > 0)) {
        x += stream.click_amplitude * std::exp(-age_s / kClickDecayS) *
             std::cos(2.0 * std::numbers::pi * kClickHz * age_s);
      }
    }
  }
  return Quantize(x);
}

SyntheticSource::SyntheticSource(const SyntheticStream& stream)
    : stream_(stream),
      info_{"synthetic", stream.sample_rate_hz, stream.first_sample_ns},
      total_samples_(std::llround(stream.duration_s * stream.sample_rate_hz)) {}

bool SyntheticBlockLost(const SyntheticStream& stream, int64_t index) {
  if (stream.dropout_every_s <= 0.0) return false;
  const double t = static_cast<double>(index) / stream.sample_rate_hz;
  const double into = std::fmod(t, stream.dropout_every_s);
  return t >= stream.dropout_every_s && into < stream.dropout_s;
}

Result<std::optional<AudioBlock>> SyntheticSource::Next() {
  AudioBlock block;
  while (next_index_ < total_samples_ && SyntheticBlockLost(stream_, next_index_)) {
    const int64_t lost = std::min(stream_.block_frames, total_samples_ - next_index_);
    block.gap_before_samples += lost;
    next_index_ += lost;
  }
  if (next_index_ >= total_samples_) return std::nullopt;
  if (block.gap_before_samples > 0) block.gap_cause = "synthetic dropout";
  block.first_sample = next_index_;
  block.first_sample_ns =
      NominalTimeNs(stream_.first_sample_ns, next_index_, stream_.sample_rate_hz);
  const int64_t count = std::min(stream_.block_frames, total_samples_ - next_index_);
  block.samples.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    block.samples[static_cast<size_t>(i)] = SyntheticSample(stream_, next_index_ + i);
  }
  next_index_ += count;
  return block;
}

}  // namespace earshot::sensor::internal
