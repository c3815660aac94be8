#include "earshot/sensor/framed_pcm_source.h"

#include <cmath>
#include <utility>

#include "earshot/core/time.h"
#include "earshot/sensor/pcm_stream_source.h"

namespace earshot::sensor {
namespace {

constexpr size_t kHeaderBytes = 12;
constexpr size_t kBytesPerSample = 2;

uint64_t LittleEndian(const unsigned char* bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = value << 8 | bytes[i];
  return value;
}

void PutLittleEndian(uint64_t value, int count, std::string* out) {
  for (int i = 0; i < count; ++i) out->push_back(static_cast<char>(value >> (8 * i) & 0xff));
}

std::string Milliseconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f ms", seconds * 1e3);
  return text;
}

}  // namespace

std::string FramedPcmSource::EncodeFrame(int64_t first_sample_ns,
                                         const std::vector<int16_t>& samples) {
  std::string out;
  out.reserve(kHeaderBytes + kBytesPerSample * samples.size());
  PutLittleEndian(static_cast<uint64_t>(first_sample_ns), 8, &out);
  PutLittleEndian(samples.size(), 4, &out);
  for (int16_t sample : samples) PutLittleEndian(static_cast<uint16_t>(sample), 2, &out);
  return out;
}

FramedPcmSource::FramedPcmSource(std::istream& in, const FramedPcmOptions& options)
    : in_(in),
      info_{options.name, options.sample_rate_hz, 0},
      max_frame_samples_(std::llround(options.max_frame_s * options.sample_rate_hz)),
      jitter_tolerance_ns_(std::llround(options.jitter_tolerance_s * 1e9)) {}

Result<std::unique_ptr<FramedPcmSource>> FramedPcmSource::Open(std::istream& in,
                                                               const FramedPcmOptions& options) {
  if (auto rate = CheckSampleRate(options.name, options.sample_rate_hz); !rate) {
    return std::unexpected(rate.error());
  }
  if (!(options.max_frame_s > 0.0)) {
    return Fail("config", "max_frame_s",
                "expected a positive duration, got " + std::to_string(options.max_frame_s));
  }
  if (!(options.jitter_tolerance_s >= 0.0 && options.jitter_tolerance_s < options.max_frame_s)) {
    return Fail("config", "jitter_tolerance_s",
                "expected a duration >= 0, got " + std::to_string(options.jitter_tolerance_s));
  }
  std::unique_ptr<FramedPcmSource> source(new FramedPcmSource(in, options));
  auto first = source->ReadFrame();
  if (!first) return std::unexpected(first.error());
  if (!first->has_value()) {
    return Fail(options.name, "byte " + std::to_string(source->bytes_read_),
                "expected a frame of timestamped PCM, but the stream ended before one with "
                "samples arrived");
  }
  source->info_.first_sample_ns = (*first)->first_sample_ns;
  source->first_frame_ = std::move(**first);
  return source;
}

Result<std::optional<FramedPcmSource::Frame>> FramedPcmSource::ReadFrame() {
  for (;;) {
    Frame frame;
    frame.byte_offset = bytes_read_;
    unsigned char header[kHeaderBytes];
    in_.read(reinterpret_cast<char*>(header), kHeaderBytes);
    const auto got = static_cast<size_t>(in_.gcount());
    bytes_read_ += static_cast<int64_t>(got);
    if (in_.bad()) return Fail(info_.name, "byte " + std::to_string(bytes_read_), "read error");
    if (got == 0) return std::nullopt;
    if (got < kHeaderBytes) {
      warnings_.push_back(Error{info_.name, "byte " + std::to_string(frame.byte_offset),
                                "the stream ended inside a frame header (" + std::to_string(got) +
                                    " of 12 bytes); dropped"});
      return std::nullopt;
    }
    frame.first_sample_ns = static_cast<int64_t>(LittleEndian(header, 8));
    const auto count = static_cast<int64_t>(LittleEndian(header + 8, 4));
    if (count > max_frame_samples_) {
      return Fail(info_.name, "byte " + std::to_string(frame.byte_offset),
                  "frame header announces " + std::to_string(count) + " samples, at most " +
                      std::to_string(max_frame_samples_) +
                      " expected: this is not timestamped PCM, or its framing is lost");
    }
    if (count == 0) continue;  // a heartbeat
    bytes_.resize(static_cast<size_t>(count) * kBytesPerSample);
    in_.read(reinterpret_cast<char*>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
    const auto body = static_cast<size_t>(in_.gcount());
    bytes_read_ += static_cast<int64_t>(body);
    if (in_.bad()) return Fail(info_.name, "byte " + std::to_string(bytes_read_), "read error");
    const size_t samples = body / kBytesPerSample;
    if (body < bytes_.size()) {
      warnings_.push_back(Error{info_.name, "byte " + std::to_string(frame.byte_offset),
                                "the stream ended inside a frame: its header says " +
                                    std::to_string(count) + " samples, " + std::to_string(samples) +
                                    " arrived; those were kept"});
      if (samples == 0) return std::nullopt;
    }
    frame.samples.resize(samples);
    DecodePcm16(bytes_.data(), samples, frame.samples.data());
    return frame;
  }
}

std::optional<AudioBlock> FramedPcmSource::Place(Frame frame) {
  const double fs = info_.sample_rate_hz;
  AudioBlock block;
  if (started_) {
    const int64_t late_ns = frame.first_sample_ns - next_expected_ns_;
    if (late_ns < -jitter_tolerance_ns_) {
      warnings_.push_back(Error{
          info_.name, "byte " + std::to_string(frame.byte_offset),
          "frame starts at " + FormatIsoUtc(frame.first_sample_ns) + ", " +
              Milliseconds(-late_ns * 1e-9) + " before the previous frame ended (" +
              FormatIsoUtc(next_expected_ns_) + "): overlapping or backwards time; frame skipped"});
      return std::nullopt;
    }
    if (late_ns > jitter_tolerance_ns_) {
      block.gap_before_samples = std::llround(static_cast<double>(late_ns) * fs * 1e-9);
      block.gap_cause = "framed stream: no audio for " + Milliseconds(late_ns * 1e-9) +
                        " before the frame at byte " + std::to_string(frame.byte_offset);
    }
  }
  started_ = true;
  block.first_sample = next_index_ + block.gap_before_samples;
  block.first_sample_ns = frame.first_sample_ns;
  block.samples = std::move(frame.samples);
  const auto count = static_cast<int64_t>(block.samples.size());
  next_index_ = block.first_sample + count;
  // The next frame is due where this one ends by its own time, so that a sound card's
  // drift against the sender's clock never accumulates into a false gap or overlap.
  next_expected_ns_ = frame.first_sample_ns + std::llround(static_cast<double>(count) * 1e9 / fs);
  return block;
}

Result<std::optional<AudioBlock>> FramedPcmSource::Next() {
  for (;;) {
    std::optional<Frame> frame;
    if (first_frame_) {
      frame = std::exchange(first_frame_, std::nullopt);
    } else {
      auto read = ReadFrame();
      if (!read) return std::unexpected(read.error());
      if (!read->has_value()) return std::nullopt;
      frame = std::move(*read);
    }
    if (auto block = Place(std::move(*frame))) return block;
  }
}

std::vector<Error> FramedPcmSource::TakeWarnings() { return std::exchange(warnings_, {}); }

}  // namespace earshot::sensor
