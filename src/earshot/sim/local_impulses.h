// Unrelated bangs that only one sensor hears: a bin lid, a car door or a hammer next to
// its pole. The locator must ignore them; the pulse reports and the rendered audio must
// both contain the same ones, so they are drawn here once per sensor for the whole scene,
// from the sensor's own random stream, and both outputs take them from this list.
#ifndef EARSHOT_SIM_LOCAL_IMPULSES_H_
#define EARSHOT_SIM_LOCAL_IMPULSES_H_

#include <cstdint>
#include <vector>

#include "earshot/sim/scene.h"

namespace earshot::sim {

struct LocalImpulse {
  int64_t time_ns = 0;  // true time the front reaches the microphone
  SourceKind kind = SourceKind::kDoorSlam;
  double peak_db_spl = 0.0;  // at the microphone
  uint64_t waveform_seed = 0;
};

// Peaks of the background at a sensor, dB SPL: the energy sum of the background and the
// sensor's self-noise plus a crest allowance (the loudest moments of steady noise stand
// this far above its equivalent level, and a detector's SNR is measured against them).
inline constexpr double kNoisePeakOverLeqDb = 10.0;
double NoisePeakDbSpl(const BackgroundSpec& background, const SimSensor& sensor,
                      double crest_db = kNoisePeakOverLeqDb);

// The local impulses at `sensor_index` over the scene, sorted by time: a Poisson process
// at BackgroundSpec::local_impulses_per_hour, kinds among door slams, hammer blows, nail
// guns, balloon pops and backfires, peaks a few dB over the noise peaks with an
// exponential tail of louder ones (most are faint; real sensors report about 2 per
// minute, live-fire FP1–FP3). Impulses during an outage are left out.
std::vector<LocalImpulse> LocalImpulsesAt(const Scene& scene, int sensor_index);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_LOCAL_IMPULSES_H_
