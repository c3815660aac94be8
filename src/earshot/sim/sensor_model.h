// What a simulated sensor does to the sound and the time: its clock (PPS-disciplined
// with jitter, late and drifting while a fault lasts), its microphone and converter
// (calibration error, self-noise, clipping at full scale, 16-bit quantisation) and its
// outages. Both the audio renderer and the pulse-only model go through these functions,
// so both outputs carry the same imperfections.
#ifndef EARSHOT_SIM_SENSOR_MODEL_H_
#define EARSHOT_SIM_SENSOR_MODEL_H_

#include <cstdint>
#include <vector>

#include "earshot/sim/random.h"
#include "earshot/sim/scene.h"

namespace earshot::sim {

// How late the sensor's clock reads at true time `t_ns`, seconds, without jitter: the
// offset and drift of a clock fault covering t, else 0.
double ClockBiasS(const SimSensor& sensor, int64_t t_ns);

// The time stamp the sensor gives an event that truly happened at `t_ns`: the bias plus
// one draw of its jitter.
int64_t StampTimeNs(const SimSensor& sensor, int64_t t_ns, Rng& rng);

// True when the sensor's PPS lock is lost at t (a clock fault covers it).
bool ClockFaulted(const SimSensor& sensor, int64_t t_ns);

// Pressure at the microphone (Pa) to samples at full scale ±1: the nominal gain from
// full_scale_db_spl with the calibration error, plus self-noise, then clipped at ±1 and
// quantised to 16 bits (as the sensors' converters do).
std::vector<float> DigitisePa(const SimSensor& sensor, const std::vector<float>& pressure_pa,
                              Rng& rng);

// Pascals of a full-scale peak at this sensor's nominal calibration.
double FullScalePa(const SimSensor& sensor);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_SENSOR_MODEL_H_
