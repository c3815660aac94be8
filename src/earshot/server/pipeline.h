// The live path of `earshot serve` (DESIGN.md §1, §5): stored pulses in, located and
// classified shots, incidents, their store versions and their live push out.
//
// One thread owns the streaming locator and the incident tracker; HTTP threads hand it
// pulses through a bounded queue. The ingest handler stores a batch durably first, then
// Enqueue()s it, so a pulse that is acknowledged is never lost even if it is never
// located (kill -9 between the two). Queue room is reserved before the batch is stored
// (TryReserve): a full queue refuses the request (503) while the sensor still holds the
// pulses in its spool, rather than storing what cannot be located in time.
//
// For each FixUpdate the thread classifies the shot (probabilities only: SHAP reasons cost
// a hundred times as much), stores the shot version, publishes shot.new/shot.updated,
// feeds the tracker, and for each incident event computes reasons when the label is one
// that is sent (gunfire, probable_gunfire), stores the incident version and publishes
// incident.new/incident.updated. Every published event carries "ingested_ns" (when the
// pulse that completed the fix was acknowledged; for a person's review, when the request
// arrived) and "published_ns", both UTC ns of this host's clock, for latency measurement.
//
// Time: the locator and the tracker run on a stream clock, the newest pulse onset seen,
// moving on with the wall clock while no newer pulse arrives. A replayed or simulated
// stream (old timestamps) is then handled as it would have been live, and in a live
// deployment the stream clock trails the wall clock by the network's latency.
//
// Reviews and dispositions come from HTTP threads; they take the same lock as the pipeline
// thread's processing of one batch, so the tracker sees one change at a time.
#ifndef EARSHOT_SERVER_PIPELINE_H_
#define EARSHOT_SERVER_PIPELINE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/shot_classifier.h"
#include "earshot/core/incident.h"
#include "earshot/core/local_frame.h"
#include "earshot/core/pulse.h"
#include "earshot/core/shot.h"
#include "earshot/core/weather.h"
#include "earshot/incident/incident_tracker.h"
#include "earshot/locate/streaming_locator.h"
#include "earshot/server/event_stream.h"
#include "earshot/store/store.h"

namespace earshot::server {

struct PipelineOptions {
  std::size_t max_queued_pulses = 200000;
  double advance_interval_s = 1.0;
  // Reasons are computed over at most this many of an incident's latest shots: a long
  // display labelled gunfire must not stall the thread on SHAP.
  std::size_t max_reason_shots = 50;
  int reason_count = 3;
  std::string actor = "machine:pipeline";
};

// What the pipeline needs; the caller keeps each alive for the pipeline's life.
struct PipelineParts {
  store::Store* store = nullptr;
  Broadcaster* broadcaster = nullptr;
  const classify::ShotClassifier* classifier = nullptr;
  classify::DispatchThresholds thresholds;
  LocalFrame frame = LocalFrame::Metric();
  Weather weather;
  locate::StreamingLocateOptions locate;
  incident::IncidentOptions incidents;
};

// Counters for GET /api/v1/metrics/pipeline. The ingest ones are kept by the service.
struct PipelineCounters {
  std::atomic<std::uint64_t> pulses_accepted{0};
  std::atomic<std::uint64_t> pulses_duplicate{0};
  std::atomic<std::uint64_t> pulses_refused{0};
  std::atomic<std::uint64_t> batches_refused_queue_full{0};
  std::atomic<std::uint64_t> pulses_located_in{0};  // handed to the locator
  std::atomic<std::uint64_t> shots_new{0};
  std::atomic<std::uint64_t> shot_updates{0};
  std::atomic<std::uint64_t> incidents_new{0};
  std::atomic<std::uint64_t> incident_updates{0};
  std::atomic<std::uint64_t> errors{0};         // store or classifier failures (logged)
  std::atomic<std::uint64_t> last_batch_ns{0};  // time spent on the latest batch
};

// A refusal of a person's action, with the HTTP status it maps to.
struct ActionError {
  int status = 400;
  std::string message;
};
template <typename T>
using ActionResult = std::expected<T, ActionError>;

class Pipeline {
 public:
  explicit Pipeline(PipelineParts parts, PipelineOptions options);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void Start();
  // Finishes the batch in hand, drops what is queued (it is stored) and joins the thread.
  void Stop();

  // Reserves room for `count` pulses; false when the queue is full.
  bool TryReserve(std::size_t count);
  // Gives back a reservation that will not be used (the batch was not stored).
  void Release(std::size_t count);
  // Queues stored pulses under a reservation of `reserved` (>= pulses.size()) made earlier.
  void Enqueue(std::vector<Pulse> pulses, int64_t ingested_ns, std::size_t reserved);

  // A person's review: store, tracker (when it holds the incident), new version, push.
  ActionResult<Incident> Review(const std::string& incident_id, const std::string& label,
                                const std::string& note, const std::string& user,
                                std::optional<int> expected_version, int64_t at_ns);
  ActionResult<Incident> Dispose(const std::string& incident_id, const std::string& code,
                                 const std::string& note, const std::string& user, bool close,
                                 int64_t at_ns);

  std::size_t queue_depth() const;
  const PipelineCounters& counters() const { return counters_; }
  PipelineCounters& mutable_counters() { return counters_; }
  // Streaming locator counters and pulses held, as Prometheus lines.
  std::string LocatorMetricsText() const;

 private:
  struct Batch {
    std::vector<Pulse> pulses;
    int64_t ingested_ns = 0;
  };

  void Run();
  void ProcessBatches(std::vector<Batch> batches);
  void ProcessAdvance();
  int64_t StreamNowNs(int64_t wall_ns) const;
  void ObserveOnsets(std::span<const Pulse> pulses, int64_t wall_ns);
  // The expects-lock_ helpers.
  void HandleFixUpdate(const locate::FixUpdate& update, int64_t ingested_ns, int64_t now_ns);
  void HandleIncidentEvents(const std::vector<incident::IncidentEvent>& events,
                            int64_t ingested_ns);
  // Stores and publishes one incident version (reasons added when it is sent).
  Result<void> PublishIncident(Incident incident, bool created, int64_t ingested_ns);
  std::vector<std::string> IncidentReasons(const Incident& incident);
  std::vector<Pulse> PulsesOfFix(const std::string& shot_id, const Fix& fix);
  Result<Shot> ClassifiedShot(const locate::FixUpdate& update);

  PipelineParts parts_;
  PipelineOptions options_;
  PipelineCounters counters_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Batch> queue_;
  std::size_t pending_pulses_ = 0;  // queued plus reserved
  bool stopping_ = false;
  std::thread thread_;

  // Held while the locator or the tracker is used.
  mutable std::mutex state_mutex_;
  locate::StreamingLocator locator_;
  incident::IncidentTracker tracker_;
  // The latest version of each shot of an open incident: their fixes for reasons.
  std::unordered_map<std::string, Shot> shots_;
  int64_t stream_onset_ns_ = 0;  // newest onset seen
  int64_t stream_wall_ns_ = 0;   // wall time when it was seen
};

// UTC ns now, from the system clock.
int64_t WallNowNs();

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_PIPELINE_H_
