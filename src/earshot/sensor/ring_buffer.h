// The only place raw audio lives on a sensor (DESIGN.md §7): a fixed-capacity ring of the
// most recent samples, indexed by absolute stream sample index (samples lost in gaps
// counted, as the detector counts them). Whatever the stream's length, it holds at most
// `capacity_samples` samples; older audio is overwritten and cannot be read back. That
// capacity is the sensor's raw-audio retention, and it is enforced by construction.
//
// Samples lost in a gap are stored as zeros and marked, so a snippet cut across a gap can
// say which of its zeros are silence and which are missing audio.
//
//   RingBuffer ring(10 * 12000);                 // 10 s at 12 kHz
//   ring.Append(block);                          // stream indices 0..n-1
//   ring.AppendGap(600);                         // 50 ms lost
//   std::vector<float> out(36000);
//   if (auto read = ring.Read(onset - 12000, out); !read) ...  // overwritten or not yet there
#ifndef EARSHOT_SENSOR_RING_BUFFER_H_
#define EARSHOT_SENSOR_RING_BUFFER_H_

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::sensor {

// A run of samples the stream lost, in stream indices.
struct GapMark {
  int64_t first_sample = 0;
  int64_t samples = 0;
  int64_t end() const { return first_sample + samples; }
};

class RingBuffer {
 public:
  // `capacity_samples` > 0. The stream starts at index `first_index` (normally 0).
  explicit RingBuffer(int64_t capacity_samples, int64_t first_index = 0);

  // Appends samples that follow the newest ones.
  void Append(std::span<const float> samples);
  // Appends `missing_samples` (>= 0) lost samples: zeros, marked as a gap.
  void AppendGap(int64_t missing_samples);

  // Copies stream samples [first, first + out.size()) into `out`. Fails, changing nothing,
  // when part of that span has already been overwritten or has not arrived yet.
  Result<void> Read(int64_t first, std::span<float> out) const;
  // The gaps that overlap [first, first + count), clipped to it, in order.
  std::vector<GapMark> GapsWithin(int64_t first, int64_t count) const;

  int64_t capacity_samples() const { return static_cast<int64_t>(samples_.size()); }
  // Oldest sample still held, and one past the newest.
  int64_t begin_index() const;
  int64_t end_index() const { return end_index_; }
  // Memory the ring holds for audio and gap marks, bytes (constant for the audio part).
  int64_t bytes() const;

 private:
  size_t SlotOf(int64_t index) const;
  void ForgetOldGaps();

  std::vector<float> samples_;
  int64_t first_index_;
  int64_t end_index_;
  std::deque<GapMark> gaps_;  // within [begin_index(), end_index()), merged when adjacent
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_RING_BUFFER_H_
