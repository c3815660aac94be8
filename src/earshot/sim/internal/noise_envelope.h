// A slowly varying amplitude gain over a stretch of samples (passing vehicles, gusts,
// syllables): values at control points every `step` samples, linear between them, so
// that a slow process is drawn a few hundred times a second instead of at audio rate.
// Not part of the library's API.
#ifndef EARSHOT_SIM_INTERNAL_NOISE_ENVELOPE_H_
#define EARSHOT_SIM_INTERNAL_NOISE_ENVELOPE_H_

#include <cstddef>
#include <span>
#include <vector>

namespace earshot::sim::internal {

class ControlEnvelope {
 public:
  // Covers samples [0, sample_count): control point j sits at sample j · step.
  ControlEnvelope(size_t sample_count, size_t step);

  size_t points() const { return gains_.size(); }
  size_t step() const { return step_; }
  double& operator[](size_t j) { return gains_[j]; }
  double operator[](size_t j) const { return gains_[j]; }

  // Scales the gains so that the mean square of the interpolated gain over the samples is
  // 1: a component under the envelope keeps the level of its noise, however the slow
  // process happened to go in this stretch.
  void NormaliseMeanSquare();

  // out[first + i] += scale · gain(first + i) · block[i]: one block of the samples, which
  // must lie within [0, sample_count) and within `out`.
  void MultiplyAdd(std::span<const float> block, size_t first, double scale,
                   std::span<float> out) const;

 private:
  size_t sample_count_;
  size_t step_;
  std::vector<double> gains_;
};

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_NOISE_ENVELOPE_H_
