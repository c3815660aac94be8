// Where a sensor's audio comes from: a file, raw PCM on standard input, or a sound card.
//
// A source delivers the stream as blocks of samples in order. Each block says which
// stream sample it starts at (stream indices count the samples lost in gaps, as the
// detector does) and when, in UTC, by the source's own clock: a file or a raw stream
// trusts its nominal sample rate, a framed stream states the time of every frame, a sound
// card is checked against the system clock. Samples the source lost are announced as a
// gap before the block that follows them, so that the times after a gap stay right.
//
//   auto source = FileSource::Open("test_001.wav", {});
//   while (auto block = source->Next()) {        // Result<std::optional<AudioBlock>>
//     if (!block->has_value()) break;           // end of stream
//     ...
//   }
#ifndef EARSHOT_SENSOR_AUDIO_SOURCE_H_
#define EARSHOT_SENSOR_AUDIO_SOURCE_H_

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::sensor {

// What is known about a stream once its source is open.
struct StreamInfo {
  std::string name;             // for messages: the path, "stdin", "alsa:hw:0"
  double sample_rate_hz = 0.0;  // nominal
  int64_t first_sample_ns = 0;  // UTC time of stream sample 0
};

struct AudioBlock {
  // Samples lost just before this block (0: none) and why; `first_sample` already counts them.
  int64_t gap_before_samples = 0;
  std::string gap_cause;
  int64_t first_sample = 0;     // stream index of samples[0]
  int64_t first_sample_ns = 0;  // UTC time of samples[0], by the source's clock
  std::vector<float> samples;   // full scale +-1; may be empty (an interrupted read)
};

class AudioSource {
 public:
  virtual ~AudioSource() = default;

  virtual const StreamInfo& info() const = 0;

  // The next block, or nullopt at the end of the stream. An Error means the source cannot
  // go on (the device went away, the input cannot be read); bad input that can be skipped
  // is not an Error but is reported through TakeWarnings().
  virtual Result<std::optional<AudioBlock>> Next() = 0;

  // What the operator should hear about that did not stop the stream, since the last call:
  // input refused and skipped (a frame that went back in time, a torn last sample), a clock
  // re-anchored. One Error each: counted and reported, never fatal (DESIGN.md §6).
  virtual std::vector<Error> TakeWarnings() { return {}; }
};

// UTC time of stream sample `index` on the straight line from sample 0 at the nominal rate.
inline int64_t NominalTimeNs(int64_t first_sample_ns, int64_t index, double sample_rate_hz) {
  return first_sample_ns + std::llround(static_cast<double>(index) * 1e9 / sample_rate_hz);
}

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_AUDIO_SOURCE_H_
