#include "earshot/sensor/pcm_stream_source.h"

#include <cmath>
#include <cstring>
#include <utility>

namespace earshot::sensor {
namespace {

constexpr double kMinSampleRateHz = 1000.0;
constexpr double kMaxSampleRateHz = 384000.0;
constexpr size_t kBytesPerSample = 2;

}  // namespace

Result<void> CheckSampleRate(const std::string& source, double sample_rate_hz) {
  if (!(sample_rate_hz >= kMinSampleRateHz && sample_rate_hz <= kMaxSampleRateHz) ||
      sample_rate_hz != std::floor(sample_rate_hz)) {
    return Fail(source, "rate",
                "expected a whole number of hertz between 1000 and 384000, got " +
                    std::to_string(sample_rate_hz));
  }
  return {};
}

void DecodePcm16(const unsigned char* bytes, size_t samples, float* out) {
  constexpr float kScale = 1.0f / 32768.0f;
  for (size_t i = 0; i < samples; ++i) {
    const auto value = static_cast<int16_t>(static_cast<uint16_t>(bytes[2 * i]) |
                                            static_cast<uint16_t>(bytes[2 * i + 1]) << 8);
    out[i] = static_cast<float>(value) * kScale;
  }
}

PcmStreamSource::PcmStreamSource(std::istream& in, StreamInfo info, int64_t block_frames)
    : in_(in), info_(std::move(info)), block_frames_(block_frames) {}

Result<std::unique_ptr<PcmStreamSource>> PcmStreamSource::Open(std::istream& in,
                                                               const PcmStreamOptions& options) {
  if (auto rate = CheckSampleRate(options.name, options.sample_rate_hz); !rate) {
    return std::unexpected(rate.error());
  }
  if (options.block_frames <= 0) {
    return Fail("config", "block_frames",
                "expected a positive block size, got " + std::to_string(options.block_frames));
  }
  StreamInfo info{options.name, options.sample_rate_hz, options.first_sample_ns};
  return std::unique_ptr<PcmStreamSource>(
      new PcmStreamSource(in, std::move(info), options.block_frames));
}

Result<std::optional<AudioBlock>> PcmStreamSource::Next() {
  if (!in_) return std::nullopt;
  bytes_.resize(static_cast<size_t>(block_frames_) * kBytesPerSample);
  in_.read(reinterpret_cast<char*>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
  const auto got = static_cast<size_t>(in_.gcount());
  bytes_read_ += static_cast<int64_t>(got);
  if (in_.bad()) {
    return Fail(info_.name, "byte " + std::to_string(bytes_read_), "read error");
  }
  const size_t samples = got / kBytesPerSample;
  if (got % kBytesPerSample != 0) {
    // Only the end of the stream can leave half a sample: report it, keep the rest.
    warnings_.push_back(Error{info_.name, "byte " + std::to_string(bytes_read_ - 1),
                              "the stream ended in the middle of a 16-bit sample; "
                              "its last byte was dropped"});
  }
  if (samples == 0) return std::nullopt;
  AudioBlock block;
  block.first_sample = next_index_;
  block.first_sample_ns = NominalTimeNs(info_.first_sample_ns, next_index_, info_.sample_rate_hz);
  block.samples.resize(samples);
  DecodePcm16(bytes_.data(), samples, block.samples.data());
  next_index_ += static_cast<int64_t>(samples);
  return block;
}

std::vector<Error> PcmStreamSource::TakeWarnings() { return std::exchange(warnings_, {}); }

}  // namespace earshot::sensor
