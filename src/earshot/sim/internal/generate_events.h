// Events: what a scenario says happened (given, generated at rates, or read from the
// live-fire dataset) as an EventPlan, and the expansion of a plan into its emissions:
// the rounds of a burst at their cadence, the crackers of a string, each aerial shell's
// lift on the ground and its burst 30–300 m up a few seconds later, drifted by the wind.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_GENERATE_EVENTS_H_
#define EARSHOT_SIM_INTERNAL_GENERATE_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/weather.h"
#include "earshot/sim/internal/generate_city.h"
#include "earshot/sim/internal/scenario_spec.h"
#include "earshot/sim/scene.h"

namespace earshot::sim::internal {

// One event, everything about it decided except the small random details of each
// emission, which ExpandEventPlan draws from Rng::Stream(seed, stream + "/emissions").
struct EventPlan {
  std::string id;  // empty: numbered after all events are sorted ("E0001")
  std::string description;
  std::string stream;  // names the event's random streams, unique in the scenario
  SourceKind kind = SourceKind::kHandgun;
  // Where the first round leaves (the muzzle; a firework's launch; a string's centre).
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  int64_t time_ns = 0;  // the first emission
  int rounds = 1;       // rounds, crackers or shells
  double cadence_s = 0.0;
  // Each interval between rounds is cadence × (1 + spread · u), u uniform in [-1, 1].
  double cadence_spread = 0.1;
  std::optional<double> peak_db_spl_at_1m;  // every round exactly; else drawn
  std::optional<double> aim_azimuth_deg;    // else drawn uniformly
  std::optional<double> aim_elevation_deg;  // else 0
  std::optional<double> bullet_speed_mps;   // else TraitsOf(kind).bullet_speed_mps
  std::optional<double> burst_height_m;     // firework: else drawn, 30..300 log-uniform
  std::optional<double> burst_delay_s;      // firework: else from the height
};

// Height of a source above the ground when the scenario does not give it, metres
// (a muzzle at hand height, a firecracker on the pavement, ...).
double DefaultSourceHeightM(SourceKind kind);

// Mean time between rounds when a given event has several but no cadence_s: the kind's
// TraitsOf cadence, or a typical one when the kind has none. And the spread used for
// given events (automatic fire is regular; a string of crackers is not).
double DefaultCadenceS(SourceKind kind);
double DefaultCadenceSpread(SourceKind kind);

// Plans the events of one generator over [start_ns, start_ns + duration_s): for each
// kind a Poisson count with mean rate × hours, times uniform, positions uniform in the
// area but not inside a building (up to 100 tries), and the kind's structure (rounds,
// cadence: see docs/simulation.md, "Generated events"). Kind k's events draw from
// Rng::Stream(seed, "<key>/<kind>") and their own "<key>/<kind>/<n>" streams.
std::vector<EventPlan> GenerateEventPlans(const EventGeneratorSpec& spec, uint64_t seed,
                                          int64_t start_ns, double duration_s, const Ground& ground,
                                          const BuildingIndex& buildings);

// Mean number of emissions of one generated event of `kind` (a firework shell counts
// its lift and its burst), from the structure GenerateEventPlans draws.
double ExpectedEmissionsPerEvent(SourceKind kind);

// The emissions of one event (event_index left 0 for the caller to set), in time order.
std::vector<Emission> ExpandEventPlan(const EventPlan& plan, uint64_t seed, const Weather& weather);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_GENERATE_EVENTS_H_
