// Raw and framed PCM on a byte stream.
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/sensor/framed_pcm_source.h"
#include "earshot/sensor/pcm_stream_source.h"

namespace earshot::sensor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'545'180'566'000'000'000;  // 2018-12-19T00:49:26Z
constexpr double kRate = 12000.0;
constexpr int64_t kNsPerSample = 1'000'000'000 / 12'000;  // 83333.3 truncated; used for offsets

std::string Pcm16(const std::vector<int16_t>& samples) {
  std::string out;
  for (int16_t s : samples) {
    out.push_back(static_cast<char>(static_cast<uint16_t>(s) & 0xff));
    out.push_back(static_cast<char>(static_cast<uint16_t>(s) >> 8));
  }
  return out;
}

std::vector<int16_t> Ramp(int16_t first, int count) {
  std::vector<int16_t> out;
  for (int i = 0; i < count; ++i) out.push_back(static_cast<int16_t>(first + i));
  return out;
}

// Reads blocks to the end of the stream.
std::vector<AudioBlock> Drain(AudioSource& source) {
  std::vector<AudioBlock> blocks;
  for (;;) {
    auto block = source.Next();
    EXPECT_TRUE(block.has_value()) << block.error().ToString();
    if (!block || !block->has_value()) return blocks;
    blocks.push_back(std::move(**block));
  }
}

TEST(PcmStreamSource, DecodesLittleEndianSamplesAtLibsndfilesScale) {
  std::istringstream in(Pcm16({0, 1, -1, 32767, -32768}));
  auto source = PcmStreamSource::Open(in, {.sample_rate_hz = kRate, .first_sample_ns = kT0});
  ASSERT_TRUE(source.has_value());
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_THAT(blocks[0].samples,
              ElementsAre(0.0f, 1.0f / 32768, -1.0f / 32768, 32767.0f / 32768, -1.0f));
  EXPECT_EQ(blocks[0].first_sample_ns, kT0);
}

TEST(PcmStreamSource, BlocksFollowEachOtherOnTheNominalClock) {
  std::istringstream in(Pcm16(Ramp(0, 2500)));
  auto source = PcmStreamSource::Open(
      in, {.sample_rate_hz = kRate, .first_sample_ns = kT0, .block_frames = 1000});
  ASSERT_TRUE(source.has_value());
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1].first_sample, 1000);
  EXPECT_EQ(blocks[2].first_sample, 2000);
  EXPECT_EQ(blocks[2].samples.size(), 500u);  // a short read at the end is fine
  EXPECT_EQ(blocks[2].first_sample_ns, kT0 + 166'666'667);
  EXPECT_EQ(blocks[2].gap_before_samples, 0);
}

TEST(PcmStreamSource, AHalfSampleAtTheEndIsReported) {
  std::istringstream in(Pcm16({5, 6}) + std::string(1, '\x01'));
  auto source = PcmStreamSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  EXPECT_EQ(Drain(**source).at(0).samples.size(), 2u);
  const auto warnings = (*source)->TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].ToString(), HasSubstr("stdin:byte 4: the stream ended in the middle"));
}

TEST(PcmStreamSource, RefusesAnAbsurdRate) {
  std::istringstream in;
  auto source = PcmStreamSource::Open(in, {.sample_rate_hz = 12.5});
  ASSERT_FALSE(source.has_value());
  EXPECT_THAT(source.error().ToString(), HasSubstr("stdin:rate: expected a whole number of hertz"));
}

TEST(FramedPcmSource, ADropoutBecomesAGapAndTheFramesKeepTheirOwnTimes) {
  // 1200 samples (100 ms), then 50 ms lost (600 samples), then 1200 more.
  const int64_t second_ns = kT0 + 100'000'000;
  const int64_t third_ns = kT0 + 250'000'000;
  std::istringstream in(FramedPcmSource::EncodeFrame(kT0, Ramp(0, 1200)) +
                        FramedPcmSource::EncodeFrame(second_ns, Ramp(1200, 1200)) +
                        FramedPcmSource::EncodeFrame(third_ns, Ramp(3000, 1200)));
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_EQ((*source)->info().first_sample_ns, kT0);
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1].gap_before_samples, 0);
  EXPECT_EQ(blocks[1].first_sample, 1200);
  EXPECT_EQ(blocks[2].gap_before_samples, 600);
  EXPECT_THAT(blocks[2].gap_cause, HasSubstr("no audio for 50.000 ms"));
  EXPECT_EQ(blocks[2].first_sample, 3000);  // the stream index counts the lost samples
  EXPECT_EQ(blocks[2].first_sample_ns, third_ns);
  EXPECT_FLOAT_EQ(blocks[2].samples[0], 3000.0f / 32768);
  EXPECT_TRUE((*source)->TakeWarnings().empty());
}

TEST(FramedPcmSource, TimestampJitterIsNeitherAGapNorAnOverlap) {
  // Each frame departs up to 0.2 ms (2.4 samples) from where the previous one ended.
  std::istringstream in(FramedPcmSource::EncodeFrame(kT0, Ramp(0, 1200)) +
                        FramedPcmSource::EncodeFrame(kT0 + 100'000'000 + 200'000, Ramp(0, 1200)) +
                        FramedPcmSource::EncodeFrame(kT0 + 200'000'000 - 30'000, Ramp(0, 1200)));
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1].gap_before_samples, 0);
  EXPECT_EQ(blocks[2].gap_before_samples, 0);
  EXPECT_EQ(blocks[2].first_sample, 2400);
  EXPECT_EQ(blocks[2].first_sample_ns, kT0 + 200'000'000 - 30'000);
  EXPECT_TRUE((*source)->TakeWarnings().empty());
}

TEST(FramedPcmSource, ADropoutJustOverTheJitterToleranceIsAGap) {
  std::istringstream in(FramedPcmSource::EncodeFrame(kT0, Ramp(0, 1200)) +
                        FramedPcmSource::EncodeFrame(kT0 + 100'000'000 + 260'000, Ramp(0, 1200)));
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1].gap_before_samples, 3);  // 0.26 ms = 3.12 samples
  EXPECT_EQ(blocks[1].first_sample, 1203);
}

TEST(FramedPcmSource, AFrameThatGoesBackInTimeIsRefusedAndTheStreamGoesOn) {
  const std::string first = FramedPcmSource::EncodeFrame(kT0, Ramp(0, 1200));
  std::istringstream in(first +
                        FramedPcmSource::EncodeFrame(kT0 + 50'000'000, Ramp(0, 1200)) +  // overlap
                        FramedPcmSource::EncodeFrame(kT0 + 100'000'000, Ramp(7, 1200)));
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1].first_sample, 1200);
  EXPECT_EQ(blocks[1].gap_before_samples, 0);
  EXPECT_FLOAT_EQ(blocks[1].samples[0], 7.0f / 32768);
  const auto warnings = (*source)->TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].ToString(),
              HasSubstr("stdin:byte " + std::to_string(first.size()) +
                        ": frame starts at 2018-12-19T00:49:26.050000000Z, 50.000 ms before the "
                        "previous frame ended (2018-12-19T00:49:26.100000000Z): overlapping or "
                        "backwards time; frame skipped"));
}

TEST(FramedPcmSource, HeartbeatsCarryNothing) {
  std::istringstream in(FramedPcmSource::EncodeFrame(kT0 - 5, {}) +
                        FramedPcmSource::EncodeFrame(kT0, Ramp(0, 10)) +
                        FramedPcmSource::EncodeFrame(kT0 + 999, {}) +
                        FramedPcmSource::EncodeFrame(kT0 + 10 * kNsPerSample + 3, Ramp(10, 10)));
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  EXPECT_EQ((*source)->info().first_sample_ns, kT0);
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1].first_sample, 10);
}

TEST(FramedPcmSource, AnAbsurdHeaderMeansTheFramingIsLost) {
  std::string garbage = FramedPcmSource::EncodeFrame(kT0, Ramp(0, 10));
  garbage += std::string(12, '\xff');
  std::istringstream in(garbage);
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  ASSERT_TRUE((*source)->Next().has_value());
  auto lost = (*source)->Next();
  ASSERT_FALSE(lost.has_value());
  EXPECT_THAT(lost.error().ToString(),
              HasSubstr("stdin:byte 32: frame header announces 4294967295 samples, at most "
                        "120000 expected"));
}

TEST(FramedPcmSource, ATruncatedLastFrameKeepsWhatArrived) {
  std::string stream = FramedPcmSource::EncodeFrame(kT0, Ramp(0, 10));
  stream.resize(stream.size() - 7);  // 6 whole samples and half of one remain
  std::istringstream in(stream);
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_TRUE(source.has_value());
  const auto blocks = Drain(**source);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].samples.size(), 6u);
  const auto warnings = (*source)->TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].ToString(), HasSubstr("header says 10 samples, 6 arrived"));
}

TEST(FramedPcmSource, AnEmptyStreamCannotBeOpened) {
  std::istringstream in;
  auto source = FramedPcmSource::Open(in, {.sample_rate_hz = kRate});
  ASSERT_FALSE(source.has_value());
  EXPECT_THAT(source.error().ToString(), HasSubstr("the stream ended before one with samples"));
}

}  // namespace
}  // namespace earshot::sensor
