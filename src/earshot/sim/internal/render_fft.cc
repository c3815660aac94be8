#include "earshot/sim/internal/render_fft.h"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <utility>

#include "earshot/audio/fft.h"
#include "earshot/core/error.h"

namespace earshot::sim::internal {
namespace {

struct Plans {
  fftwf_plan forward = nullptr;
  fftwf_plan inverse = nullptr;
};

// The plans for `size`, made on first use and kept for the life of the process. Caller
// holds audio::FftwPlannerMutex() (executing a plan is thread-safe and needs no lock).
Plans PlansFor(int size) {
  static std::map<int, Plans>* const cache = new std::map<int, Plans>;
  auto found = cache->find(size);
  if (found != cache->end()) return found->second;
  // FFTW_ESTIMATE does not touch the arrays; they only give the plans the alignment of
  // fftwf_malloc, which every RenderFft's buffers share. Both plans are out of place, as
  // every execution is.
  float* time = fftwf_alloc_real(static_cast<size_t>(size));
  fftwf_complex* spectrum = fftwf_alloc_complex(static_cast<size_t>(size / 2 + 1));
  Plans plans;
  plans.forward = fftwf_plan_dft_r2c_1d(size, time, spectrum, FFTW_ESTIMATE);
  plans.inverse = fftwf_plan_dft_c2r_1d(size, spectrum, time, FFTW_ESTIMATE);
  fftwf_free(time);
  fftwf_free(spectrum);
  EARSHOT_CHECK(plans.forward != nullptr && plans.inverse != nullptr);
  cache->emplace(size, plans);
  return plans;
}

}  // namespace

RenderFft::RenderFft(int size) : size_(size) {
  EARSHOT_CHECK(size > 0 && size % 2 == 0);
  std::lock_guard<std::mutex> lock(audio::FftwPlannerMutex());
  const Plans plans = PlansFor(size);
  forward_plan_ = plans.forward;
  inverse_plan_ = plans.inverse;
  time_ = fftwf_alloc_real(static_cast<size_t>(size));
  // fftwf_complex is float[2], laid out as std::complex<float> is guaranteed to be.
  spectrum_ =
      reinterpret_cast<std::complex<float>*>(fftwf_alloc_complex(static_cast<size_t>(bins())));
  EARSHOT_CHECK(time_ != nullptr && spectrum_ != nullptr);
}

RenderFft::~RenderFft() {
  std::lock_guard<std::mutex> lock(audio::FftwPlannerMutex());
  fftwf_free(time_);
  fftwf_free(spectrum_);
}

void RenderFft::Forward() {
  fftwf_execute_dft_r2c(static_cast<fftwf_plan>(forward_plan_), time_,
                        reinterpret_cast<fftwf_complex*>(spectrum_));
}

void RenderFft::Inverse() {
  fftwf_execute_dft_c2r(static_cast<fftwf_plan>(inverse_plan_),
                        reinterpret_cast<fftwf_complex*>(spectrum_), time_);
}

}  // namespace earshot::sim::internal
