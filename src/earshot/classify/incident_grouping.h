// Which located shots belong to one incident, and the ShotContext (shot_features.h) each
// shot gets from its incident and the network: what the per-shot cadence feature and the
// height above ground need beyond the fix itself.
//
//   std::vector<std::vector<size_t>> incidents = GroupIncidents(fixes, {});
//   for (const auto& incident : incidents)
//     for (size_t i : incident) {
//       ShotContext context = ContextForShot(fixes, i, incident, used[i], weather, 6.0);
//       ...
//     }
#ifndef EARSHOT_CLASSIFY_INCIDENT_GROUPING_H_
#define EARSHOT_CLASSIFY_INCIDENT_GROUPING_H_

#include <cstddef>
#include <vector>

#include "earshot/classify/shot_features.h"
#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"

namespace earshot::classify {

struct IncidentGroupingOptions {
  // A shot joins an incident when it follows the incident's latest shot within max_gap_s.
  // 4 s spans a magazine emptied by hand, bursts of automatic fire with pauses, and the
  // shells of a firework display (launched a second or two apart), while two incidents in
  // the same place are usually separated by longer silences.
  double max_gap_s = 4.0;
  // ... and lies within max_distance_m (horizontally) of the incident's first shot. 150 m
  // holds a shooter who moves, the scatter of a display's aerial bursts around their
  // launch site and the location error of weak fixes; incidents further apart are distinct.
  // Horizontal, because a 2D fix only assumed its height and a burst goes off far above
  // its launch.
  double max_distance_m = 150.0;
};

// The incidents of `fixes`: each a list of indices into `fixes`, by emission time. Fixes are
// taken by emission time; each joins, of the incidents whose latest shot is within
// max_gap_s before it and whose first shot is within max_distance_m, the one with the
// nearest first shot, else starts a new one. So shots in one place form one incident even
// when another incident elsewhere fires in between. Every fix is in exactly one incident;
// incidents come by their first emission.
std::vector<std::vector<std::size_t>> GroupIncidents(const std::vector<Fix>& fixes,
                                                     const IncidentGroupingOptions& options);

// The ShotContext of fixes[fix_index], a member of `incident` (indices into `fixes`, as
// GroupIncidents gives), whose used pulses are `pulses_used`:
//  - the air temperature from `weather` (the pipeline has no humidity: ShotContext's
//    default stays);
//  - other_shot_emission_ns: the emissions of the other fixes of the incident;
//  - ground_height_m: the median height of the used pulses' sensors (one per sensor) minus
//    sensor_mount_height_m. A proxy, because the live pipeline has no terrain model: the
//    sensors are mounted at a known height above the street around the shot, so the ground
//    there is about that far below them. NaN without used pulses.
ShotContext ContextForShot(const std::vector<Fix>& fixes, std::size_t fix_index,
                           const std::vector<std::size_t>& incident,
                           const std::vector<Pulse>& pulses_used, const Weather& weather,
                           double sensor_mount_height_m);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_INCIDENT_GROUPING_H_
