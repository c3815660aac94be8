// The streaming tracker and the classifier's offline grouping (classify/incident_grouping.h)
// must agree: the classifier's cadence feature is computed on GroupIncidents' incidents, so
// a tracker that grouped otherwise would show dispatch incidents the model never saw. For
// shots that arrive in emission order, once each, the two rules are the same.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/classify/incident_grouping.h"
#include "earshot/incident/incident_tracker.h"

namespace earshot::incident {
namespace {

TEST(IncidentGroupingConsistencyTest, InOrderStreamsGroupAsGroupIncidents) {
  const classify::IncidentGroupingOptions offline;
  const IncidentOptions streaming;
  ASSERT_EQ(streaming.max_gap_s, offline.max_gap_s);
  ASSERT_EQ(streaming.max_distance_m, offline.max_distance_m);
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<Fix> fixes;
    const int scenes = 1 + static_cast<int>(rng() % 6);
    for (int scene = 0; scene < scenes; ++scene) {
      const double start_s = unit(rng) * 60.0;
      const double x0_m = unit(rng) * 500.0, y0_m = unit(rng) * 500.0;
      double t_s = start_s;
      const int shots = 1 + static_cast<int>(rng() % 20);
      for (int i = 0; i < shots; ++i) {
        t_s += unit(rng) * 5.0;
        Fix fix;
        fix.emission_ns = static_cast<int64_t>(t_s * 1e9);
        fix.position_m = {x0_m + unit(rng) * 300.0 - 150.0, y0_m + unit(rng) * 300.0 - 150.0, 0.0};
        fixes.push_back(fix);
      }
    }
    std::stable_sort(fixes.begin(), fixes.end(),
                     [](const Fix& a, const Fix& b) { return a.emission_ns < b.emission_ns; });
    const std::vector<std::vector<std::size_t>> expected = classify::GroupIncidents(fixes, offline);

    IncidentTracker tracker(streaming);
    for (std::size_t i = 0; i < fixes.size(); ++i) {
      Shot shot;
      shot.id = std::string("s").append(std::to_string(i));
      shot.fix = fixes[i];
      tracker.AddOrUpdateShot(shot, fixes[i].emission_ns);
    }
    ASSERT_EQ(tracker.Incidents().size(), expected.size()) << "seed " << seed;
    for (const std::vector<std::size_t>& group : expected) {
      const std::optional<std::string> id =
          tracker.IncidentOfShot(std::string("s").append(std::to_string(group.front())));
      ASSERT_TRUE(id.has_value());
      std::vector<std::string> ids;
      for (std::size_t i : group) ids.push_back(std::string("s").append(std::to_string(i)));
      std::vector<std::string> held = tracker.Find(*id)->shot_ids;
      std::sort(ids.begin(), ids.end());
      std::sort(held.begin(), held.end());
      ASSERT_EQ(held, ids) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace earshot::incident
