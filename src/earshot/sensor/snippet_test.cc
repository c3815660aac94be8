#include "earshot/sensor/snippet.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/audio/audio_file.h"
#include "earshot/digest/sha256.h"
#include "earshot/sensor/pulse_id.h"

namespace earshot::sensor {
namespace {

namespace fs = std::filesystem;
using ::testing::MatchesRegex;

constexpr double kRate = 12000.0;

TEST(Sha256, KnownAnswers) {
  // FIPS 180-2 appendix B.1 and the empty message.
  EXPECT_EQ(digest::Sha256Hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest::Sha256Hex(std::string_view("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(PulseId, IsAStableVersion8Uuid) {
  const std::string id = PulseIdFor("SCP-00-BNG-5567", 1'545'180'567'467'000'000);
  EXPECT_THAT(id,
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  EXPECT_EQ(id, PulseIdFor("SCP-00-BNG-5567", 1'545'180'567'467'000'000));
  EXPECT_NE(id, PulseIdFor("SCP-00-BNG-5567", 1'545'180'567'467'000'001));
  EXPECT_NE(id, PulseIdFor("SCP-00-BNG-5568", 1'545'180'567'467'000'000));
}

TEST(SnippetSpan, CoversTheWindowAroundTheOnset) {
  const SampleSpan span = SnippetSpan(50'000.7, kRate, {.before_s = 1.0, .after_s = 2.0});
  EXPECT_EQ(span.first, 38'000);
  EXPECT_EQ(span.end(), 74'000);
  // Clipped at the start of the stream.
  const SampleSpan early = SnippetSpan(3'000.0, kRate, {.before_s = 1.0, .after_s = 2.0});
  EXPECT_EQ(early.first, 0);
  EXPECT_EQ(early.count, 27'000);
}

class SnippetFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("earshot_snippet_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  fs::path directory_;
};

TEST_F(SnippetFileTest, HoldsTheSourceSamplesExactlyAndItsDigestMatchesTheFile) {
  // 16-bit samples, as every capture delivers them: they must survive exactly.
  std::mt19937 random(7);
  std::uniform_int_distribution<int> pcm(-32768, 32767);
  std::vector<float> stream(5 * 12000);
  for (float& x : stream) x = static_cast<float>(pcm(random)) / 32768.0f;
  RingBuffer ring(4 * 12000);  // the first second has already left the ring
  for (size_t i = 0; i < stream.size(); i += 1000) {
    ring.Append(std::span(stream).subspan(i, 1000));
  }
  const SampleSpan span{20'000, 36'000};
  const std::string path = (directory_ / "s.flac").string();
  auto snippet = WriteSnippet(ring, span, kRate, path);
  ASSERT_TRUE(snippet.has_value()) << snippet.error().ToString();

  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(snippet->sha256, digest::Sha256Hex(std::string_view(bytes)));
  EXPECT_EQ(snippet->bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(bytes.substr(0, 4), "fLaC");

  auto clip = audio::ReadAudioFile(path);
  ASSERT_TRUE(clip.has_value()) << clip.error().ToString();
  EXPECT_EQ(clip->sample_rate_hz, kRate);
  const std::vector<float> expected(stream.begin() + 20'000, stream.begin() + 56'000);
  EXPECT_EQ(clip->samples, expected);
  EXPECT_TRUE(snippet->gaps.empty());
}

TEST_F(SnippetFileTest, ListsTheGapsInsideIt) {
  RingBuffer ring(12000);
  ring.Append(std::vector<float>(1000, 0.25f));
  ring.AppendGap(500);
  ring.Append(std::vector<float>(1000, -0.25f));
  auto snippet = WriteSnippet(ring, {800, 1000}, kRate, (directory_ / "g.flac").string());
  ASSERT_TRUE(snippet.has_value());
  ASSERT_EQ(snippet->gaps.size(), 1u);
  EXPECT_EQ(snippet->gaps[0].first_sample, 1000);
  EXPECT_EQ(snippet->gaps[0].samples, 500);
  auto clip = audio::ReadAudioFile((directory_ / "g.flac").string());
  ASSERT_TRUE(clip.has_value());
  EXPECT_EQ(clip->samples[199], 0.25f);
  EXPECT_EQ(clip->samples[200], 0.0f);
  EXPECT_EQ(clip->samples[700], -0.25f);
}

TEST_F(SnippetFileTest, FailsWhenTheAudioHasLeftTheRing) {
  RingBuffer ring(1000);
  ring.Append(std::vector<float>(5000, 0.1f));
  auto snippet = WriteSnippet(ring, {3000, 1500}, kRate, (directory_ / "late.flac").string());
  ASSERT_FALSE(snippet.has_value());
  EXPECT_THAT(snippet.error().ToString(), ::testing::HasSubstr("already overwritten"));
  EXPECT_FALSE(fs::exists(directory_ / "late.flac"));
}

}  // namespace
}  // namespace earshot::sensor
