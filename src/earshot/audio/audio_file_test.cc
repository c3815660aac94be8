#include "earshot/audio/audio_file.h"

#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::audio {
namespace {

using ::testing::HasSubstr;

// A folder of its own per test: ctest runs the tests of this binary in parallel.
class AudioFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("earshot_audio_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

// Samples on the 16-bit grid, so that they survive the round trip exactly.
AudioClip QuantizedSine(int n, double sample_rate_hz) {
  AudioClip clip;
  clip.sample_rate_hz = sample_rate_hz;
  for (int i = 0; i < n; ++i) {
    const double x = 0.8 * std::sin(2 * std::numbers::pi * 440.0 * i / sample_rate_hz);
    clip.samples.push_back(static_cast<float>(std::round(x * 32768.0) / 32768.0));
  }
  return clip;
}

void WriteStereo(const std::string& path) {
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr);
  const short frames[] = {100, -100, 200, -200, 300, -300};
  ASSERT_EQ(sf_writef_short(file, frames, 3), 3);
  sf_close(file);
}

TEST_F(AudioFileTest, WavRoundTripIsExactOnThe16BitGrid) {
  const AudioClip clip = QuantizedSine(12000, 12000.0);
  ASSERT_TRUE(WriteAudioFile(Path("a.wav"), clip).has_value());
  const auto read = ReadAudioFile(Path("a.wav"));
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->sample_rate_hz, 12000.0);
  EXPECT_EQ(read->bits_per_sample, 16);
  EXPECT_EQ(read->samples, clip.samples);
}

TEST_F(AudioFileTest, FlacRoundTripIsExactOnThe16BitGrid) {
  const AudioClip clip = QuantizedSine(4800, 48000.0);
  ASSERT_TRUE(WriteAudioFile(Path("a.flac"), clip).has_value());
  SF_INFO info{};
  SNDFILE* file = sf_open(Path("a.flac").c_str(), SFM_READ, &info);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_FLAC);
  sf_close(file);
  const auto read = ReadAudioFile(Path("a.flac"));
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->sample_rate_hz, 48000.0);
  EXPECT_EQ(read->bits_per_sample, 16);
  EXPECT_EQ(read->samples, clip.samples);
}

TEST_F(AudioFileTest, WritingClipsAtFullScale) {
  AudioClip clip;
  clip.sample_rate_hz = 8000;
  clip.samples = {1.5f, -1.5f, 1.0f, -1.0f};
  ASSERT_TRUE(WriteAudioFile(Path("clip.wav"), clip).has_value());
  const auto read = ReadAudioFile(Path("clip.wav"));
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  const std::vector<float> expected = {32767.0f / 32768, -1.0f, 32767.0f / 32768, -1.0f};
  EXPECT_EQ(read->samples, expected);
}

TEST_F(AudioFileTest, WritingRefusesAFractionalRateAndNaN) {
  AudioClip clip = QuantizedSine(10, 8000.0);
  clip.sample_rate_hz = 8000.5;
  const auto fractional = WriteAudioFile(Path("r.wav"), clip);
  ASSERT_FALSE(fractional.has_value());
  EXPECT_THAT(fractional.error().ToString(), HasSubstr("whole number of hertz"));
  clip.sample_rate_hz = 8000;
  clip.samples[3] = std::nanf("");
  const auto nan = WriteAudioFile(Path("n.wav"), clip);
  ASSERT_FALSE(nan.has_value());
  EXPECT_EQ(nan.error().where, "sample 3");
}

TEST_F(AudioFileTest, RefusesAMissingFile) {
  const auto read = ReadAudioFile(Path("nowhere.wav"));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().source, Path("nowhere.wav"));
  EXPECT_THAT(read.error().message, HasSubstr("no such file"));
}

TEST_F(AudioFileTest, RefusesAFileThatIsNotAudioWithLibsndfilesReason) {
  std::ofstream(Path("text.wav")) << "this is not a recording\n";
  const auto read = ReadAudioFile(Path("text.wav"));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().source, Path("text.wav"));
  EXPECT_THAT(read.error().message, HasSubstr("not an audio file"));
  EXPECT_THAT(read.error().message, HasSubstr("Format not recognised"));
}

TEST_F(AudioFileTest, RefusesATruncatedWav) {
  ASSERT_TRUE(WriteAudioFile(Path("cut.wav"), QuantizedSine(1000, 8000.0)).has_value());
  // A canonical 16-bit mono WAV is a 44-byte header and 2 bytes a frame: keep 600 frames.
  std::filesystem::resize_file(Path("cut.wav"), 44 + 2 * 600);
  const auto read = ReadAudioFile(Path("cut.wav"));
  ASSERT_FALSE(read.has_value());
  EXPECT_THAT(read.error().message, HasSubstr("truncated: 600 of 1000 frames"));
  // Only the header left: still truncated, not "empty".
  std::filesystem::resize_file(Path("cut.wav"), 44);
  const auto header_only = ReadAudioFile(Path("cut.wav"));
  ASSERT_FALSE(header_only.has_value());
  EXPECT_THAT(header_only.error().message, HasSubstr("truncated: 0 of 1000 frames"));
}

TEST_F(AudioFileTest, RefusesATruncatedFlac) {
  ASSERT_TRUE(WriteAudioFile(Path("cut.flac"), QuantizedSine(48000, 48000.0)).has_value());
  std::filesystem::resize_file(Path("cut.flac"), std::filesystem::file_size(Path("cut.flac")) / 2);
  const auto read = ReadAudioFile(Path("cut.flac"));
  ASSERT_FALSE(read.has_value());
  EXPECT_THAT(read.error().message, HasSubstr("truncated"));
}

TEST_F(AudioFileTest, RefusesAnEmptyRecording) {
  AudioClip empty;
  empty.sample_rate_hz = 8000;
  ASSERT_TRUE(WriteAudioFile(Path("empty.wav"), empty).has_value());
  const auto read = ReadAudioFile(Path("empty.wav"));
  ASSERT_FALSE(read.has_value());
  EXPECT_THAT(read.error().message, HasSubstr("no samples"));
}

TEST_F(AudioFileTest, RefusesStereoUnlessAChannelIsChosen) {
  WriteStereo(Path("stereo.wav"));
  const auto mixed = ReadAudioFile(Path("stereo.wav"));
  ASSERT_FALSE(mixed.has_value());
  EXPECT_THAT(mixed.error().message, HasSubstr("expected a mono recording, got 2 channels"));

  const auto right = ReadAudioFile(Path("stereo.wav"), {.channel = 1});
  ASSERT_TRUE(right.has_value()) << right.error().ToString();
  const std::vector<float> expected = {-100.0f / 32768, -200.0f / 32768, -300.0f / 32768};
  EXPECT_EQ(right->samples, expected);

  const auto third = ReadAudioFile(Path("stereo.wav"), {.channel = 2});
  ASSERT_FALSE(third.has_value());
  EXPECT_THAT(third.error().message, HasSubstr("channel 2 asked for, but the file has 2"));
}

}  // namespace
}  // namespace earshot::audio
