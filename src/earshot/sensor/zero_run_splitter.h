// Finds dropouts in a stream: runs of exactly-zero samples at least `min_run_samples` long
// (DetectorOptions::dropout_min_s). A microphone's noise is never exactly zero for 50 ms,
// so such a run is audio the recorder never had (a link that zero-fills what it lost, the
// live-fire files' padding outside the stretch the vendor kept). It must reach the
// detector and the ring as a gap, not as silence: else the step from "silence" to sound
// looks like an impulse, and the noise floor learns from samples that were never heard.
// detect/recording.cc does the same for whole files; this works block by block.
//
// Zeros are held back (as a count, not as samples) until their run ends, so the output
// lags the input by at most the current run of zeros, and memory stays constant.
//
//   ZeroRunSplitter splitter(600);      // 50 ms at 12 kHz
//   splitter.Feed(block, sink);         // sink.Sound(span) / sink.Dropout(n), in order
//   splitter.Flush(sink);               // end of the stream, or a gap the source reports
#ifndef EARSHOT_SENSOR_ZERO_RUN_SPLITTER_H_
#define EARSHOT_SENSOR_ZERO_RUN_SPLITTER_H_

#include <cstdint>
#include <span>
#include <vector>

namespace earshot::sensor {

class ZeroRunSplitter {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    // Samples that are sound (short runs of zeros included), in stream order.
    virtual void Sound(std::span<const float> samples) = 0;
    // A run of `samples` exact zeros long enough to be a dropout.
    virtual void Dropout(int64_t samples) = 0;
  };

  // `min_run_samples` >= 1.
  explicit ZeroRunSplitter(int64_t min_run_samples);

  // Splits the next samples of the stream.
  void Feed(std::span<const float> samples, Sink& sink);
  // The stream ends or breaks here: zeros held back end their run.
  void Flush(Sink& sink);

  // Zeros held back, not yet given to the sink.
  int64_t held_samples() const { return held_; }

 private:
  void EndHeldRun(Sink& sink);
  void SoundZeros(int64_t count, Sink& sink);

  int64_t min_run_;
  int64_t held_ = 0;          // zeros at the end of the input so far, not yet given out
  std::vector<float> zeros_;  // a fixed block of zeros to give out held zeros from
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_ZERO_RUN_SPLITTER_H_
