#include "earshot/server/pipeline.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <span>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "earshot/classify/incident_grouping.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/classify/shot_features.h"
#include "earshot/server/geojson_incident.h"

namespace earshot::server {
namespace {

using nlohmann::json;

void LogError(const std::string& what, const Error& error) {
  std::cerr << "earshot serve: " << what << ": " << error.ToString() << "\n";
}

json WithTimes(json data, int64_t ingested_ns) {
  data["ingested_ns"] = ingested_ns;
  data["published_ns"] = WallNowNs();
  return data;
}

}  // namespace

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Pipeline::Pipeline(PipelineParts parts, PipelineOptions options)
    : parts_(std::move(parts)),
      options_(std::move(options)),
      locator_(parts_.weather, parts_.locate),
      tracker_(parts_.incidents) {
  EARSHOT_CHECK(parts_.store != nullptr && parts_.broadcaster != nullptr &&
                parts_.classifier != nullptr);
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
  EARSHOT_CHECK(!thread_.joinable());
  thread_ = std::thread([this] { Run(); });
}

void Pipeline::Stop() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Pipeline::TryReserve(std::size_t count) {
  std::lock_guard lock(queue_mutex_);
  if (pending_pulses_ + count > options_.max_queued_pulses) return false;
  pending_pulses_ += count;
  return true;
}

void Pipeline::Release(std::size_t count) {
  std::lock_guard lock(queue_mutex_);
  pending_pulses_ -= std::min(count, pending_pulses_);
}

void Pipeline::Enqueue(std::vector<Pulse> pulses, int64_t ingested_ns, std::size_t reserved) {
  {
    std::lock_guard lock(queue_mutex_);
    // The reservation covered the whole request; only the new pulses stay queued.
    pending_pulses_ -= std::min(reserved - std::min(reserved, pulses.size()), pending_pulses_);
    if (pulses.empty()) return;
    queue_.push_back(Batch{std::move(pulses), ingested_ns});
  }
  queue_ready_.notify_one();
}

std::size_t Pipeline::queue_depth() const {
  std::lock_guard lock(queue_mutex_);
  return pending_pulses_;
}

void Pipeline::Run() {
  const auto interval = std::chrono::duration<double>(options_.advance_interval_s);
  auto next_advance = std::chrono::steady_clock::now() + interval;
  while (true) {
    std::vector<Batch> batches;
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait_until(lock, next_advance, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      // Everything waiting goes to the locator in one call: in a surge one relocation
      // serves many pulses, which is what keeps the queue from growing.
      while (!queue_.empty()) {
        batches.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!batches.empty()) {
      std::size_t count = 0;
      for (const Batch& batch : batches) count += batch.pulses.size();
      const auto started = std::chrono::steady_clock::now();
      ProcessBatches(std::move(batches));
      counters_.last_batch_ns =
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::steady_clock::now() - started)
                                         .count());
      Release(count);
    }
    if (std::chrono::steady_clock::now() >= next_advance) {
      ProcessAdvance();
      next_advance = std::chrono::steady_clock::now() + interval;
    }
  }
}

int64_t Pipeline::StreamNowNs(int64_t wall_ns) const {
  if (stream_wall_ns_ == 0) return wall_ns;
  return stream_onset_ns_ + std::max<int64_t>(0, wall_ns - stream_wall_ns_);
}

void Pipeline::ObserveOnsets(std::span<const Pulse> pulses, int64_t wall_ns) {
  int64_t newest = stream_onset_ns_;
  for (const Pulse& pulse : pulses) newest = std::max(newest, pulse.onset_ns);
  // Only a newer onset resets the clock; otherwise it keeps running on wall time.
  if (stream_wall_ns_ == 0 || newest > StreamNowNs(wall_ns)) {
    stream_onset_ns_ = newest;
    stream_wall_ns_ = wall_ns;
  }
}

void Pipeline::ProcessBatches(std::vector<Batch> batches) {
  std::vector<Pulse> pulses;
  // Which request each pulse came in, so that a fix names when its completing pulse was
  // acknowledged.
  std::unordered_map<std::string, int64_t> ingested_of;
  int64_t earliest_ingest = batches.front().ingested_ns;
  for (Batch& batch : batches) {
    earliest_ingest = std::min(earliest_ingest, batch.ingested_ns);
    for (Pulse& pulse : batch.pulses) {
      ingested_of[pulse.id] = batch.ingested_ns;
      pulses.push_back(std::move(pulse));
    }
  }
  counters_.pulses_located_in += pulses.size();
  // In onset order and in slices of at most one second of onsets, each located at the stream
  // time of its own newest onset: a batch that spans a minute (a sensor's spool after a
  // link drop, a replay) is then located as if it had arrived live, instead of its early
  // pulses looking older than the horizon next to its late ones.
  constexpr int64_t kSliceNs = 1'000'000'000;
  std::stable_sort(pulses.begin(), pulses.end(),
                   [](const Pulse& a, const Pulse& b) { return a.onset_ns < b.onset_ns; });
  for (std::size_t begin = 0; begin < pulses.size();) {
    // Taken per slice, so that a person's review waits for one slice, not a surge's backlog.
    std::lock_guard lock(state_mutex_);
    std::size_t end = begin + 1;
    while (end < pulses.size() && pulses[end].onset_ns - pulses[begin].onset_ns <= kSliceNs) ++end;
    const std::span<const Pulse> slice(pulses.data() + begin, end - begin);
    begin = end;
    const int64_t wall_ns = WallNowNs();
    ObserveOnsets(slice, wall_ns);
    const int64_t now_ns = StreamNowNs(wall_ns);
    for (const locate::FixUpdate& update : locator_.Add(slice, now_ns)) {
      int64_t ingested_ns = 0;
      for (const UsedPulse& used : update.fix.used) {
        auto found = ingested_of.find(used.pulse_id);
        if (found != ingested_of.end()) ingested_ns = std::max(ingested_ns, found->second);
      }
      HandleFixUpdate(update, ingested_ns == 0 ? earliest_ingest : ingested_ns, now_ns);
    }
  }
}

void Pipeline::ProcessAdvance() {
  std::lock_guard lock(state_mutex_);
  const int64_t wall_ns = WallNowNs();
  const int64_t now_ns = StreamNowNs(wall_ns);
  for (const locate::FixUpdate& update : locator_.Advance(now_ns))
    HandleFixUpdate(update, wall_ns, now_ns);
  HandleIncidentEvents(tracker_.Advance(now_ns), wall_ns);
}

std::vector<Pulse> Pipeline::PulsesOfFix(const std::string& shot_id, const Fix& fix) {
  std::vector<Pulse> pulses = locator_.PulsesOf(fix);
  if (pulses.size() >= fix.used.size()) return pulses;
  // Past the locator's horizon: the store has them.
  auto stored = parts_.store->PulsesOfShot(shot_id);
  if (stored && stored->size() > pulses.size()) return std::move(*stored);
  return pulses;
}

Result<Shot> Pipeline::ClassifiedShot(const locate::FixUpdate& update) {
  Shot shot;
  shot.id = update.shot_id;
  shot.version = update.version;
  shot.fix = update.fix;
  const std::vector<Pulse> pulses = locator_.PulsesOf(update.fix);
  classify::ShotClassifierOptions options;
  options.thresholds = parts_.thresholds;
  options.reason_count = 0;
  auto classified = parts_.classifier->ClassifyFixes({update.fix}, pulses, parts_.weather, options);
  if (!classified) return std::unexpected(classified.error());
  if (classified->shots.size() == 1) {
    const classify::ShotClassification& c = classified->shots.front();
    for (std::size_t k = 0; k < shot.p.size() && k < c.p.size(); ++k) shot.p[k] = c.p[k];
    shot.label = kShotClassNames[static_cast<std::size_t>(c.label)];
  }
  const classify::ShotContext context =
      classify::ContextForShot({update.fix}, 0, {0}, pulses, parts_.weather, 6.0);
  const classify::ShotFeatures features =
      classify::ComputeShotFeatures(update.fix, pulses, context);
  shot.source_level_db_at_1m = features.source_level_db_at_1m;
  shot.height_above_ground_m = features.height_above_ground_m;
  shot.crack = features.crack_fraction > 0.5;
  return shot;
}

void Pipeline::HandleFixUpdate(const locate::FixUpdate& update, int64_t ingested_ns,
                               int64_t now_ns) {
  auto classified = ClassifiedShot(update);
  Shot shot;
  if (classified) {
    shot = std::move(*classified);
  } else {
    // A shot that cannot be classified is still a located bang: publish it unclassified.
    ++counters_.errors;
    LogError("classifying " + update.shot_id, classified.error());
    shot.id = update.shot_id;
    shot.version = update.version;
    shot.fix = update.fix;
  }
  std::vector<incident::IncidentEvent> events = tracker_.AddOrUpdateShot(shot, now_ns);
  if (auto incident_id = tracker_.IncidentOfShot(shot.id)) shot.incident_id = *incident_id;
  if (auto stored = parts_.store->PutShot(shot, options_.actor); !stored) {
    ++counters_.errors;
    LogError("storing " + shot.id, stored.error());
  }
  shots_[shot.id] = shot;
  (shot.version == 1 ? counters_.shots_new : counters_.shot_updates)++;
  parts_.broadcaster->Publish(shot.version == 1 ? "shot.new" : "shot.updated",
                              WithTimes(ShotToJson(shot, parts_.frame), ingested_ns));
  HandleIncidentEvents(events, ingested_ns);
}

void Pipeline::HandleIncidentEvents(const std::vector<incident::IncidentEvent>& events,
                                    int64_t ingested_ns) {
  for (const incident::IncidentEvent& event : events) {
    const bool created = event.kind == incident::IncidentEventKind::kCreated;
    if (auto published = PublishIncident(event.incident, created, ingested_ns); !published) {
      ++counters_.errors;
      LogError("storing " + event.incident.id, published.error());
    }
    if (event.kind == incident::IncidentEventKind::kClosed) {
      // A closed incident takes no new shots: its shots need no fixes kept for reasons.
      for (const std::string& id : event.incident.shot_ids) shots_.erase(id);
    }
  }
}

std::vector<std::string> Pipeline::IncidentReasons(const Incident& incident) {
  std::vector<Fix> fixes;
  std::vector<Pulse> pulses;
  std::unordered_set<std::string> pulse_ids;
  const std::size_t first = incident.shot_ids.size() > options_.max_reason_shots
                                ? incident.shot_ids.size() - options_.max_reason_shots
                                : 0;
  for (std::size_t i = first; i < incident.shot_ids.size(); ++i) {
    auto shot = shots_.find(incident.shot_ids[i]);
    if (shot == shots_.end()) continue;
    fixes.push_back(shot->second.fix);
    for (Pulse& pulse : PulsesOfFix(shot->first, shot->second.fix))
      if (pulse_ids.insert(pulse.id).second) pulses.push_back(std::move(pulse));
  }
  if (fixes.empty()) return {};
  classify::ShotClassifierOptions options;
  options.thresholds = parts_.thresholds;
  options.reason_count = options_.reason_count;
  auto classified = parts_.classifier->ClassifyFixes(fixes, pulses, parts_.weather, options);
  if (!classified) {
    ++counters_.errors;
    LogError("reasons of " + incident.id, classified.error());
    return {};
  }
  // The classifier may split what the tracker grouped (late shots); the largest group
  // speaks for the incident.
  const classify::IncidentClassification* best = nullptr;
  for (const classify::IncidentClassification& group : classified->incidents)
    if (best == nullptr || group.shots.size() > best->shots.size()) best = &group;
  std::vector<std::string> reasons;
  if (best != nullptr)
    for (const classify::Reason& reason : best->reasons)
      reasons.push_back(classify::DescribeReason(reason));
  return reasons;
}

Result<void> Pipeline::PublishIncident(Incident incident, bool created, int64_t ingested_ns) {
  if (incident.label == "gunfire" || incident.label == "probable_gunfire")
    incident.reasons = IncidentReasons(incident);
  auto stored = parts_.store->PutIncident(incident, options_.actor);
  (created ? counters_.incidents_new : counters_.incident_updates)++;
  parts_.broadcaster->Publish(created ? "incident.new" : "incident.updated",
                              WithTimes(IncidentToJson(incident, parts_.frame), ingested_ns));
  if (!stored) return std::unexpected(stored.error());
  return {};
}

ActionResult<Incident> Pipeline::Review(const std::string& incident_id, const std::string& label,
                                        const std::string& note, const std::string& user,
                                        std::optional<int> expected_version, int64_t at_ns) {
  if (label != "gunfire" && label != "probable_gunfire" && label != "not_gunfire")
    return std::unexpected(ActionError{
        400,
        "field label: expected gunfire, probable_gunfire or not_gunfire, got \"" + label + "\""});
  std::lock_guard lock(state_mutex_);
  auto stored = parts_.store->GetIncident(incident_id);
  if (!stored) return std::unexpected(ActionError{500, stored.error().ToString()});
  if (!stored->has_value()) return std::unexpected(ActionError{404, "no incident " + incident_id});
  const Incident& current = **stored;
  if (expected_version && *expected_version != current.version)
    return std::unexpected(ActionError{409, std::string("expected_version ")
                                                .append(std::to_string(*expected_version))
                                                .append(" but the incident is at version ")
                                                .append(std::to_string(current.version))});
  store::Review review{incident_id, user, label, note, at_ns};
  if (auto added = parts_.store->AddReview(review); !added)
    return std::unexpected(ActionError{500, added.error().ToString()});
  Incident next;
  if (tracker_.Find(incident_id) != nullptr) {
    auto event = tracker_.Review(incident_id, label, user, at_ns);
    if (!event) return std::unexpected(ActionError{400, event.error().ToString()});
    next = event->incident;
  } else {
    // Held only by the store (opened before a restart): the review makes its next version.
    next = current;
    next.version = current.version + 1;
    next.label = label;
    if (next.state != IncidentState::kClosed) next.state = IncidentState::kReviewed;
  }
  if (auto published = PublishIncident(next, false, WallNowNs()); !published)
    return std::unexpected(ActionError{500, published.error().ToString()});
  return next;
}

ActionResult<Incident> Pipeline::Dispose(const std::string& incident_id, const std::string& code,
                                         const std::string& note, const std::string& user,
                                         bool close, int64_t at_ns) {
  if (code.empty()) return std::unexpected(ActionError{400, "field code: expected a code"});
  std::lock_guard lock(state_mutex_);
  auto stored = parts_.store->GetIncident(incident_id);
  if (!stored) return std::unexpected(ActionError{500, stored.error().ToString()});
  if (!stored->has_value()) return std::unexpected(ActionError{404, "no incident " + incident_id});
  const Incident& current = **stored;
  Disposition disposition{code, note, user, at_ns};
  if (auto added = parts_.store->AddDisposition(incident_id, disposition); !added)
    return std::unexpected(ActionError{500, added.error().ToString()});
  Incident next;
  if (tracker_.Find(incident_id) != nullptr) {
    auto event = tracker_.SetDisposition(incident_id, disposition);
    if (!event) return std::unexpected(ActionError{400, event.error().ToString()});
    next = event->incident;
    if (close && next.state != IncidentState::kClosed) {
      // Two changes, two versions: the disposition, then the closing.
      if (auto published = PublishIncident(next, false, WallNowNs()); !published)
        return std::unexpected(ActionError{500, published.error().ToString()});
      auto closed = tracker_.Close(incident_id, user, at_ns);
      if (!closed) return std::unexpected(ActionError{400, closed.error().ToString()});
      next = closed->incident;
    }
  } else {
    next = current;
    next.version = current.version + 1;
    next.disposition = disposition;
    next.state = close || current.state == IncidentState::kClosed ? IncidentState::kClosed
                                                                  : IncidentState::kReviewed;
  }
  if (auto published = PublishIncident(next, false, WallNowNs()); !published)
    return std::unexpected(ActionError{500, published.error().ToString()});
  return next;
}

std::string Pipeline::LocatorMetricsText() const {
  std::lock_guard lock(state_mutex_);
  const locate::StreamingLocatorCounters& c = locator_.counters();
  std::ostringstream out;
  out << "earshot_locator_pulses_in_total " << c.pulses_in << "\n"
      << "earshot_locator_duplicate_pulses_total " << c.duplicate_pulses << "\n"
      << "earshot_locator_late_pulses_total " << c.late_pulses << "\n"
      << "earshot_locator_relocations_total " << c.relocations << "\n"
      << "earshot_locator_pulses_held " << locator_.pulses_held() << "\n"
      << "earshot_incidents_open " << tracker_.open_count() << "\n";
  return out.str();
}

}  // namespace earshot::server
