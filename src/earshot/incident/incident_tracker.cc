#include "earshot/incident/incident_tracker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace earshot::incident {
namespace {

bool EarlierShot(const IncidentShot& a, const IncidentShot& b) {
  return a.emission_ns != b.emission_ns ? a.emission_ns < b.emission_ns : a.id < b.id;
}

int64_t SecondsToNs(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1e9)); }

double HorizontalDistanceM(const IncidentShot& a, const IncidentShot& b) {
  return (a.position_m.head<2>() - b.position_m.head<2>()).norm();
}

}  // namespace

const char* IncidentEventKindName(IncidentEventKind kind) {
  switch (kind) {
    case IncidentEventKind::kCreated:
      return "created";
    case IncidentEventKind::kUpdated:
      return "updated";
    case IncidentEventKind::kClosed:
      return "closed";
    case IncidentEventKind::kReviewed:
      return "reviewed";
  }
  return "unknown";
}

IncidentTracker::IncidentTracker(IncidentOptions options)
    : options_(std::move(options)), next_number_(options_.first_number) {}

bool IncidentTracker::Fits(const Tracked& tracked, const IncidentShot& shot) const {
  const std::vector<IncidentShot>& shots = tracked.shots;  // by emission time
  const IncidentShot* first = nullptr;
  for (const IncidentShot& other : shots) {
    if (other.id != shot.id) {
      first = &other;
      break;
    }
  }
  if (first == nullptr) return true;  // alone in its incident
  if (HorizontalDistanceM(shot, *first) > options_.max_distance_m) return false;
  // The nearest shots in time are next to where it would be inserted; binary search keeps
  // a display of thousands of shells cheap to test.
  const int64_t max_gap_ns = SecondsToNs(options_.max_gap_s);
  auto next = std::lower_bound(
      shots.begin(), shots.end(), shot.emission_ns,
      [](const IncidentShot& s, int64_t emission_ns) { return s.emission_ns < emission_ns; });
  for (auto it = next; it != shots.end(); ++it) {
    if (it->id == shot.id) continue;
    if (it->emission_ns - shot.emission_ns <= max_gap_ns) return true;
    break;
  }
  for (auto it = next; it != shots.begin();) {
    --it;
    if (it->id == shot.id) continue;
    return shot.emission_ns - it->emission_ns <= max_gap_ns;
  }
  return false;
}

void IncidentTracker::Place(IncidentShot shot, int64_t now_ns, std::vector<IncidentEvent>* events) {
  Tracked* best = nullptr;
  double best_distance_m = std::numeric_limits<double>::infinity();
  for (const auto& [order, id] : open_) {  // by opened order: the earliest wins a tie
    Tracked& candidate = incidents_.at(id);
    if (!Fits(candidate, shot)) continue;
    const double distance_m = HorizontalDistanceM(shot, candidate.shots.front());
    if (distance_m < best_distance_m) {
      best = &candidate;
      best_distance_m = distance_m;
    }
  }
  IncidentEventKind kind = IncidentEventKind::kUpdated;
  if (best == nullptr) {
    const int64_t number = next_number_++;
    const std::string id = std::string(options_.id_prefix).append(std::to_string(number));
    Tracked& opened = incidents_[id];
    EARSHOT_CHECK(opened.shots.empty());  // ids never repeat
    opened.incident.id = id;
    opened.incident.version = 0;  // Changed raises it to 1
    opened.opened_order = number;
    open_.emplace(number, id);
    best = &opened;
    kind = IncidentEventKind::kCreated;
  }
  incident_of_shot_[shot.id] = best->incident.id;
  best->shots.insert(std::upper_bound(best->shots.begin(), best->shots.end(), shot, EarlierShot),
                     std::move(shot));
  Changed(*best, kind, "", now_ns, events);
}

void IncidentTracker::Changed(Tracked& tracked, IncidentEventKind kind, const std::string& by,
                              int64_t at_ns, std::vector<IncidentEvent>* events) {
  Incident& incident = tracked.incident;
  if (kind == IncidentEventKind::kCreated || kind == IncidentEventKind::kUpdated) {
    Summarize(tracked.shots, options_.summary, &incident);
    if (tracked.reviewed_label) incident.label = *tracked.reviewed_label;
  }
  switch (kind) {
    case IncidentEventKind::kCreated:
      incident.state = IncidentState::kNew;
      break;
    case IncidentEventKind::kUpdated:
      // A person's review and a closing stand; new evidence shows in the event's kind.
      if (incident.state == IncidentState::kNew) incident.state = IncidentState::kUpdated;
      break;
    case IncidentEventKind::kReviewed:
      if (incident.state != IncidentState::kClosed) incident.state = IncidentState::kReviewed;
      break;
    case IncidentEventKind::kClosed:
      incident.state = IncidentState::kClosed;
      break;
  }
  ++incident.version;
  events->push_back(IncidentEvent{kind, incident, by, at_ns});
}

std::vector<IncidentEvent> IncidentTracker::AddOrUpdateShot(const Shot& shot, int64_t now_ns) {
  EARSHOT_CHECK(!shot.id.empty());
  std::vector<IncidentEvent> events = Advance(now_ns);
  IncidentShot incoming = FromShot(shot);
  auto held_in = incident_of_shot_.find(shot.id);
  if (held_in == incident_of_shot_.end()) {
    Place(std::move(incoming), now_ns, &events);
    return events;
  }
  Tracked& tracked = incidents_.at(held_in->second);
  auto held = std::find_if(tracked.shots.begin(), tracked.shots.end(),
                           [&](const IncidentShot& s) { return s.id == shot.id; });
  EARSHOT_CHECK(held != tracked.shots.end());
  if (incoming.version <= held->version) return events;  // duplicate or overtaken
  tracked.shots.erase(held);
  if (Fits(tracked, incoming)) {
    tracked.shots.insert(
        std::upper_bound(tracked.shots.begin(), tracked.shots.end(), incoming, EarlierShot),
        std::move(incoming));
    Changed(tracked, IncidentEventKind::kUpdated, "", now_ns, &events);
    return events;
  }
  // It moved out of reach: its old incident (never emptied, as a lone shot always fits)
  // loses it, and it is placed as if new.
  EARSHOT_CHECK(!tracked.shots.empty());
  Changed(tracked, IncidentEventKind::kUpdated, "", now_ns, &events);
  Place(std::move(incoming), now_ns, &events);
  return events;
}

std::vector<IncidentEvent> IncidentTracker::Advance(int64_t now_ns) {
  std::vector<IncidentEvent> events;
  const int64_t quiet_ns = SecondsToNs(options_.close_after_s);
  for (auto it = open_.begin(); it != open_.end();) {
    Tracked& tracked = incidents_.at(it->second);
    if (now_ns - tracked.incident.last_shot_ns >= quiet_ns) {
      Changed(tracked, IncidentEventKind::kClosed, "", now_ns, &events);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  return events;
}

Result<IncidentTracker::Tracked*> IncidentTracker::ForReview(const std::string& incident_id,
                                                             const std::string& user,
                                                             const char* what) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end())
    return Fail(what, "incident", std::string("no incident ").append(incident_id));
  if (user.empty()) return Fail(what, "user", "expected the user who made the decision");
  return &it->second;
}

Result<IncidentEvent> IncidentTracker::Review(const std::string& incident_id,
                                              const std::string& label, const std::string& user,
                                              int64_t at_ns) {
  if (label != "gunfire" && label != "probable_gunfire" && label != "not_gunfire") {
    return Fail("review", "label",
                std::string("expected gunfire, probable_gunfire or not_gunfire, got \"")
                    .append(label)
                    .append("\""));
  }
  Result<Tracked*> tracked = ForReview(incident_id, user, "review");
  if (!tracked) return std::unexpected(tracked.error());
  (*tracked)->reviewed_label = label;
  (*tracked)->incident.label = label;
  std::vector<IncidentEvent> events;
  Changed(**tracked, IncidentEventKind::kReviewed, user, at_ns, &events);
  return std::move(events.front());
}

Result<IncidentEvent> IncidentTracker::SetDisposition(const std::string& incident_id,
                                                      Disposition disposition) {
  if (disposition.code.empty()) return Fail("disposition", "code", "expected a code");
  Result<Tracked*> tracked = ForReview(incident_id, disposition.by, "disposition");
  if (!tracked) return std::unexpected(tracked.error());
  const std::string by = disposition.by;
  const int64_t at_ns = disposition.at_ns;
  (*tracked)->incident.disposition = std::move(disposition);
  std::vector<IncidentEvent> events;
  Changed(**tracked, IncidentEventKind::kReviewed, by, at_ns, &events);
  return std::move(events.front());
}

Result<IncidentEvent> IncidentTracker::Close(const std::string& incident_id,
                                             const std::string& user, int64_t at_ns) {
  Result<Tracked*> tracked = ForReview(incident_id, user, "close");
  if (!tracked) return std::unexpected(tracked.error());
  if ((*tracked)->incident.state == IncidentState::kClosed)
    return Fail("close", "incident",
                std::string("incident ").append(incident_id).append(" is already closed"));
  open_.erase((*tracked)->opened_order);
  std::vector<IncidentEvent> events;
  Changed(**tracked, IncidentEventKind::kClosed, user, at_ns, &events);
  return std::move(events.front());
}

const Incident* IncidentTracker::Find(const std::string& incident_id) const {
  auto it = incidents_.find(incident_id);
  return it == incidents_.end() ? nullptr : &it->second.incident;
}

std::optional<std::string> IncidentTracker::IncidentOfShot(const std::string& shot_id) const {
  auto it = incident_of_shot_.find(shot_id);
  if (it == incident_of_shot_.end()) return std::nullopt;
  return it->second;
}

std::vector<const Incident*> IncidentTracker::Incidents() const {
  std::vector<const Incident*> all;
  all.reserve(incidents_.size());
  for (const auto& [id, tracked] : incidents_) all.push_back(&tracked.incident);
  return all;
}

}  // namespace earshot::incident
