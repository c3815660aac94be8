// An Incident is what dispatch sees: shots grouped in time and space, with what they add up
// to (rounds, cadence, automatic fire, shooters, movement), the dispatch label with its
// confidence and reasons, and its life from the first shot to what responders found
// (DESIGN.md §1). Like a shot it keeps its id and raises its version on every change.
#ifndef EARSHOT_CORE_INCIDENT_H_
#define EARSHOT_CORE_INCIDENT_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace earshot {

enum class IncidentState {
  kNew,       // first published
  kUpdated,   // a shot was added or changed since
  kReviewed,  // a person confirmed or corrected the machine's label
  kClosed,    // no longer active (quiet for the closing time, or closed by a person)
};
std::string_view IncidentStateName(IncidentState state);  // "new", "updated", ...

// What responders found, recorded by a person.
struct Disposition {
  std::string code;  // e.g. "gunfire_confirmed", "evidence_found", "no_evidence", "fireworks"
  std::string note;
  std::string by;     // the user who recorded it
  int64_t at_ns = 0;  // UTC ns
};

struct Incident {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  std::string id;
  int version = 1;
  IncidentState state = IncidentState::kNew;
  std::vector<std::string> shot_ids;  // by emission time
  int64_t first_shot_ns = 0;          // emission of the first and last shot, UTC ns
  int64_t last_shot_ns = 0;
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();  // local ENU m, of the latest shot
  double position_sigma_m = kNaN;  // 1-sigma horizontal radius of that position

  int rounds = 0;               // shots in the incident
  double cadence_s = kNaN;      // median interval between consecutive shots
  bool automatic_fire = false;  // consecutive shots under ~150 ms apart
  int shooters = 1;             // distinct places firing at overlapping times
  double movement_m = kNaN;     // displacement of the shots from first to last
  double speed_mps = kNaN;      // movement_m over the incident's duration

  std::string label;       // dispatch label: gunfire, probable_gunfire, not_gunfire
  double p_gunfire = 0.0;  // calibrated
  std::vector<std::string> reasons;
  std::optional<Disposition> disposition;
};

}  // namespace earshot

#endif  // EARSHOT_CORE_INCIDENT_H_
