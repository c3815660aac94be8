// What an incident's shots add up to: rounds, cadence, automatic fire, shooters, movement,
// and the dispatch label with its confidence (DESIGN.md §1, docs/incidents.md). Pure
// functions of the shots, so that the streaming tracker, a replay and a court re-derive the
// same numbers from the same shots.
//
//   IncidentSummaryOptions options;  // defaults as documented below
//   Summarize(shots_by_emission, options, &incident);
#ifndef EARSHOT_INCIDENT_INCIDENT_SUMMARY_H_
#define EARSHOT_INCIDENT_INCIDENT_SUMMARY_H_

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "earshot/core/incident.h"
#include "earshot/incident/incident_shot.h"

namespace earshot::incident {

struct IncidentSummaryOptions {
  // Automatic fire: at least automatic_min_shots consecutive shots at one place, each under
  // automatic_interval_s after the one before. 150 ms is 400 rounds a minute, at the low end
  // of automatic weapons' cyclic rates (600–900 rounds/min: 67–100 ms) and faster than all
  // but the best-trained hands pull a trigger in a sustained string. One short interval is
  // not enough: a double tap, two shooters firing at once, or an echo located as a second
  // shot all make one; three shots in a row under 150 ms apart is a burst.
  double automatic_interval_s = 0.150;
  int automatic_min_shots = 3;

  // Two shots are at the same place when they lie within shooter_separation_m of each other
  // horizontally, or within shooter_separation_sigmas times their combined 1-sigma position
  // error when that is larger. 30 m is several times the location error of a sound fix
  // inside the network (a few metres), and closer than two groups of people exchanging fire
  // usually stand; the error term keeps one weak fix scattered off its shooter from
  // inventing a second one. 0 sigmas: the separation alone.
  double shooter_separation_m = 30.0;
  double shooter_separation_sigmas = 2.0;

  // The dispatch label's thresholds: the same values as classify/dispatch_policy.h's
  // DispatchThresholds (this module does not depend on classify; the service passes the
  // configured values).
  double gunfire_min_p = 0.80;
  double probable_min_p = 0.50;

  // The incident's p(gunfire) from its classified shots' p(gunfire) (by emission time, NaNs
  // left out, never empty). The service passes the shot classifier's calibrated
  // IncidentProbability; empty: MeanProbability.
  std::function<double(std::span<const double> shot_p_gunfire)> incident_p_gunfire;
};

// The median interval between consecutive shots, seconds (the mean of the two middle ones
// for an even count). NaN with fewer than 2 shots. `shots` by emission time, here and below.
double CadenceS(std::span<const IncidentShot> shots);

// The place (0, 1, ...) of each shot: shots at the same place (see IncidentSummaryOptions),
// and shots linked through a chain of such, share one. Places are numbered in order of their
// first shot.
std::vector<int> Places(std::span<const IncidentShot> shots, const IncidentSummaryOptions& options);

// True when, at one place, options.automatic_min_shots consecutive shots of that place
// follow each other by less than options.automatic_interval_s. `places` from Places().
bool AutomaticFire(std::span<const IncidentShot> shots, std::span<const int> places,
                   const IncidentSummaryOptions& options);

// The most places firing at overlapping times: each place is active from its first to its
// last shot (inclusive), and the answer is the largest number of places active at one
// instant. Places that fire one after the other are one shooter who moved. 0 without shots.
int CountShooters(std::span<const IncidentShot> shots, std::span<const int> places);

// Horizontal distance from the first shot's position to the last's, metres: 0 for one shot,
// NaN for none. Horizontal, because a 2D fix only assumed its height.
double MovementM(std::span<const IncidentShot> shots);

// MovementM over the time from the first shot to the last, m/s; NaN when that time is 0.
double SpeedMps(std::span<const IncidentShot> shots);

// The mean of `p`; NaN when empty.
double MeanProbability(std::span<const double> p);

// "gunfire" (p >= gunfire_min_p), "probable_gunfire" (p >= probable_min_p) or
// "not_gunfire" (below, or NaN: no evidence), as classify::Decide.
std::string_view DispatchLabelFor(double p_gunfire, const IncidentSummaryOptions& options);

// Fills the machine's fields of `incident` from `shots` (by emission time, at least one):
// shot_ids, first_shot_ns, last_shot_ns, position_m and position_sigma_m (of the latest
// shot), rounds, cadence_s, automatic_fire, shooters, movement_m, speed_mps, p_gunfire (NaN
// when no shot is classified), label, and reasons (those of the shot with the highest
// p(gunfire), the one that speaks most for the label). Leaves id, version, state and
// disposition alone.
void Summarize(std::span<const IncidentShot> shots, const IncidentSummaryOptions& options,
               Incident* incident);

}  // namespace earshot::incident

#endif  // EARSHOT_INCIDENT_INCIDENT_SUMMARY_H_
