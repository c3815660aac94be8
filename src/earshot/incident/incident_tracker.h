// The streaming grouping of shots into incidents (DESIGN.md §1, docs/incidents.md): shots
// come in as the classifier publishes and updates them, incidents go out as events, each a
// full snapshot with a raised version, so that the store, the audit log and the live push
// need nothing but the event.
//
//   IncidentTracker tracker({});
//   for (const IncidentEvent& event : tracker.AddOrUpdateShot(shot, now_ns)) Publish(event);
//   for (const IncidentEvent& event : tracker.Advance(now_ns)) Publish(event);  // timer
//   Result<IncidentEvent> reviewed = tracker.Review(id, "gunfire", "officer 12", now_ns);
//
// Grouping, as classify/incident_grouping.h does offline and with the same defaults: a shot
// fits an incident when it lies within max_gap_s (emission time) of one of the incident's
// shots and within max_distance_m (horizontally) of the incident's first shot. A new shot
// joins, of the open incidents it fits, the one whose first shot is nearest (the earliest
// opened on a tie), else opens a new one. For shots that arrive in emission order this is
// GroupIncidents' rule; "one of its shots" rather than "its latest" lets a shot that arrives
// late join the incident it belongs to.
//
// Updates: a shot seen again with a higher version replaces the old one (its position may
// move). If it still fits its incident (judged against the incident's other shots; a shot
// alone in its incident always fits) the incident is updated; otherwise the shot leaves it
// (that incident is updated) and is placed as a new shot. A version not above the one held
// (a duplicate, or an update overtaken by a later one) changes nothing and yields no event.
// Incidents are never merged or split, and never emptied: only the updated shot moves.
//
// Lifecycle: new (created) -> updated (a shot added, changed or moved out) -> reviewed (a
// person set the label or the disposition) -> closed (quiet for close_after_s, or closed by
// a person). A closed incident takes no new shots and stays closed; updates of its own shots
// still apply to it, and a person can still review it or record a disposition. A person's
// label stands over the machine's from then on. Every change raises the incident's version
// by one and yields one IncidentEvent.
#ifndef EARSHOT_INCIDENT_INCIDENT_TRACKER_H_
#define EARSHOT_INCIDENT_INCIDENT_TRACKER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/core/incident.h"
#include "earshot/core/shot.h"
#include "earshot/incident/incident_shot.h"
#include "earshot/incident/incident_summary.h"

namespace earshot::incident {

struct IncidentOptions {
  double max_gap_s = 4.0;  // classify::IncidentGroupingOptions' values and reasons
  double max_distance_m = 150.0;
  // An incident with no shot emitted for this long is closed: two minutes is long past any
  // pause within one exchange of fire or one display, and short enough that the console's
  // list of active incidents stays the list of what is going on now.
  double close_after_s = 120.0;
  // Incident ids are id_prefix followed by a counter from first_number. The service sets a
  // prefix that is unique per run (e.g. its start time) so that ids never repeat across
  // restarts.
  std::string id_prefix = "incident-";
  int64_t first_number = 1;
  IncidentSummaryOptions summary;
};

enum class IncidentEventKind { kCreated, kUpdated, kClosed, kReviewed };
const char* IncidentEventKindName(IncidentEventKind kind);  // "created", "updated", ...

struct IncidentEvent {
  IncidentEventKind kind = IncidentEventKind::kCreated;
  Incident incident;  // the snapshot after the change
  std::string by;     // the person who made the change; empty for the machine
  int64_t at_ns = 0;  // when (the now_ns or at_ns of the call), UTC ns
};

class IncidentTracker {
 public:
  explicit IncidentTracker(IncidentOptions options);

  // Places a new shot, or applies an update of a known one (see above). First closes what is
  // due at now_ns (Advance), so that a shot never joins an incident that should have closed;
  // those events come first. `shot.id` must not be empty; `shot.incident_id` is ignored.
  std::vector<IncidentEvent> AddOrUpdateShot(const Shot& shot, int64_t now_ns);

  // Closes the open incidents whose last shot was emitted close_after_s or more before now_ns.
  std::vector<IncidentEvent> Advance(int64_t now_ns);

  // A person's label for the incident ("gunfire", "probable_gunfire" or "not_gunfire"):
  // state reviewed (a closed incident stays closed). Fails for an unknown incident, another
  // label or an empty user.
  Result<IncidentEvent> Review(const std::string& incident_id, const std::string& label,
                               const std::string& user, int64_t at_ns);

  // What responders found (disposition.code and disposition.by required; at_ns is that of
  // the disposition): state reviewed, or closed if it was.
  Result<IncidentEvent> SetDisposition(const std::string& incident_id, Disposition disposition);

  // Closes an incident now, by a person. Fails for an unknown or already closed incident.
  Result<IncidentEvent> Close(const std::string& incident_id, const std::string& user,
                              int64_t at_ns);

  // The incident, or nullptr.
  const Incident* Find(const std::string& incident_id) const;
  // The id of the incident that holds the shot, or nullopt for an unknown shot.
  std::optional<std::string> IncidentOfShot(const std::string& shot_id) const;
  // Every incident held, open and closed, by id.
  std::vector<const Incident*> Incidents() const;
  int open_count() const { return static_cast<int>(open_.size()); }

 private:
  struct Tracked {
    Incident incident;
    std::vector<IncidentShot> shots;  // by emission time, then id
    std::optional<std::string> reviewed_label;
    int64_t opened_order = 0;  // for ties: the earliest opened wins
  };

  bool Fits(const Tracked& tracked, const IncidentShot& shot) const;
  // Places `shot` (not held anywhere) into the best open incident or a new one.
  void Place(IncidentShot shot, int64_t now_ns, std::vector<IncidentEvent>* events);
  // Recomputes the machine's fields, raises the version, sets the state after a shot change
  // and appends the event.
  void Changed(Tracked& tracked, IncidentEventKind kind, const std::string& by, int64_t at_ns,
               std::vector<IncidentEvent>* events);
  Result<Tracked*> ForReview(const std::string& incident_id, const std::string& user,
                             const char* what);

  IncidentOptions options_;
  int64_t next_number_;
  std::map<std::string, Tracked> incidents_;  // every incident held, by id
  std::map<int64_t, std::string> open_;       // open incidents by opened order
  std::unordered_map<std::string, std::string> incident_of_shot_;
};

}  // namespace earshot::incident

#endif  // EARSHOT_INCIDENT_INCIDENT_TRACKER_H_
