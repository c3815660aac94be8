// Sound in open air: how fast it goes and how much of it the air absorbs.
//
// Absorption follows ISO 9613-1:1993, computed in core/air_absorption.h (the classifier
// uses it too); at 20 °C, 70 % humidity and 1 kHz it is about 5.0 dB/km, at 4 kHz about
// 23 dB/km, which is why a distant bang sounds dull.
#ifndef EARSHOT_SIM_ATMOSPHERE_H_
#define EARSHOT_SIM_ATMOSPHERE_H_

#include <Eigen/Core>

#include "earshot/sim/scene.h"

namespace earshot::sim {

// Pure-tone attenuation coefficient α of ISO 9613-1, dB per metre, for the scene's air:
// AirAbsorptionDbPerM at its temperature, relative humidity and pressure.
double AbsorptionDbPerM(double frequency_hz, const Atmosphere& air);

// Travel time of sound over a straight leg from `from` to `to` in moving air: the
// wavefront moves at c + w·û along the leg (û the leg's unit vector, w the horizontal
// wind), which is the first-order effect of wind on arrival times.
double TravelTimeS(const Eigen::Vector3d& from_m, const Eigen::Vector3d& to_m,
                   const Atmosphere& air);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_ATMOSPHERE_H_
