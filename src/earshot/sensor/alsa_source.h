// Live capture from an ALSA device: 16-bit mono at a stated rate.
//
// Timing: the time of the first sample is read from the system clock (CLOCK_REALTIME)
// minus the audio still waiting in the device's buffer. After that samples are timed at
// the nominal rate, checked against the system clock on every block; when the sound
// card's crystal has drifted more than `max_drift_s` from it, the stream is re-anchored to
// the clock. A deployed sensor disciplines both clocks with GPS PPS; on a plain computer
// the result is only as good as NTP (a few milliseconds).
//
// An overrun (the agent fell behind and the device overwrote audio) is recovered and
// recorded as a gap whose length comes from the clock, so that times after it stay right.
#ifndef EARSHOT_SENSOR_ALSA_SOURCE_H_
#define EARSHOT_SENSOR_ALSA_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earshot/sensor/audio_source.h"

// From <alsa/asoundlib.h>, kept out of this header.
typedef struct _snd_pcm snd_pcm_t;

namespace earshot::sensor {

struct AlsaOptions {
  std::string device = "default";  // as `arecord -L` lists them, e.g. "hw:1,0", "plughw:1"
  double sample_rate_hz = 0.0;
  double period_s = 0.05;      // one block
  double buffer_s = 0.5;       // the device's buffer: how far the agent may fall behind
  double max_drift_s = 0.002;  // re-anchor to the system clock beyond this
};

class AlsaSource final : public AudioSource {
 public:
  // Opens and starts the capture, and reads the first block to time the stream. Fails with
  // the device's name and ALSA's reason when it cannot be opened or configured.
  static Result<std::unique_ptr<AlsaSource>> Open(const AlsaOptions& options);
  ~AlsaSource() override;

  const StreamInfo& info() const override { return info_; }
  Result<std::optional<AudioBlock>> Next() override;
  std::vector<Error> TakeWarnings() override;

 private:
  AlsaSource(snd_pcm_t* pcm, StreamInfo info, const AlsaOptions& options, int64_t period_frames);
  // Reads one period. Returns the number of frames read, 0 when interrupted or recovered
  // from an overrun (sets overrun_), or an Error when the device failed.
  Result<int64_t> ReadPeriod();
  // UTC time of the first of the `frames` just read, by the system clock.
  int64_t MeasureFirstSampleNs(int64_t frames) const;
  AudioBlock MakeBlock(int64_t frames, int64_t measured_ns);

  snd_pcm_t* pcm_;
  StreamInfo info_;
  AlsaOptions options_;
  int64_t period_frames_;
  std::vector<int16_t> pcm16_;
  std::optional<AudioBlock> first_block_;
  bool overrun_ = false;
  int64_t next_index_ = 0;
  int64_t anchor_index_ = 0;  // the line the stream is timed on: sample anchor_index_
  int64_t anchor_ns_ = 0;     // is at anchor_ns_, later ones at the nominal rate
  std::vector<Error> warnings_;
};

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_ALSA_SOURCE_H_
