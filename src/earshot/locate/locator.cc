#include "earshot/locate/locator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <unordered_map>

#include "earshot/core/time.h"
#include "earshot/locate/closed_form.h"
#include "earshot/locate/uncertainty.h"

namespace earshot::locate {
namespace {

// A pulse as the locator handles it: its sensor as a dense index, its arrival in
// seconds after the first pulse of the input.
struct Entry {
  int pulse = 0;   // index into the input span
  int sensor = 0;  // dense sensor index
  Arrival arrival;
};

// A sensor as seen in the input: where it is and when it was reporting.
struct SensorInfo {
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  double first_s = 0.0;  // first and last pulse, seconds after the reference
  double last_s = 0.0;
};

// The candidate pulses of one sensor that may share the anchor's source.
struct SensorGroup {
  int sensor = 0;
  std::vector<int> entries;  // indices into entries_, by time
};

// A pulse chosen to explain one sensor under a hypothesis.
struct Inlier {
  int entry = 0;
  double residual_s = 0.0;
};

struct Consensus {
  Source source;
  std::vector<Inlier> inliers;
  double score = -1.0;
};

// The fix one anchor proposes, or why it proposes none.
struct Candidate {
  int anchor = 0;
  std::vector<SensorGroup> groups;  // the pulses it considered
  Consensus consensus;
  Source source;  // refined
  std::optional<Fix> fix;
  std::string why;  // when there is no fix
};

std::string FormatMs(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.1f ms", seconds * 1e3);
  return buffer;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(mid), values.end());
  return values[mid];
}

class Locator {
 public:
  Locator(std::span<const Pulse> pulses, const Weather& weather, const LocateOptions& options)
      : pulses_(pulses), options_(options), rng_(options.seed) {
    model_.speed_of_sound_mps = SpeedOfSoundMps(weather.temperature_c);
    model_.wind_en_mps = WindVelocityEnMps(weather);
    final_mode_ = options.mode.value_or(SolveMode::k3D);
    BuildEntries();
  }

  LocateResult Run() {
    LocateResult result;
    result.pulses_in = static_cast<int>(pulses_.size());
    // Every free pulse proposes the best fix it can anchor; the best proposal overall is
    // accepted first, and the proposals that wanted its pulses are made again without
    // them. So a fix that explains more sensors takes its pulses before a weaker
    // coincidence of echoes and stray bangs that happens to start earlier can.
    const int n = static_cast<int>(entries_.size());
    std::vector<std::optional<Candidate>> proposals(static_cast<size_t>(n));
    while (true) {
      int best = -1;
      for (int anchor = 0; anchor < n; ++anchor) {
        if (state_[anchor] == State::kUsed) continue;
        std::optional<Candidate>& proposal = proposals[static_cast<size_t>(anchor)];
        if (!proposal.has_value()) {
          proposal = Evaluate(anchor);
          if (!proposal->fix.has_value()) Fail(anchor, proposal->why);
        }
        if (!proposal->fix.has_value() || state_[anchor] == State::kFailedAnchor) continue;
        if (best < 0 || Better(*proposal, *proposals[static_cast<size_t>(best)])) best = anchor;
      }
      if (best < 0) break;
      const std::vector<State> before = state_;
      Accept(*proposals[static_cast<size_t>(best)], &result);
      proposals[static_cast<size_t>(best)].reset();
      // Proposals that counted on a pulse now used are made again.
      for (int anchor = 0; anchor < n; ++anchor) {
        std::optional<Candidate>& proposal = proposals[static_cast<size_t>(anchor)];
        if (!proposal.has_value()) continue;
        const bool stale = std::any_of(
            proposal->groups.begin(), proposal->groups.end(), [&](const SensorGroup& group) {
              return std::any_of(group.entries.begin(), group.entries.end(), [&](int e) {
                return state_[e] == State::kUsed && before[e] != State::kUsed;
              });
            });
        if (stale) {
          proposal.reset();
          if (state_[anchor] == State::kFailedAnchor) state_[anchor] = State::kFree;
        }
      }
      if (state_[best] != State::kUsed) {
        // Not used by its own fix, or refused (echo image): it keeps its reason.
        proposals[static_cast<size_t>(best)] = Candidate{};
        proposals[static_cast<size_t>(best)]->anchor = best;
        state_[best] = State::kFailedAnchor;
      }
    }
    for (int i = 0; i < static_cast<int>(entries_.size()); ++i) {
      if (state_[i] == State::kUsed) continue;
      const Pulse& pulse = pulses_[entries_[i].pulse];
      result.unassociated.push_back({pulse.id, pulse.sensor_id, why_not_[i], 0.0});
    }
    std::sort(result.fixes.begin(), result.fixes.end(),
              [](const Fix& a, const Fix& b) { return a.emission_ns < b.emission_ns; });
    return result;
  }

 private:
  enum class State { kFree, kUsed, kFailedAnchor };

  void BuildEntries() {
    std::vector<int> order(pulses_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return pulses_[a].onset_ns < pulses_[b].onset_ns; });
    if (!order.empty()) reference_ns_ = pulses_[order.front()].onset_ns;
    std::unordered_map<std::string, int> sensor_index;
    for (int index : order) {
      const Pulse& pulse = pulses_[index];
      auto [it, inserted] =
          sensor_index.emplace(pulse.sensor_id, static_cast<int>(sensor_index.size()));
      Entry entry;
      entry.pulse = index;
      entry.sensor = it->second;
      entry.arrival.sensor_m = pulse.sensor_position_m;
      entry.arrival.time_s = static_cast<double>(pulse.onset_ns - reference_ns_) * 1e-9;
      entry.arrival.sigma_s =
          pulse.onset_sigma_s > 0.0 ? pulse.onset_sigma_s : options_.default_onset_sigma_s;
      entries_.push_back(entry);
      if (inserted) sensors_.push_back({pulse.sensor_position_m, entry.arrival.time_s, 0.0});
      SensorInfo& sensor = sensors_[entry.sensor];
      sensor.position_m = pulse.sensor_position_m;
      sensor.last_s = entry.arrival.time_s;
    }
    state_.assign(entries_.size(), State::kFree);
    why_not_.assign(entries_.size(), "not examined");
  }

  // Pulses at other sensors that could come from the same source as the anchor.
  std::vector<SensorGroup> Candidates(int anchor) const {
    const Entry& a = entries_[anchor];
    const double c = model_.speed_of_sound_mps;
    const double reach_m = 2.0 * options_.max_range_m;
    const double window_s = reach_m / c + options_.association_slack_s;
    const auto by_time = [](const Entry& e, double t) { return e.arrival.time_s < t; };
    const auto first =
        std::lower_bound(entries_.begin(), entries_.end(), a.arrival.time_s - window_s, by_time);
    std::vector<SensorGroup> groups;
    groups.push_back({a.sensor, {anchor}});
    std::unordered_map<int, int> group_of_sensor{{a.sensor, 0}};
    for (auto it = first; it != entries_.end(); ++it) {
      if (it->arrival.time_s > a.arrival.time_s + window_s) break;
      const int index = static_cast<int>(it - entries_.begin());
      if (index == anchor || it->sensor == a.sensor || state_[index] == State::kUsed) continue;
      const double distance_m = (it->arrival.sensor_m - a.arrival.sensor_m).norm();
      if (distance_m > reach_m) continue;
      const double dt_s = std::abs(it->arrival.time_s - a.arrival.time_s);
      if (dt_s > distance_m / c + options_.association_slack_s) continue;
      auto [g, inserted] = group_of_sensor.emplace(it->sensor, static_cast<int>(groups.size()));
      if (inserted) groups.push_back({it->sensor, {}});
      groups[g->second].entries.push_back(index);
    }
    return groups;
  }

  // Cost of a residual inside the inlier window, 0..1. Both sides are measured on the
  // early scale (capped at 1), so that of two pulses at one sensor the one nearest the
  // prediction wins: a direct pulse 0.7 ms early beats an echo 4 ms late.
  double WindowCost(double residual_s) const {
    const double x = residual_s / options_.inlier_early_s;
    return std::min(1.0, x * x);
  }

  // For each sensor group, the pulse that fits `source` best inside the window.
  Consensus Score(const Source& source, const std::vector<SensorGroup>& groups) const {
    Consensus consensus;
    consensus.source = source;
    consensus.score = 0.0;
    for (const SensorGroup& group : groups) {
      int best = -1;
      double best_cost = 1.0;
      double best_residual = 0.0;
      for (int entry : group.entries) {
        const Arrival& arrival = entries_[entry].arrival;
        const double residual = ArrivalResidualS(arrival, source, model_);
        if (residual < -options_.inlier_early_s || residual > options_.inlier_late_s) continue;
        const double cost = WindowCost(residual);
        if (best < 0 || cost < best_cost) {
          best = entry;
          best_cost = cost;
          best_residual = residual;
        }
      }
      if (best >= 0) {
        consensus.inliers.push_back({best, best_residual});
        consensus.score += 1.0 - 0.5 * best_cost;  // MSAC-like: count, then tightness
      }
    }
    return consensus;
  }

  // Consensus search over random minimal subsets that contain the anchor.
  Consensus Search(int anchor, const std::vector<SensorGroup>& groups) {
    const double height_m = entries_[anchor].arrival.sensor_m.z();
    Consensus best;
    auto consider = [&](std::span<const Arrival> arrivals) {
      for (const Source& source : ClosedFormSolve(arrivals, model_.speed_of_sound_mps,
                                                  SolveMode::kFixedHeight, height_m)) {
        if ((source.position_m - entries_[anchor].arrival.sensor_m).head<2>().norm() >
            options_.max_range_m) {
          continue;
        }
        Consensus candidate = Score(source, groups);
        if (candidate.score > best.score) best = std::move(candidate);
      }
    };

    // First guess: the earliest pulse at every sensor, which is the direct arrival
    // whenever one shot is alone in the window.
    std::vector<Arrival> arrivals;
    for (const SensorGroup& group : groups)
      arrivals.push_back(entries_[group.entries.front()].arrival);
    consider(arrivals);

    const int others = static_cast<int>(groups.size()) - 1;
    constexpr int kSample = 3;  // plus the anchor: 4 arrivals, the 2.5D linear form's size
    std::vector<int> pick(others);
    std::iota(pick.begin(), pick.end(), 1);
    int needed = options_.max_hypotheses;
    for (int trial = 0; trial < needed; ++trial) {
      arrivals.assign(1, entries_[anchor].arrival);
      for (int k = 0; k < kSample; ++k) {
        std::uniform_int_distribution<int> choose(k, others - 1);
        std::swap(pick[k], pick[choose(rng_)]);
        const SensorGroup& group = groups[pick[k]];
        std::uniform_int_distribution<size_t> within(0, group.entries.size() - 1);
        arrivals.push_back(entries_[group.entries[within(rng_)]].arrival);
      }
      consider(arrivals);
      // Adaptive stop: enough trials to draw one all-inlier sample with 99.9 %.
      const double w = static_cast<double>(best.inliers.size()) / groups.size();
      if (w > 0.0) {
        const double all_in = std::pow(w, kSample);
        const double trials = all_in >= 1.0 ? 1.0 : std::log(1e-3) / std::log1p(-all_in);
        needed = std::clamp(static_cast<int>(std::ceil(trials)), 8, options_.max_hypotheses);
      }
    }
    return best;
  }

  // Solver arrivals for a set of inliers (heights dropped in 2D).
  std::vector<Arrival> ArrivalsOf(const std::vector<Inlier>& inliers) const {
    std::vector<Arrival> arrivals;
    arrivals.reserve(inliers.size());
    for (const Inlier& inlier : inliers) {
      Arrival arrival = entries_[inlier.entry].arrival;
      if (final_mode_ == SolveMode::k2D) arrival.sensor_m.z() = 0.0;
      arrivals.push_back(arrival);
    }
    return arrivals;
  }

  double MedianHeight(const std::vector<Inlier>& inliers) const {
    std::vector<double> heights;
    for (const Inlier& inlier : inliers)
      heights.push_back(entries_[inlier.entry].arrival.sensor_m.z());
    return Median(heights);
  }

  // The best fix an anchor makes with the pulses still free, or why it makes none.
  // Has no effect on the locator's state (but draws from its random stream).
  Candidate Evaluate(int anchor) {
    Candidate candidate;
    candidate.anchor = anchor;
    candidate.groups = Candidates(anchor);
    const std::vector<SensorGroup>& groups = candidate.groups;
    if (static_cast<int>(groups.size()) < options_.min_sensors) {
      candidate.why = "only " + std::to_string(groups.size()) +
                      " sensors heard pulses that could share its source (need " +
                      std::to_string(options_.min_sensors) + ")";
      return candidate;
    }
    Consensus consensus = Search(anchor, groups);
    if (static_cast<int>(consensus.inliers.size()) < options_.min_sensors) {
      candidate.why =
          "no source explains " + std::to_string(options_.min_sensors) + " sensors with it";
      return candidate;
    }

    // Refine and gather again until the inlier set settles.
    RefineOptions refine = options_.refine;
    refine.mode = final_mode_;
    Refinement refinement;
    double height_m = 0.0;
    for (int round = 0; round < 3; ++round) {
      height_m = options_.fixed_height_m.value_or(MedianHeight(consensus.inliers));
      refine.fixed_height_m = height_m;
      refine.height_prior_m = height_m;
      refine.height_prior_sigma_m = options_.height_prior_sigma_m;
      Source start = consensus.source;
      if (final_mode_ == SolveMode::k2D) start.position_m.z() = 0.0;
      refinement = RefineSource(ArrivalsOf(consensus.inliers), model_, start, refine);
      if (!refinement.usable) break;
      Source scored = refinement.source;
      if (final_mode_ == SolveMode::k2D) scored.position_m.z() = height_m;
      Consensus next = Score(scored, groups);
      next.source = refinement.source;
      const bool same = SameEntries(next.inliers, consensus.inliers);
      consensus = std::move(next);
      if (same) break;
    }
    if (!refinement.usable || static_cast<int>(consensus.inliers.size()) < options_.min_sensors) {
      candidate.why =
          "the refined fix kept fewer than " + std::to_string(options_.min_sensors) + " sensors";
      return candidate;
    }
    const int core = static_cast<int>(std::count_if(
        consensus.inliers.begin(), consensus.inliers.end(),
        [&](const Inlier& i) { return std::abs(i.residual_s) <= options_.core_window_s; }));
    if (core < options_.min_sensors) {
      candidate.why = "its best fix has only " + std::to_string(core) + " sensors within " +
                      FormatMs(options_.core_window_s) + " of the prediction (need " +
                      std::to_string(options_.min_sensors) + ")";
      return candidate;
    }
    const double coverage = Coverage(refinement.source, consensus.inliers);
    if (coverage < options_.min_coverage) {
      char why[160];
      std::snprintf(why, sizeof why,
                    "the best fix (%zu sensors) was heard by only %.0f%% of the sensors near it",
                    consensus.inliers.size(), 100.0 * coverage);
      candidate.why = why;
      return candidate;
    }
    candidate.fix = MakeFix(consensus, refinement, height_m, groups, refine);
    candidate.fix->coverage = coverage;
    candidate.consensus = std::move(consensus);
    candidate.source = refinement.source;
    return candidate;
  }

  // Of two fixes that compete for pulses, the one that explains more sensors is the
  // better explanation; between equals, the one whose anchor came first (time order).
  static bool Better(const Candidate& a, const Candidate& b) {
    return a.consensus.inliers.size() > b.consensus.inliers.size();
  }

  // Accepts a candidate's fix (unless it is an echo image of an accepted one) and marks
  // its pulses and their echoes as used.
  void Accept(const Candidate& candidate, LocateResult* result) {
    const int anchor = candidate.anchor;
    const Consensus& consensus = candidate.consensus;
    Fix fix = *candidate.fix;
    if (const Fix* original = EchoImageOf(fix, consensus.inliers, *result)) {
      char why[200];
      std::snprintf(why, sizeof why,
                    "its best fix (%d sensors, %+.0f ms) looks like an echo image of the shot at "
                    "%s (%d sensors)",
                    fix.n_sensors(), (fix.emission_ns - original->emission_ns) * 1e-6,
                    FormatIsoUtc(original->emission_ns, 3).c_str(), original->n_sensors());
      Fail(anchor, why);
      return;
    }
    bool anchor_used = false;
    for (const Inlier& inlier : consensus.inliers) {
      state_[inlier.entry] = State::kUsed;
      anchor_used |= inlier.entry == anchor;
    }
    if (Fix* earlier = SameBangAs(fix, result)) {
      AbsorbAsEcho(consensus, fix, earlier);
    } else {
      AbsorbEchoes(consensus, &fix);
      result->fixes.push_back(std::move(fix));
      accepted_sources_.push_back(candidate.source);
    }
    if (!anchor_used) Fail(anchor, "does not fit the fix its neighbours make");
  }

  // An accepted fix of which `fix` looks like the echo image (see LocateOptions): a
  // sensor of `fix` counts as having heard the original when the original used it or
  // when it reported a pulse close to the original's predicted arrival there.
  const Fix* EchoImageOf(const Fix& fix, const std::vector<Inlier>& inliers,
                         const LocateResult& result) const {
    const int64_t horizon_ns = std::llround(options_.echo_horizon_s * 1e9);
    for (size_t k = result.fixes.size(); k-- > 0;) {
      const Fix& original = result.fixes[k];
      const int64_t dt_ns = fix.emission_ns - original.emission_ns;
      if (dt_ns <= 0 || dt_ns > horizon_ns) continue;
      if (fix.n_sensors() > options_.echo_ghost_max_share * original.n_sensors()) continue;
      int shared = 0;
      for (const Inlier& inlier : inliers) {
        shared += HeardBy(entries_[inlier.entry].sensor, accepted_sources_[k], inlier.entry);
      }
      if (shared >= options_.echo_ghost_min_overlap * fix.n_sensors()) return &original;
    }
    return nullptr;
  }

  // Whether `sensor` reported a pulse, no later than entry `last`, that fits `source`.
  bool HeardBy(int sensor, const Source& source, int last) const {
    constexpr double kHeardLateS = 0.2;
    for (int i = last; i >= 0; --i) {
      const Entry& entry = entries_[i];
      const double residual = ArrivalResidualS(entry.arrival, source, model_);
      if (residual < -options_.association_slack_s - options_.echo_horizon_s) break;
      if (entry.sensor == sensor && residual >= -options_.association_slack_s &&
          residual <= kHeardLateS) {
        return true;
      }
    }
    return false;
  }

  // An earlier fix of which `fix` is a repetition: close in place, and emitted within
  // the echo window after it.
  Fix* SameBangAs(const Fix& fix, LocateResult* result) const {
    const int64_t window_ns = std::llround(options_.echo_window_s * 1e9);
    for (auto it = result->fixes.rbegin(); it != result->fixes.rend(); ++it) {
      const int64_t dt_ns = fix.emission_ns - it->emission_ns;
      if (std::abs(dt_ns) > window_ns) continue;
      const double distance_m = (fix.position_m - it->position_m).head<2>().norm();
      if (distance_m <= std::max(options_.echo_merge_distance_m, 2.0 * it->radius95_m)) {
        return &*it;
      }
    }
    return nullptr;
  }

  // Records the pulses of a repeated fix as echoes of the earlier one.
  void AbsorbAsEcho(const Consensus& consensus, const Fix& repeat, Fix* earlier) const {
    char reason[160];
    std::snprintf(reason, sizeof reason,
                  "echo or secondary pulse: with others it forms a fix %.1f m from and %+.1f ms "
                  "after this one",
                  (repeat.position_m - earlier->position_m).head<2>().norm(),
                  (repeat.emission_ns - earlier->emission_ns) * 1e-6);
    for (size_t i = 0; i < consensus.inliers.size(); ++i) {
      const Pulse& pulse = pulses_[entries_[consensus.inliers[i].entry].pulse];
      earlier->rejected.push_back({pulse.id, pulse.sensor_id, reason, repeat.used[i].residual_s});
    }
  }

  // Marks the pulses that follow a used pulse at its sensor within the echo window as
  // echoes of this fix, so that they cannot make a false fix of their own.
  void AbsorbEchoes(const Consensus& consensus, Fix* fix) {
    for (const Inlier& inlier : consensus.inliers) {
      const Entry& used = entries_[inlier.entry];
      for (int next = inlier.entry + 1; next < static_cast<int>(entries_.size()); ++next) {
        const Entry& entry = entries_[next];
        if (entry.arrival.time_s > used.arrival.time_s + options_.echo_window_s) break;
        if (entry.sensor != used.sensor || state_[next] == State::kUsed) continue;
        state_[next] = State::kUsed;
        const Pulse& pulse = pulses_[entry.pulse];
        const double residual = ArrivalResidualS(entry.arrival, consensus.source, model_);
        std::erase_if(fix->rejected,
                      [&](const RejectedPulse& r) { return r.pulse_id == pulse.id; });
        fix->rejected.push_back({pulse.id, pulse.sensor_id,
                                 "echo: follows the used pulse at this sensor by " +
                                     FormatMs(entry.arrival.time_s - used.arrival.time_s),
                                 residual});
      }
    }
  }

  // Fix::coverage: of the listening sensors nearer than the median participating one,
  // the share that participates.
  double Coverage(const Source& source, const std::vector<Inlier>& inliers) const {
    std::vector<double> used_range_m;
    std::vector<char> used(sensors_.size(), 0);
    for (const Inlier& inlier : inliers) {
      const Entry& entry = entries_[inlier.entry];
      used[entry.sensor] = 1;
      used_range_m.push_back((entry.arrival.sensor_m - source.position_m).head<2>().norm());
    }
    const double radius_m = Median(used_range_m);
    int near = 0;
    int heard = 0;
    for (size_t s = 0; s < sensors_.size(); ++s) {
      const SensorInfo& sensor = sensors_[s];
      if (sensor.last_s < source.emission_s - options_.listening_window_s ||
          sensor.first_s > source.emission_s + options_.listening_window_s) {
        continue;
      }
      if ((sensor.position_m - source.position_m).head<2>().norm() > radius_m) continue;
      ++near;
      heard += used[s];
    }
    return near > 0 ? static_cast<double>(heard) / near : 1.0;
  }

  static bool SameEntries(const std::vector<Inlier>& a, const std::vector<Inlier>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].entry != b[i].entry) return false;
    }
    return true;
  }

  void Fail(int anchor, std::string why) {
    state_[anchor] = State::kFailedAnchor;
    why_not_[anchor] = std::move(why);
  }

  Fix MakeFix(const Consensus& consensus, const Refinement& refinement, double height_m,
              const std::vector<SensorGroup>& groups, const RefineOptions& refine) const {
    Fix fix;
    const Source& source = refinement.source;
    fix.mode = final_mode_;
    fix.position_m = source.position_m;
    if (final_mode_ == SolveMode::k2D) fix.position_m.z() = height_m;
    fix.emission_ns = reference_ns_ + std::llround(source.emission_s * 1e9);
    fix.speed_of_sound_mps = model_.speed_of_sound_mps;
    fix.summary = refinement.summary;
    fix.summary.method = "consensus + linear-ls (2.5d) start, " + fix.summary.method;

    std::vector<double> residuals;
    for (const Inlier& inlier : consensus.inliers) {
      const Pulse& pulse = pulses_[entries_[inlier.entry].pulse];
      fix.used.push_back({pulse.id, pulse.sensor_id, inlier.residual_s});
      residuals.push_back(inlier.residual_s);
    }
    const std::vector<Arrival> arrivals = ArrivalsOf(consensus.inliers);
    const double prior_sigma_m = final_mode_ == SolveMode::k3D ? refine.height_prior_sigma_m : 0.0;
    const Uncertainty u =
        EstimateUncertainty(arrivals, residuals, model_, source, final_mode_, prior_sigma_m);
    fix.covariance_en_m2 = u.covariance_en_m2;
    fix.ellipse = u.ellipse;
    fix.radius95_m = u.radius95_m;
    fix.height_sigma_m = u.height_sigma_m;
    fix.emission_sigma_s = u.emission_sigma_s;
    fix.timing_sigma_s = u.timing_sigma_s;
    fix.crb_rms_m = u.crb_rms_m;
    AddRejected(consensus, groups, &fix);
    return fix;
  }

  // The other pulses near this fix in time at the sensors it considered, and why each
  // was not used: the record an analyst needs to check the association.
  void AddRejected(const Consensus& consensus, const std::vector<SensorGroup>& groups,
                   Fix* fix) const {
    constexpr double kShownWindowS = 0.5;
    std::unordered_map<int, double> used_residual_by_sensor;
    for (const Inlier& inlier : consensus.inliers) {
      used_residual_by_sensor[entries_[inlier.entry].sensor] = inlier.residual_s;
    }
    Source source = consensus.source;
    if (final_mode_ == SolveMode::k2D) source.position_m.z() = fix->position_m.z();
    for (const SensorGroup& group : groups) {
      for (int entry : group.entries) {
        if (std::any_of(consensus.inliers.begin(), consensus.inliers.end(),
                        [&](const Inlier& inlier) { return inlier.entry == entry; })) {
          continue;
        }
        const double residual = ArrivalResidualS(entries_[entry].arrival, source, model_);
        if (std::abs(residual) > kShownWindowS) continue;
        const Pulse& pulse = pulses_[entries_[entry].pulse];
        std::string reason;
        if (used_residual_by_sensor.contains(group.sensor)) {
          reason = residual > used_residual_by_sensor[group.sensor]
                       ? "later pulse at a sensor already used: echo or another shot"
                       : "earlier pulse at a sensor already used, but it fits worse";
        } else {
          reason = "residual " + FormatMs(residual) + " outside the inlier window [" +
                   FormatMs(-options_.inlier_early_s) + ", " + FormatMs(options_.inlier_late_s) +
                   "]";
        }
        fix->rejected.push_back({pulse.id, pulse.sensor_id, std::move(reason), residual});
      }
    }
  }

  std::span<const Pulse> pulses_;
  LocateOptions options_;
  Propagation model_;
  SolveMode final_mode_ = SolveMode::k3D;
  std::mt19937_64 rng_;
  int64_t reference_ns_ = 0;
  std::vector<Entry> entries_;            // by arrival time
  std::vector<SensorInfo> sensors_;       // by dense sensor index
  std::vector<Source> accepted_sources_;  // parallel to LocateResult::fixes, reference time
  std::vector<State> state_;
  std::vector<std::string> why_not_;
};

}  // namespace

bool LocateOptions::IsValid(std::string* error) const {
  auto fail = [&](const std::string& message) {
    if (error != nullptr) *error = message;
    return false;
  };
  if (!(default_onset_sigma_s > 0.0)) return fail("default_onset_sigma_s must be > 0");
  if (!(association_slack_s >= 0.0)) return fail("association_slack_s must be >= 0");
  if (!(max_range_m > 0.0)) return fail("max_range_m must be > 0");
  if (!(inlier_early_s > 0.0) || !(inlier_late_s > 0.0)) {
    return fail("inlier_early_s and inlier_late_s must be > 0");
  }
  if (min_sensors < 4) return fail("min_sensors must be >= 4 (3 unknowns and one check)");
  if (max_hypotheses < 1) return fail("max_hypotheses must be >= 1");
  if (!(height_prior_sigma_m >= 0.0)) return fail("height_prior_sigma_m must be >= 0");
  const auto share = [](double x) { return x >= 0.0 && x <= 1.0; };
  if (!share(min_coverage)) return fail("min_coverage must be in [0, 1]");
  if (!share(echo_ghost_max_share)) return fail("echo_ghost_max_share must be in [0, 1]");
  if (!share(echo_ghost_min_overlap)) return fail("echo_ghost_min_overlap must be in [0, 1]");
  if (!(listening_window_s >= 0.0)) return fail("listening_window_s must be >= 0");
  if (!(echo_window_s >= 0.0)) return fail("echo_window_s must be >= 0");
  if (!(echo_horizon_s >= 0.0)) return fail("echo_horizon_s must be >= 0");
  if (!(echo_merge_distance_m >= 0.0)) return fail("echo_merge_distance_m must be >= 0");
  if (!(core_window_s > 0.0)) return fail("core_window_s must be > 0");
  if (fixed_height_m.has_value() && !std::isfinite(*fixed_height_m)) {
    return fail("fixed_height_m must be finite");
  }
  return refine.IsValid(error);
}

LocateResult LocatePulses(std::span<const Pulse> pulses, const Weather& weather,
                          const LocateOptions& options) {
  return Locator(pulses, weather, options).Run();
}

}  // namespace earshot::locate
