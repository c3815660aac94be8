#include "earshot/sim/audio_render.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/core/weather.h"
#include "earshot/sim/background.h"
#include "earshot/sim/internal/render_arrival.h"
#include "earshot/sim/internal/render_response.h"
#include "earshot/sim/internal/sound_level.h"
#include "earshot/sim/local_impulses.h"
#include "earshot/sim/random.h"
#include "earshot/sim/sensor_model.h"
#include "earshot/sim/source_waveform.h"

namespace earshot::sim {
namespace {

constexpr double kNanosPerSecond = 1e9;
// Arrivals whose peak at the microphone would be this far below the sensor's self-noise
// are not rendered: nothing could hear them, and a city has many.
constexpr double kInaudibleBelowSelfNoiseDb = 20.0;
// A round's level varies a little around its nominal peak (source_waveform.h); the cheap
// audibility test before a waveform exists allows this much over it.
constexpr double kLevelVariationMarginDb = 6.0;
// ... and the estimate of an arrival's peak from its path's gain at the source's dominant
// frequency is allowed to be this far under the truth. An arrival rendered after all and
// found inaudible is not listed.
constexpr double kPeakEstimateMarginDb = 10.0;
// Bounds for skipping emissions without asking for their paths: no path is longer than
// the direct line by more than this (PathOptions::max_extra_length_m is 400 m), and no
// source rings at 1 m for longer than this.
constexpr double kMaxExtraPathM = 2000.0;
constexpr double kMaxRingOutS = 2.0;
// A path's filter rings on after the waveform for less than this (render_arrival.h keeps
// 20 ms for it).
constexpr double kFilterTailS = 0.05;

// The span being rendered and how its samples map to time: sample k is at
// begin_ns + k / rate.
struct SampleClock {
  int64_t begin_ns = 0;
  double rate_hz = 0.0;
  size_t count = 0;

  // Fractional sample index of `t_ns` + `extra_s`, exact to well under a nanosecond for
  // spans of hours (the integer difference is taken first).
  double SampleAt(int64_t t_ns, double extra_s = 0.0) const {
    return (static_cast<double>(t_ns - begin_ns) / kNanosPerSecond + extra_s) * rate_hz;
  }
  int64_t TimeOfSampleNs(size_t k) const {
    return begin_ns + std::llround(static_cast<double>(k) * kNanosPerSecond / rate_hz);
  }
};

size_t SamplesIn(int64_t begin_ns, int64_t end_ns, double rate_hz) {
  // Samples whose time is before end_ns; the small allowance keeps an exact multiple
  // (10 s at 12 kHz: 120000) from gaining a sample by rounding.
  const double exact = static_cast<double>(end_ns - begin_ns) / kNanosPerSecond * rate_hz;
  return static_cast<size_t>(std::max(0.0, std::ceil(exact - 1e-6)));
}

// Renders every arrival of the emissions at one sensor into a pressure buffer and keeps
// the truth of each.
class ArrivalMixer {
 public:
  ArrivalMixer(const Scene& scene, const PathFinder& paths, const SimSensor& sensor,
               const SampleClock& clock, int64_t end_ns, std::vector<float>* pressure_pa,
               std::vector<RenderedArrival>* arrivals)
      : scene_(scene),
        paths_(paths),
        sensor_(sensor),
        clock_(clock),
        end_ns_(end_ns),
        pressure_pa_(pressure_pa),
        arrivals_(arrivals),
        renderer_(clock.rate_hz),
        inaudible_pa_(internal::DbSplToPa(sensor.self_noise_db_spl - kInaudibleBelowSelfNoiseDb)),
        speed_of_sound_mps_(SpeedOfSoundMps(scene.atmosphere.weather.temperature_c)),
        wind_mps_(std::abs(scene.atmosphere.weather.wind_speed_mps)),
        converter_response_(internal::ConverterResponseGrid()) {}

  void AddEmission(int emission_index) {
    const Emission& emission = scene_.emissions[emission_index];
    if (emission.bullet_speed_mps > 0.0) AddShockWave(emission_index);
    if (!MayBeHeard(emission)) return;
    for (const PropagationPath& path : paths_.Paths(emission.position_m, sensor_.true_position_m)) {
      AddPath(emission_index, path);
    }
  }

  // An unrelated bang next to the sensor (local_impulses.h): no path to trace, its peak at
  // the microphone as drawn; the pulse reports carry the same ones.
  void AddLocalImpulse(const LocalImpulse& impulse) {
    const double front_sample = clock_.SampleAt(impulse.time_ns);
    if (front_sample >= clock_.count || front_sample + kMaxRingOutS * clock_.rate_hz < 0.0) {
      return;
    }
    Emission bang;
    bang.kind = impulse.kind;
    bang.peak_db_spl_at_1m = impulse.peak_db_spl;
    bang.waveform_seed = impulse.waveform_seed;
    const std::vector<float> bang_pa = BlastAt1mPa(bang, bang.axis, clock_.rate_hz);
    const double peak_pa = renderer_.Add(bang_pa, converter_response_, front_sample, *pressure_pa_);
    Record(kLocalImpulse, PathKind::kDirect, /*shock_wave=*/false, impulse.time_ns, 0.0, peak_pa);
  }

 private:
  struct Blast {
    std::vector<float> pressure_pa;  // at 1 m on one bearing
    double peak_pa = 0.0;
    int emission_index = -1;
  };

  // The blast of an emission on a path's departure bearing. A source without
  // directivity sounds the same on every bearing, so its blast (a firework's crackle is
  // 1.6 s of filtered noise) is made once for all its paths.
  const Blast& BlastToward(int emission_index, const Eigen::Vector3d& departure) {
    const Emission& emission = scene_.emissions[emission_index];
    const bool omnidirectional = TraitsOf(emission.kind).front_to_back_db == 0.0;
    if (omnidirectional && blast_.emission_index == emission_index) return blast_;
    blast_.pressure_pa = BlastAt1mPa(emission, departure, clock_.rate_hz);
    blast_.peak_pa = 0.0;
    for (float value : blast_.pressure_pa) {
      blast_.peak_pa = std::max(blast_.peak_pa, static_cast<double>(std::abs(value)));
    }
    blast_.emission_index = omnidirectional ? emission_index : -1;
    return blast_;
  }

  // Cheap tests that rule an emission out before its paths are found: it is too quiet at
  // this distance even on the loudest axis, or every path arrives after the span, or
  // every path has rung out before it.
  bool MayBeHeard(const Emission& emission) const {
    const double distance_m = std::max(1.0, (emission.position_m - sensor_.true_position_m).norm());
    const double loudest_pa =
        internal::DbSplToPa(emission.peak_db_spl_at_1m + kLevelVariationMarginDb);
    if (loudest_pa / distance_m < inaudible_pa_) return false;
    const double fastest_mps = speed_of_sound_mps_ + wind_mps_;
    if (clock_.SampleAt(emission.time_ns, distance_m / fastest_mps) >= clock_.count) return false;
    const double slowest_mps = std::max(1.0, speed_of_sound_mps_ - wind_mps_);
    const double latest_s = (distance_m + kMaxExtraPathM) / slowest_mps + kMaxRingOutS;
    return clock_.SampleAt(emission.time_ns, latest_s) >= 0.0;
  }

  void AddPath(int emission_index, const PropagationPath& path) {
    const Emission& emission = scene_.emissions[emission_index];
    const double front_sample = clock_.SampleAt(emission.time_ns, path.travel_time_s);
    if (front_sample >= clock_.count) return;
    if (front_sample + kMaxRingOutS * clock_.rate_hz < 0.0) return;
    // The path's gain where the source has most of its energy stands for the whole
    // response in the audibility estimates (as in the pulse-only model).
    const double dominant_gain =
        PathGainAt(path, TraitsOf(emission.kind).dominant_frequency_hz, scene_.atmosphere);
    const double loudest_pa = internal::DbSplToPa(emission.peak_db_spl_at_1m +
                                                  kLevelVariationMarginDb + kPeakEstimateMarginDb);
    if (loudest_pa * dominant_gain < inaudible_pa_) return;

    const Blast& blast = BlastToward(emission_index, path.departure);
    const std::vector<float>& blast_pa = blast.pressure_pa;
    if (blast.peak_pa * dominant_gain * internal::DbToAmplitudeRatio(kPeakEstimateMarginDb) <
        inaudible_pa_)
      return;
    const double end_sample =
        front_sample + static_cast<double>(blast_pa.size()) + kFilterTailS * clock_.rate_hz;
    if (end_sample < 0.0) return;  // rang out before the span

    const std::vector<double> gain =
        internal::PathResponseGrid(path, scene_.atmosphere, clock_.rate_hz);
    const double peak_pa = renderer_.Add(blast_pa, gain, front_sample, *pressure_pa_);
    Record(emission_index, path.kind, /*shock_wave=*/false, emission.time_ns, path.travel_time_s,
           peak_pa);
  }

  // A supersonic bullet's N-wave leaves the trajectory where the Mach cone meets the
  // sensor; it is heard only if nothing stands between that point and the sensor. Its
  // level at the sensor already includes its decay over the way.
  void AddShockWave(int emission_index) {
    const Emission& emission = scene_.emissions[emission_index];
    const std::optional<ShockArrival> shock =
        BulletShockAt(emission, sensor_.true_position_m, speed_of_sound_mps_);
    if (!shock.has_value() || shock->peak_pa < inaudible_pa_) return;
    const double front_sample = clock_.SampleAt(emission.time_ns, shock->time_after_shot_s);
    if (front_sample >= clock_.count || front_sample + kMaxRingOutS * clock_.rate_hz < 0.0) {
      return;
    }
    if (!paths_.LineOfSight(shock->emission_point_m, sensor_.true_position_m)) return;
    const std::vector<float> n_wave_pa = NWavePa(*shock, clock_.rate_hz);
    const double peak_pa =
        renderer_.Add(n_wave_pa, converter_response_, front_sample, *pressure_pa_);
    Record(emission_index, PathKind::kDirect, /*shock_wave=*/true, emission.time_ns,
           shock->time_after_shot_s, peak_pa);
  }

  // The truth lists the audible arrivals whose front is in the span while the sensor
  // hears: the ones a detector could find in this clip.
  void Record(int emission_index, PathKind kind, bool shock_wave, int64_t emission_ns,
              double travel_s, double peak_pa) {
    if (peak_pa < inaudible_pa_) return;
    const int64_t arrival_ns = emission_ns + std::llround(travel_s * kNanosPerSecond);
    if (arrival_ns < clock_.begin_ns || arrival_ns >= end_ns_) return;
    if (!sensor_.HeardAt(arrival_ns)) return;
    arrivals_->push_back({.emission_index = emission_index,
                          .path = kind,
                          .shock_wave = shock_wave,
                          .true_arrival_ns = arrival_ns,
                          .peak_db_spl = internal::PaToDbSpl(peak_pa)});
  }

  const Scene& scene_;
  const PathFinder& paths_;
  const SimSensor& sensor_;
  const SampleClock& clock_;
  int64_t end_ns_;
  std::vector<float>* pressure_pa_;
  std::vector<RenderedArrival>* arrivals_;
  internal::ArrivalRenderer renderer_;
  double inaudible_pa_;
  double speed_of_sound_mps_;
  double wind_mps_;
  std::vector<double> converter_response_;
  Blast blast_;  // the last one made
};

// A sensor in an outage records nothing: its samples are zeros, as a dropout leaves them
// (detect/recording.h turns such runs into gaps).
void SilenceOutages(const SimSensor& sensor, const SampleClock& clock,
                    std::vector<float>* samples) {
  const int64_t end_ns = clock.TimeOfSampleNs(clock.count);
  for (const TimeInterval& outage : sensor.outages) {
    if (outage.end_ns < clock.begin_ns || outage.begin_ns >= end_ns) continue;
    // From a sample or so before the outage to one after, each sample checked exactly.
    const double first = std::max(0.0, std::floor(clock.SampleAt(outage.begin_ns)) - 1.0);
    const double last =
        std::min(static_cast<double>(clock.count), std::ceil(clock.SampleAt(outage.end_ns)) + 2.0);
    for (auto k = static_cast<size_t>(first); k < static_cast<size_t>(last); ++k) {
      if (outage.Contains(clock.TimeOfSampleNs(k))) (*samples)[k] = 0.0f;
    }
  }
}

}  // namespace

RenderedAudio RenderSensorAudio(const Scene& scene, const PathFinder& paths, int sensor_index,
                                int64_t begin_ns, int64_t end_ns) {
  EARSHOT_CHECK(sensor_index >= 0 && sensor_index < static_cast<int>(scene.sensors.size()));
  EARSHOT_CHECK(end_ns >= begin_ns);
  const SimSensor& sensor = scene.sensors[sensor_index];
  EARSHOT_CHECK(sensor.sample_rate_hz > 0.0);
  const SampleClock clock{.begin_ns = begin_ns,
                          .rate_hz = sensor.sample_rate_hz,
                          .count = SamplesIn(begin_ns, end_ns, sensor.sample_rate_hz)};

  // One stream per sensor and span, drawn in a fixed order: the time stamp, the
  // background, the converter's noise.
  Rng rng = Rng::Stream(scene.seed, "render/" + sensor.id + "/" + std::to_string(begin_ns));
  RenderedAudio audio;
  audio.true_first_sample_ns = begin_ns;
  audio.stamped_first_sample_ns = StampTimeNs(sensor, begin_ns, rng);

  std::vector<float> pressure_pa =
      RenderBackgroundPa(scene.background, clock.rate_hz, clock.count, rng);
  EARSHOT_CHECK(pressure_pa.size() == clock.count);

  // Emissions are sorted by time, and none is heard before it happens.
  ArrivalMixer mixer(scene, paths, sensor, clock, end_ns, &pressure_pa, &audio.arrivals);
  const auto after_span = std::lower_bound(
      scene.emissions.begin(), scene.emissions.end(), end_ns,
      [](const Emission& emission, int64_t t_ns) { return emission.time_ns < t_ns; });
  const int emission_count = static_cast<int>(after_span - scene.emissions.begin());
  for (int i = 0; i < emission_count; ++i) mixer.AddEmission(i);
  for (const LocalImpulse& impulse : LocalImpulsesAt(scene, sensor_index)) {
    mixer.AddLocalImpulse(impulse);
  }

  audio.clip.sample_rate_hz = clock.rate_hz;
  audio.clip.bits_per_sample = 16;
  audio.clip.samples = DigitisePa(sensor, pressure_pa, rng);
  SilenceOutages(sensor, clock, &audio.clip.samples);

  std::stable_sort(audio.arrivals.begin(), audio.arrivals.end(),
                   [](const RenderedArrival& a, const RenderedArrival& b) {
                     return std::tie(a.true_arrival_ns, a.emission_index, a.shock_wave, a.path) <
                            std::tie(b.true_arrival_ns, b.emission_index, b.shock_wave, b.path);
                   });
  return audio;
}

}  // namespace earshot::sim
