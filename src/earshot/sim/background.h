// The sound that is always there: traffic, wind on the microphone, rain, distant voices
// and music. Each is shaped noise with its own spectrum and slow level changes, rendered
// at a sensor in pascals. Levels and spectra are in docs/simulation.md ("Background").
#ifndef EARSHOT_SIM_BACKGROUND_H_
#define EARSHOT_SIM_BACKGROUND_H_

#include <cstddef>
#include <vector>

#include "earshot/sim/random.h"
#include "earshot/sim/scene.h"

namespace earshot::sim {

// `sample_count` samples of background at `sample_rate_hz`, pascals. Deterministic in
// `rng`. The sensor's self-noise is not included (the sensor model adds it), nor are
// the spec's local impulses (bangs with a time and a place, not background).
std::vector<float> RenderBackgroundPa(const BackgroundSpec& spec, double sample_rate_hz,
                                      size_t sample_count, Rng& rng);

// The equivalent continuous level of wind noise at a windscreened microphone in a wind
// of `wind_speed_mps`, and of rain falling at `rain_mm_per_h`, dB SPL (the components'
// levels that the spec gives as a wind speed and a rain rate). 0 when the component is
// off (a speed or a rate ≤ 0).
double WindNoiseDbSpl(double wind_speed_mps);
double RainNoiseDbSpl(double rain_mm_per_h);

// The equivalent continuous level of the whole background, dB SPL (energy sum of the
// components), for the pulse-only mode's SNR. 0 when every component is off.
double BackgroundLevelDbSpl(const BackgroundSpec& spec);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_BACKGROUND_H_
