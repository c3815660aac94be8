// Maps stream sample indices to UTC time, as the audio source says it should.
//
// The detector assumes one straight line: sample k is at t0 + k / fs. A real stream does
// not keep to it. A framed stream states the time of every frame; an ALSA clock drifts
// against UTC and is re-anchored. The clock keeps an anchor (stream index, UTC ns)
// wherever the source's time departs from the line through the previous anchor, and
// times a sample from the latest anchor at or before it. So a gap, a late frame or a
// re-anchored sound card moves the times that follow, and only those.
//
// Anchors older than the oldest sample anyone may still ask about are forgotten
// (ForgetBefore), so the clock's memory is bounded by the ring's retention.
//
//   StreamClock clock(12000.0, t0_ns);
//   clock.Observe(block.first_sample, block.first_sample_ns);  // per block
//   int64_t onset_ns = clock.TimeOfSampleNs(pulse.onset_sample);
#ifndef EARSHOT_SENSOR_STREAM_CLOCK_H_
#define EARSHOT_SENSOR_STREAM_CLOCK_H_

#include <cstddef>
#include <cstdint>
#include <deque>

namespace earshot::sensor {

class StreamClock {
 public:
  // Sample 0 of the stream is at `first_sample_ns`. `sample_rate_hz` > 0.
  StreamClock(double sample_rate_hz, int64_t first_sample_ns);

  // The source says sample `index` (>= every index observed before) is at `time_ns`. Kept
  // as a new anchor when it departs from the current line by more than the tolerance.
  // Returns the departure, ns (source time minus the time the line predicted).
  int64_t Observe(int64_t index, int64_t time_ns);

  // UTC time of (fractional) stream sample `index`.
  int64_t TimeOfSampleNs(double index) const;

  // Drops anchors that no sample at or after `index` needs.
  void ForgetBefore(int64_t index);

  size_t anchors() const { return anchors_.size(); }

  // Departures up to this are rounding, not news: a microsecond is far below the ~10 µs
  // of GPS timing and the ~100 µs of one 12 kHz sample.
  static constexpr int64_t kToleranceNs = 1'000;

 private:
  struct Anchor {
    int64_t index;
    int64_t time_ns;
  };
  double sample_rate_hz_;
  std::deque<Anchor> anchors_;  // increasing index; never empty
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_STREAM_CLOCK_H_
