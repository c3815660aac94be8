#include "earshot/sensor/agent.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "earshot/core/json_io.h"
#include "earshot/core/pulse.h"
#include "earshot/core/time.h"
#include "earshot/detect/features.h"
#include "earshot/sensor/pulse_id.h"

namespace earshot::sensor {
namespace {

using nlohmann::json;

constexpr size_t kMaxSensorIdLength = 128;
constexpr double kMaxSnippetSideS = 30.0;
// Blocks are fed in pieces of at most this much audio, so that a long block (a 10 s
// frame) cannot carry a pulse's snippet window out of the ring before the pulse is seen.
constexpr double kPushChunkS = 0.1;
// Gaps remembered to tell the detector's own dropouts from the gaps we pushed.
constexpr size_t kRememberedGaps = 64;
// As detect/recording.cc names them, so that both report a zero-filled stretch alike.
constexpr const char* kZeroRunCause = "zero-filled samples (dropout)";
// Beyond this a dropout length means "never" (an infinite dropout_min_s).
constexpr double kNeverSamples = 1e15;

int64_t DropoutMinSamples(double dropout_min_s, double sample_rate_hz) {
  const double samples = std::ceil(dropout_min_s * sample_rate_hz);
  if (!(samples < kNeverSamples)) return static_cast<int64_t>(kNeverSamples);
  return std::max<int64_t>(1, static_cast<int64_t>(samples));
}

bool Finite(double x) { return std::isfinite(x); }

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", s);
  return text;
}

}  // namespace

Result<void> AgentOptions::Validate() const {
  const bool id_ok =
      !sensor_id.empty() && sensor_id.size() <= kMaxSensorIdLength &&
      std::all_of(sensor_id.begin(), sensor_id.end(), [](char c) { return c > ' ' && c < 127; });
  if (!id_ok) {
    return Fail("config", "sensor id",
                "expected 1 to 128 printable characters without spaces, got \"" +
                    sensor_id.substr(0, kMaxSensorIdLength) + "\"");
  }
  if (position_m && position_wgs84) {
    return Fail("config", "position", "give the position in local metres or WGS84, not both");
  }
  if (position_m && !position_m->allFinite()) {
    return Fail("config", "position", "expected finite metres");
  }
  if (position_wgs84 &&
      !(std::abs(position_wgs84->lat_deg) <= 90.0 && std::abs(position_wgs84->lon_deg) <= 180.0 &&
        Finite(position_wgs84->height_m))) {
    return Fail("config", "position",
                "expected latitude in [-90, 90], longitude in [-180, 180] and a finite height");
  }
  if (!(position_sigma_m >= 0.0 && Finite(position_sigma_m))) {
    return Fail("config", "position sigma", "expected a finite number of metres >= 0");
  }
  if (!(snippet.before_s >= 0.0 && snippet.before_s <= kMaxSnippetSideS && snippet.after_s > 0.0 &&
        snippet.after_s <= kMaxSnippetSideS)) {
    return Fail("config", "snippet",
                "expected 0 <= before <= 30 s and 0 < after <= 30 s, got before " +
                    Seconds(snippet.before_s) + ", after " + Seconds(snippet.after_s));
  }
  const double needed_s =
      snippet.before_s + std::max(snippet.after_s, detector.tail_s) + kDetectorDelayAllowanceS;
  if (!(ring_s >= needed_s && ring_s <= kMaxRingS)) {
    return Fail("config", "ring",
                "expected a ring of " + Seconds(needed_s) + " to " + Seconds(kMaxRingS) +
                    " (the snippet window plus the detector's delay, and no more raw audio "
                    "than that), got " +
                    Seconds(ring_s));
  }
  if (!(detector.dropout_min_s > 0.0)) {
    return Fail("config", "detector.dropout_min_s",
                "expected a positive duration (infinity: no dropouts), got " +
                    Seconds(detector.dropout_min_s));
  }
  if (spool_directory.empty()) return Fail("config", "spool", "expected a directory");
  return {};
}

SensorAgent::SensorAgent(const AgentOptions& options, const StreamInfo& stream, AgentEvents events,
                         Spool spool, std::unique_ptr<detect::ImpulseDetector> detector)
    : options_(options),
      stream_(stream),
      events_(std::move(events)),
      spool_(std::move(spool)),
      detector_(std::move(detector)),
      ring_(std::llround(options.ring_s * stream.sample_rate_hz)),
      clock_(stream.sample_rate_hz, stream.first_sample_ns),
      splitter_(DropoutMinSamples(options.detector.dropout_min_s, stream.sample_rate_hz)),
      push_chunk_samples_(std::max<int64_t>(1, std::llround(kPushChunkS * stream.sample_rate_hz))) {
  stats_.ring_bytes_peak = ring_.bytes();
  stats_.clock_anchors_peak = clock_.anchors();
}

Result<std::unique_ptr<SensorAgent>> SensorAgent::Create(const AgentOptions& options,
                                                         const StreamInfo& stream,
                                                         AgentEvents events) {
  if (auto valid = options.Validate(); !valid) return std::unexpected(valid.error());
  auto detector = detect::ImpulseDetector::Create(options.detector, stream.sample_rate_hz,
                                                  stream.first_sample_ns);
  if (!detector) return std::unexpected(detector.error());
  auto spool = Spool::OpenForWriting(options.spool_directory, options.spool);
  if (!spool) return std::unexpected(spool.error());
  return std::unique_ptr<SensorAgent>(
      new SensorAgent(options, stream, std::move(events), std::move(*spool), std::move(*detector)));
}

void SensorAgent::Warn(const Error& warning) {
  ++stats_.warnings;
  if (events_.on_warning) events_.on_warning(warning);
}

void SensorAgent::Push(const AudioBlock& block) {
  if (block.gap_before_samples > 0) PushSourceGap(block);
  if (block.samples.empty()) return;
  // A source that skips or repeats samples without saying so is a bug, not bad input.
  EARSHOT_CHECK(block.first_sample == next_index_);
  clock_.Observe(block.first_sample, block.first_sample_ns);
  const std::span<const float> samples(block.samples);
  next_index_ += static_cast<int64_t>(samples.size());
  stats_.samples_received += static_cast<int64_t>(samples.size());
  for (size_t from = 0; from < samples.size(); from += static_cast<size_t>(push_chunk_samples_)) {
    splitter_.Feed(samples.subspan(from, std::min(samples.size() - from,
                                                  static_cast<size_t>(push_chunk_samples_))),
                   *this);
  }
}

void SensorAgent::PushSourceGap(const AudioBlock& block) {
  EARSHOT_CHECK(block.first_sample == next_index_ + block.gap_before_samples);
  splitter_.Flush(*this);  // zeros just before a gap end their run there
  PushGap(block.gap_before_samples, block.gap_cause,
          block.samples.empty() ? std::nullopt : std::optional(block.first_sample_ns));
  next_index_ = block.first_sample;
}

void SensorAgent::PushGap(int64_t missing_samples, const std::string& cause,
                          std::optional<int64_t> end_ns) {
  const int64_t first_missing = ring_.end_index();
  GapReport gap;
  gap.first_sample = first_missing;
  gap.missing_samples = missing_samples;
  gap.start_ns = clock_.TimeOfSampleNs(static_cast<double>(first_missing));
  gap.end_ns =
      end_ns.value_or(clock_.TimeOfSampleNs(static_cast<double>(first_missing + missing_samples)));
  gap.cause = cause;
  pushed_gap_starts_.push_back(first_missing);
  if (pushed_gap_starts_.size() > kRememberedGaps) pushed_gap_starts_.pop_front();
  detector_->PushGap(missing_samples, cause);
  ring_.AppendGap(missing_samples);
  ReportGap(std::move(gap));
  Collect();
}

void SensorAgent::Sound(std::span<const float> samples) {
  detector_->Push(samples);
  ring_.Append(samples);
  Collect();
}

void SensorAgent::Dropout(int64_t samples) { PushGap(samples, kZeroRunCause, std::nullopt); }

void SensorAgent::ReportGap(GapReport gap) {
  ++stats_.gaps;
  stats_.samples_missing += gap.missing_samples;
  if (events_.on_gap) events_.on_gap(gap);
}

void SensorAgent::Collect() {
  for (detect::Gap& gap : detector_->TakeGaps()) {
    const bool ours = std::find(pushed_gap_starts_.begin(), pushed_gap_starts_.end(),
                                gap.first_sample) != pushed_gap_starts_.end();
    if (ours) continue;
    // A dropout the detector found in the audio itself (a run of exact zeros).
    ReportGap({gap.first_sample, gap.missing_samples,
               clock_.TimeOfSampleNs(static_cast<double>(gap.first_sample)),
               clock_.TimeOfSampleNs(static_cast<double>(gap.first_sample + gap.missing_samples)),
               gap.cause});
  }
  for (detect::DetectedPulse& pulse : detector_->TakePulses()) {
    ++stats_.pulses_detected;
    const SampleSpan span =
        SnippetSpan(pulse.onset_sample, stream_.sample_rate_hz, options_.snippet);
    pending_.push_back({std::move(pulse), span});
  }
  stats_.pending_pulses_peak = std::max(stats_.pending_pulses_peak, pending_.size());
  EmitReady(/*end_of_stream=*/false);
  Forget();
}

void SensorAgent::Forget() {
  int64_t oldest_needed = ring_.begin_index();
  for (const PendingPulse& pending : pending_) {
    oldest_needed = std::min({oldest_needed, pending.span.first,
                              static_cast<int64_t>(std::floor(pending.detected.onset_sample))});
  }
  clock_.ForgetBefore(oldest_needed);
  stats_.clock_anchors_peak = std::max(stats_.clock_anchors_peak, clock_.anchors());
  stats_.ring_bytes_peak = std::max(stats_.ring_bytes_peak, ring_.bytes());
}

void SensorAgent::EmitReady(bool end_of_stream) {
  // Pulses come in onset order, so their windows end in order: the first waits for all.
  while (!pending_.empty() && (end_of_stream || pending_.front().span.end() <= ring_.end_index())) {
    Emit(pending_.front());
    pending_.pop_front();
  }
}

json SensorAgent::MakeRecord(const detect::DetectedPulse& detected, int64_t onset_ns,
                             const std::string& pulse_id) const {
  Pulse pulse;
  pulse.id = pulse_id;
  pulse.sensor_id = options_.sensor_id;
  pulse.onset_ns = onset_ns;
  pulse.onset_sigma_s = detected.onset_sigma_s;
  if (options_.position_m) pulse.sensor_position_m = *options_.position_m;
  pulse.sensor_position_sigma_m = options_.position_sigma_m;
  pulse.snr_db = detected.snr_db;
  pulse.level_db_spl = detected.level_db_spl;
  pulse.features = detect::FeatureMap(detected.features);
  json record = PulseToJson(pulse, LocalFrame::Metric());
  if (options_.position_wgs84) {
    // As given: the round trip through the local frame would add float noise.
    const GeodeticPoint& p = *options_.position_wgs84;
    record["sensor_position"] = {{"lat", p.lat_deg}, {"lon", p.lon_deg}, {"height_m", p.height_m}};
  } else if (!options_.position_m) {
    record.erase("sensor_position");
    record.erase("position_sigma_m");
  }
  return record;
}

std::optional<json> SensorAgent::SpoolSnippet(const std::string& pulse_id, SampleSpan span,
                                              double onset_sample, std::string* temp_path) {
  *temp_path = spool_.SnippetTempPath(pulse_id);
  auto snippet = WriteSnippet(ring_, span, stream_.sample_rate_hz, *temp_path);
  if (!snippet) {
    ::unlink(temp_path->c_str());
    temp_path->clear();
    ++stats_.snippets_missing;
    Warn(Error{stream_.name, "pulse " + pulse_id, "no snippet: " + snippet.error().ToString()});
    return std::nullopt;
  }
  json gaps = json::array();
  for (const GapMark& gap : snippet->gaps) {
    gaps.push_back({{"offset_samples", gap.first_sample - span.first}, {"samples", gap.samples}});
  }
  return json{
      {"file", Spool::SnippetFileName(pulse_id)},
      {"sha256", snippet->sha256},
      {"bytes", snippet->bytes},
      {"format", "flac, 16-bit mono"},
      {"start_utc", FormatIsoUtc(clock_.TimeOfSampleNs(static_cast<double>(span.first)))},
      {"sample_rate_hz", stream_.sample_rate_hz},
      {"samples", span.count},
      {"onset_offset_s", (onset_sample - static_cast<double>(span.first)) / stream_.sample_rate_hz},
      {"gaps", std::move(gaps)},
  };
}

void SensorAgent::Emit(const PendingPulse& pending) {
  const detect::DetectedPulse& detected = pending.detected;
  const int64_t onset_ns = clock_.TimeOfSampleNs(detected.onset_sample);
  const std::string pulse_id = PulseIdFor(options_.sensor_id, onset_ns);

  if (spool_.Contains(pulse_id)) {
    // A replay of a pulse still waiting: the spooled record is the pulse. (When it cannot
    // be read, Put below finds it waiting all the same.)
    if (auto spooled = spool_.Read(pulse_id); spooled) {
      ++stats_.pulses_already_spooled;
      if (events_.on_pulse) events_.on_pulse(spooled->record, true);
      return;
    }
  }

  json record = MakeRecord(detected, onset_ns, pulse_id);
  // What the ring still holds of the window: all of it, unless the stream started or
  // ended inside it, or the detector reported the pulse later than the ring allows for.
  const SampleSpan window = pending.span;
  const int64_t first = std::max(window.first, ring_.begin_index());
  const int64_t end = std::min(window.end(), ring_.end_index());
  const bool clipped_at_start =
      std::floor(detected.onset_sample) -
          std::llround(options_.snippet.before_s * stream_.sample_rate_hz) <
      0;
  if (first != window.first || end != window.end() || clipped_at_start) {
    ++stats_.snippets_cut_short;
  }
  const SampleSpan span{first, std::max<int64_t>(0, end - first)};

  std::string temp_path;
  if (span.count > 0) {
    if (auto snippet = SpoolSnippet(pulse_id, span, detected.onset_sample, &temp_path)) {
      record["snippet"] = std::move(*snippet);
    }
  } else {
    ++stats_.snippets_missing;
  }

  auto put = spool_.Put(pulse_id, record, temp_path);
  if (!put) {
    ++stats_.pulses_not_spooled;
    record.erase("snippet");  // its file was not kept
    Warn(Error{put.error().source, put.error().where, put.error().message});
    if (events_.on_pulse) events_.on_pulse(record, false);
    return;
  }
  if (*put == PutOutcome::kAlreadySpooled) {
    ++stats_.pulses_already_spooled;
  } else {
    ++stats_.pulses_spooled;
    stats_.bytes_spooled +=
        static_cast<int64_t>(record.dump().size() + 1) +
        (record.contains("snippet") ? record["snippet"]["bytes"].get<int64_t>() : 0);
  }
  if (events_.on_pulse) events_.on_pulse(record, true);
}

void SensorAgent::Finish() {
  splitter_.Flush(*this);
  detector_->Finish();
  Collect();
  EmitReady(/*end_of_stream=*/true);
}

Result<AgentStats> RunAgent(AudioSource& source, SensorAgent& agent,
                            const std::atomic<bool>* stop) {
  const auto stopping = [stop] { return stop != nullptr && stop->load(); };
  std::optional<Error> failure;
  while (!stopping()) {
    auto block = source.Next();
    for (const Error& warning : source.TakeWarnings()) agent.Warn(warning);
    if (!block) {
      // Interrupted by a stop request: not a failure.
      if (!stopping()) failure = block.error();
      break;
    }
    if (!block->has_value()) break;
    agent.Push(**block);
  }
  agent.Finish();
  if (failure) return std::unexpected(*failure);
  return agent.stats();
}

}  // namespace earshot::sensor
