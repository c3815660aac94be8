#include "earshot/core/incident.h"

namespace earshot {

std::string_view IncidentStateName(IncidentState state) {
  switch (state) {
    case IncidentState::kNew:
      return "new";
    case IncidentState::kUpdated:
      return "updated";
    case IncidentState::kReviewed:
      return "reviewed";
    case IncidentState::kClosed:
      return "closed";
  }
  return "unknown";
}

}  // namespace earshot
