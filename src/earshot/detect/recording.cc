#include "earshot/detect/recording.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "earshot/audio/audio_file.h"
#include "earshot/audio/recording_metadata.h"
#include "earshot/detect/features.h"

namespace earshot::detect {
namespace {

constexpr const char* kDropoutCause = "zero-filled samples (dropout)";

// A stretch of the file: samples to push, or a dropout to push as a gap.
struct Stretch {
  size_t first = 0;
  size_t count = 0;
  bool dropout = false;
};

// Splits the file into sound and runs of exactly-zero samples at least `min_run` long.
std::vector<Stretch> SplitAtDropouts(std::span<const float> samples, size_t min_run) {
  std::vector<Stretch> stretches;
  size_t sound_start = 0;
  size_t i = 0;
  while (i < samples.size()) {
    if (samples[i] != 0.0f) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < samples.size() && samples[end] == 0.0f) ++end;
    if (end - i >= min_run) {
      if (i > sound_start) stretches.push_back({sound_start, i - sound_start, false});
      stretches.push_back({i, end - i, true});
      sound_start = end;
    }
    i = end;
  }
  if (samples.size() > sound_start) {
    stretches.push_back({sound_start, samples.size() - sound_start, false});
  }
  return stretches;
}

std::string FormatHz(double hz) {
  std::string text = std::to_string(hz);
  // "12000.000000" -> "12000"; a fractional rate keeps its digits.
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text + " Hz";
}

Result<void> CheckSampleRate(const std::string& audio_path, double file_rate_hz,
                             const audio::RecordingMetadata& metadata,
                             const RecordingOptions& options) {
  if (metadata.sample_rate_hz && *metadata.sample_rate_hz != file_rate_hz) {
    return Fail(audio_path, "sample rate",
                "the file is at " + FormatHz(file_rate_hz) + " but its sidecar " +
                    audio::SidecarPathFor(audio_path) + " says " +
                    FormatHz(*metadata.sample_rate_hz));
  }
  if (options.expected_sample_rate_hz && *options.expected_sample_rate_hz != file_rate_hz) {
    return Fail(audio_path, "sample rate",
                "expected " + FormatHz(*options.expected_sample_rate_hz) + ", the file is at " +
                    FormatHz(file_rate_hz));
  }
  return {};
}

Result<void> CheckOptions(const RecordingOptions& options) {
  if (options.block_samples == 0) {
    return Fail("options", "block_samples", "expected a positive number of samples, got 0");
  }
  if (!(options.detector.dropout_min_s > 0)) {
    return Fail("options", "detector.dropout_min_s",
                "expected a positive duration in seconds (infinity: no dropouts), got " +
                    std::to_string(options.detector.dropout_min_s));
  }
  return {};
}

// The shortest run of zeros that counts as a dropout, in samples (at least one).
size_t DropoutMinSamples(double dropout_min_s, double sample_rate_hz, size_t file_samples) {
  const double samples = std::ceil(dropout_min_s * sample_rate_hz);
  // Longer than the file (or infinite): no run can qualify.
  if (!(samples <= static_cast<double>(file_samples))) return file_samples + 1;
  return std::max<size_t>(1, static_cast<size_t>(samples));
}

Pulse ToPulse(const DetectedPulse& detected, const std::string& sensor_id,
              const Eigen::Vector3d& sensor_position_m) {
  Pulse pulse;
  pulse.id = RecordedPulseId(sensor_id, detected.onset_ns);
  pulse.sensor_id = sensor_id;
  pulse.onset_ns = detected.onset_ns;
  pulse.onset_sigma_s = detected.onset_sigma_s;
  pulse.sensor_position_m = sensor_position_m;
  pulse.snr_db = detected.snr_db;
  pulse.level_db_spl = detected.level_db_spl;
  pulse.features = FeatureMap(detected.features);
  return pulse;
}

// Places the sidecar's position in the frame the pulses will be written in.
Eigen::Vector3d SensorPosition(const audio::RecordingMetadata& metadata,
                               const RecordingOptions& options, RecordingDetection* detection) {
  if (!metadata.geodetic) {
    detection->frame = LocalFrame::Metric();
    return metadata.position;
  }
  const GeodeticPoint point{metadata.position.x(), metadata.position.y(), metadata.position.z()};
  detection->frame = options.frame && options.frame->is_geodetic()
                         ? *options.frame
                         : LocalFrame::Geodetic(point.lat_deg, point.lon_deg, point.height_m);
  return detection->frame.Forward(point);
}

}  // namespace

std::string RecordedPulseId(const std::string& sensor_id, int64_t onset_ns) {
  return sensor_id + "-" + std::to_string(onset_ns);
}

Result<RecordingDetection> DetectRecording(const std::string& audio_path,
                                           const RecordingOptions& options) {
  if (auto valid = CheckOptions(options); !valid) return std::unexpected(valid.error());
  auto clip = audio::ReadAudioFile(audio_path);
  if (!clip) return std::unexpected(clip.error());
  auto metadata = audio::ReadRecordingMetadata(audio::SidecarPathFor(audio_path));
  if (!metadata) return std::unexpected(metadata.error());
  if (auto rate = CheckSampleRate(audio_path, clip->sample_rate_hz, *metadata, options); !rate) {
    return std::unexpected(rate.error());
  }

  DetectorOptions detector_options = options.detector;
  detector_options.full_scale_db_spl = metadata->full_scale_db_spl;
  auto detector =
      ImpulseDetector::Create(detector_options, clip->sample_rate_hz, metadata->first_sample_ns);
  if (!detector) {
    Error error = detector.error();
    error.source = audio_path;
    return std::unexpected(error);
  }

  RecordingDetection detection;
  detection.sensor_id = metadata->sensor_id;
  detection.audio_path = audio_path;
  detection.sample_rate_hz = clip->sample_rate_hz;
  detection.duration_s = static_cast<double>(clip->samples.size()) / clip->sample_rate_hz;
  const Eigen::Vector3d position_m = SensorPosition(*metadata, options, &detection);

  ImpulseDetector& stream = **detector;
  // Taken after every block, as a live sensor would, so the detector's queues stay short.
  const auto collect = [&] {
    for (const DetectedPulse& pulse : stream.TakePulses()) {
      detection.pulses.push_back(ToPulse(pulse, detection.sensor_id, position_m));
    }
    for (Gap& gap : stream.TakeGaps()) detection.gaps.push_back(std::move(gap));
  };
  const std::span<const float> samples(clip->samples);
  const size_t min_run =
      DropoutMinSamples(options.detector.dropout_min_s, clip->sample_rate_hz, samples.size());
  for (const Stretch& stretch : SplitAtDropouts(samples, min_run)) {
    if (stretch.dropout) {
      stream.PushGap(static_cast<int64_t>(stretch.count), kDropoutCause);
      collect();
      continue;
    }
    for (size_t offset = 0; offset < stretch.count; offset += options.block_samples) {
      const size_t count = std::min(options.block_samples, stretch.count - offset);
      stream.Push(samples.subspan(stretch.first + offset, count));
      collect();
    }
  }
  stream.Finish();
  collect();
  return detection;
}

}  // namespace earshot::detect
