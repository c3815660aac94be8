#include "earshot/sensor/zero_run_splitter.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace earshot::sensor {
namespace {

// Records what the splitter gives out: "S" + samples for sound (as 0/1 digits), "D<n>" for
// a dropout; consecutive sound is joined, as the stream would be.
class Recorder : public ZeroRunSplitter::Sink {
 public:
  void Sound(std::span<const float> samples) override {
    if (log.empty() || log.back()[0] != 'S') log.push_back("S");
    for (float x : samples) log.back() += x != 0.0f ? '1' : '0';
  }
  void Dropout(int64_t samples) override {
    std::string entry = "D";  // appended, not "D" + ...: GCC 12's -Wrestrict misfires on that
    entry += std::to_string(samples);
    log.push_back(std::move(entry));
  }
  std::vector<std::string> log;
};

std::vector<float> Samples(const std::string& digits) {
  std::vector<float> out;
  for (char c : digits) out.push_back(c == '1' ? 0.5f : 0.0f);
  return out;
}

// Feeds `digits` in blocks of `block` samples.
std::vector<std::string> Split(const std::string& digits, size_t block, int64_t min_run) {
  ZeroRunSplitter splitter(min_run);
  Recorder recorder;
  const std::vector<float> all = Samples(digits);
  for (size_t i = 0; i < all.size(); i += block) {
    splitter.Feed(std::span(all).subspan(i, std::min(block, all.size() - i)), recorder);
  }
  splitter.Flush(recorder);
  return recorder.log;
}

TEST(ZeroRunSplitter, ShortRunsAreSoundLongRunsAreDropouts) {
  const std::string stream = "1100110000011000";  // runs of 2, 5 and 3 zeros (at the end)
  const std::vector<std::string> expected = {"S110011", "D5", "S11", "D3"};
  EXPECT_EQ(Split(stream, 100, 3), expected);
}

TEST(ZeroRunSplitter, TheSameWhateverTheBlocks) {
  const std::string stream = "0000110100000001100100000";
  const std::vector<std::string> whole = Split(stream, 1000, 4);
  const std::vector<std::string> expected = {"D4", "S1101", "D7", "S11001", "D5"};
  EXPECT_EQ(whole, expected);
  for (size_t block = 1; block <= stream.size(); ++block) {
    EXPECT_EQ(Split(stream, block, 4), whole) << "blocks of " << block;
  }
}

TEST(ZeroRunSplitter, ZerosHeldBackAcrossBlocksComeOutInOrder) {
  ZeroRunSplitter splitter(10);
  Recorder recorder;
  const std::vector<float> a = Samples("1100");
  const std::vector<float> b = Samples("0011");
  splitter.Feed(a, recorder);
  EXPECT_EQ(splitter.held_samples(), 2);
  splitter.Feed(b, recorder);
  EXPECT_EQ(splitter.held_samples(), 0);
  EXPECT_EQ(recorder.log, std::vector<std::string>{"S11000011"});
}

TEST(ZeroRunSplitter, ALongDropoutHoldsACountNotSamples) {
  ZeroRunSplitter splitter(600);
  Recorder recorder;
  const std::vector<float> silence(4096, 0.0f);
  for (int i = 0; i < 10'000; ++i) splitter.Feed(silence, recorder);  // 40 M zeros
  EXPECT_TRUE(recorder.log.empty());
  EXPECT_EQ(splitter.held_samples(), 40'960'000);
  const std::vector<float> sound = Samples("1");
  splitter.Feed(sound, recorder);
  EXPECT_EQ(recorder.log, (std::vector<std::string>{"D40960000", "S1"}));
}

}  // namespace
}  // namespace earshot::sensor
