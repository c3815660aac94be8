#include "earshot/sensor/zero_run_splitter.h"

#include <algorithm>

#include "earshot/core/error.h"

namespace earshot::sensor {
namespace {

constexpr size_t kZeroBlockSamples = 4096;

}  // namespace

ZeroRunSplitter::ZeroRunSplitter(int64_t min_run_samples)
    : min_run_(min_run_samples), zeros_(kZeroBlockSamples, 0.0f) {
  EARSHOT_CHECK(min_run_samples >= 1);
}

void ZeroRunSplitter::SoundZeros(int64_t count, Sink& sink) {
  while (count > 0) {
    const auto piece = static_cast<size_t>(std::min<int64_t>(count, kZeroBlockSamples));
    sink.Sound(std::span<const float>(zeros_).first(piece));
    count -= static_cast<int64_t>(piece);
  }
}

void ZeroRunSplitter::EndHeldRun(Sink& sink) {
  if (held_ >= min_run_) {
    sink.Dropout(held_);
  } else {
    SoundZeros(held_, sink);
  }
  held_ = 0;
}

void ZeroRunSplitter::Feed(std::span<const float> samples, Sink& sink) {
  const size_t n = samples.size();
  if (n == 0) return;
  // A run held back from earlier input that ends right here, at the block's first sample.
  if (held_ > 0 && samples[0] != 0.0f) EndHeldRun(sink);

  size_t sound_start = 0;  // the first sample of the sound not given out yet
  size_t i = 0;
  while (i < n) {
    if (samples[i] != 0.0f) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < n && samples[end] == 0.0f) ++end;
    const int64_t earlier = i == 0 ? held_ : 0;  // the run may have begun in earlier input
    const int64_t run = earlier + static_cast<int64_t>(end - i);
    if (end == n) {
      // The run may go on: hold it back until it ends.
      if (i > sound_start) sink.Sound(samples.subspan(sound_start, i - sound_start));
      held_ = run;
      return;
    }
    if (run >= min_run_) {
      if (i > sound_start) sink.Sound(samples.subspan(sound_start, i - sound_start));
      sink.Dropout(run);
      sound_start = end;
    } else if (earlier > 0) {
      // The zeros held back were sound after all; they precede this block's.
      SoundZeros(earlier, sink);
    }
    if (i == 0) held_ = 0;
    i = end;
  }
  if (sound_start < n) sink.Sound(samples.subspan(sound_start));
}

void ZeroRunSplitter::Flush(Sink& sink) {
  if (held_ > 0) EndHeldRun(sink);
}

}  // namespace earshot::sensor
