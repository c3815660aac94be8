#include "earshot/sim/internal/noise_envelope.h"

#include <algorithm>
#include <cmath>

#include "earshot/core/error.h"

namespace earshot::sim::internal {

ControlEnvelope::ControlEnvelope(size_t sample_count, size_t step)
    : sample_count_(sample_count), step_(step), gains_((sample_count + step - 1) / step + 1, 1.0) {
  EARSHOT_CHECK(step > 0);
}

void ControlEnvelope::NormaliseMeanSquare() {
  if (sample_count_ == 0) return;
  // Exactly over the samples, segment by segment: Σ_i (g0 + (g1 − g0) i/step)².
  double sum = 0.0;
  for (size_t j = 0; j + 1 < gains_.size(); ++j) {
    const size_t begin = j * step_;
    if (begin >= sample_count_) break;
    const size_t count = std::min(step_, sample_count_ - begin);
    const double g0 = gains_[j];
    const double slope = (gains_[j + 1] - g0) / static_cast<double>(step_);
    const auto c = static_cast<double>(count);
    sum += c * g0 * g0 + g0 * slope * c * (c - 1.0) +
           slope * slope * (c - 1.0) * c * (2.0 * c - 1.0) / 6.0;
  }
  const double mean_square = sum / static_cast<double>(sample_count_);
  EARSHOT_CHECK(mean_square > 0.0 && std::isfinite(mean_square));
  const double scale = 1.0 / std::sqrt(mean_square);
  for (double& g : gains_) g *= scale;
}

void ControlEnvelope::MultiplyAdd(std::span<const float> block, size_t first, double scale,
                                  std::span<float> out) const {
  const size_t end = first + block.size();
  EARSHOT_CHECK(end <= sample_count_ && end <= out.size());
  for (size_t n = first; n < end;) {
    // One stretch between control points j and j + 1.
    const size_t j = n / step_;
    const size_t stretch_end = std::min(end, (j + 1) * step_);
    const double slope = scale * (gains_[j + 1] - gains_[j]) / static_cast<double>(step_);
    double g = scale * gains_[j] + slope * static_cast<double>(n - j * step_);
    for (; n < stretch_end; ++n) {
      out[n] += static_cast<float>(g * block[n - first]);
      g += slope;
    }
  }
}

}  // namespace earshot::sim::internal
