// Generated sensor networks: a jittered grid at a given density, and each sensor's
// imperfections (GPS error of its reported position, calibration error, clock faults,
// outages), drawn from streams named after the sensor so that adding a sensor changes
// no other sensor.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_GENERATE_SENSORS_H_
#define EARSHOT_SIM_INTERNAL_GENERATE_SENSORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/sim/internal/scenario_spec.h"
#include "earshot/sim/scene.h"

namespace earshot::sim::internal {

struct PlacedSensor {
  std::string id;
  Eigen::Vector2d xy_m = Eigen::Vector2d::Zero();
};

// round(density × area) sensors: the area is cut into a grid of cells as near square as
// the count allows (columns = round(√(N·width/height)), rows = ⌈N/columns⌉), the
// cells left over are dropped at random, and each sensor sits at its cell's centre
// moved by a normal offset of jitter_m per axis (kept inside the area). Ids are the
// prefix and a 1-based number of at least four digits ("SIM-0001"), row by row from
// the south-west. Drawn from Rng::Stream(seed, "<key>/layout").
std::vector<PlacedSensor> GenerateSensorGrid(const SensorGeneratorSpec& spec, uint64_t seed);

// A sensor at `true_position_m` with the model's parameters and its imperfections over
// [start_ns, end_ns), each from its own stream Rng::Stream(seed, "sensor/<id>/<part>"):
//   position:    reported = true + normal error, gps_sigma_m per horizontal axis and
//                1.5 × that vertically (GPS heights are worse); position_sigma_m = gps_sigma_m
//   calibration: calibration_error_db normal with calibration_sigma_db
//   clock:       faults as a renewal process (rate clock_faults_per_hour between faults),
//                lengths exponential with mean clock_fault_length_s, offset and drift
//                normal with clock_fault_offset_s and clock_fault_drift_s_per_s
//   outages:     the same with outages_per_hour and outage_length_s
SimSensor MakeSensor(const std::string& id, const Eigen::Vector3d& true_position_m,
                     const SensorModelSpec& model, uint64_t seed, int64_t start_ns, int64_t end_ns);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_GENERATE_SENSORS_H_
