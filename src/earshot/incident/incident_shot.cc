#include "earshot/incident/incident_shot.h"

namespace earshot::incident {

IncidentShot FromShot(const Shot& shot) {
  IncidentShot out;
  out.id = shot.id;
  out.version = shot.version;
  out.emission_ns = shot.fix.emission_ns;
  out.position_m = shot.fix.position_m;
  // A zero ellipse is the Fix default, i.e. no uncertainty was computed: unknown, not exact.
  out.position_sigma_m =
      shot.fix.ellipse.sigma1_m > 0.0 ? shot.fix.ellipse.sigma1_m : IncidentShot::kNaN;
  double p_sum = 0.0;
  for (double p : shot.p) p_sum += p;
  out.p_gunfire = p_sum > 0.0 ? shot.p[0] : IncidentShot::kNaN;
  out.reasons = shot.reasons;
  return out;
}

}  // namespace earshot::incident
