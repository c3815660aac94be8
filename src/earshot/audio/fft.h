// A forward real-to-complex FFT of one fixed size (FFTW, single precision), and the power
// spectrum built on it. Used for a pulse's band energies, spectral centroid and flatness.
//
//   RealFft fft(1024);
//   std::span<const std::complex<float>> bins = fft.Forward(samples);  // 513 bins
//   std::vector<double> power = PowerSpectrum(fft, samples);
//   double hz = fft.BinFrequencyHz(k, 12000.0);
//
// FFTW's planner is not thread-safe, so plans are made under one process-wide lock, once
// per size, with FFTW_ESTIMATE: a measured plan may pick a different algorithm from run to
// run, and features that change in the last bit between runs could not be re-derived from
// the evidence (DESIGN.md §7). Executing a plan is thread-safe, so each RealFft (one per
// thread) has its own buffers and shares the plan.
#ifndef EARSHOT_AUDIO_FFT_H_
#define EARSHOT_AUDIO_FFT_H_

#include <complex>
#include <mutex>
#include <span>
#include <vector>

namespace earshot::audio {

// The one lock that every FFTW planner and allocator call in the process must hold
// (fftwf_plan_*, fftwf_malloc/free, fftwf_destroy_plan): they share FFTW's global state,
// and two modules planning under two different locks would race each other.
std::mutex& FftwPlannerMutex();

class RealFft {
 public:
  // `size` samples in, size / 2 + 1 bins out. `size` must be positive (a bug otherwise).
  explicit RealFft(int size);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  int size() const { return size_; }
  int bins() const { return size_ / 2 + 1; }
  // Frequency of bin k, Hz.
  double BinFrequencyHz(int bin, double sample_rate_hz) const {
    return bin * sample_rate_hz / size_;
  }

  // Unnormalised DFT X[k] = sum_n x[n] exp(-2 pi i k n / size), k = 0..size/2. Input
  // shorter than size() is zero-padded; longer is a bug. The span stays valid until the
  // next call.
  std::span<const std::complex<float>> Forward(std::span<const float> input);

 private:
  int size_;
  float* input_;  // FFTW-aligned, size_ samples
  void* output_;  // FFTW-aligned, bins() fftwf_complex
  void* plan_;    // fftwf_plan, shared between all RealFft of this size; never destroyed
};

// One-sided power spectrum of `input` (zero-padded to fft.size()), bins() values scaled so
// that they sum to the energy sum of x[n]^2 (Parseval): bins with a mirror image count
// twice, DC and (even sizes) Nyquist once.
std::vector<double> PowerSpectrum(RealFft& fft, std::span<const float> input);

}  // namespace earshot::audio

#endif  // EARSHOT_AUDIO_FFT_H_
