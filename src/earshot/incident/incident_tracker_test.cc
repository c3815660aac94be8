#include "earshot/incident/incident_tracker.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace earshot::incident {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kT0Ns = 1'700'000'000 * kSecondNs;

Shot MakeShot(const std::string& id, double t_s, double x_m, double y_m, int version = 1,
              double p_gunfire = 0.9) {
  Shot shot;
  shot.id = id;
  shot.version = version;
  shot.fix.emission_ns = kT0Ns + static_cast<int64_t>(std::llround(t_s * 1e9));
  shot.fix.position_m = {x_m, y_m, 0.0};
  shot.p = {p_gunfire, 1.0 - p_gunfire, 0.0, 0.0};
  return shot;
}

int64_t At(double t_s) { return kT0Ns + static_cast<int64_t>(std::llround(t_s * 1e9)); }

std::vector<IncidentEventKind> Kinds(const std::vector<IncidentEvent>& events) {
  std::vector<IncidentEventKind> kinds;
  for (const IncidentEvent& event : events) kinds.push_back(event.kind);
  return kinds;
}

using enum IncidentEventKind;

TEST(IncidentTrackerTest, ShotsInOnePlaceMakeOneIncident) {
  IncidentTracker tracker({});
  std::vector<IncidentEvent> events = tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  ASSERT_EQ(Kinds(events), std::vector{kCreated});
  EXPECT_EQ(events[0].incident.id, "incident-1");
  EXPECT_EQ(events[0].incident.version, 1);
  EXPECT_EQ(events[0].incident.state, IncidentState::kNew);
  EXPECT_EQ(events[0].incident.label, "gunfire");
  events = tracker.AddOrUpdateShot(MakeShot("b", 1, 10, 0), At(2));
  ASSERT_EQ(Kinds(events), std::vector{kUpdated});
  EXPECT_EQ(events[0].incident.version, 2);
  EXPECT_EQ(events[0].incident.state, IncidentState::kUpdated);
  events = tracker.AddOrUpdateShot(MakeShot("c", 4.5, 140, 0), At(5));  // 3.5 s, 140 m
  ASSERT_EQ(Kinds(events), std::vector{kUpdated});
  EXPECT_EQ(events[0].incident.version, 3);
  EXPECT_EQ(events[0].incident.rounds, 3);
  EXPECT_EQ(events[0].incident.shot_ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(tracker.IncidentOfShot("c"), "incident-1");
}

TEST(IncidentTrackerTest, GapAndDistanceOpenNewIncidents) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  // 160 m from the first shot: too far, although near in time.
  EXPECT_EQ(Kinds(tracker.AddOrUpdateShot(MakeShot("b", 1, 160, 0), At(2))), std::vector{kCreated});
  // 4.5 s after a's incident's latest shot: too late.
  EXPECT_EQ(Kinds(tracker.AddOrUpdateShot(MakeShot("c", 4.5, 0, 0), At(5))), std::vector{kCreated});
  EXPECT_EQ(tracker.IncidentOfShot("a"), "incident-1");
  EXPECT_EQ(tracker.IncidentOfShot("b"), "incident-2");
  EXPECT_EQ(tracker.IncidentOfShot("c"), "incident-3");
}

TEST(IncidentTrackerTest, JoinsTheIncidentWithTheNearestFirstShot) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  tracker.AddOrUpdateShot(MakeShot("b", 0.5, 200, 0), At(1));
  tracker.AddOrUpdateShot(MakeShot("c", 1, 120, 0), At(2));  // fits both, nearer b
  EXPECT_EQ(tracker.IncidentOfShot("c"), "incident-2");
  tracker.AddOrUpdateShot(MakeShot("d", 1.5, 100, 0), At(2));  // equally near: the earliest
  EXPECT_EQ(tracker.IncidentOfShot("d"), "incident-1");
}

TEST(IncidentTrackerTest, ALateShotJoinsItsIncident) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("b", 2, 0, 0), At(3));
  tracker.AddOrUpdateShot(MakeShot("c", 3, 0, 0), At(4));
  // Emitted before the incident's first shot, arriving after: it is still its incident.
  EXPECT_EQ(Kinds(tracker.AddOrUpdateShot(MakeShot("a", 0, 5, 0), At(5))), std::vector{kUpdated});
  const Incident* incident = tracker.Find("incident-1");
  ASSERT_NE(incident, nullptr);
  EXPECT_EQ(incident->shot_ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(incident->first_shot_ns, At(0));
}

TEST(IncidentTrackerTest, DuplicatesAndOvertakenUpdatesChangeNothing) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0, 2), At(1));
  EXPECT_TRUE(tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0, 2), At(1)).empty());
  EXPECT_TRUE(tracker.AddOrUpdateShot(MakeShot("a", 0, 50, 0, 1), At(1)).empty());
  EXPECT_EQ(tracker.Find("incident-1")->version, 1);
  EXPECT_EQ(tracker.Incidents().size(), 1u);
}

TEST(IncidentTrackerTest, AnUpdateThatStillFitsUpdatesItsIncident) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  tracker.AddOrUpdateShot(MakeShot("b", 1, 10, 0), At(2));
  const std::vector<IncidentEvent> events =
      tracker.AddOrUpdateShot(MakeShot("b", 1, 40, 0, 2, 0.3), At(3));
  ASSERT_EQ(Kinds(events), std::vector{kUpdated});
  EXPECT_EQ(events[0].incident.version, 3);
  EXPECT_EQ(events[0].incident.position_m, Eigen::Vector3d(40, 0, 0));
  EXPECT_DOUBLE_EQ(events[0].incident.p_gunfire, 0.6);
  EXPECT_EQ(events[0].incident.label, "probable_gunfire");
}

TEST(IncidentTrackerTest, AnUpdateThatNoLongerFitsMovesTheShot) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  tracker.AddOrUpdateShot(MakeShot("b", 1, 10, 0), At(2));
  const std::vector<IncidentEvent> events =
      tracker.AddOrUpdateShot(MakeShot("b", 1, 500, 0, 2), At(3));
  ASSERT_EQ(Kinds(events), (std::vector{kUpdated, kCreated}));
  EXPECT_EQ(events[0].incident.id, "incident-1");
  EXPECT_EQ(events[0].incident.shot_ids, std::vector<std::string>{"a"});
  EXPECT_EQ(events[1].incident.id, "incident-2");
  EXPECT_EQ(events[1].incident.shot_ids, std::vector<std::string>{"b"});
  EXPECT_EQ(tracker.IncidentOfShot("b"), "incident-2");
}

TEST(IncidentTrackerTest, ALoneShotMovesWithItsIncident) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  const std::vector<IncidentEvent> events =
      tracker.AddOrUpdateShot(MakeShot("a", 0, 500, 0, 2), At(2));
  ASSERT_EQ(Kinds(events), std::vector{kUpdated});
  EXPECT_EQ(events[0].incident.position_m, Eigen::Vector3d(500, 0, 0));
}

TEST(IncidentTrackerTest, QuietIncidentsClose) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  EXPECT_TRUE(tracker.Advance(At(119.9)).empty());
  std::vector<IncidentEvent> events = tracker.Advance(At(120));
  ASSERT_EQ(Kinds(events), std::vector{kClosed});
  EXPECT_EQ(events[0].incident.state, IncidentState::kClosed);
  EXPECT_EQ(events[0].incident.version, 2);
  EXPECT_EQ(tracker.open_count(), 0);
  EXPECT_TRUE(tracker.Advance(At(500)).empty());
  // A late shot of the closed incident opens a new one: closed stays closed.
  events = tracker.AddOrUpdateShot(MakeShot("b", 1, 0, 0), At(130));
  ASSERT_EQ(Kinds(events), std::vector{kCreated});
  EXPECT_EQ(events[0].incident.id, "incident-2");
  // A shot arriving after the closing time is due closes what it finds due first.
  events = tracker.AddOrUpdateShot(MakeShot("c", 200, 0, 0), At(201));
  ASSERT_EQ(Kinds(events), (std::vector{kClosed, kCreated}));
}

TEST(IncidentTrackerTest, AnUpdateOfAClosedIncidentsShotKeepsItClosed) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  tracker.Advance(At(121));
  const std::vector<IncidentEvent> events =
      tracker.AddOrUpdateShot(MakeShot("a", 0, 3, 0, 2), At(122));
  ASSERT_EQ(Kinds(events), std::vector{kUpdated});
  EXPECT_EQ(events[0].incident.state, IncidentState::kClosed);
  EXPECT_EQ(events[0].incident.version, 3);
}

TEST(IncidentTrackerTest, ReviewAndDisposition) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  Result<IncidentEvent> reviewed = tracker.Review("incident-1", "not_gunfire", "ana", At(10));
  ASSERT_TRUE(reviewed.has_value());
  EXPECT_EQ(reviewed->kind, kReviewed);
  EXPECT_EQ(reviewed->by, "ana");
  EXPECT_EQ(reviewed->at_ns, At(10));
  EXPECT_EQ(reviewed->incident.state, IncidentState::kReviewed);
  EXPECT_EQ(reviewed->incident.label, "not_gunfire");
  EXPECT_EQ(reviewed->incident.version, 2);
  // New shots update the numbers; the person's label and the state stand.
  std::vector<IncidentEvent> events = tracker.AddOrUpdateShot(MakeShot("b", 1, 0, 0), At(11));
  ASSERT_EQ(Kinds(events), std::vector{kUpdated});
  EXPECT_EQ(events[0].incident.rounds, 2);
  EXPECT_EQ(events[0].incident.label, "not_gunfire");
  EXPECT_EQ(events[0].incident.state, IncidentState::kReviewed);
  EXPECT_DOUBLE_EQ(events[0].incident.p_gunfire, 0.9);

  tracker.Advance(At(200));
  Result<IncidentEvent> found =
      tracker.SetDisposition("incident-1", {"no_evidence", "nothing found", "bo", At(300)});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->incident.state, IncidentState::kClosed);
  ASSERT_TRUE(found->incident.disposition.has_value());
  EXPECT_EQ(found->incident.disposition->code, "no_evidence");
  EXPECT_EQ(found->by, "bo");
  EXPECT_EQ(found->incident.version, 5);  // created, reviewed, updated, closed, disposition
}

TEST(IncidentTrackerTest, RefusedDecisions) {
  IncidentTracker tracker({});
  tracker.AddOrUpdateShot(MakeShot("a", 0, 0, 0), At(1));
  EXPECT_FALSE(tracker.Review("incident-9", "gunfire", "ana", At(2)).has_value());
  Result<IncidentEvent> bad_label = tracker.Review("incident-1", "fireworks", "ana", At(2));
  ASSERT_FALSE(bad_label.has_value());
  EXPECT_EQ(bad_label.error().ToString(),
            "review:label: expected gunfire, probable_gunfire or not_gunfire, got \"fireworks\"");
  EXPECT_FALSE(tracker.Review("incident-1", "gunfire", "", At(2)).has_value());
  EXPECT_FALSE(tracker.SetDisposition("incident-1", {"", "", "bo", At(2)}).has_value());
  EXPECT_FALSE(tracker.SetDisposition("incident-1", {"x", "", "", At(2)}).has_value());
  EXPECT_EQ(tracker.Find("incident-1")->version, 1);  // nothing changed
  Result<IncidentEvent> closed = tracker.Close("incident-1", "ana", At(3));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->kind, kClosed);
  EXPECT_EQ(tracker.open_count(), 0);
  EXPECT_FALSE(tracker.Close("incident-1", "ana", At(4)).has_value());
}

// Property: random streams of shots with updates, duplicates and overtaken versions,
// arriving out of order, with closings and reviews in between. Every shot is in exactly one
// incident, the one IncidentOfShot names; every incident's events raise its version by
// exactly one from its creation; the last event of each incident is what the tracker holds.
TEST(IncidentTrackerPropertyTest, NoShotLostOrDoubledVersionsIncrease) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    struct Message {
      double arrival_s;
      Shot shot;
    };
    std::vector<Message> messages;
    const int scenes = 1 + static_cast<int>(rng() % 8);
    std::set<std::string> shot_ids;
    for (int scene = 0; scene < scenes; ++scene) {
      const double start_s = unit(rng) * 600.0;
      const double x0_m = unit(rng) * 800.0, y0_m = unit(rng) * 800.0;
      const int shots = 1 + static_cast<int>(rng() % 25);
      double t_s = start_s;
      for (int i = 0; i < shots; ++i) {
        t_s += rng() % 3 == 0 ? 0.1 : unit(rng) * 6.0;
        const std::string id =
            std::string("s").append(std::to_string(scene)).append("-").append(std::to_string(i));
        shot_ids.insert(id);
        double x_m = x0_m + unit(rng) * 200.0 - 100.0, y_m = y0_m + unit(rng) * 200.0 - 100.0;
        const int versions = 1 + static_cast<int>(rng() % 4);
        for (int version = 1; version <= versions; ++version) {
          if (version > 1 && rng() % 3 == 0) x_m += unit(rng) * 600.0 - 300.0;  // a jump
          const double arrival_s = t_s + 1.0 + version * unit(rng) * 5.0;
          messages.push_back({arrival_s, MakeShot(id, t_s, x_m, y_m, version, unit(rng))});
          if (rng() % 5 == 0) messages.push_back(messages.back());  // a duplicate
        }
      }
    }
    std::stable_sort(messages.begin(), messages.end(),
                     [](const Message& a, const Message& b) { return a.arrival_s < b.arrival_s; });

    IncidentOptions options;
    options.close_after_s = 20.0 + unit(rng) * 100.0;
    IncidentTracker tracker(options);
    std::map<std::string, int> last_version;
    std::map<std::string, Incident> last_snapshot;
    auto take = [&](const std::vector<IncidentEvent>& events) {
      for (const IncidentEvent& event : events) {
        const Incident& incident = event.incident;
        auto it = last_version.find(incident.id);
        if (it == last_version.end()) {
          ASSERT_EQ(event.kind, kCreated) << "seed " << seed;
          ASSERT_EQ(incident.version, 1);
        } else {
          ASSERT_NE(event.kind, kCreated);
          ASSERT_EQ(incident.version, it->second + 1) << "seed " << seed << " " << incident.id;
        }
        last_version[incident.id] = incident.version;
        last_snapshot[incident.id] = incident;
        ASSERT_FALSE(incident.shot_ids.empty());
        ASSERT_EQ(incident.rounds, static_cast<int>(incident.shot_ids.size()));
      }
    };
    std::set<std::string> seen;
    for (const Message& message : messages) {
      const int64_t now_ns = kT0Ns + static_cast<int64_t>(message.arrival_s * 1e9);
      take(tracker.AddOrUpdateShot(message.shot, now_ns));
      seen.insert(message.shot.id);
      if (rng() % 10 == 0) take(tracker.Advance(now_ns));
      if (rng() % 15 == 0) {
        const std::vector<const Incident*> all = tracker.Incidents();
        const std::string id = all[rng() % all.size()]->id;
        if (rng() % 2 == 0) {
          Result<IncidentEvent> event = tracker.Review(id, "gunfire", "ana", now_ns);
          ASSERT_TRUE(event.has_value());
          take({*event});
        } else {
          Result<IncidentEvent> event =
              tracker.SetDisposition(id, {"evidence_found", "", "bo", now_ns});
          ASSERT_TRUE(event.has_value());
          take({*event});
        }
      }
      // Every shot seen so far is in exactly one incident, and it is the one named for it.
      std::map<std::string, int> count;
      for (const Incident* incident : tracker.Incidents()) {
        for (const std::string& shot_id : incident->shot_ids) {
          ++count[shot_id];
          ASSERT_EQ(tracker.IncidentOfShot(shot_id), incident->id);
        }
      }
      ASSERT_EQ(count.size(), seen.size()) << "seed " << seed;
      for (const auto& [shot_id, n] : count) ASSERT_EQ(n, 1) << shot_id;
    }
    take(tracker.Advance(kT0Ns + 10'000 * kSecondNs));
    ASSERT_EQ(seen, shot_ids);
    ASSERT_EQ(tracker.open_count(), 0);
    ASSERT_EQ(last_snapshot.size(), tracker.Incidents().size());
    for (const Incident* incident : tracker.Incidents()) {
      const Incident& last = last_snapshot.at(incident->id);
      ASSERT_EQ(last.version, incident->version);
      ASSERT_EQ(last.shot_ids, incident->shot_ids);
      ASSERT_EQ(last.state, IncidentState::kClosed);
      ASSERT_EQ(last.label, incident->label);
    }
  }
}

}  // namespace
}  // namespace earshot::incident
