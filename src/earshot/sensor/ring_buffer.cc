#include "earshot/sensor/ring_buffer.h"

#include <algorithm>
#include <string>

namespace earshot::sensor {

RingBuffer::RingBuffer(int64_t capacity_samples, int64_t first_index)
    : first_index_(first_index), end_index_(first_index) {
  EARSHOT_CHECK(capacity_samples > 0);
  samples_.assign(static_cast<size_t>(capacity_samples), 0.0f);
}

int64_t RingBuffer::begin_index() const {
  return std::max(first_index_, end_index_ - capacity_samples());
}

int64_t RingBuffer::bytes() const {
  return static_cast<int64_t>(samples_.capacity() * sizeof(float) + gaps_.size() * sizeof(GapMark));
}

size_t RingBuffer::SlotOf(int64_t index) const {
  const int64_t capacity = capacity_samples();
  return static_cast<size_t>(((index % capacity) + capacity) % capacity);
}

void RingBuffer::Append(std::span<const float> samples) {
  // Only the newest `capacity` samples of a long block can survive; skip the rest.
  const int64_t count = static_cast<int64_t>(samples.size());
  const int64_t keep = std::min(count, capacity_samples());
  const int64_t skipped = count - keep;
  int64_t index = end_index_ + skipped;
  size_t from = static_cast<size_t>(skipped);
  while (from < samples.size()) {
    const size_t slot = SlotOf(index);
    const size_t run = std::min(samples.size() - from, samples_.size() - slot);
    std::copy_n(samples.begin() + static_cast<std::ptrdiff_t>(from), run,
                samples_.begin() + static_cast<std::ptrdiff_t>(slot));
    from += run;
    index += static_cast<int64_t>(run);
  }
  end_index_ += count;
  ForgetOldGaps();
}

void RingBuffer::AppendGap(int64_t missing_samples) {
  EARSHOT_CHECK(missing_samples >= 0);
  if (missing_samples == 0) return;
  // A gap longer than the ring only needs the ring's worth of zeros.
  const int64_t zeros = std::min(missing_samples, capacity_samples());
  for (int64_t index = end_index_ + missing_samples - zeros; index < end_index_ + missing_samples;
       ++index) {
    samples_[SlotOf(index)] = 0.0f;
  }
  if (!gaps_.empty() && gaps_.back().end() == end_index_) {
    gaps_.back().samples += missing_samples;
  } else {
    gaps_.push_back({end_index_, missing_samples});
  }
  end_index_ += missing_samples;
  ForgetOldGaps();
}

void RingBuffer::ForgetOldGaps() {
  const int64_t begin = begin_index();
  while (!gaps_.empty() && gaps_.front().end() <= begin) gaps_.pop_front();
}

Result<void> RingBuffer::Read(int64_t first, std::span<float> out) const {
  const int64_t count = static_cast<int64_t>(out.size());
  const int64_t begin = begin_index();
  const auto span_text = [&] {
    return "samples [" + std::to_string(first) + ", " + std::to_string(first + count) +
           ") asked for, the ring holds [" + std::to_string(begin) + ", " +
           std::to_string(end_index_) + ")";
  };
  if (count < 0 || first < begin) {
    return Fail("ring buffer", "",
                span_text() + ": already overwritten (raw audio is kept only " +
                    std::to_string(capacity_samples()) + " samples)");
  }
  if (first + count > end_index_) {
    return Fail("ring buffer", "", span_text() + ": not recorded yet");
  }
  int64_t index = first;
  size_t to = 0;
  while (to < out.size()) {
    const size_t slot = SlotOf(index);
    const size_t run = std::min(out.size() - to, samples_.size() - slot);
    std::copy_n(samples_.begin() + static_cast<std::ptrdiff_t>(slot), run,
                out.begin() + static_cast<std::ptrdiff_t>(to));
    to += run;
    index += static_cast<int64_t>(run);
  }
  return {};
}

std::vector<GapMark> RingBuffer::GapsWithin(int64_t first, int64_t count) const {
  std::vector<GapMark> within;
  const int64_t last = first + count;
  for (const GapMark& gap : gaps_) {
    const int64_t from = std::max(first, gap.first_sample);
    const int64_t to = std::min(last, gap.end());
    if (from < to) within.push_back({from, to - from});
  }
  return within;
}

}  // namespace earshot::sensor
