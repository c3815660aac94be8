// A synthetic sensor stream made in the process: quiet noise with a click every so often.
// For the agent's tests and the memory benchmark, where an hour of audio must stream
// without an hour of audio on disk.
//
// The noise is uniform (bounded, so that no noise sample ever looks like an impulse) and
// the clicks are decaying 2 kHz bursts that start at full height on their first sample,
// so that their onsets are known to the sample: click k starts at stream sample
// round((first_click_s + k * click_every_s) * sample_rate_hz).
#ifndef EARSHOT_SENSOR_INTERNAL_SYNTHETIC_SOURCE_H_
#define EARSHOT_SENSOR_INTERNAL_SYNTHETIC_SOURCE_H_

#include <cstdint>
#include <vector>

#include "earshot/sensor/audio_source.h"

namespace earshot::sensor::internal {

struct SyntheticStream {
  double sample_rate_hz = 12000.0;
  int64_t first_sample_ns = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
  double duration_s = 60.0;
  double first_click_s = 1.5;
  double click_every_s = 3.0;    // <= 0: a single click
  double click_amplitude = 0.5;  // full scale 1
  double noise_amplitude = 0.002;
  int64_t block_frames = 1024;
  // Every `dropout_every_s` (> 0), the blocks that start within the next `dropout_s` are
  // lost, as a link would lose them; the next block announces the gap.
  double dropout_every_s = 0.0;
  double dropout_s = 0.5;
};

// Sample `index` of the stream (stateless, so any stretch can be made on its own).
float SyntheticSample(const SyntheticStream& stream, int64_t index);

// Stream indices of the clicks' first samples.
std::vector<int64_t> SyntheticClickSamples(const SyntheticStream& stream);

class SyntheticSource final : public AudioSource {
 public:
  explicit SyntheticSource(const SyntheticStream& stream);
  const StreamInfo& info() const override { return info_; }
  Result<std::optional<AudioBlock>> Next() override;

 private:
  SyntheticStream stream_;
  StreamInfo info_;
  int64_t total_samples_;
  int64_t next_index_ = 0;
};

// Whether the block starting at `index` is lost to a dropout.
bool SyntheticBlockLost(const SyntheticStream& stream, int64_t index);

}  // namespace earshot::sensor::internal

#endif  // EARSHOT_SENSOR_INTERNAL_SYNTHETIC_SOURCE_H_
