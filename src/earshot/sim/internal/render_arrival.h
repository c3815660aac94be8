// Places one arrival in a recording: a waveform whose front lands at a fractional sample
// position, filtered by a path's magnitude response.
//
//   ArrivalRenderer renderer(12000.0);
//   std::vector<double> gain = ...;  // the path's gain from 0 Hz to Nyquist, evenly spaced
//   double peak_pa = renderer.Add(blast_at_1m_pa, gain, 1234.567, pressure_pa);
//
// The waveform is zero-padded into a short block (its own length plus room for the
// filter's tail; a long waveform is cut into segments of a few thousand samples),
// transformed, multiplied by the response and by the linear phase of the fractional part
// of the delay, transformed back and added at the integer part.
//
// The response is given only as a magnitude (propagation.h: PathGainAt); it is applied as
// its minimum-phase version, built from the magnitude by the real cepstrum. A zero-phase
// filter would smear a dulled front symmetrically, so part of a distant or diffracted
// arrival would come before the time the sound can get there; the minimum-phase filter
// is causal, so the filtering puts nothing of an arrival before its path time (what the
// locator assumes of late arrivals: DESIGN.md §4). The fractional delay is exact for a
// band-limited waveform; a front that jumps between two samples rings before itself as
// any band-limited delay of a jump does, which is why the caller's response includes a
// converter's anti-alias roll-off (render_response.h).
#ifndef EARSHOT_SIM_INTERNAL_RENDER_ARRIVAL_H_
#define EARSHOT_SIM_INTERNAL_RENDER_ARRIVAL_H_

#include <complex>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "earshot/sim/internal/render_fft.h"

namespace earshot::sim::internal {

class ArrivalRenderer {
 public:
  explicit ArrivalRenderer(double sample_rate_hz);

  // Adds `waveform` (sample 0 is its front) to `signal`, filtered by the magnitude response
  // `gain` (at least 2 values, gain[i] at frequency i / (gain.size() - 1) times Nyquist,
  // interpolated linearly in dB between them), with its front at fractional sample
  // `front_sample` of `signal`. The front may lie before the signal or after it: the part
  // of the arrival inside is added. Returns the peak |value| of the whole filtered
  // arrival, also of what fell outside the signal.
  double Add(std::span<const float> waveform, std::span<const double> gain, double front_sample,
             std::span<float> signal);

  // Samples kept before the front in a block, for the pre-ringing of the fractional
  // delay (a sampled front delayed by part of a sample is band-limited, so it rings a
  // little on both sides).
  static constexpr int kLeadSamples = 64;
  // Longer waveforms are filtered in segments (overlap-add) with blocks of this size.
  static constexpr int kMaxBlockSamples = 8192;

 private:
  RenderFft& FftOfSize(int size);
  // Fills response_ with the block's filter for `gain` (minimum phase) and the fractional
  // delay `fraction` (in [0, 1) samples).
  void BuildResponse(RenderFft& fft, std::span<const double> gain, double fraction);

  int tail_samples_;                                // room after the waveform for the filter's tail
  std::map<int, std::unique_ptr<RenderFft>> ffts_;  // by size: blocks are powers of two
  std::vector<std::complex<float>> response_;
  std::vector<float> arrival_;  // the filtered arrival being built
};

// The smallest power of two that is at least `n` (n ≥ 1).
int NextPowerOfTwo(int n);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_RENDER_ARRIVAL_H_
