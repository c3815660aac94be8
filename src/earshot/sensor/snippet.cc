#include "earshot/sensor/snippet.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "earshot/audio/audio_file.h"
#include "earshot/digest/sha256.h"

namespace earshot::sensor {

SampleSpan SnippetSpan(double onset_sample, double sample_rate_hz, const SnippetWindow& window) {
  const auto onset = static_cast<int64_t>(std::floor(onset_sample));
  const int64_t first =
      std::max<int64_t>(0, onset - std::llround(window.before_s * sample_rate_hz));
  const int64_t end = onset + std::llround(window.after_s * sample_rate_hz);
  return {first, std::max<int64_t>(0, end - first)};
}

Result<Snippet> WriteSnippet(const RingBuffer& ring, SampleSpan span, double sample_rate_hz,
                             const std::string& path) {
  audio::AudioClip clip;
  clip.sample_rate_hz = sample_rate_hz;
  clip.samples.resize(static_cast<size_t>(span.count));
  if (auto read = ring.Read(span.first, clip.samples); !read) {
    return std::unexpected(read.error());
  }
  if (auto written = audio::WriteAudioFile(path, clip); !written) {
    return std::unexpected(written.error());
  }
  Snippet snippet;
  snippet.path = path;
  auto digest = digest::Sha256OfFile(path);
  if (!digest) return std::unexpected(digest.error());
  snippet.sha256 = std::move(*digest);
  std::error_code error;
  snippet.bytes = static_cast<int64_t>(std::filesystem::file_size(path, error));
  if (error) return Fail(path, "", "cannot read the size of the snippet: " + error.message());
  snippet.span = span;
  snippet.gaps = ring.GapsWithin(span.first, span.count);
  return snippet;
}

}  // namespace earshot::sensor
