#include "earshot/incident/incident_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "earshot/core/error.h"

namespace earshot::incident {
namespace {

constexpr double kNaN = IncidentShot::kNaN;

bool ByEmission(std::span<const IncidentShot> shots) {
  return std::is_sorted(shots.begin(), shots.end(),
                        [](const auto& a, const auto& b) { return a.emission_ns < b.emission_ns; });
}

double HorizontalDistanceM(const IncidentShot& a, const IncidentShot& b) {
  return (a.position_m.head<2>() - b.position_m.head<2>()).norm();
}

// The distance within which two shots are at one place.
double SamePlaceM(const IncidentShot& a, const IncidentShot& b,
                  const IncidentSummaryOptions& options) {
  double limit_m = options.shooter_separation_m;
  if (std::isfinite(a.position_sigma_m) && std::isfinite(b.position_sigma_m)) {
    limit_m = std::max(limit_m, options.shooter_separation_sigmas *
                                    std::hypot(a.position_sigma_m, b.position_sigma_m));
  }
  return limit_m;
}

struct CellHash {
  std::size_t operator()(const std::pair<int64_t, int64_t>& cell) const {
    return std::hash<int64_t>()(cell.first * 73856093 ^ cell.second * 19349663);
  }
};

int Root(std::vector<int>& parent, int i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

}  // namespace

double CadenceS(std::span<const IncidentShot> shots) {
  EARSHOT_CHECK(ByEmission(shots));
  if (shots.size() < 2) return kNaN;
  std::vector<double> intervals_s;
  intervals_s.reserve(shots.size() - 1);
  for (std::size_t i = 1; i < shots.size(); ++i)
    intervals_s.push_back(static_cast<double>(shots[i].emission_ns - shots[i - 1].emission_ns) *
                          1e-9);
  std::sort(intervals_s.begin(), intervals_s.end());
  const std::size_t n = intervals_s.size();
  return n % 2 == 1 ? intervals_s[n / 2] : 0.5 * (intervals_s[n / 2 - 1] + intervals_s[n / 2]);
}

std::vector<int> Places(std::span<const IncidentShot> shots,
                        const IncidentSummaryOptions& options) {
  const int n = static_cast<int>(shots.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  // Single linkage on a grid whose cells are as wide as the largest same-place distance, so
  // that only shots in neighbouring cells need comparing: a display of thousands of shells
  // stays fast, and it is summarized again on every new shot.
  double max_sigma_m = 0.0;
  for (const IncidentShot& shot : shots)
    if (std::isfinite(shot.position_sigma_m))
      max_sigma_m = std::max(max_sigma_m, shot.position_sigma_m);
  const double cell_m =
      std::max({options.shooter_separation_m,
                options.shooter_separation_sigmas * std::sqrt(2.0) * max_sigma_m, 1.0});
  std::unordered_map<std::pair<int64_t, int64_t>, std::vector<int>, CellHash> cells;
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector3d& p = shots[i].position_m;
    if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;  // a place of its own
    const int64_t cx = static_cast<int64_t>(std::floor(p.x() / cell_m));
    const int64_t cy = static_cast<int64_t>(std::floor(p.y() / cell_m));
    for (int64_t dx = -1; dx <= 1; ++dx) {
      for (int64_t dy = -1; dy <= 1; ++dy) {
        auto it = cells.find({cx + dx, cy + dy});
        if (it == cells.end()) continue;
        for (int j : it->second) {
          if (HorizontalDistanceM(shots[i], shots[j]) <= SamePlaceM(shots[i], shots[j], options))
            parent[Root(parent, i)] = Root(parent, j);
        }
      }
    }
    cells[{cx, cy}].push_back(i);
  }
  std::vector<int> place(n, -1);
  std::vector<int> place_of_root(n, -1);
  int places = 0;
  for (int i = 0; i < n; ++i) {
    int& of_root = place_of_root[Root(parent, i)];
    if (of_root < 0) of_root = places++;
    place[i] = of_root;
  }
  return place;
}

bool AutomaticFire(std::span<const IncidentShot> shots, std::span<const int> places,
                   const IncidentSummaryOptions& options) {
  EARSHOT_CHECK(ByEmission(shots));
  EARSHOT_CHECK(places.size() == shots.size());
  if (options.automatic_min_shots < 2) return !shots.empty();
  const int64_t interval_ns =
      static_cast<int64_t>(std::llround(options.automatic_interval_s * 1e9));
  // Per place (numbered 0, 1, ... by Places): the latest shot seen and the length of the
  // run of short intervals ending there.
  std::vector<std::pair<int64_t, int>> last_and_run(places.size(), {0, 0});
  for (std::size_t i = 0; i < shots.size(); ++i) {
    EARSHOT_CHECK(places[i] >= 0 && static_cast<std::size_t>(places[i]) < places.size());
    auto& [last_ns, run] = last_and_run[places[i]];
    run = run > 0 && shots[i].emission_ns - last_ns < interval_ns ? run + 1 : 1;
    last_ns = shots[i].emission_ns;
    if (run >= options.automatic_min_shots) return true;
  }
  return false;
}

int CountShooters(std::span<const IncidentShot> shots, std::span<const int> places) {
  EARSHOT_CHECK(places.size() == shots.size());
  constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  std::vector<std::pair<int64_t, int64_t>> span_of_place(places.size(), {kNone, kNone});
  for (std::size_t i = 0; i < shots.size(); ++i) {
    EARSHOT_CHECK(places[i] >= 0 && static_cast<std::size_t>(places[i]) < places.size());
    auto& [first_ns, last_ns] = span_of_place[places[i]];
    if (first_ns == kNone) {
      first_ns = last_ns = shots[i].emission_ns;
    } else {
      first_ns = std::min(first_ns, shots[i].emission_ns);
      last_ns = std::max(last_ns, shots[i].emission_ns);
    }
  }
  // Sweep: +1 at a place's first shot, -1 after its last; at one instant starts come first,
  // so that two places firing at the same instant count as two.
  std::vector<std::pair<int64_t, int>> events;
  for (const auto& span : span_of_place) {
    if (span.first == kNone) continue;
    events.emplace_back(span.first, -1);  // sorts before an end at the same time
    events.emplace_back(span.second, +1);
  }
  std::sort(events.begin(), events.end());
  int active = 0;
  int most = 0;
  for (const auto& [time_ns, kind] : events) {
    active -= kind;
    most = std::max(most, active);
  }
  return most;
}

double MovementM(std::span<const IncidentShot> shots) {
  EARSHOT_CHECK(ByEmission(shots));
  if (shots.empty()) return kNaN;
  return HorizontalDistanceM(shots.front(), shots.back());
}

double SpeedMps(std::span<const IncidentShot> shots) {
  EARSHOT_CHECK(ByEmission(shots));
  if (shots.empty()) return kNaN;
  const double duration_s =
      static_cast<double>(shots.back().emission_ns - shots.front().emission_ns) * 1e-9;
  return duration_s > 0.0 ? MovementM(shots) / duration_s : kNaN;
}

double MeanProbability(std::span<const double> p) {
  if (p.empty()) return kNaN;
  return std::accumulate(p.begin(), p.end(), 0.0) / static_cast<double>(p.size());
}

std::string_view DispatchLabelFor(double p_gunfire, const IncidentSummaryOptions& options) {
  if (p_gunfire >= options.gunfire_min_p) return "gunfire";  // false for NaN
  if (p_gunfire >= options.probable_min_p) return "probable_gunfire";
  return "not_gunfire";
}

void Summarize(std::span<const IncidentShot> shots, const IncidentSummaryOptions& options,
               Incident* incident) {
  EARSHOT_CHECK(!shots.empty());
  EARSHOT_CHECK(ByEmission(shots));
  incident->shot_ids.clear();
  std::vector<double> p_gunfire;
  const IncidentShot* most_probable = nullptr;
  for (const IncidentShot& shot : shots) {
    incident->shot_ids.push_back(shot.id);
    if (std::isnan(shot.p_gunfire)) continue;
    p_gunfire.push_back(shot.p_gunfire);
    if (most_probable == nullptr || shot.p_gunfire > most_probable->p_gunfire)
      most_probable = &shot;
  }
  incident->first_shot_ns = shots.front().emission_ns;
  incident->last_shot_ns = shots.back().emission_ns;
  incident->position_m = shots.back().position_m;
  incident->position_sigma_m = shots.back().position_sigma_m;
  incident->rounds = static_cast<int>(shots.size());
  incident->cadence_s = CadenceS(shots);
  const std::vector<int> places = Places(shots, options);
  incident->automatic_fire = AutomaticFire(shots, places, options);
  incident->shooters = CountShooters(shots, places);
  incident->movement_m = MovementM(shots);
  incident->speed_mps = SpeedMps(shots);
  if (p_gunfire.empty()) {
    incident->p_gunfire = kNaN;
  } else if (options.incident_p_gunfire) {
    incident->p_gunfire = options.incident_p_gunfire(p_gunfire);
  } else {
    incident->p_gunfire = MeanProbability(p_gunfire);
  }
  incident->label = std::string(DispatchLabelFor(incident->p_gunfire, options));
  incident->reasons =
      most_probable != nullptr ? most_probable->reasons : std::vector<std::string>{};
}

}  // namespace earshot::incident
