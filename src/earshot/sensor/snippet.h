// Audio snippets: the short stretch of audio around a pulse that a sensor keeps and sends
// (DESIGN.md §7), cut from the ring buffer and written as 16-bit FLAC with the SHA-256 of
// the file's bytes, so that the evidence can later be shown to be untouched.
//
// A snippet covers [onset - before_s, onset + after_s] (1 s before and 2 s after by
// default), clipped at the start of the stream. Samples the stream lost inside it are
// zeros in the file and listed as gaps, so that a listener can tell them from silence.
//
//   const SampleSpan span = SnippetSpan(pulse.onset_sample, 12000.0, window);
//   if (ring.end_index() >= span.end()) auto snippet = WriteSnippet(ring, span, 12000.0, path);
#ifndef EARSHOT_SENSOR_SNIPPET_H_
#define EARSHOT_SENSOR_SNIPPET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/sensor/ring_buffer.h"

namespace earshot::sensor {

struct SnippetWindow {
  double before_s = 1.0;  // audio kept before the onset, s
  double after_s = 2.0;   // audio kept after it, s
};

// A run of stream samples.
struct SampleSpan {
  int64_t first = 0;
  int64_t count = 0;
  int64_t end() const { return first + count; }
};

// The stream samples the snippet of a pulse at `onset_sample` covers.
SampleSpan SnippetSpan(double onset_sample, double sample_rate_hz, const SnippetWindow& window);

struct Snippet {
  std::string path;
  std::string sha256;  // of the file's bytes, 64 lowercase hex digits
  int64_t bytes = 0;
  SampleSpan span;            // what it holds, in stream samples
  std::vector<GapMark> gaps;  // lost samples inside it, in stream samples
};

// Cuts `span` (count > 0) from the ring (all of it must still be there), writes it to
// `path` as 16-bit FLAC when the path ends in .flac (16-bit WAV otherwise), and hashes the
// written file. 16 bits keep every sample of a 16-bit capture exactly.
Result<Snippet> WriteSnippet(const RingBuffer& ring, SampleSpan span, double sample_rate_hz,
                             const std::string& path);

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_SNIPPET_H_
