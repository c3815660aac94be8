#include "earshot/sensor/stream_clock.h"

#include <algorithm>
#include <cmath>

#include "earshot/core/error.h"

namespace earshot::sensor {

StreamClock::StreamClock(double sample_rate_hz, int64_t first_sample_ns)
    : sample_rate_hz_(sample_rate_hz) {
  EARSHOT_CHECK(sample_rate_hz > 0.0);
  anchors_.push_back({0, first_sample_ns});
}

int64_t StreamClock::TimeOfSampleNs(double index) const {
  // The latest anchor at or before `index`; the first one for indices before it.
  auto after = std::upper_bound(anchors_.begin(), anchors_.end(), index,
                                [](double i, const Anchor& a) { return i < a.index; });
  const Anchor& anchor = after == anchors_.begin() ? anchors_.front() : *std::prev(after);
  const double offset_s = (index - static_cast<double>(anchor.index)) / sample_rate_hz_;
  return anchor.time_ns + std::llround(offset_s * 1e9);
}

int64_t StreamClock::Observe(int64_t index, int64_t time_ns) {
  EARSHOT_CHECK(index >= anchors_.back().index);
  const int64_t departure_ns = time_ns - TimeOfSampleNs(static_cast<double>(index));
  if (std::llabs(departure_ns) > kToleranceNs) {
    if (anchors_.back().index == index) anchors_.pop_back();
    anchors_.push_back({index, time_ns});
  }
  return departure_ns;
}

void StreamClock::ForgetBefore(int64_t index) {
  while (anchors_.size() >= 2 && anchors_[1].index <= index) anchors_.pop_front();
}

}  // namespace earshot::sensor
