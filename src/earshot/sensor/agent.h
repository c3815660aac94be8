// The sensor agent: one sensor's stream in, pulses with their snippets out, durably.
//
//   source --blocks--> detector --pulses--> snippet cut from the ring --> spool --> events
//             \------> ring buffer (the only raw audio, `ring_s` long)
//
// Each block goes to the detector and to the ring. The detector reports a pulse some time
// after its onset (it waits for the pulse's tail); the agent then waits until the ring
// holds the whole snippet window after the onset, cuts the snippet, writes it as FLAC with
// its SHA-256, and spools the pulse record durably before telling anyone about it. Gaps
// the source announces, and runs of exact zeros long enough to be dropouts
// (zero_run_splitter.h), go to the detector, the ring (as marked zeros) and the events.
//
// Times come from the source's clock (stream_clock.h), not from the detector's straight
// line, so a framed stream's own timestamps and a re-anchored sound card are honoured.
//
// Memory is bounded whatever the stream's length: the ring, the detector's few seconds of
// history, the pulses waiting for their snippet window, and the clock's anchors within
// the ring. The agent never crashes on its input: a pulse that cannot be spooled (spool
// full, disk failing) is counted and reported and still goes to the events.
//
//   auto agent = SensorAgent::Create(options, source->info(), events);
//   auto stats = RunAgent(*source, **agent, &stop_requested);
#ifndef EARSHOT_SENSOR_AGENT_H_
#define EARSHOT_SENSOR_AGENT_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/local_frame.h"
#include "earshot/detect/detector.h"
#include "earshot/sensor/audio_source.h"
#include "earshot/sensor/ring_buffer.h"
#include "earshot/sensor/snippet.h"
#include "earshot/sensor/spool.h"
#include "earshot/sensor/stream_clock.h"
#include "earshot/sensor/zero_run_splitter.h"

namespace earshot::sensor {

struct AgentOptions {
  std::string sensor_id;  // 1..128 printable characters
  // Where the sensor is: local metres, or WGS84. Neither: records carry no position and the
  // receiver takes it from its sensors file.
  std::optional<Eigen::Vector3d> position_m;
  std::optional<GeodeticPoint> position_wgs84;
  double position_sigma_m = 0.0;

  SnippetWindow snippet;
  // Raw audio retention: the ring's length, s. At least the snippet window plus the
  // detector's reporting delay; at most kMaxRingS.
  double ring_s = 10.0;
  std::string spool_directory = "spool";
  SpoolOptions spool;
  detect::DetectorOptions detector;

  // Raw audio is kept only briefly (DESIGN.md §7); minutes of it would be a recording.
  static constexpr double kMaxRingS = 60.0;
  // How long after its onset the detector may report a pulse, beyond its tail, s.
  static constexpr double kDetectorDelayAllowanceS = 0.5;

  Result<void> Validate() const;
};

// Samples the stream lost, as the agent reports them.
struct GapReport {
  int64_t first_sample = 0;  // stream index of the first missing sample
  int64_t missing_samples = 0;
  int64_t start_ns = 0;  // UTC time of the first missing sample
  int64_t end_ns = 0;    // UTC time of the first sample after the gap
  std::string cause;
};

struct AgentStats {
  int64_t samples_received = 0;  // from the source (zero-filled dropouts included)
  int64_t gaps = 0;              // source gaps and zero-filled dropouts
  int64_t samples_missing = 0;   // in those gaps
  int64_t pulses_detected = 0;
  int64_t pulses_spooled = 0;
  int64_t pulses_already_spooled = 0;  // replays: the same id was waiting in the spool
  int64_t pulses_not_spooled = 0;      // spool full or disk failing: reported, still emitted
  int64_t snippets_missing = 0;        // pulses spooled without a snippet
  int64_t snippets_cut_short = 0;      // the window ran past the stream's start or end
  int64_t bytes_spooled = 0;
  int64_t warnings = 0;  // from the source: refused input, clock re-anchored
  int64_t ring_bytes_peak = 0;
  size_t clock_anchors_peak = 0;
  size_t pending_pulses_peak = 0;
};

struct AgentEvents {
  // A pulse record (the pulse JSON with its `snippet`), after it was spooled (`spooled`) or
  // failed to be (then a warning says why).
  std::function<void(const nlohmann::json& record, bool spooled)> on_pulse;
  std::function<void(const GapReport& gap)> on_gap;
  std::function<void(const Error& warning)> on_warning;
};

class SensorAgent : private ZeroRunSplitter::Sink {
 public:
  // Validates the options, opens the spool for writing (cleaning up after a crash) and
  // creates the detector for the stream.
  static Result<std::unique_ptr<SensorAgent>> Create(const AgentOptions& options,
                                                     const StreamInfo& stream, AgentEvents events);

  // Feeds the next block of the stream (blocks follow each other without overlap).
  void Push(const AudioBlock& block);
  // Reports a warning from the source.
  void Warn(const Error& warning);
  // End of the stream: pulses still waiting get the snippet that the stream has.
  void Finish();

  const AgentStats& stats() const { return stats_; }
  const StreamInfo& stream() const { return stream_; }
  Spool& spool() { return spool_; }
  const SpoolRecovery& spool_recovery() const { return spool_.recovery(); }

 private:
  struct PendingPulse {
    detect::DetectedPulse detected;
    SampleSpan span;  // the snippet's stream samples
  };

  SensorAgent(const AgentOptions& options, const StreamInfo& stream, AgentEvents events,
              Spool spool, std::unique_ptr<detect::ImpulseDetector> detector);

  void PushSourceGap(const AudioBlock& block);
  // Pushes a gap at the end of what the detector and ring hold; `end_ns` is the time of
  // the sample after it when the source says so.
  void PushGap(int64_t missing_samples, const std::string& cause, std::optional<int64_t> end_ns);
  // ZeroRunSplitter::Sink: sound goes to the detector and the ring; dropouts as gaps.
  void Sound(std::span<const float> samples) override;
  void Dropout(int64_t samples) override;
  void Collect();
  void EmitReady(bool end_of_stream);
  void Emit(const PendingPulse& pending);
  nlohmann::json MakeRecord(const detect::DetectedPulse& detected, int64_t onset_ns,
                            const std::string& pulse_id) const;
  std::optional<nlohmann::json> SpoolSnippet(const std::string& pulse_id, SampleSpan span,
                                             double onset_sample, std::string* temp_path);
  void ReportGap(GapReport gap);
  void Forget();

  AgentOptions options_;
  StreamInfo stream_;
  AgentEvents events_;
  Spool spool_;
  std::unique_ptr<detect::ImpulseDetector> detector_;
  RingBuffer ring_;
  StreamClock clock_;
  ZeroRunSplitter splitter_;
  int64_t next_index_ = 0;  // stream index of the next sample the source should deliver
  int64_t push_chunk_samples_;
  std::deque<PendingPulse> pending_;
  std::deque<int64_t> pushed_gap_starts_;  // to tell the detector's own gaps from ours
  AgentStats stats_;
};

// Runs a source through the agent until the stream ends, the source fails or `stop` (may
// be null) becomes true; then finishes the agent. A source failure is returned after the
// agent has finished, so that pulses already detected are still spooled.
Result<AgentStats> RunAgent(AudioSource& source, SensorAgent& agent,
                            const std::atomic<bool>* stop = nullptr);

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_AGENT_H_
