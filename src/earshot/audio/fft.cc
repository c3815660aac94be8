#include "earshot/audio/fft.h"

#include <fftw3.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "earshot/core/error.h"

namespace earshot::audio {

std::mutex& FftwPlannerMutex() {
  static std::mutex mutex;
  return mutex;
}

namespace {

// The plan for `size`, made on first use. Caller holds FftwPlannerMutex().
fftwf_plan PlanFor(int size) {
  static std::map<int, fftwf_plan>* const plans = new std::map<int, fftwf_plan>;
  auto found = plans->find(size);
  if (found != plans->end()) return found->second;
  // FFTW_ESTIMATE does not touch the arrays; they only give the plan its alignment, which
  // fftwf_malloc'd buffers of every RealFft share.
  float* in = fftwf_alloc_real(static_cast<size_t>(size));
  fftwf_complex* out = fftwf_alloc_complex(static_cast<size_t>(size / 2 + 1));
  fftwf_plan plan = fftwf_plan_dft_r2c_1d(size, in, out, FFTW_ESTIMATE);
  fftwf_free(in);
  fftwf_free(out);
  EARSHOT_CHECK(plan != nullptr);
  plans->emplace(size, plan);
  return plan;
}

}  // namespace

RealFft::RealFft(int size) : size_(size) {
  EARSHOT_CHECK(size > 0);
  std::lock_guard<std::mutex> lock(FftwPlannerMutex());
  plan_ = PlanFor(size);
  input_ = fftwf_alloc_real(static_cast<size_t>(size));
  output_ = fftwf_alloc_complex(static_cast<size_t>(bins()));
  EARSHOT_CHECK(input_ != nullptr && output_ != nullptr);
}

RealFft::~RealFft() {
  std::lock_guard<std::mutex> lock(FftwPlannerMutex());
  fftwf_free(input_);
  fftwf_free(output_);
}

std::span<const std::complex<float>> RealFft::Forward(std::span<const float> input) {
  EARSHOT_CHECK(input.size() <= static_cast<size_t>(size_));
  std::copy(input.begin(), input.end(), input_);
  std::fill(input_ + input.size(), input_ + size_, 0.0f);
  auto* output = static_cast<fftwf_complex*>(output_);
  fftwf_execute_dft_r2c(static_cast<fftwf_plan>(plan_), input_, output);
  // fftwf_complex is float[2], laid out as std::complex<float> is guaranteed to be.
  return {reinterpret_cast<const std::complex<float>*>(output), static_cast<size_t>(bins())};
}

std::vector<double> PowerSpectrum(RealFft& fft, std::span<const float> input) {
  const std::span<const std::complex<float>> bins = fft.Forward(input);
  const int n = fft.size();
  std::vector<double> power(bins.size());
  for (size_t k = 0; k < bins.size(); ++k) {
    const double magnitude_squared = std::norm(std::complex<double>(bins[k]));
    // Bin k > 0 stands for k and its mirror n - k, except Nyquist (k = n/2, even n).
    const bool mirrored = k > 0 && 2 * k != static_cast<size_t>(n);
    power[k] = (mirrored ? 2.0 : 1.0) * magnitude_squared / n;
  }
  return power;
}

}  // namespace earshot::audio
