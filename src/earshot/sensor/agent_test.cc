#include "earshot/sensor/agent.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/audio/audio_file.h"
#include "earshot/core/time.h"
#include "earshot/digest/sha256.h"
#include "earshot/sensor/file_source.h"
#include "earshot/sensor/framed_pcm_source.h"
#include "earshot/sensor/internal/synthetic_source.h"

namespace earshot::sensor {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr double kRate = 12000.0;
constexpr int64_t kT0 = 1'545'180'566'000'000'000;  // 2018-12-19T00:49:26Z
// The detector picks onsets to a fraction of a sample; a millisecond is ~12 samples.
constexpr int64_t kOnsetToleranceNs = 1'000'000;

struct Captured {
  std::vector<nlohmann::json> pulses;
  std::vector<bool> spooled;
  std::vector<GapReport> gaps;
  std::vector<Error> warnings;

  AgentEvents Events() {
    return {[this](const nlohmann::json& record, bool was_spooled) {
              pulses.push_back(record);
              spooled.push_back(was_spooled);
            },
            [this](const GapReport& gap) { gaps.push_back(gap); },
            [this](const Error& warning) { warnings.push_back(warning); }};
  }
};

int64_t OnsetNs(const nlohmann::json& record) {
  return ParseIsoUtc(record.at("time_utc").get<std::string>()).value();
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("earshot_agent_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    options_.sensor_id = "TEST-0001";
    options_.spool_directory = (root_ / "spool").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // A WAV of the synthetic stream with its sidecar, its first `zero_samples` zero-filled
  // (as the live-fire files are); returns the WAV's path.
  std::string WriteRecording(const internal::SyntheticStream& stream, int64_t zero_samples = 0) {
    audio::AudioClip clip;
    clip.sample_rate_hz = stream.sample_rate_hz;
    const int64_t count = std::llround(stream.duration_s * stream.sample_rate_hz);
    for (int64_t i = 0; i < count; ++i) {
      clip.samples.push_back(i < zero_samples ? 0.0f : internal::SyntheticSample(stream, i));
    }
    const std::string path = (root_ / "rec.S1.wav").string();
    EXPECT_TRUE(audio::WriteAudioFile(path, clip).has_value());
    std::ofstream((root_ / "rec.S1.json").string())
        << R"({"serial_number": "SCP-00-TEST-1", "timestamp": ")" + FormatIsoUtc(kT0, 3) +
               R"(", "location": {"x": 10.5, "y": -20.25, "z": 3.0}})";
    return path;
  }

  // Runs a file through a fresh agent whose identity comes from the sidecar.
  Result<AgentStats> RunFile(const std::string& path, Captured* captured) {
    auto source = FileSource::Open(path, {});
    EXPECT_TRUE(source.has_value()) << source.error().ToString();
    if (!source) return std::unexpected(source.error());
    AgentOptions options = options_;
    options.sensor_id = (*source)->metadata()->sensor_id;
    options.position_m = (*source)->metadata()->position;
    auto agent = SensorAgent::Create(options, (*source)->info(), captured->Events());
    EXPECT_TRUE(agent.has_value()) << agent.error().ToString();
    if (!agent) return std::unexpected(agent.error());
    return RunAgent(**source, **agent);
  }

  fs::path root_;
  AgentOptions options_;
};

TEST_F(AgentTest, AFileWithTwoClicksGivesTwoSpooledPulsesWithSnippets) {
  internal::SyntheticStream stream{.duration_s = 10.0, .first_click_s = 3.0, .click_every_s = 3.5};
  const std::vector<int64_t> clicks = internal::SyntheticClickSamples(stream);
  ASSERT_EQ(clicks.size(), 2u);  // at 3.0 s and 6.5 s
  Captured captured;
  auto stats = RunFile(WriteRecording(stream), &captured);
  ASSERT_TRUE(stats.has_value()) << stats.error().ToString();

  ASSERT_EQ(captured.pulses.size(), 2u);
  EXPECT_EQ(stats->pulses_detected, 2);
  EXPECT_EQ(stats->pulses_spooled, 2);
  EXPECT_EQ(stats->snippets_missing, 0);
  EXPECT_EQ(stats->samples_received, 120'000);
  EXPECT_TRUE(captured.gaps.empty());
  auto listing = Spool::Open(options_.spool_directory)->List();
  ASSERT_TRUE(listing.has_value());
  ASSERT_EQ(listing->pending.size(), 2u);

  for (size_t i = 0; i < 2; ++i) {
    const nlohmann::json& record = captured.pulses[i];
    SCOPED_TRACE(record.dump());
    EXPECT_TRUE(captured.spooled[i]);
    EXPECT_EQ(record["sensor"], "SCP-00-TEST-1");
    EXPECT_EQ(record["sensor_position"]["x_m"], 10.5);
    const int64_t truth_ns = kT0 + std::llround(static_cast<double>(clicks[i]) / kRate * 1e9);
    EXPECT_NEAR(static_cast<double>(OnsetNs(record)), static_cast<double>(truth_ns),
                kOnsetToleranceNs);
    EXPECT_EQ(listing->pending[i].pulse_id, record["pulse_id"]);

    // The snippet: 1 s before to 2 s after the onset, exactly the recording's samples.
    const nlohmann::json& snippet = record.at("snippet");
    EXPECT_EQ(snippet["samples"], 36'000);
    EXPECT_EQ(snippet["sample_rate_hz"], kRate);
    const std::string snippet_path =
        options_.spool_directory + "/" + snippet["file"].get<std::string>();
    EXPECT_EQ(listing->pending[i].snippet_path, snippet_path);
    EXPECT_EQ(digest::Sha256OfFile(snippet_path).value(), snippet["sha256"]);
    auto clip = audio::ReadAudioFile(snippet_path);
    ASSERT_TRUE(clip.has_value());
    const int64_t start_ns = ParseIsoUtc(snippet["start_utc"].get<std::string>()).value();
    const int64_t first = std::llround(static_cast<double>(start_ns - kT0) * kRate / 1e9);
    ASSERT_EQ(clip->samples.size(), 36'000u);
    for (size_t k = 0; k < clip->samples.size(); k += 97) {
      ASSERT_EQ(clip->samples[k],
                internal::SyntheticSample(stream, first + static_cast<int64_t>(k)))
          << "sample " << k;
    }
    const double onset_offset_s = snippet["onset_offset_s"].get<double>();
    EXPECT_NEAR(onset_offset_s, 1.0, 1.0 / kRate);
  }
}

TEST_F(AgentTest, ReplayingTheSameAudioSpoolsNothingTwice) {
  internal::SyntheticStream stream{.duration_s = 10.0, .first_click_s = 3.0, .click_every_s = 3.5};
  const std::string path = WriteRecording(stream);
  Captured first;
  ASSERT_TRUE(RunFile(path, &first).has_value());
  ASSERT_EQ(first.pulses.size(), 2u);

  Captured again;
  auto stats = RunFile(path, &again);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->pulses_spooled, 0);
  EXPECT_EQ(stats->pulses_already_spooled, 2);
  ASSERT_EQ(again.pulses.size(), 2u);
  EXPECT_EQ(again.pulses[0], first.pulses[0]);  // the spooled record, ids and all
  EXPECT_EQ(Spool::Open(options_.spool_directory)->List()->pending.size(), 2u);
}

TEST_F(AgentTest, AFramedStreamWithADropoutKeepsTheTimeAfterTheGap) {
  // A sender whose sample clock runs 333 ppm slow against UTC: each 1200-sample frame
  // spans 1200.4 sample periods of UTC. Frames 40..45 (0.6 s) are lost in transit. A
  // click in frame 60 must be timed from that frame's own timestamp; the nominal line
  // from the first sample would be 1.75 ms off by then (21 sample periods).
  constexpr int kFrame = 1200;
  constexpr double kFramePeriodS = 1200.4 / kRate;
  const auto frame_ns = [&](int j) { return kT0 + std::llround(j * kFramePeriodS * 1e9); };
  internal::SyntheticStream audio{.first_click_s = 1e9};  // noise only; the click is added here
  internal::SyntheticStream click{.first_click_s = 0.0, .click_every_s = 0, .noise_amplitude = 0};
  constexpr int kClickFrame = 60;
  constexpr int kClickOffset = 100;
  std::string bytes;
  for (int j = 0; j < 90; ++j) {
    if (j >= 40 && j <= 45) continue;
    std::vector<int16_t> samples(kFrame);
    for (int k = 0; k < kFrame; ++k) {
      float x = internal::SyntheticSample(audio, j * kFrame + k);
      const int since_click = (j - kClickFrame) * kFrame + k - kClickOffset;
      if (since_click >= 0) x += internal::SyntheticSample(click, since_click);
      samples[static_cast<size_t>(k)] = static_cast<int16_t>(std::lround(x * 32768.0f));
    }
    bytes += FramedPcmSource::EncodeFrame(frame_ns(j), samples);
  }
  std::istringstream in(bytes);
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  Captured captured;
  auto agent = SensorAgent::Create(options_, (*source)->info(), captured.Events());
  ASSERT_TRUE(agent.has_value()) << agent.error().ToString();
  auto stats = RunAgent(**source, **agent);
  ASSERT_TRUE(stats.has_value());

  ASSERT_EQ(captured.gaps.size(), 1u);
  const GapReport& gap = captured.gaps[0];
  EXPECT_EQ(gap.first_sample, 40 * kFrame);
  EXPECT_EQ(gap.missing_samples, 7203);  // 7 x 1200.4 - 1200 = 7202.8 sample periods
  EXPECT_EQ(gap.end_ns, frame_ns(46));
  // The first lost sample is where frame 39 ended, timed from frame 39's own header.
  EXPECT_NEAR(static_cast<double>(gap.start_ns),
              static_cast<double>(frame_ns(39) + std::llround(kFrame / kRate * 1e9)), 1.0);
  EXPECT_THAT(gap.cause, HasSubstr("framed stream: no audio for 600.2"));

  ASSERT_EQ(captured.pulses.size(), 1u);
  const int64_t truth_ns = frame_ns(kClickFrame) + std::llround(kClickOffset / kRate * 1e9);
  constexpr int64_t kSharpToleranceNs = 200'000;  // well under the 1.75 ms a wrong clock gives
  EXPECT_NEAR(static_cast<double>(OnsetNs(captured.pulses[0])), static_cast<double>(truth_ns),
              kSharpToleranceNs);
  // The snippet reaches back across the gap: its zeros there are marked as lost audio.
  const nlohmann::json& snippet = captured.pulses[0].at("snippet");
  EXPECT_EQ(snippet["samples"], 36'000);
  EXPECT_EQ(stats->gaps, 1);
  EXPECT_EQ(stats->samples_missing, 7203);
  EXPECT_TRUE(captured.warnings.empty());
}

TEST_F(AgentTest, ZeroFilledAudioIsADropoutNotSilence) {
  // The first second is exact zeros, as in the live-fire files: a gap, and no pulse where
  // the sound starts; the snippet of the click at 1.5 s marks its first half second lost.
  internal::SyntheticStream stream{.duration_s = 5.0, .first_click_s = 1.5, .click_every_s = 2.0};
  Captured captured;
  auto stats = RunFile(WriteRecording(stream, /*zero_samples=*/12'000), &captured);
  ASSERT_TRUE(stats.has_value());
  ASSERT_EQ(captured.gaps.size(), 1u);
  EXPECT_EQ(captured.gaps[0].first_sample, 0);
  EXPECT_EQ(captured.gaps[0].missing_samples, 12'000);
  EXPECT_EQ(captured.gaps[0].start_ns, kT0);
  EXPECT_EQ(captured.gaps[0].end_ns, kT0 + 1'000'000'000);
  EXPECT_EQ(captured.gaps[0].cause, "zero-filled samples (dropout)");
  ASSERT_EQ(captured.pulses.size(), 2u);  // at 1.5 s and 3.5 s
  const nlohmann::json& gaps = captured.pulses[0]["snippet"]["gaps"];
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0]["offset_samples"], 0);
  EXPECT_NEAR(gaps[0]["samples"].get<double>(), 6'000, 2);  // 0.5 s .. 1.0 s
  EXPECT_TRUE(captured.pulses[1]["snippet"]["gaps"].empty());
}

TEST_F(AgentTest, AFullSpoolRefusesLoudlyButThePulsesStillComeOut) {
  options_.spool.max_bytes = 1000;  // no room for a snippet
  internal::SyntheticStream stream{.duration_s = 10.0, .first_click_s = 3.0, .click_every_s = 3.5};
  internal::SyntheticSource source(stream);
  Captured captured;
  auto agent = SensorAgent::Create(options_, source.info(), captured.Events());
  ASSERT_TRUE(agent.has_value());
  auto stats = RunAgent(source, **agent);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->pulses_not_spooled, 2);
  ASSERT_EQ(captured.pulses.size(), 2u);
  EXPECT_FALSE(captured.spooled[0]);
  EXPECT_FALSE(captured.pulses[0].contains("snippet"));
  ASSERT_EQ(captured.warnings.size(), 2u);
  EXPECT_THAT(captured.warnings[0].ToString(), HasSubstr("spool full"));
  EXPECT_TRUE(Spool::Open(options_.spool_directory)->List()->pending.empty());
  // No temporary snippet is left behind.
  for (const auto& entry : fs::directory_iterator(options_.spool_directory)) {
    EXPECT_EQ(entry.path().filename(), ".lock");
  }
}

TEST_F(AgentTest, MemoryIsBoundedWhateverTheStreamLength) {
  internal::SyntheticStream stream{.duration_s = 120.0, .click_every_s = 2.0};
  internal::SyntheticSource source(stream);
  Captured captured;
  auto agent = SensorAgent::Create(options_, source.info(), captured.Events());
  ASSERT_TRUE(agent.has_value());
  auto stats = RunAgent(source, **agent);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->pulses_spooled, 60);
  EXPECT_EQ(stats->ring_bytes_peak, static_cast<int64_t>(10 * kRate * sizeof(float)));
  EXPECT_LE(stats->pending_pulses_peak, 2u);  // a pulse waits 2 s; clicks come every 2 s
  EXPECT_EQ(stats->clock_anchors_peak, 1u);
}

TEST_F(AgentTest, OptionsAreCheckedAtTheEdge) {
  AgentOptions options = options_;
  options.ring_s = 3.0;  // the window alone is 3 s: no room for the detector's delay
  auto short_ring = options.Validate();
  ASSERT_FALSE(short_ring.has_value());
  EXPECT_THAT(short_ring.error().ToString(),
              HasSubstr("config:ring: expected a ring of 3.5 s to 60 s"));
  options.ring_s = 600.0;
  EXPECT_FALSE(options.Validate().has_value());  // ten minutes of raw audio is a recording
  options = options_;
  options.sensor_id = "has space";
  EXPECT_THAT(options.Validate().error().ToString(), HasSubstr("sensor id"));
  options = options_;
  options.snippet.after_s = 0.0;
  EXPECT_FALSE(options.Validate().has_value());
}

TEST_F(AgentTest, AMissingSidecarIsAnError) {
  internal::SyntheticStream stream{.duration_s = 1.0};
  const std::string path = WriteRecording(stream);
  fs::remove(root_ / "rec.S1.json");
  auto source = FileSource::Open(path, {});
  ASSERT_FALSE(source.has_value());
  EXPECT_THAT(source.error().ToString(), HasSubstr("rec.S1.json"));
  EXPECT_TRUE(FileSource::Open(path, {.first_sample_ns = kT0}).has_value());
}

}  // namespace
}  // namespace earshot::sensor
