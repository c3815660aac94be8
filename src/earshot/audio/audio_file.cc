#include "earshot/audio/audio_file.h"

#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>

namespace earshot::audio {
namespace {

// Closes the libsndfile handle on every return path.
struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

// libsndfile's float scale for integer formats: a 16-bit sample s reads as s / 32768.
constexpr double kPcm16Scale = 32768.0;

// Frames read per call: bounds the interleaved buffer of a multi-channel file.
constexpr sf_count_t kReadChunkFrames = 65536;

int BitsPerSample(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
      return 8;
    case SF_FORMAT_PCM_24:
      return 24;
    case SF_FORMAT_PCM_32:
      return 32;
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
    case SF_FORMAT_VORBIS:
    case SF_FORMAT_OPUS:
      return 0;
    default:
      return 16;
  }
}

uint32_t LittleEndian32(const std::array<char, 4>& bytes) {
  return static_cast<uint32_t>(static_cast<unsigned char>(bytes[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[3])) << 24;
}

// The length of the `data` chunk that a RIFF WAVE header declares, in bytes. libsndfile
// quietly shortens a data chunk that runs past the end of the file to what is there, so
// a recording cut off in transfer would read as a shorter, apparently sound one; the
// declared length is the only witness. nullopt for other formats and for headers that
// leave the length open (0 or 0xFFFFFFFF, as recorders that never finalise the header
// write it).
std::optional<uint64_t> DeclaredWavDataBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 4> id{}, size{}, wave{};
  if (!in.read(id.data(), 4) || !in.read(size.data(), 4) || !in.read(wave.data(), 4)) {
    return std::nullopt;
  }
  if (std::string_view(id.data(), 4) != "RIFF" || std::string_view(wave.data(), 4) != "WAVE") {
    return std::nullopt;
  }
  while (in.read(id.data(), 4) && in.read(size.data(), 4)) {
    const uint32_t chunk_bytes = LittleEndian32(size);
    if (std::string_view(id.data(), 4) == "data") {
      if (chunk_bytes == 0 || chunk_bytes == 0xFFFFFFFFu) return std::nullopt;
      return chunk_bytes;
    }
    // Chunks are padded to an even length.
    in.seekg(static_cast<std::streamoff>(chunk_bytes) + (chunk_bytes & 1u), std::ios::cur);
  }
  return std::nullopt;
}

int BytesPerFrame(const SF_INFO& info) {
  const int bits = BitsPerSample(info.format);
  const int sample_bytes =
      bits == 0 ? ((info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_DOUBLE ? 8 : 4) : bits / 8;
  return sample_bytes * info.channels;
}

// The number of frames the header promised, when it says more than libsndfile reports.
sf_count_t DeclaredFrames(const std::string& path, const SF_INFO& info) {
  if ((info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV) return info.frames;
  const std::optional<uint64_t> data_bytes = DeclaredWavDataBytes(path);
  const int frame_bytes = BytesPerFrame(info);
  if (!data_bytes || frame_bytes <= 0) return info.frames;
  // Only PCM-like subformats have a fixed frame size; compressed ones (ADPCM, GSM) do not.
  const int subtype = info.format & SF_FORMAT_SUBMASK;
  const bool fixed_frame =
      subtype == SF_FORMAT_PCM_S8 || subtype == SF_FORMAT_PCM_U8 || subtype == SF_FORMAT_PCM_16 ||
      subtype == SF_FORMAT_PCM_24 || subtype == SF_FORMAT_PCM_32 || subtype == SF_FORMAT_FLOAT ||
      subtype == SF_FORMAT_DOUBLE || subtype == SF_FORMAT_ULAW || subtype == SF_FORMAT_ALAW;
  if (!fixed_frame) return info.frames;
  return std::max<sf_count_t>(info.frames, static_cast<sf_count_t>(*data_bytes / frame_bytes));
}

Result<SndfileHandle> OpenForReading(const std::string& path, SF_INFO* info) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Fail(path, "", "no such file");
  if (std::filesystem::is_directory(path, error)) {
    return Fail(path, "", "expected an audio file, got a directory");
  }
  SndfileHandle file(sf_open(path.c_str(), SFM_READ, info));
  if (!file) {
    return Fail(path, "",
                std::string("not an audio file that libsndfile can read, or corrupt: ") +
                    sf_strerror(nullptr));
  }
  return file;
}

// Which channel to take, or an error when the file's channels do not fit the options.
Result<int> ChooseChannel(const std::string& path, const SF_INFO& info,
                          const ReadAudioOptions& options) {
  if (options.channel == -1) {
    if (info.channels != 1) {
      return Fail(path, "channels",
                  "expected a mono recording, got " + std::to_string(info.channels) +
                      " channels; choose one (channel 0.." + std::to_string(info.channels - 1) +
                      ")");
    }
    return 0;
  }
  if (options.channel < 0 || options.channel >= info.channels) {
    return Fail(path, "channels",
                "channel " + std::to_string(options.channel) + " asked for, but the file has " +
                    std::to_string(info.channels) + " (0-based: 0.." +
                    std::to_string(info.channels - 1) + ")");
  }
  return options.channel;
}

}  // namespace

Result<AudioClip> ReadAudioFile(const std::string& path, const ReadAudioOptions& options) {
  SF_INFO info{};
  auto file = OpenForReading(path, &info);
  if (!file) return std::unexpected(file.error());
  if (info.samplerate <= 0) {
    return Fail(path, "sample rate",
                "expected a positive sample rate, got " + std::to_string(info.samplerate));
  }
  auto channel = ChooseChannel(path, info, options);
  if (!channel) return std::unexpected(channel.error());

  AudioClip clip;
  clip.sample_rate_hz = info.samplerate;
  clip.bits_per_sample = BitsPerSample(info.format);
  clip.samples.reserve(static_cast<size_t>(std::max<sf_count_t>(info.frames, 0)));
  std::vector<float> interleaved(static_cast<size_t>(kReadChunkFrames) * info.channels);
  for (;;) {
    const sf_count_t read = sf_readf_float(file->get(), interleaved.data(), kReadChunkFrames);
    if (read <= 0) break;
    for (sf_count_t i = 0; i < read; ++i) {
      clip.samples.push_back(interleaved[static_cast<size_t>(i * info.channels + *channel)]);
    }
  }
  if (sf_error(file->get()) != SF_ERR_NO_ERROR) {
    return Fail(path, "", std::string("read error: ") + sf_strerror(file->get()));
  }
  const auto frames_read = static_cast<sf_count_t>(clip.samples.size());
  const sf_count_t frames_declared = DeclaredFrames(path, info);
  if (frames_read < frames_declared) {
    return Fail(path, "",
                "truncated: " + std::to_string(frames_read) + " of " +
                    std::to_string(frames_declared) + " frames");
  }
  if (clip.samples.empty()) return Fail(path, "", "no samples: the recording is empty");
  return clip;
}

Result<void> WriteAudioFile(const std::string& path, const AudioClip& clip) {
  // libsndfile takes an integer rate; a fractional one would be silently rounded.
  if (!(clip.sample_rate_hz >= 1.0 && clip.sample_rate_hz <= 1e6) ||
      clip.sample_rate_hz != std::floor(clip.sample_rate_hz)) {
    return Fail(path, "sample_rate_hz",
                "expected a whole number of hertz between 1 and 1000000, got " +
                    std::to_string(clip.sample_rate_hz));
  }
  std::vector<short> pcm(clip.samples.size());
  for (size_t i = 0; i < clip.samples.size(); ++i) {
    const float x = clip.samples[i];
    if (!std::isfinite(x)) {
      return Fail(path, "sample " + std::to_string(i), "expected a finite sample, got NaN or inf");
    }
    // The reader's scale, so that a written sample reads back exactly; clipped at full scale.
    pcm[i] = static_cast<short>(std::clamp(std::lround(x * kPcm16Scale), -32768L, 32767L));
  }
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool flac = extension == ".flac";
  SF_INFO info{};
  info.samplerate = static_cast<int>(clip.sample_rate_hz);
  info.channels = 1;
  info.format = (flac ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16;
  SndfileHandle file(sf_open(path.c_str(), SFM_WRITE, &info));
  if (!file) return Fail(path, "", std::string("cannot write: ") + sf_strerror(nullptr));
  const auto frames = static_cast<sf_count_t>(pcm.size());
  if (sf_writef_short(file.get(), pcm.data(), frames) != frames) {
    return Fail(path, "", std::string("write failed: ") + sf_strerror(file.get()));
  }
  // Closing writes the header's final lengths; a failure here leaves a broken file.
  if (sf_close(file.release()) != 0) return Fail(path, "", "write failed on close");
  return {};
}

}  // namespace earshot::audio
