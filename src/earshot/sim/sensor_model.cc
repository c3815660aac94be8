#include "earshot/sim/sensor_model.h"

#include <algorithm>
#include <cmath>

#include "earshot/core/time.h"
#include "earshot/sim/internal/sound_level.h"

namespace earshot::sim {
namespace {

// The converter's scale: a 16-bit code k reads as k / 32768 (libsndfile's and
// audio::WriteAudioFile's convention), so digitised samples survive a WAV round trip.
constexpr double kPcm16Scale = 32768.0;

const ClockFault* FaultAt(const SimSensor& sensor, int64_t t_ns) {
  for (const ClockFault& fault : sensor.clock_faults) {
    if (fault.interval.Contains(t_ns)) return &fault;
  }
  return nullptr;
}

}  // namespace

double ClockBiasS(const SimSensor& sensor, int64_t t_ns) {
  const ClockFault* fault = FaultAt(sensor, t_ns);
  if (fault == nullptr) return 0.0;
  return fault->offset_s + fault->drift_s_per_s * NanosToSeconds(t_ns - fault->interval.begin_ns);
}

int64_t StampTimeNs(const SimSensor& sensor, int64_t t_ns, Rng& rng) {
  // The jitter is always drawn, so that the stream's later draws do not depend on
  // whether a fault covers this time.
  const double jitter_s = sensor.clock_jitter_s * rng.Normal();
  const double error_s = ClockBiasS(sensor, t_ns) + jitter_s;
  return t_ns + std::llround(error_s * static_cast<double>(kNanosPerSecond));
}

bool ClockFaulted(const SimSensor& sensor, int64_t t_ns) {
  return FaultAt(sensor, t_ns) != nullptr;
}

double FullScalePa(const SimSensor& sensor) {
  return internal::DbSplToPa(sensor.full_scale_db_spl);
}

std::vector<float> DigitisePa(const SimSensor& sensor, const std::vector<float>& pressure_pa,
                              Rng& rng) {
  // The true gain is the nominal one off by the calibration error: a sensor whose
  // microphone is 1 dB hot reads every level 1 dB high.
  const double gain_per_pa =
      internal::DbToAmplitudeRatio(sensor.calibration_error_db) / FullScalePa(sensor);
  const double self_noise_rms_pa = internal::DbSplToPa(sensor.self_noise_db_spl);
  std::vector<float> samples(pressure_pa.size());
  for (size_t i = 0; i < pressure_pa.size(); ++i) {
    const double pa = static_cast<double>(pressure_pa[i]) + self_noise_rms_pa * rng.Normal();
    const double full_scale = std::clamp(pa * gain_per_pa, -1.0, 1.0);
    const long code = std::clamp(std::lround(full_scale * kPcm16Scale), -32768L, 32767L);
    samples[i] = static_cast<float>(static_cast<double>(code) / kPcm16Scale);
  }
  return samples;
}

}  // namespace earshot::sim
