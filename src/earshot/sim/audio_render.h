// Renders what one sensor records over a time span: every emission's paths (direct,
// ground, facade echoes, diffraction, a rifle's shock wave) with their delays and
// frequency responses, the background, the bangs only this sensor hears
// (local_impulses.h), and the sensor's own imperfections.
//
// Each arrival is the source waveform at 1 m filtered by its path's response
// (propagation.h: PathGainAt) in the frequency domain, with its exact fractional-sample
// delay as a linear phase, so an onset lands where the physics puts it to well under a
// microsecond.
#ifndef EARSHOT_SIM_AUDIO_RENDER_H_
#define EARSHOT_SIM_AUDIO_RENDER_H_

#include <cstdint>
#include <vector>

#include "earshot/audio/audio_file.h"
#include "earshot/sim/propagation.h"
#include "earshot/sim/scene.h"

namespace earshot::sim {

inline constexpr int kLocalImpulse = -1;

// One rendered arrival, for the truth file and the tests.
struct RenderedArrival {
  // Into Scene::emissions, or kLocalImpulse for a bang only this sensor hears
  // (local_impulses.h).
  int emission_index = 0;
  PathKind path = PathKind::kDirect;
  bool shock_wave = false;      // a rifle bullet's N-wave rather than the blast
  int64_t true_arrival_ns = 0;  // true UTC time the front reaches the microphone
  double peak_db_spl = 0.0;     // peak level at the microphone
};

struct RenderedAudio {
  audio::AudioClip clip;  // full scale ±1 at the sensor's sample rate
  int64_t true_first_sample_ns = 0;
  // What the sensor's clock says sample 0 was (the sidecar's timestamp): the true time
  // plus the clock's bias and jitter.
  int64_t stamped_first_sample_ns = 0;
  std::vector<RenderedArrival> arrivals;  // sorted by time
};

// Renders [begin_ns, end_ns) at `sensor_index`. Arrivals of emissions before begin_ns
// that still ring into the span are included. Deterministic in the scene's seed.
RenderedAudio RenderSensorAudio(const Scene& scene, const PathFinder& paths, int sensor_index,
                                int64_t begin_ns, int64_t end_ns);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_AUDIO_RENDER_H_
