// Raw PCM on a byte stream (standard input): 16-bit signed little-endian mono samples,
// nothing else, at a stated rate. Such a stream carries no time, so the time of its first
// sample is given (or taken as the moment the source opened) and every later sample is
// timed at the nominal rate. A stream that can drop audio should use the framed form
// (framed_pcm_source.h), whose frames carry their own times.
//
//   arecord -f S16_LE -c 1 -r 12000 -t raw | earshot sensor --stdin --rate 12000 ...
#ifndef EARSHOT_SENSOR_PCM_STREAM_SOURCE_H_
#define EARSHOT_SENSOR_PCM_STREAM_SOURCE_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "earshot/sensor/audio_source.h"

namespace earshot::sensor {

struct PcmStreamOptions {
  std::string name = "stdin";  // for messages
  double sample_rate_hz = 0.0;
  int64_t first_sample_ns = 0;  // UTC time of the first sample
  int64_t block_frames = 1024;
};

// Checks a stated sample rate at the edge: a whole number of hertz in 1 kHz..384 kHz.
Result<void> CheckSampleRate(const std::string& source, double sample_rate_hz);

// 16-bit little-endian PCM bytes to floats at the scale libsndfile reads them (s / 32768),
// so that a sample reads the same from a file and from a stream.
void DecodePcm16(const unsigned char* bytes, size_t samples, float* out);

class PcmStreamSource final : public AudioSource {
 public:
  // `in` must outlive the source. Fails on a bad rate or block size.
  static Result<std::unique_ptr<PcmStreamSource>> Open(std::istream& in,
                                                       const PcmStreamOptions& options);

  const StreamInfo& info() const override { return info_; }
  Result<std::optional<AudioBlock>> Next() override;
  std::vector<Error> TakeWarnings() override;

 private:
  PcmStreamSource(std::istream& in, StreamInfo info, int64_t block_frames);

  std::istream& in_;
  StreamInfo info_;
  int64_t block_frames_;
  int64_t next_index_ = 0;
  int64_t bytes_read_ = 0;
  std::vector<unsigned char> bytes_;
  std::vector<Error> warnings_;
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_PCM_STREAM_SOURCE_H_
