#include "earshot/sensor/alsa_source.h"

#include <alsa/asoundlib.h>

#include <cerrno>
#include <cmath>
#include <ctime>
#include <utility>

#include "earshot/sensor/pcm_stream_source.h"

namespace earshot::sensor {
namespace {

int64_t RealtimeNowNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::string Milliseconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.3f ms", seconds * 1e3);
  return text;
}

// Sets the hardware parameters: interleaved S16_LE mono at exactly the asked rate.
Result<int64_t> Configure(snd_pcm_t* pcm, const std::string& name, const AlsaOptions& options) {
  snd_pcm_hw_params_t* hw = nullptr;
  snd_pcm_hw_params_alloca(&hw);
  const auto fail = [&](const char* what, int code) {
    return Fail(name, what, std::string("the device refused it: ") + snd_strerror(code));
  };
  int code = snd_pcm_hw_params_any(pcm, hw);
  if (code < 0) return fail("hardware parameters", code);
  if ((code = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) {
    return fail("access", code);
  }
  if ((code = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0) {
    return fail("format S16_LE (try a plughw: device)", code);
  }
  if ((code = snd_pcm_hw_params_set_channels(pcm, hw, 1)) < 0) {
    return fail("channels 1 (try a plughw: device)", code);
  }
  const auto rate = static_cast<unsigned int>(options.sample_rate_hz);
  if ((code = snd_pcm_hw_params_set_rate(pcm, hw, rate, 0)) < 0) {
    return fail(("rate " + std::to_string(rate) + " Hz (try a plughw: device)").c_str(), code);
  }
  auto buffer_us = static_cast<unsigned int>(options.buffer_s * 1e6);
  auto period_us = static_cast<unsigned int>(options.period_s * 1e6);
  int direction = 0;
  if ((code = snd_pcm_hw_params_set_buffer_time_near(pcm, hw, &buffer_us, &direction)) < 0) {
    return fail("buffer time", code);
  }
  if ((code = snd_pcm_hw_params_set_period_time_near(pcm, hw, &period_us, &direction)) < 0) {
    return fail("period time", code);
  }
  if ((code = snd_pcm_hw_params(pcm, hw)) < 0) return fail("hardware parameters", code);
  snd_pcm_uframes_t period_frames = 0;
  snd_pcm_hw_params_get_period_size(hw, &period_frames, &direction);
  if (period_frames == 0) return Fail(name, "period", "the device reports an empty period");
  return static_cast<int64_t>(period_frames);
}

}  // namespace

AlsaSource::AlsaSource(snd_pcm_t* pcm, StreamInfo info, const AlsaOptions& options,
                       int64_t period_frames)
    : pcm_(pcm), info_(std::move(info)), options_(options), period_frames_(period_frames) {
  pcm16_.resize(static_cast<size_t>(period_frames));
}

AlsaSource::~AlsaSource() {
  snd_pcm_drop(pcm_);
  snd_pcm_close(pcm_);
}

Result<std::unique_ptr<AlsaSource>> AlsaSource::Open(const AlsaOptions& options) {
  const std::string name = "alsa:" + options.device;
  if (auto rate = CheckSampleRate(name, options.sample_rate_hz); !rate) {
    return std::unexpected(rate.error());
  }
  if (!(options.period_s > 0.0 && options.buffer_s >= 2 * options.period_s &&
        options.max_drift_s > 0.0)) {
    return Fail("config", "alsa",
                "expected period_s > 0, buffer_s >= 2 periods and max_drift_s > 0");
  }
  snd_pcm_t* pcm = nullptr;
  if (const int code = snd_pcm_open(&pcm, options.device.c_str(), SND_PCM_STREAM_CAPTURE, 0);
      code < 0) {
    return Fail(name, "",
                std::string("cannot open the capture device: ") + snd_strerror(code) +
                    " (list devices with 'arecord -L')");
  }
  auto period = Configure(pcm, name, options);
  if (!period) {
    snd_pcm_close(pcm);
    return std::unexpected(period.error());
  }
  std::unique_ptr<AlsaSource> source(
      new AlsaSource(pcm, StreamInfo{name, options.sample_rate_hz, 0}, options, *period));
  if (const int code = snd_pcm_start(pcm); code < 0) {
    return Fail(name, "start", std::string("cannot start the capture: ") + snd_strerror(code));
  }
  // The first block fixes the stream's time. A device that keeps being interrupted or
  // overrun before delivering anything is as good as absent.
  constexpr int kMaxEmptyReads = 100;
  for (int attempt = 0;; ++attempt) {
    auto frames = source->ReadPeriod();
    if (!frames) return std::unexpected(frames.error());
    if (*frames == 0) {
      if (attempt >= kMaxEmptyReads) {
        return Fail(name, "start", "the device delivered no audio in 100 reads");
      }
      continue;
    }
    const int64_t measured_ns = source->MeasureFirstSampleNs(*frames);
    source->info_.first_sample_ns = measured_ns;
    source->anchor_ns_ = measured_ns;
    source->overrun_ = false;
    source->first_block_ = source->MakeBlock(*frames, measured_ns);
    return source;
  }
}

Result<int64_t> AlsaSource::ReadPeriod() {
  const snd_pcm_sframes_t got =
      snd_pcm_readi(pcm_, pcm16_.data(), static_cast<snd_pcm_uframes_t>(period_frames_));
  if (got >= 0) return static_cast<int64_t>(got);
  if (got == -EINTR || got == -EAGAIN) return 0;
  if (got == -EPIPE || got == -ESTRPIPE) {
    // Overrun (or suspend): audio was lost. Restart, and size the gap by the clock later.
    const int code = snd_pcm_recover(pcm_, static_cast<int>(got), 1);
    if (code < 0) {
      return Fail(info_.name, "sample " + std::to_string(next_index_),
                  std::string("cannot recover from an overrun: ") + snd_strerror(code));
    }
    snd_pcm_start(pcm_);  // a capture may already run again after recovery; then this is a no-op
    overrun_ = true;
    return 0;
  }
  return Fail(info_.name, "sample " + std::to_string(next_index_),
              std::string("capture failed: ") + snd_strerror(static_cast<int>(got)));
}

int64_t AlsaSource::MeasureFirstSampleNs(int64_t frames) const {
  // Frames captured but not yet read are older than now by their duration; so are ours.
  snd_pcm_sframes_t waiting = 0;
  if (snd_pcm_delay(pcm_, &waiting) < 0 || waiting < 0) waiting = 0;
  const int64_t now_ns = RealtimeNowNs();
  return now_ns - std::llround(static_cast<double>(frames + waiting) * 1e9 / info_.sample_rate_hz);
}

AudioBlock AlsaSource::MakeBlock(int64_t frames, int64_t measured_ns) {
  const double fs = info_.sample_rate_hz;
  AudioBlock block;
  const int64_t nominal_ns =
      anchor_ns_ + std::llround(static_cast<double>(next_index_ - anchor_index_) * 1e9 / fs);
  const int64_t drift_ns = measured_ns - nominal_ns;
  if (overrun_) {
    block.gap_before_samples = std::max<int64_t>(0, std::llround(drift_ns * 1e-9 * fs));
    block.gap_cause = "capture overrun: the device overwrote " +
                      Milliseconds(block.gap_before_samples / fs) + " of audio";
    if (block.gap_before_samples == 0) {
      warnings_.push_back(Error{info_.name, "sample " + std::to_string(next_index_),
                                "capture overrun, but the clock shows no lost time"});
    }
  } else if (std::llabs(drift_ns) > std::llround(options_.max_drift_s * 1e9)) {
    warnings_.push_back(Error{info_.name, "sample " + std::to_string(next_index_),
                              "the sound card's clock drifted " + Milliseconds(drift_ns * 1e-9) +
                                  " from the system clock; re-anchored"});
  }
  overrun_ = false;
  block.first_sample = next_index_ + block.gap_before_samples;
  const bool reanchor = block.gap_before_samples > 0 ||
                        std::llabs(drift_ns) > std::llround(options_.max_drift_s * 1e9);
  if (reanchor) {
    anchor_index_ = block.first_sample;
    anchor_ns_ = measured_ns;
  }
  block.first_sample_ns =
      anchor_ns_ + std::llround(static_cast<double>(block.first_sample - anchor_index_) * 1e9 / fs);
  block.samples.resize(static_cast<size_t>(frames));
  for (int64_t i = 0; i < frames; ++i) {
    block.samples[static_cast<size_t>(i)] =
        static_cast<float>(pcm16_[static_cast<size_t>(i)]) / 32768.0f;
  }
  next_index_ = block.first_sample + frames;
  return block;
}

Result<std::optional<AudioBlock>> AlsaSource::Next() {
  if (first_block_) return std::exchange(first_block_, std::nullopt);
  auto frames = ReadPeriod();
  if (!frames) return std::unexpected(frames.error());
  if (*frames == 0) {
    // Interrupted (a stop request, an overrun recovered): an empty block, try again.
    AudioBlock empty;
    empty.first_sample = next_index_;
    return empty;
  }
  return MakeBlock(*frames, MeasureFirstSampleNs(*frames));
}

std::vector<Error> AlsaSource::TakeWarnings() { return std::exchange(warnings_, {}); }

}  // namespace earshot::sensor
