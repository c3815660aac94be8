// Second-order IIR sections (RBJ "Audio EQ Cookbook" designs), run as a streaming
// cascade. Used to remove wind and traffic rumble before impulse detection and to split
// a pulse into bands; state carries across blocks, so a stream filtered block by block
// gives exactly the samples of the whole stream filtered at once.
#ifndef EARSHOT_AUDIO_BIQUAD_H_
#define EARSHOT_AUDIO_BIQUAD_H_

#include <span>
#include <vector>

namespace earshot::audio {

// y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]  (a0 normalised to 1).
struct BiquadCoefficients {
  double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
};

// Butterworth sections (Q = 1/sqrt(2)) and a constant-peak band-pass.
BiquadCoefficients HighPass(double corner_hz, double sample_rate_hz, double q = 0.7071067811865476);
BiquadCoefficients LowPass(double corner_hz, double sample_rate_hz, double q = 0.7071067811865476);
BiquadCoefficients BandPass(double center_hz, double sample_rate_hz, double q);

// A cascade of sections with its own state (transposed direct form II, in double).
class BiquadCascade {
 public:
  BiquadCascade() = default;
  explicit BiquadCascade(std::vector<BiquadCoefficients> sections);

  // 4th-order Butterworth high-pass (two sections with the Butterworth Qs).
  static BiquadCascade ButterworthHighPass4(double corner_hz, double sample_rate_hz);

  float Process(float x);
  // Filters `in` into `out` (same size; may alias).
  void Process(std::span<const float> in, std::span<float> out);
  void Reset();

 private:
  struct State {
    double z1 = 0.0, z2 = 0.0;
  };
  std::vector<BiquadCoefficients> sections_;
  std::vector<State> state_;
};

}  // namespace earshot::audio

#endif  // EARSHOT_AUDIO_BIQUAD_H_
