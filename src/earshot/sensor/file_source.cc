#include "earshot/sensor/file_source.h"

#include <filesystem>
#include <thread>
#include <utility>

namespace earshot::sensor {

FileSource::FileSource(SNDFILE* file, StreamInfo info, FileSourceOptions options,
                       std::optional<audio::RecordingMetadata> metadata)
    : file_(file), info_(std::move(info)), options_(options), metadata_(std::move(metadata)) {}

FileSource::~FileSource() { sf_close(file_); }

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path,
                                                     const FileSourceOptions& options) {
  if (options.block_frames <= 0) {
    return Fail("config", "block_frames",
                "expected a positive block size, got " + std::to_string(options.block_frames));
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Fail(path, "", "no such audio file (or not a regular file)");
  }
  SF_INFO format{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &format);
  if (file == nullptr) {
    return Fail(path, "",
                std::string("not an audio file that libsndfile can read: ") + sf_strerror(nullptr));
  }
  // From here on the handle is closed on every path: by the source, or by this guard.
  std::unique_ptr<SNDFILE, int (*)(SNDFILE*)> guard(file, sf_close);
  if (format.channels != 1) {
    return Fail(path, "channels",
                "expected a mono recording (one microphone), got " +
                    std::to_string(format.channels) + " channels");
  }
  if (format.samplerate <= 0) {
    return Fail(path, "sample rate",
                "expected a positive sample rate, got " + std::to_string(format.samplerate));
  }

  StreamInfo info{path, static_cast<double>(format.samplerate), 0};
  std::optional<audio::RecordingMetadata> metadata;
  if (options.first_sample_ns) {
    info.first_sample_ns = *options.first_sample_ns;
  } else {
    const std::string sidecar = audio::SidecarPathFor(path);
    auto read = audio::ReadRecordingMetadata(sidecar);
    if (!read) {
      Error why = read.error();
      why.message += " (the sidecar gives the time of the first sample; without one, give it)";
      return std::unexpected(why);
    }
    if (read->sample_rate_hz && *read->sample_rate_hz != info.sample_rate_hz) {
      return Fail(sidecar, "sample_rate_hz",
                  "the sidecar says " + std::to_string(*read->sample_rate_hz) +
                      " Hz but the recording is " + std::to_string(format.samplerate) + " Hz");
    }
    info.first_sample_ns = read->first_sample_ns;
    metadata = std::move(*read);
  }
  return std::unique_ptr<FileSource>(
      new FileSource(guard.release(), std::move(info), options, std::move(metadata)));
}

Result<std::optional<AudioBlock>> FileSource::Next() {
  AudioBlock block;
  block.first_sample = next_index_;
  block.first_sample_ns = NominalTimeNs(info_.first_sample_ns, next_index_, info_.sample_rate_hz);
  block.samples.resize(static_cast<size_t>(options_.block_frames));
  const sf_count_t read = sf_readf_float(file_, block.samples.data(), options_.block_frames);
  if (read < 0 || sf_error(file_) != SF_ERR_NO_ERROR) {
    return Fail(info_.name, "sample " + std::to_string(next_index_),
                std::string("read error: ") + sf_strerror(file_));
  }
  if (read == 0) return std::nullopt;
  block.samples.resize(static_cast<size_t>(read));
  next_index_ += read;

  if (options_.realtime) {
    // Release each block when its last sample would have been captured live.
    const auto now = std::chrono::steady_clock::now();
    if (!started_) started_ = now;
    const auto due =
        *started_ +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(static_cast<double>(next_index_) / info_.sample_rate_hz));
    std::this_thread::sleep_until(due);
  }
  return block;
}

}  // namespace earshot::sensor
