// Reading and writing audio files (WAV, FLAC and whatever else libsndfile reads).
//
// Samples are floats at full scale +-1.0, one channel. Multi-channel files are refused
// unless a channel is chosen: a sensor's microphone is one channel, and mixing channels
// would smear the onset times the locator depends on.
#ifndef EARSHOT_AUDIO_AUDIO_FILE_H_
#define EARSHOT_AUDIO_AUDIO_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::audio {

struct AudioClip {
  double sample_rate_hz = 0.0;
  std::vector<float> samples;  // full scale +-1.0
  int bits_per_sample = 16;    // of the file's format; 0 for floating-point formats
};

struct ReadAudioOptions {
  int channel = -1;  // -1: the file must be mono; otherwise the 0-based channel to take
};

// Reads a whole file. Errors name the path and say what was wrong (not found, not an
// audio file, truncated, no samples, more than one channel).
Result<AudioClip> ReadAudioFile(const std::string& path, const ReadAudioOptions& options = {});

// Writes 16-bit PCM WAV, or FLAC when the path ends in ".flac".
Result<void> WriteAudioFile(const std::string& path, const AudioClip& clip);

}  // namespace earshot::audio

#endif  // EARSHOT_AUDIO_AUDIO_FILE_H_
