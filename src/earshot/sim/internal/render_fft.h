// Real DFTs of one size, both ways, for the audio renderer (FFTW, single precision).
//
//   RenderFft fft(4096);
//   std::copy(block.begin(), block.end(), fft.time());  // size() samples
//   fft.Forward();                                       // time() -> spectrum()
//   ... shape fft.spectrum() (bins() values) ...
//   fft.Inverse();                                       // spectrum() -> time(), times size()
//
// audio/fft.h only goes forward; rendering an arrival needs the way back too. Plans are made
// once per size and direction with FFTW_ESTIMATE (a measured plan may pick another
// algorithm on another run, and the simulator's output must be the same bytes on every
// run), under one lock, and shared; each RenderFft has its own buffers, so objects used on
// different threads do not interfere.
#ifndef EARSHOT_SIM_INTERNAL_RENDER_FFT_H_
#define EARSHOT_SIM_INTERNAL_RENDER_FFT_H_

#include <complex>

namespace earshot::sim::internal {

class RenderFft {
 public:
  // `size` must be positive and even (a bug otherwise): the renderer relies on a real
  // Nyquist bin.
  explicit RenderFft(int size);
  ~RenderFft();
  RenderFft(const RenderFft&) = delete;
  RenderFft& operator=(const RenderFft&) = delete;

  int size() const { return size_; }
  int bins() const { return size_ / 2 + 1; }

  // The time-domain buffer (size() samples) and the spectrum (bins() values), both owned.
  float* time() { return time_; }
  std::complex<float>* spectrum() { return spectrum_; }

  // X[k] = sum_n x[n] exp(-2 pi i k n / size) from time() into spectrum(); time() is kept.
  void Forward();
  // x[n] = sum_k X[k] exp(+2 pi i k n / size) (unnormalised: size() times the inverse DFT)
  // from spectrum() into time(), reading spectrum() as the half of a Hermitian spectrum
  // (the imaginary parts of DC and Nyquist are ignored). spectrum() is overwritten.
  void Inverse();

 private:
  int size_;
  float* time_;                    // FFTW-aligned
  std::complex<float>* spectrum_;  // FFTW-aligned
  void* forward_plan_;             // fftwf_plan, shared by every RenderFft of this size
  void* inverse_plan_;
};

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_RENDER_FFT_H_
