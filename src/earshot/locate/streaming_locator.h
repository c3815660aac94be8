// Locating from a live stream of pulses (DESIGN.md §5): a shot is published as soon as its
// fix is sound and updated as later sensors report, never held for a fixed window.
//
// Pulses arrive in any order, late by up to the network's lateness (sensor uplink, spool
// replays). Each call to Add() takes the new pulses, finds the region of space and time
// they can belong to (a pulse can only share a source with pulses of sensors within
// max_range_m whose onsets differ by at most their distance over the speed of sound plus
// slack), and re-locates only that neighbourhood with the batch locator (locator.h) on the
// pulses held there. A fix that explains a previously published shot's pulses keeps that
// shot's id and raises its version; a new one gets a new id. Pulses older than the horizon
// are forgotten, so memory is bounded by the pulse rate times the horizon.
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
};

class StreamingLocator {
 public:
  StreamingLocator(const Weather& weather, const StreamingLocateOptions& options);

  // Takes new pulses (positions in one metric frame, as for LocatePulses); returns the
  // shots that are new or changed because of them, by emission time.
  std::vector<FixUpdate> Add(std::span<const Pulse> pulses, int64_t now_ns);

  // Time passes without pulses: forgets what is older than the horizon. Returns nothing
  // today (a shot never changes without a pulse); kept as a vector for symmetry.
  std::vector<FixUpdate> Advance(int64_t now_ns);

  // The pulses held (all within the horizon): for memory accounting and tests.
  std::size_t pulses_held() const;
  // The held pulses a fix used (its Fix::used, by id), for the classifier.
  std::vector<Pulse> PulsesOf(const Fix& fix) const;
  const StreamingLocatorCounters& counters() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_STREAMING_LOCATOR_H_
