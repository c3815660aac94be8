// Timestamped PCM frames on a byte stream: the form for links that can drop audio.
//
// Each frame is a 12-byte header and its samples, all little-endian:
//   int64   UTC time of the frame's first sample, ns since the Unix epoch
//   uint32  sample count n (0 is a heartbeat and carries nothing)
//   n x int16 mono samples
// The times make dropouts visible. Each frame is expected where the previous one ended by
// its own time; a frame that departs from that by no more than `jitter_tolerance_s` is
// contiguous (timestamps jitter), and its samples are timed from its own header. A frame
// that starts later than that leaves a gap: the samples in between, rounded, are lost,
// and the times after the gap stay right. A frame that starts earlier than that (overlap,
// a clock stepping back) is refused and skipped, with a message, and counted; the stream
// goes on. A header that announces an absurd frame means the framing is lost: that ends
// the stream with an Error.
#ifndef EARSHOT_SENSOR_FRAMED_PCM_SOURCE_H_
#define EARSHOT_SENSOR_FRAMED_PCM_SOURCE_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earshot/sensor/audio_source.h"

namespace earshot::sensor {

struct FramedPcmOptions {
  std::string name = "stdin";  // for messages
  double sample_rate_hz = 0.0;
  // A frame longer than this is taken as lost framing rather than audio, s.
  double max_frame_s = 10.0;
  // Departures of a frame's time from where the previous frame ended that are timestamp
  // jitter, not lost or repeated audio, s (3 samples at 12 kHz; GPS-timed senders do
  // far better).
  double jitter_tolerance_s = 0.25e-3;
};

class FramedPcmSource final : public AudioSource {
 public:
  // Reads up to the first frame with samples: its time is the stream's first sample time.
  // `in` must outlive the source. Fails on a bad rate, or when no frame arrives.
  static Result<std::unique_ptr<FramedPcmSource>> Open(std::istream& in,
                                                       const FramedPcmOptions& options);

  const StreamInfo& info() const override { return info_; }
  Result<std::optional<AudioBlock>> Next() override;
  std::vector<Error> TakeWarnings() override;

  // Encodes one frame (for tests, benchmarks and tools that produce the format).
  static std::string EncodeFrame(int64_t first_sample_ns, const std::vector<int16_t>& samples);

 private:
  struct Frame {
    int64_t byte_offset = 0;  // of its header, for messages
    int64_t first_sample_ns = 0;
    std::vector<float> samples;
  };

  FramedPcmSource(std::istream& in, const FramedPcmOptions& options);
  // The next frame with samples, nullopt at the end of the stream.
  Result<std::optional<Frame>> ReadFrame();
  // Places a frame on the stream: a block, with the gap before it; nullopt when refused.
  std::optional<AudioBlock> Place(Frame frame);

  std::istream& in_;
  StreamInfo info_;
  int64_t max_frame_samples_;
  int64_t jitter_tolerance_ns_;
  int64_t bytes_read_ = 0;
  std::optional<Frame> first_frame_;  // read by Open, delivered by the first Next
  bool started_ = false;
  int64_t next_index_ = 0;        // stream index after the last accepted frame
  int64_t next_expected_ns_ = 0;  // when the sample after the last accepted frame is due
  std::vector<unsigned char> bytes_;
  std::vector<Error> warnings_;
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_FRAMED_PCM_SOURCE_H_
