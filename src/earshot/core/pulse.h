// A Pulse is one impulsive arrival heard by one sensor: the unit of data that sensors
// report and everything downstream is derived from (DESIGN.md §1).
#ifndef EARSHOT_CORE_PULSE_H_
#define EARSHOT_CORE_PULSE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/local_frame.h"

namespace earshot {

struct Pulse {
  std::string id;         // unique per pulse (UUID from the sensor); replays are idempotent by it
  std::string sensor_id;  // sensor serial number
  int64_t onset_ns = 0;   // arrival of the start of the pulse, UTC ns
  // One-sigma uncertainty of onset_ns, seconds. 0 means "unknown": the locator then
  // uses its configured default.
  double onset_sigma_s = 0.0;
  // Where the sensor was when it heard the pulse, local ENU metres (see PulseSet::frame).
  Eigen::Vector3d sensor_position_m = Eigen::Vector3d::Zero();
  double sensor_position_sigma_m = 0.0;  // GPS uncertainty of that position
  double snr_db = 0.0;                   // against the noise just before the pulse
  double level_db_spl = 0.0;             // peak level, dB SPL re 20 µPa
  // Detector features by name (rise_time_s, duration_s, ...); empty when unknown.
  std::map<std::string, double> features;
};

// Pulses read from one input, with the frame their positions are expressed in.
struct PulseSet {
  LocalFrame frame = LocalFrame::Metric();
  std::vector<Pulse> pulses;
};

}  // namespace earshot

#endif  // EARSHOT_CORE_PULSE_H_
