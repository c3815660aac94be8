// Locating from a live stream of pulses (DESIGN.md §5): a shot is published as soon as its
// fix is sound and updated as later sensors report, never held for a fixed window.
//
// Pulses arrive in any order, late by up to the network's lateness (sensor uplink, spool
// replays). The locator holds the pulses of the last `horizon_s`, indexed by onset time.
// Each call to Add() takes the new pulses and, for each, its neighbourhood: the held pulses
// that could share a source with it. Two arrivals of one source differ by at most
// min(d, max_range_m) / c (d the distance between the sensors; both within max_range_m of
// the source) plus the inlier window and the association slack, and their sensors are at
// most 2 × max_range_m apart; nothing else can be in a fix with the new pulse. The
// neighbourhood is closed over published shots (a held pulse of a shot not yet settled
// brings all of that shot's pulses, so a shot is never re-located from part of its
// evidence), overlapping neighbourhoods are merged, and each is re-located with the batch
// locator (locator.h). The cost of an Add is that of its neighbourhoods, not of all pulses
// held: the onset index is scanned only over the neighbourhood's time window.
//
// Only fixes that use a new pulse are reconciled (a fix without one was already published
// when its last pulse arrived). A fix that uses any pulse of a published shot is that shot
// again: the batch locator gives each pulse to one source at most, so a shared direct
// arrival means the same source, however many pulses the first estimate had (a majority
// rule would give a shot a new id when a 5-sensor fix grows to 20). When fixes and shots
// share pulses several ways, the pairs sharing the most pulses are matched first, one fix
// per shot. A matched shot keeps its id; its version rises only if its used pulses changed
// or it moved more than 0.1 m. An unmatched fix is a new shot, "<id_prefix><n>", n = 1, 2,
// ... in publishing order (deterministic for a deterministic input).
//
// A published shot is never retracted: when another shot takes its pulses it stays as it
// was published, and once it has none left it is no longer tracked (counted as absorbed;
// the incident stage sees the two close in time and space).
//
// A shot settles `settle_s` after its newest pulse's onset: it is final, never re-located,
// and the pulses it used are excluded from later neighbourhoods (they cannot make a second
// fix of the same bang); pulses that no settled shot used stay available until the horizon.
// Pulses older than the horizon are forgotten (and refused as late when they arrive), so
// memory is bounded by the pulse rate times the horizon.
//
//   StreamingLocator locator(weather, {});
//   for (auto& batch : incoming) {
//     for (const FixUpdate& update : locator.Add(batch, Now()))
//       Publish(update.shot_id, update.version, update.fix);
//   }
//
// Not thread-safe: one locator per partition (a geographic cell), driven by one thread.
#ifndef EARSHOT_LOCATE_STREAMING_LOCATOR_H_
#define EARSHOT_LOCATE_STREAMING_LOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"
#include "earshot/locate/locator.h"

namespace earshot::locate {

struct StreamingLocateOptions {
  LocateOptions locate = {};
  // Pulses are kept this long after their onset for later pulses to join them: the
  // longest travel across max_range_m plus the network's lateness.
  double horizon_s = 30.0;
  // A published shot is not re-located after its newest pulse is this old: it is final.
  double settle_s = 10.0;
  std::string id_prefix = "shot-";

  // Also requires settle_s <= horizon_s: a shot's pulses are held until it settles.
  bool IsValid(std::string* error) const;
};

// A shot published for the first time (version 1) or updated (version 2, 3, ...).
struct FixUpdate {
  std::string shot_id;
  int version = 1;
  Fix fix;
};

struct StreamingLocatorCounters {
  std::size_t pulses_in = 0;
  std::size_t duplicate_pulses = 0;  // same pulse id again: ignored (replays are idempotent)
  std::size_t late_pulses = 0;       // older than the horizon when they arrived: not located
  std::size_t relocations = 0;       // batch locator runs
  std::size_t shots_published = 0;
  std::size_t shot_updates = 0;
  std::size_t shots_absorbed = 0;    // all pulses taken by another shot: left as published
  std::size_t shots_settled = 0;     // final: no longer re-located
  std::size_t pulses_relocated = 0;  // pulses passed to the batch locator, all runs
};

class StreamingLocator {
 public:
  // Throws std::invalid_argument when !options.IsValid().
  StreamingLocator(const Weather& weather, const StreamingLocateOptions& options);

  // Takes new pulses (positions in one metric frame, as for LocatePulses) received at
  // `now_ns`; returns the shots that are new or changed because of them, by emission time.
  // First does what Advance(now_ns) does.
  std::vector<FixUpdate> Add(std::span<const Pulse> pulses, int64_t now_ns);

  // Time passes without pulses: settles shots and forgets what is older than the horizon.
  // Returns nothing today (a shot never changes without a pulse); kept as a vector for symmetry.
  std::vector<FixUpdate> Advance(int64_t now_ns);

  // The pulses held (all within the horizon): for memory accounting and tests.
  std::size_t pulses_held() const;
  // The held pulses a fix used (its Fix::used, by id, in that order), for the classifier;
  // those already forgotten are left out.
  std::vector<Pulse> PulsesOf(const Fix& fix) const;
  const StreamingLocatorCounters& counters() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_STREAMING_LOCATOR_H_
