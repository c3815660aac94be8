#include "earshot/locate/streaming_locator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "earshot/locate/arrival.h"

namespace earshot::locate {
namespace {

constexpr double kNsPerS = 1e9;
// A matched shot whose fix moved less than this and used the same pulses is not
// republished: a subscriber gains nothing from a new version of the same pin.
constexpr double kMinMoveM = 0.1;

// The minimal disjoint-set forest, to merge neighbourhoods that share a pulse.
class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  size_t Find(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  // The smaller root wins, so that groups are numbered by their first new pulse.
  void Union(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<size_t> parent_;
};

std::set<std::string> UsedIds(const Fix& fix) {
  std::set<std::string> ids;
  for (const UsedPulse& used : fix.used) ids.insert(used.pulse_id);
  return ids;
}

}  // namespace

bool StreamingLocateOptions::IsValid(std::string* error) const {
  auto fail = [&](const char* message) {
    if (error != nullptr) *error = message;
    return false;
  };
  if (!(horizon_s > 0.0)) return fail("horizon_s must be > 0");
  if (!(settle_s > 0.0)) return fail("settle_s must be > 0");
  if (!(settle_s <= horizon_s)) return fail("settle_s must be <= horizon_s");
  return locate.IsValid(error);
}

// One held pulse and what the locator knows about it.
struct HeldPulse {
  Pulse pulse;
  std::string shot_id;   // the tracked (published, unsettled) shot using it; empty if none
  bool settled = false;  // used by a settled shot: never in a neighbourhood again
};

// A published shot that can still change.
struct TrackedShot {
  int version = 1;
  Fix fix;  // as last published
  int64_t newest_onset_ns = 0;
};

struct StreamingLocator::State {
  Weather weather;
  StreamingLocateOptions options;
  // Fastest a sound front can travel between two sensors (downwind): the conservative
  // speed for "could these two pulses share a source".
  double max_speed_mps = 0.0;
  // Added to min(d, max_range) / c: arrivals can be early and late within the inlier
  // window, and the batch locator's own pairing slack.
  double slack_s = 0.0;
  Propagation model;

  std::unordered_map<std::string, HeldPulse> pulses;          // by pulse id; node-stable
  std::set<std::pair<int64_t, std::string>> by_onset;         // (onset, pulse id)
  std::map<std::string, TrackedShot> shots;                   // tracked shots by id
  std::set<std::pair<int64_t, std::string>> shots_by_newest;  // (newest onset, shot id)
  size_t next_shot_number = 1;
  StreamingLocatorCounters counters;

  void SettleAndForget(int64_t now_ns);
  // The ids of held pulses that could share a source with `pulse`, plus all pulses of the
  // tracked shots among them.
  std::vector<std::string> Neighbourhood(const HeldPulse& pulse) const;
  std::vector<FixUpdate> Reconcile(const std::vector<Fix>& fixes,
                                   const std::unordered_set<std::string>& new_ids);
  void Untrack(const std::string& shot_id);
  std::string NewShotId();
};

void StreamingLocator::State::SettleAndForget(int64_t now_ns) {
  const auto settle_before = now_ns - static_cast<int64_t>(options.settle_s * kNsPerS);
  while (!shots_by_newest.empty() && shots_by_newest.begin()->first < settle_before) {
    const std::string shot_id = shots_by_newest.begin()->second;
    for (const UsedPulse& used : shots.at(shot_id).fix.used) {
      auto it = pulses.find(used.pulse_id);
      if (it == pulses.end() || it->second.shot_id != shot_id) continue;
      it->second.settled = true;
      it->second.shot_id.clear();
    }
    Untrack(shot_id);
    ++counters.shots_settled;
  }
  const auto forget_before = now_ns - static_cast<int64_t>(options.horizon_s * kNsPerS);
  while (!by_onset.empty() && by_onset.begin()->first < forget_before) {
    pulses.erase(by_onset.begin()->second);
    by_onset.erase(by_onset.begin());
  }
}

void StreamingLocator::State::Untrack(const std::string& shot_id) {
  auto it = shots.find(shot_id);
  if (it == shots.end()) return;
  shots_by_newest.erase({it->second.newest_onset_ns, shot_id});
  shots.erase(it);
}

std::string StreamingLocator::State::NewShotId() {
  // Appended, not `prefix + to_string`: GCC 12 reports a false -Wrestrict (bug 105329).
  std::string id = options.id_prefix;
  id.append(std::to_string(next_shot_number++));
  return id;
}

std::vector<std::string> StreamingLocator::State::Neighbourhood(const HeldPulse& held) const {
  const LocateOptions& locate = options.locate;
  const double max_range_m = locate.max_range_m;
  const int64_t onset_ns = held.pulse.onset_ns;
  const auto window_ns = static_cast<int64_t>((max_range_m / max_speed_mps + slack_s) * kNsPerS);
  std::vector<std::string> ids;
  std::set<std::string> shots_touched;
  for (auto it = by_onset.lower_bound({onset_ns - window_ns, std::string()});
       it != by_onset.end() && it->first <= onset_ns + window_ns; ++it) {
    const HeldPulse& other = pulses.at(it->second);
    if (other.settled) continue;
    const double distance_m = (other.pulse.sensor_position_m - held.pulse.sensor_position_m).norm();
    if (distance_m > 2.0 * max_range_m) continue;
    const double reach_s = std::min(distance_m, max_range_m) / max_speed_mps + slack_s;
    if (std::abs(static_cast<double>(it->first - onset_ns)) > reach_s * kNsPerS) continue;
    ids.push_back(it->second);
    if (!other.shot_id.empty()) shots_touched.insert(other.shot_id);
  }
  // A tracked shot's pulses are its own unless the new pulse could be one of its arrivals
  // (or an echo of one, which the batch locator must see beside the shot to tell it from
  // a new source): then the whole shot is re-located with it; else its pulses stay out.
  // Without this every Add would re-solve every shot of the last few seconds nearby.
  std::set<std::string> kept;
  for (const std::string& shot_id : shots_touched) {
    const Fix& fix = shots.at(shot_id).fix;
    const double residual_s = static_cast<double>(onset_ns - fix.emission_ns) / kNsPerS -
                              TravelTimeS(model, fix.position_m, held.pulse.sensor_position_m);
    if (residual_s < -slack_s || residual_s > locate.echo_horizon_s + slack_s) continue;
    kept.insert(shot_id);
  }
  std::erase_if(ids, [&](const std::string& id) {
    const std::string& shot_id = pulses.at(id).shot_id;
    return !shot_id.empty() && !kept.contains(shot_id);
  });
  for (const std::string& shot_id : kept) {
    for (const UsedPulse& used : shots.at(shot_id).fix.used) {
      auto it = pulses.find(used.pulse_id);
      if (it != pulses.end() && it->second.shot_id == shot_id) ids.push_back(used.pulse_id);
    }
  }
  return ids;
}

std::vector<FixUpdate> StreamingLocator::State::Reconcile(
    const std::vector<Fix>& fixes, const std::unordered_set<std::string>& new_ids) {
  // Only fixes the new pulses take part in: any other was published when its own last
  // pulse arrived, from a neighbourhood that held all of its evidence.
  std::vector<const Fix*> candidates;
  for (const Fix& fix : fixes) {
    if (std::any_of(fix.used.begin(), fix.used.end(),
                    [&](const UsedPulse& used) { return new_ids.contains(used.pulse_id); })) {
      candidates.push_back(&fix);
    }
  }
  // (shared pulses, fix index, shot id) for every fix-shot pair sharing a pulse.
  std::vector<std::tuple<int, size_t, std::string>> pairs;
  for (size_t f = 0; f < candidates.size(); ++f) {
    std::map<std::string, int> shared;
    for (const UsedPulse& used : candidates[f]->used) {
      auto it = pulses.find(used.pulse_id);
      if (it != pulses.end() && !it->second.shot_id.empty()) ++shared[it->second.shot_id];
    }
    for (const auto& [shot_id, count] : shared) pairs.emplace_back(count, f, shot_id);
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
    return std::get<2>(a) < std::get<2>(b);
  });
  std::vector<std::string> shot_of(candidates.size());
  std::set<std::string> matched_shots;
  for (const auto& [count, f, shot_id] : pairs) {
    if (!shot_of[f].empty() || matched_shots.contains(shot_id)) continue;
    shot_of[f] = shot_id;
    matched_shots.insert(shot_id);
  }

  std::vector<FixUpdate> updates;
  std::set<std::string> losers;  // shots some of whose pulses another shot took
  for (size_t f = 0; f < candidates.size(); ++f) {
    const Fix& fix = *candidates[f];
    std::string shot_id = shot_of[f];
    int version = 1;
    if (!shot_id.empty()) {
      TrackedShot& shot = shots.at(shot_id);
      const bool same_pulses = UsedIds(shot.fix) == UsedIds(fix);
      const bool moved = (shot.fix.position_m - fix.position_m).norm() > kMinMoveM;
      if (same_pulses && !moved) continue;
      // Pulses it no longer uses are free again.
      const std::set<std::string> now_used = UsedIds(fix);
      for (const UsedPulse& used : shot.fix.used) {
        auto it = pulses.find(used.pulse_id);
        if (it != pulses.end() && it->second.shot_id == shot_id &&
            !now_used.contains(used.pulse_id)) {
          it->second.shot_id.clear();
        }
      }
      version = shot.version + 1;
      ++counters.shot_updates;
    } else {
      shot_id = NewShotId();
      ++counters.shots_published;
    }
    int64_t newest_onset_ns = fix.emission_ns;
    for (const UsedPulse& used : fix.used) {
      HeldPulse& held = pulses.at(used.pulse_id);
      if (!held.shot_id.empty() && held.shot_id != shot_id) losers.insert(held.shot_id);
      held.shot_id = shot_id;
      newest_onset_ns = std::max(newest_onset_ns, held.pulse.onset_ns);
    }
    Untrack(shot_id);
    shots.emplace(shot_id, TrackedShot{version, fix, newest_onset_ns});
    shots_by_newest.emplace(newest_onset_ns, shot_id);
    updates.push_back(FixUpdate{shot_id, version, fix});
  }
  // A shot left with no pulse of its own was absorbed into another: it stays as published.
  for (const std::string& shot_id : losers) {
    auto it = shots.find(shot_id);
    if (it == shots.end()) continue;
    const bool has_pulses = std::any_of(
        it->second.fix.used.begin(), it->second.fix.used.end(), [&](const UsedPulse& used) {
          auto held = pulses.find(used.pulse_id);
          return held != pulses.end() && held->second.shot_id == shot_id;
        });
    if (!has_pulses) {
      Untrack(shot_id);
      ++counters.shots_absorbed;
    }
  }
  return updates;
}

StreamingLocator::StreamingLocator(const Weather& weather, const StreamingLocateOptions& options)
    : state_(std::make_shared<State>()) {
  std::string error;
  if (!options.IsValid(&error))
    throw std::invalid_argument(std::string("StreamingLocator: ").append(error));
  state_->weather = weather;
  state_->options = options;
  state_->max_speed_mps = SpeedOfSoundMps(weather.temperature_c) + std::abs(weather.wind_speed_mps);
  const LocateOptions& locate = options.locate;
  state_->slack_s = locate.association_slack_s + locate.inlier_early_s + locate.inlier_late_s;
  state_->model.speed_of_sound_mps = SpeedOfSoundMps(weather.temperature_c);
  state_->model.wind_en_mps = WindVelocityEnMps(weather);
}

std::vector<FixUpdate> StreamingLocator::Add(std::span<const Pulse> pulses, int64_t now_ns) {
  State& state = *state_;
  state.SettleAndForget(now_ns);
  const auto forget_before = now_ns - static_cast<int64_t>(state.options.horizon_s * kNsPerS);

  std::vector<const HeldPulse*> added;
  std::unordered_set<std::string> new_ids;
  for (const Pulse& pulse : pulses) {
    ++state.counters.pulses_in;
    if (state.pulses.contains(pulse.id)) {
      ++state.counters.duplicate_pulses;
      continue;
    }
    if (pulse.onset_ns < forget_before) {
      ++state.counters.late_pulses;
      continue;
    }
    auto [it, inserted] = state.pulses.emplace(pulse.id, HeldPulse{pulse, {}, false});
    state.by_onset.emplace(pulse.onset_ns, pulse.id);
    added.push_back(&it->second);
    new_ids.insert(pulse.id);
  }
  if (added.empty()) return {};

  // Neighbourhoods, merged where they share a pulse (each new pulse is in its own).
  std::vector<std::vector<std::string>> neighbourhoods;
  neighbourhoods.reserve(added.size());
  DisjointSets groups(added.size());
  std::unordered_map<std::string, size_t> first_holder;
  for (size_t i = 0; i < added.size(); ++i) {
    neighbourhoods.push_back(state.Neighbourhood(*added[i]));
    for (const std::string& id : neighbourhoods.back()) {
      auto [it, inserted] = first_holder.emplace(id, i);
      if (!inserted) groups.Union(i, it->second);
    }
  }
  std::map<size_t, std::set<std::pair<int64_t, std::string>>> merged;  // by root
  for (size_t i = 0; i < added.size(); ++i) {
    auto& members = merged[groups.Find(i)];
    for (const std::string& id : neighbourhoods[i]) {
      members.emplace(state.pulses.at(id).pulse.onset_ns, id);
    }
  }

  std::vector<FixUpdate> updates;
  for (const auto& [root, members] : merged) {
    std::vector<Pulse> input;
    input.reserve(members.size());
    for (const auto& [onset_ns, id] : members) input.push_back(state.pulses.at(id).pulse);
    // Fewer pulses than a fix needs cannot make one: skip the solve.
    if (static_cast<int>(input.size()) < state.options.locate.min_sensors) continue;
    ++state.counters.relocations;
    state.counters.pulses_relocated += input.size();
    const LocateResult result = LocatePulses(input, state.weather, state.options.locate);
    std::vector<FixUpdate> group_updates = state.Reconcile(result.fixes, new_ids);
    std::move(group_updates.begin(), group_updates.end(), std::back_inserter(updates));
  }
  std::stable_sort(updates.begin(), updates.end(), [](const FixUpdate& a, const FixUpdate& b) {
    return a.fix.emission_ns < b.fix.emission_ns;
  });
  return updates;
}

std::vector<FixUpdate> StreamingLocator::Advance(int64_t now_ns) {
  state_->SettleAndForget(now_ns);
  return {};
}

std::size_t StreamingLocator::pulses_held() const { return state_->pulses.size(); }

std::vector<Pulse> StreamingLocator::PulsesOf(const Fix& fix) const {
  std::vector<Pulse> out;
  for (const UsedPulse& used : fix.used) {
    auto it = state_->pulses.find(used.pulse_id);
    if (it != state_->pulses.end()) out.push_back(it->second.pulse);
  }
  return out;
}

const StreamingLocatorCounters& StreamingLocator::counters() const { return state_->counters; }

}  // namespace earshot::locate
