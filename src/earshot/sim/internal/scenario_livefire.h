// The "live-fire test like the dataset" generator: reads one firing position of the
// Pittsburgh live-fire dataset (FPn/ with its test_NNN/ folders) and makes the same test
// again: one handgun event per test at the surveyed shooter position with the surveyed
// rounds, the sensors at the positions the dataset reports, the weather of the tests.
// The dataset is read in place, from the path the scenario gives; nothing is copied.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_SCENARIO_LIVEFIRE_H_
#define EARSHOT_SIM_INTERNAL_SCENARIO_LIVEFIRE_H_

#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/error.h"
#include "earshot/core/weather.h"
#include "earshot/sim/internal/generate_events.h"
#include "earshot/sim/internal/scenario_spec.h"

namespace earshot::sim::internal {

struct LivefireSensor {
  std::string id;  // the dataset's serial number
  // The position the sensor reports most often over the firing position's tests (a few
  // sensors' reports wander by metres between tests); ties go to the earliest.
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
};

struct LivefirePlan {
  std::string group;                    // the firing position, "FP1"
  std::vector<LivefireSensor> sensors;  // in order of first appearance
  // One per test, id "test_NNN", description the survey's firearm; `stream`
  // "livefire/test_NNN". The first round's time is the earliest time that at least three
  // sensors' pulses agree on, each pulse moved back by its travel time from the survey
  // point at the test's speed of sound (within 50 ms); without such a time, the survey's
  // approximate time. Later rounds follow at `cadence_s` ± 45 %.
  std::vector<EventPlan> events;
  Weather weather;  // mean temperature and mean wind vector of the tests
};

// `scenario_source` and the key "livefire.dataset" name a missing or empty folder; a
// bad dataset file is refused with its own path and field.
Result<LivefirePlan> ReadLivefirePlan(const LivefireSpec& spec, const std::string& scenario_source);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SCENARIO_LIVEFIRE_H_
