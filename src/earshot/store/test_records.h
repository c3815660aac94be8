// Sample pulses, shots and incidents for the store's tests.
#ifndef EARSHOT_STORE_TEST_RECORDS_H_
#define EARSHOT_STORE_TEST_RECORDS_H_

#include <string>

#include "earshot/core/incident.h"
#include "earshot/core/pulse.h"
#include "earshot/core/shot.h"

namespace earshot::store::testing {

inline Pulse SamplePulse(const std::string& id, int64_t onset_ns = 1'700'000'000'000'000'000) {
  Pulse pulse;
  pulse.id = id;
  pulse.sensor_id = id.size() % 2 == 0 ? "S1" : "S2";
  pulse.onset_ns = onset_ns;
  pulse.onset_sigma_s = 0.00012;
  pulse.sensor_position_m = {120.5, -33.25, 4.0};
  pulse.sensor_position_sigma_m = 1.5;
  pulse.snr_db = 31.7;
  pulse.level_db_spl = 112.25;
  pulse.features = {{"rise_time_s", 0.0004}, {"duration_s", 0.011}};
  return pulse;
}

inline Shot SampleShot(const std::string& id, int version, const std::string& incident_id) {
  Shot shot;
  shot.id = id;
  shot.version = version;
  shot.fix.emission_ns = 1'700'000'000'000'000'000 + version;
  shot.fix.position_m = {10.0 * version, 20.0, 1.5};
  shot.fix.mode = SolveMode::kFixedHeight;
  shot.fix.covariance_en_m2 << 4.0, 0.5, 0.5, 9.0;
  shot.fix.ellipse = {3.1, 1.9, 42.0};
  shot.fix.radius95_m = 7.3;
  shot.fix.emission_sigma_s = 0.001;
  shot.fix.timing_sigma_s = 0.0005;
  shot.fix.crb_rms_m = 2.2;
  shot.fix.speed_of_sound_mps = 343.2;
  shot.fix.coverage = 0.8;
  shot.fix.used = {{"p1", "S1", 0.0001}, {"p2", "S2", -0.0002}, {"p3", "S3", 0.0}};
  shot.fix.rejected = {{"p9", "S9", "later arrival at a sensor already used: echo", 0.04}};
  shot.fix.summary = {"linear-ls + ceres(arrival-skew loss)", 7, "converged", 12.5, 0.25};
  shot.p = {0.7, 0.1, 0.15, 0.05};
  shot.label = "gunfire";
  shot.reasons = {"crack_fraction = 0.83 raises p(gunfire) (+1.2)"};
  shot.source_level_db_at_1m = 150.5;  // height_above_ground_m stays NaN
  shot.crack = true;
  shot.incident_id = incident_id;
  return shot;
}

inline Incident SampleIncident(const std::string& id, int version) {
  Incident incident;
  incident.id = id;
  incident.version = version;
  incident.state = version == 1 ? IncidentState::kNew : IncidentState::kUpdated;
  incident.shot_ids = {"shot-1"};
  incident.first_shot_ns = 1'700'000'000'000'000'000;
  incident.last_shot_ns = incident.first_shot_ns + version * 1'000'000;
  incident.position_m = {10.0, 20.0, 1.5};
  incident.position_sigma_m = 3.5;
  incident.rounds = version;
  incident.label = "gunfire";
  incident.p_gunfire = 0.9;
  incident.reasons = {"three sensors heard a crack"};
  return incident;
}

}  // namespace earshot::store::testing

#endif  // EARSHOT_STORE_TEST_RECORDS_H_
