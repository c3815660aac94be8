// A recording played as a sensor's stream: WAV, FLAC or whatever libsndfile reads.
//
// The file is read block by block, so memory does not grow with its length. Played
// `realtime`, blocks are released at the pace of the recording (a stand-in for a live
// microphone, for demonstrations and soak tests); otherwise as fast as they can be read.
//
// The time of the first sample, and the sensor's id and position, come from the sidecar
// JSON beside the recording (audio/recording_metadata.h), unless the caller gives the time.
#ifndef EARSHOT_SENSOR_FILE_SOURCE_H_
#define EARSHOT_SENSOR_FILE_SOURCE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <sndfile.h>

#include "earshot/audio/recording_metadata.h"
#include "earshot/sensor/audio_source.h"

namespace earshot::sensor {

struct FileSourceOptions {
  bool realtime = false;        // pace blocks at the recording's own rate
  int64_t block_frames = 1024;  // samples per block (85 ms at 12 kHz)
  // UTC time of the first sample; when absent it comes from the sidecar, which must exist.
  std::optional<int64_t> first_sample_ns;
};

class FileSource final : public AudioSource {
 public:
  // Fails when the file cannot be read as mono audio, or the sidecar is needed and missing
  // or malformed, or the sidecar's sample rate contradicts the file's.
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path,
                                                  const FileSourceOptions& options);
  ~FileSource() override;

  const StreamInfo& info() const override { return info_; }
  Result<std::optional<AudioBlock>> Next() override;

  // The sidecar's content, when it was read.
  const std::optional<audio::RecordingMetadata>& metadata() const { return metadata_; }

 private:
  FileSource(SNDFILE* file, StreamInfo info, FileSourceOptions options,
             std::optional<audio::RecordingMetadata> metadata);

  SNDFILE* file_;
  StreamInfo info_;
  FileSourceOptions options_;
  std::optional<audio::RecordingMetadata> metadata_;
  int64_t next_index_ = 0;
  std::optional<std::chrono::steady_clock::time_point> started_;
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_FILE_SOURCE_H_
