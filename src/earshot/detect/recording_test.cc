#include "earshot/detect/recording.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/audio/audio_file.h"
#include "earshot/core/time.h"

namespace earshot::detect {
namespace {

using ::testing::HasSubstr;

constexpr double kRateHz = 12000.0;
constexpr const char* kFirstSample = "2018-12-19T00:49:26.000Z";

// A synthetic sensor recording: quiet noise, clicks at known samples, a dropout.
struct Scene {
  int total_samples = 48000;                 // 4 s
  std::vector<int> click_samples = {18000,   // 1.5 s
                                    39000};  // 3.25 s, after the dropout
  int dropout_first = 24000;                 // 2.0 s ..
  int dropout_samples = 6000;                // .. 2.5 s of exact zeros
  int short_zero_first = 9000;               // 10 ms of zeros: too short to be a dropout
  int short_zero_samples = 120;
};

audio::AudioClip Render(const Scene& scene) {
  audio::AudioClip clip;
  clip.sample_rate_hz = kRateHz;
  clip.samples.resize(scene.total_samples);
  std::mt19937 random(3);
  // Uniform noise never reaches the trigger: its peak power is 4.8 dB over its mean.
  std::uniform_real_distribution<float> noise(-2e-3f, 2e-3f);
  for (float& x : clip.samples) x = noise(random);
  // A gunshot-like click: sharp rise, decaying 1 kHz ring over ~10 ms.
  for (int onset : scene.click_samples) {
    for (int k = 0; k < 600 && onset + k < scene.total_samples; ++k) {
      clip.samples[onset + k] += static_cast<float>(
          0.8 * std::exp(-k / 40.0) * std::cos(2 * std::numbers::pi * 1000.0 * k / kRateHz));
    }
  }
  std::fill_n(clip.samples.begin() + scene.dropout_first, scene.dropout_samples, 0.0f);
  std::fill_n(clip.samples.begin() + scene.short_zero_first, scene.short_zero_samples, 0.0f);
  return clip;
}

class RecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("earshot_recording_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes the scene as `name`.wav and, unless `sidecar` is empty, its sidecar.
  std::string Write(const std::string& name, const std::string& sidecar,
                    const Scene& scene = Scene{}) {
    const std::string wav = (dir_ / (name + ".wav")).string();
    EXPECT_TRUE(audio::WriteAudioFile(wav, Render(scene)).has_value());
    if (!sidecar.empty()) std::ofstream(dir_ / (name + ".json")) << sidecar;
    return wav;
  }

  static std::string Sidecar(const std::string& extra = "") {
    return std::string(R"({"serial_number": "SCP-TEST-1", "timestamp": ")") + kFirstSample +
           R"(", "location": {"x": 100.5, "y": -20.25, "z": 3.0})" + extra + "}";
  }

  std::filesystem::path dir_;
};

int64_t TimeOfSample(double sample) {
  return *ParseIsoUtc(kFirstSample) + std::llround(sample * 1e9 / kRateHz);
}

const Pulse* NearestPulse(const RecordingDetection& detection, int64_t time_ns) {
  const Pulse* nearest = nullptr;
  for (const Pulse& pulse : detection.pulses) {
    if (nearest == nullptr ||
        std::llabs(pulse.onset_ns - time_ns) < std::llabs(nearest->onset_ns - time_ns)) {
      nearest = &pulse;
    }
  }
  return nearest;
}

TEST_F(RecordingTest, FindsEachClickAtItsTimeAcrossADropout) {
  const Scene scene;
  const auto detection = DetectRecording(Write("s", Sidecar()), RecordingOptions{});
  ASSERT_TRUE(detection.has_value()) << detection.error().ToString();
  EXPECT_EQ(detection->sensor_id, "SCP-TEST-1");
  EXPECT_EQ(detection->sample_rate_hz, kRateHz);
  EXPECT_DOUBLE_EQ(detection->duration_s, 4.0);
  EXPECT_FALSE(detection->frame.is_geodetic());

  constexpr int64_t kToleranceNs = 2'000'000;  // 2 ms
  for (int click : scene.click_samples) {
    const int64_t expected_ns = TimeOfSample(click);
    const Pulse* pulse = NearestPulse(*detection, expected_ns);
    ASSERT_NE(pulse, nullptr);
    EXPECT_LE(std::llabs(pulse->onset_ns - expected_ns), kToleranceNs)
        << "click at sample " << click << " found at " << FormatIsoUtc(pulse->onset_ns);
    EXPECT_EQ(pulse->id, "SCP-TEST-1-" + std::to_string(pulse->onset_ns));
    EXPECT_EQ(pulse->sensor_id, "SCP-TEST-1");
    EXPECT_EQ(pulse->sensor_position_m, Eigen::Vector3d(100.5, -20.25, 3.0));
    EXPECT_GT(pulse->onset_sigma_s, 0.0);
    EXPECT_GT(pulse->snr_db, 12.0);
    EXPECT_EQ(pulse->features.size(), kFeatureNames.size());
    EXPECT_TRUE(pulse->features.contains("rise_time_s"));
  }
}

TEST_F(RecordingTest, RecordsALongZeroRunAsAGapAndAShortOneNot) {
  const Scene scene;
  const auto detection = DetectRecording(Write("s", Sidecar()), RecordingOptions{});
  ASSERT_TRUE(detection.has_value()) << detection.error().ToString();
  ASSERT_EQ(detection->gaps.size(), 1u);
  const Gap& gap = detection->gaps[0];
  EXPECT_EQ(gap.first_sample, scene.dropout_first);
  EXPECT_EQ(gap.missing_samples, scene.dropout_samples);
  EXPECT_EQ(gap.start_ns, TimeOfSample(scene.dropout_first));
  EXPECT_EQ(gap.end_ns, TimeOfSample(scene.dropout_first + scene.dropout_samples));
  EXPECT_EQ(gap.cause, "zero-filled samples (dropout)");
}

TEST_F(RecordingTest, ZeroFilledStartAndEndAreGaps) {
  // As the live-fire files: zeros outside the stretch that was kept.
  audio::AudioClip clip = Render(Scene{});
  std::fill_n(clip.samples.begin(), 6000, 0.0f);
  std::fill(clip.samples.end() - 3000, clip.samples.end(), 0.0f);
  const std::string wav = (dir_ / "edges.wav").string();
  ASSERT_TRUE(audio::WriteAudioFile(wav, clip).has_value());
  std::ofstream(dir_ / "edges.json") << Sidecar();
  const auto detection = DetectRecording(wav, RecordingOptions{});
  ASSERT_TRUE(detection.has_value()) << detection.error().ToString();
  ASSERT_EQ(detection->gaps.size(), 3u);
  EXPECT_EQ(detection->gaps.front().first_sample, 0);
  EXPECT_EQ(detection->gaps.front().missing_samples, 6000);
  EXPECT_EQ(detection->gaps.back().first_sample, 45000);
  EXPECT_EQ(detection->gaps.back().missing_samples, 3000);
}

TEST_F(RecordingTest, ReplaysGiveTheSameIdsWhateverTheBlockSize) {
  const std::string wav = Write("s", Sidecar());
  RecordingOptions small;
  small.block_samples = 37;
  const auto first = DetectRecording(wav, RecordingOptions{});
  const auto second = DetectRecording(wav, small);
  ASSERT_TRUE(first.has_value() && second.has_value());
  ASSERT_EQ(first->pulses.size(), second->pulses.size());
  for (size_t i = 0; i < first->pulses.size(); ++i) {
    EXPECT_EQ(first->pulses[i].id, second->pulses[i].id);
  }
}

TEST_F(RecordingTest, UsesTheSidecarsCalibration) {
  const auto at_93 = DetectRecording(Write("a", Sidecar()), RecordingOptions{});
  const auto at_120 =
      DetectRecording(Write("b", Sidecar(R"(, "full_scale_db_spl": 120)")), RecordingOptions{});
  ASSERT_TRUE(at_93.has_value() && at_120.has_value());
  const int64_t click_ns = TimeOfSample(Scene{}.click_samples[0]);
  EXPECT_NEAR(
      NearestPulse(*at_120, click_ns)->level_db_spl - NearestPulse(*at_93, click_ns)->level_db_spl,
      27.0, 1e-6);
}

TEST_F(RecordingTest, PlacesALatLonSensorInTheGivenFrame) {
  const std::string sidecar = std::string(R"({"serial_number": "G1", "timestamp": ")") +
                              kFirstSample +
                              R"(", "location": {"lat": 40.44, "lon": -79.99, "alt_m": 250}})";
  const auto own = DetectRecording(Write("g", sidecar), RecordingOptions{});
  ASSERT_TRUE(own.has_value()) << own.error().ToString();
  ASSERT_TRUE(own->frame.is_geodetic());
  ASSERT_FALSE(own->pulses.empty());
  EXPECT_LT(own->pulses[0].sensor_position_m.norm(), 1e-6);  // its own origin

  RecordingOptions shared;
  shared.frame = LocalFrame::Geodetic(40.44, -80.0, 250);
  const auto placed = DetectRecording(Write("g", sidecar), shared);
  ASSERT_TRUE(placed.has_value()) << placed.error().ToString();
  ASSERT_FALSE(placed->pulses.empty());
  // 0.01 degree of longitude at 40.44 N is about 847 m east.
  EXPECT_NEAR(placed->pulses[0].sensor_position_m.x(), 847.0, 2.0);
  EXPECT_NEAR(placed->pulses[0].sensor_position_m.y(), 0.0, 1.0);
}

TEST_F(RecordingTest, RefusesARateThatContradictsTheSidecar) {
  const std::string wav = Write("s", Sidecar(R"(, "sample_rate_hz": 16000)"));
  const auto detection = DetectRecording(wav, RecordingOptions{});
  ASSERT_FALSE(detection.has_value());
  EXPECT_EQ(detection.error().source, wav);
  EXPECT_THAT(detection.error().message, HasSubstr("12000 Hz"));
  EXPECT_THAT(detection.error().message, HasSubstr("16000 Hz"));
}

TEST_F(RecordingTest, RefusesARateOtherThanExpected) {
  const std::string wav = Write("s", Sidecar());
  RecordingOptions options;
  options.expected_sample_rate_hz = 48000;
  const auto detection = DetectRecording(wav, options);
  ASSERT_FALSE(detection.has_value());
  EXPECT_EQ(detection.error().source, wav);
  EXPECT_THAT(detection.error().message, HasSubstr("expected 48000 Hz"));
  EXPECT_THAT(detection.error().message, HasSubstr("12000 Hz"));
  options.expected_sample_rate_hz = 12000;
  EXPECT_TRUE(DetectRecording(wav, options).has_value());
}

TEST_F(RecordingTest, RefusesARecordingWithoutSidecar) {
  const std::string wav = Write("lonely", "");
  const auto detection = DetectRecording(wav, RecordingOptions{});
  ASSERT_FALSE(detection.has_value());
  EXPECT_THAT(detection.error().message, HasSubstr("no metadata beside the recording: expected " +
                                                   (dir_ / "lonely.json").string()));
}

TEST_F(RecordingTest, RefusesAMissingRecordingAndBadOptions) {
  const auto missing = DetectRecording((dir_ / "none.wav").string(), RecordingOptions{});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("no such file"));

  RecordingOptions zero_block;
  zero_block.block_samples = 0;
  EXPECT_FALSE(DetectRecording(Write("s", Sidecar()), zero_block).has_value());
}

}  // namespace
}  // namespace earshot::detect
