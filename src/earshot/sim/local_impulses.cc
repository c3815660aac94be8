#include "earshot/sim/local_impulses.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "earshot/core/error.h"
#include "earshot/core/time.h"
#include "earshot/sim/background.h"
#include "earshot/sim/random.h"

namespace earshot::sim {
namespace {

constexpr double kSecondsPerHour = 3600.0;
constexpr std::array<SourceKind, 5> kLocalKinds = {SourceKind::kDoorSlam, SourceKind::kHammer,
                                                   SourceKind::kNailGun, SourceKind::kBalloonPop,
                                                   SourceKind::kBackfire};
// A local impulse peaks this much over the noise peaks at the least, plus an exponential
// excess with this mean: most are faint, a few are loud (engineering estimate, matched
// to the live-fire sensors' pulses before the shots, docs/simulation.md "Realism").
constexpr double kMinOverNoisePeakDb = 5.0;
constexpr double kMeanExcessDb = 8.0;

}  // namespace

double NoisePeakDbSpl(const BackgroundSpec& background, const SimSensor& sensor, double crest_db) {
  const double background_db = BackgroundLevelDbSpl(background);
  const double power =
      std::pow(10.0, background_db / 10.0) + std::pow(10.0, sensor.self_noise_db_spl / 10.0);
  return 10.0 * std::log10(power) + crest_db;
}

std::vector<LocalImpulse> LocalImpulsesAt(const Scene& scene, int sensor_index) {
  EARSHOT_CHECK(sensor_index >= 0 && sensor_index < static_cast<int>(scene.sensors.size()));
  const SimSensor& sensor = scene.sensors[static_cast<size_t>(sensor_index)];
  std::vector<LocalImpulse> impulses;
  const int64_t span_ns = scene.end_ns - scene.start_ns;
  if (span_ns <= 0 || scene.background.local_impulses_per_hour <= 0.0) return impulses;
  Rng rng = Rng::Stream(scene.seed, std::string("local/").append(sensor.id));
  const double mean_count =
      scene.background.local_impulses_per_hour * NanosToSeconds(span_ns) / kSecondsPerHour;
  const int64_t count = rng.Poisson(mean_count);
  const double floor_db = NoisePeakDbSpl(scene.background, sensor);
  impulses.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    // Every draw is made whether or not the impulse is kept, so an outage does not shift
    // the impulses after it.
    LocalImpulse impulse;
    impulse.time_ns =
        scene.start_ns + static_cast<int64_t>(rng.Uniform() * static_cast<double>(span_ns));
    impulse.kind = kLocalKinds[rng.Below(kLocalKinds.size())];
    impulse.peak_db_spl = floor_db + kMinOverNoisePeakDb + rng.Exponential(kMeanExcessDb);
    impulse.waveform_seed = rng.NextU64();
    if (sensor.HeardAt(impulse.time_ns)) impulses.push_back(impulse);
  }
  std::sort(impulses.begin(), impulses.end(),
            [](const LocalImpulse& a, const LocalImpulse& b) { return a.time_ns < b.time_ns; });
  return impulses;
}

}  // namespace earshot::sim
