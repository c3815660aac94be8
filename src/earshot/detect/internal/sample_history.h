// The last N samples of a stream, addressed by their absolute stream index. The detector
// looks back (noise before a pulse, a weak direct arrival before a loud echo) and forward
// (the pulse's tail) from a trigger; this ring bounds how far, and so bounds its memory.
#ifndef EARSHOT_DETECT_INTERNAL_SAMPLE_HISTORY_H_
#define EARSHOT_DETECT_INTERNAL_SAMPLE_HISTORY_H_

#include <bit>
#include <cstdint>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::detect::internal {

class SampleHistory {
 public:
  explicit SampleHistory(int64_t min_capacity)
      : data_(std::bit_ceil(static_cast<uint64_t>(min_capacity))), mask_(data_.size() - 1) {}

  // Appends the sample with stream index `end()`.
  void Push(float value) {
    data_[static_cast<uint64_t>(end_) & mask_] = value;
    ++end_;
  }
  // Skips `count` indices (a gap); they read as zeros while still held.
  void PushZeros(int64_t count) {
    const int64_t written = count < capacity() ? count : capacity();
    for (int64_t i = 0; i < written; ++i) data_[static_cast<uint64_t>(end_ + i) & mask_] = 0.0f;
    end_ += count;
  }

  // Oldest index still held and one past the newest.
  int64_t begin() const { return end_ > capacity() ? end_ - capacity() : 0; }
  int64_t end() const { return end_; }
  int64_t capacity() const { return static_cast<int64_t>(data_.size()); }
  bool Holds(int64_t index) const { return index >= begin() && index < end_; }

  float operator[](int64_t index) const {
    EARSHOT_CHECK(Holds(index));
    return data_[static_cast<uint64_t>(index) & mask_];
  }
  // Zero outside what is held: callers clip their windows, this keeps edges simple.
  float AtOrZero(int64_t index) const { return Holds(index) ? (*this)[index] : 0.0f; }

 private:
  std::vector<float> data_;
  uint64_t mask_;
  int64_t end_ = 0;
};

}  // namespace earshot::detect::internal

#endif  // EARSHOT_DETECT_INTERNAL_SAMPLE_HISTORY_H_
