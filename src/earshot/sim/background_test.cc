#include "earshot/sim/background.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/audio/fft.h"

namespace earshot::sim {
namespace {

constexpr double kRateHz = 12000.0;

double EquivalentLevelDb(std::span<const float> samples) {
  double sum = 0.0;
  for (const float v : samples) sum += static_cast<double>(v) * v;
  return 10.0 * std::log10(sum / static_cast<double>(samples.size()) / (20e-6 * 20e-6));
}

std::vector<float> Render(const BackgroundSpec& spec, double seconds, uint64_t seed,
                          double rate_hz = kRateHz) {
  Rng rng(seed);
  return RenderBackgroundPa(spec, rate_hz, static_cast<size_t>(seconds * rate_hz), rng);
}

BackgroundSpec Silent() {
  BackgroundSpec spec;
  spec.traffic_db_spl = 0.0;
  spec.wind_speed_mps = 0.0;
  spec.rain_mm_per_h = 0.0;
  spec.voices_db_spl = 0.0;
  spec.music_db_spl = 0.0;
  return spec;
}

struct Component {
  const char* name;
  BackgroundSpec spec;
};

std::vector<Component> OneByOne() {
  std::vector<Component> components;
  BackgroundSpec spec = Silent();
  spec.traffic_db_spl = 55.0;
  components.push_back({"traffic", spec});
  spec = Silent();
  spec.wind_speed_mps = 6.0;
  components.push_back({"wind", spec});
  spec = Silent();
  spec.rain_mm_per_h = 4.0;
  components.push_back({"rain", spec});
  spec = Silent();
  spec.voices_db_spl = 48.0;
  components.push_back({"voices", spec});
  spec = Silent();
  spec.music_db_spl = 52.0;
  components.push_back({"music", spec});
  return components;
}

// Energy fraction of `samples` between lo and hi, from one long power spectrum.
double BandFraction(const std::vector<float>& samples, double lo_hz, double hi_hz,
                    double rate_hz = kRateHz) {
  constexpr int kSize = 8192;
  audio::RealFft fft(kSize);
  double in_band = 0.0, total = 0.0;
  for (size_t start = 0; start + kSize <= samples.size(); start += kSize) {
    const std::vector<double> power =
        audio::PowerSpectrum(fft, std::span<const float>(samples).subspan(start, kSize));
    for (size_t k = 0; k < power.size(); ++k) {
      const double hz = fft.BinFrequencyHz(static_cast<int>(k), rate_hz);
      total += power[k];
      if (hz >= lo_hz && hz < hi_hz) in_band += power[k];
    }
  }
  return in_band / total;
}

// Levels of consecutive blocks, dB.
std::vector<double> BlockLevelsDb(const std::vector<float>& samples, double block_s) {
  const auto block = static_cast<size_t>(block_s * kRateHz);
  std::vector<double> levels;
  for (size_t start = 0; start + block <= samples.size(); start += block) {
    levels.push_back(EquivalentLevelDb(std::span<const float>(samples).subspan(start, block)));
  }
  return levels;
}

TEST(BackgroundTest, EachComponentRendersAtItsSpecifiedLevel) {
  for (const Component& component : OneByOne()) {
    const double expected = BackgroundLevelDbSpl(component.spec);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      const std::vector<float> samples = Render(component.spec, 10.0, seed);
      EXPECT_NEAR(EquivalentLevelDb(samples), expected, 1.0) << component.name << " seed " << seed;
    }
  }
}

TEST(BackgroundTest, LevelsOfTheComponentsAddAsEnergies) {
  BackgroundSpec spec = Silent();
  EXPECT_EQ(BackgroundLevelDbSpl(spec), 0.0);
  spec.traffic_db_spl = 50.0;
  EXPECT_DOUBLE_EQ(BackgroundLevelDbSpl(spec), 50.0);
  spec.voices_db_spl = 50.0;
  EXPECT_NEAR(BackgroundLevelDbSpl(spec), 50.0 + 10.0 * std::log10(2.0), 1e-12);
  spec.wind_speed_mps = 5.0;
  spec.rain_mm_per_h = 2.0;
  spec.music_db_spl = 45.0;
  const double expected =
      10.0 * std::log10(2.0 * std::pow(10.0, 5.0) + std::pow(10.0, WindNoiseDbSpl(5.0) / 10.0) +
                        std::pow(10.0, RainNoiseDbSpl(2.0) / 10.0) + std::pow(10.0, 4.5));
  EXPECT_NEAR(BackgroundLevelDbSpl(spec), expected, 1e-9);
  EXPECT_NEAR(EquivalentLevelDb(Render(spec, 10.0, 9)), expected, 1.0);
}

TEST(BackgroundTest, WindAndRainGrowWithSpeedAndRate) {
  EXPECT_EQ(WindNoiseDbSpl(0.0), 0.0);
  EXPECT_EQ(RainNoiseDbSpl(0.0), 0.0);
  EXPECT_NEAR(WindNoiseDbSpl(10.0) - WindNoiseDbSpl(5.0), 40.0 * std::log10(2.0), 1e-9);
  EXPECT_NEAR(RainNoiseDbSpl(10.0) - RainNoiseDbSpl(1.0), 10.0, 1e-9);
}

TEST(BackgroundTest, SilentSpecRendersSilence) {
  for (const float v : Render(Silent(), 1.0, 3)) ASSERT_EQ(v, 0.0f);
}

TEST(BackgroundTest, SameSeedSameSamplesAndComponentsAreIndependentStreams) {
  BackgroundSpec spec;
  spec.wind_speed_mps = 4.0;
  spec.rain_mm_per_h = 1.0;
  spec.voices_db_spl = 40.0;
  spec.music_db_spl = 40.0;
  EXPECT_EQ(Render(spec, 2.0, 5), Render(spec, 2.0, 5));
  EXPECT_NE(Render(spec, 2.0, 5), Render(spec, 2.0, 6));
  // Switching music off leaves the rest exactly as it was.
  BackgroundSpec without_music = spec;
  without_music.music_db_spl = 0.0;
  BackgroundSpec music_only = Silent();
  music_only.music_db_spl = 40.0;
  const std::vector<float> all = Render(spec, 2.0, 5);
  const std::vector<float> rest = Render(without_music, 2.0, 5);
  const std::vector<float> music = Render(music_only, 2.0, 5);
  for (size_t n = 0; n < all.size(); ++n) ASSERT_FLOAT_EQ(all[n], rest[n] + music[n]) << n;
}

TEST(BackgroundTest, EveryOutputIsFiniteAtEveryRateAndLength) {
  BackgroundSpec spec;
  spec.wind_speed_mps = 12.0;
  spec.rain_mm_per_h = 40.0;
  spec.voices_db_spl = 55.0;
  spec.music_db_spl = 60.0;
  for (const double rate_hz : {8000.0, 12000.0, 48000.0}) {
    for (const double seconds : {0.0, 1.0 / rate_hz, 0.01, 3.0}) {
      const std::vector<float> samples = Render(spec, seconds, 11, rate_hz);
      EXPECT_EQ(samples.size(), static_cast<size_t>(seconds * rate_hz));
      for (const float v : samples) ASSERT_TRUE(std::isfinite(v)) << rate_hz << " " << seconds;
    }
  }
}

// ---- Spectra and modulation ---------------------------------------------------------

double AWeightingDb(double hz) {
  const double f2 = hz * hz;
  const double ra = 12194.0 * 12194.0 * f2 * f2 /
                    ((f2 + 20.6 * 20.6) * std::sqrt((f2 + 107.7 * 107.7) * (f2 + 737.9 * 737.9)) *
                     (f2 + 12194.0 * 12194.0));
  return 20.0 * std::log10(ra) + 2.0;
}

TEST(BackgroundTest, TrafficFollowsTheEn1793NormalisedSpectrum) {
  // EN 1793-3 normalised traffic noise spectrum, A-weighted third-octave levels, dB.
  const std::map<double, double> en1793 = {
      {100, -20},  {125, -20},  {160, -18},  {200, -16},  {250, -15}, {315, -14},
      {400, -13},  {500, -12},  {630, -11},  {800, -9},   {1000, -8}, {1250, -9},
      {1600, -10}, {2000, -11}, {2500, -13}, {3150, -15}, {4000, -16}};
  BackgroundSpec spec = Silent();
  spec.traffic_db_spl = 60.0;
  const std::vector<float> samples = Render(spec, 30.0, 17);
  constexpr int kSize = 8192;
  audio::RealFft fft(kSize);
  std::vector<double> power(kSize / 2 + 1, 0.0);
  for (size_t start = 0; start + kSize <= samples.size(); start += kSize) {
    const std::vector<double> block =
        audio::PowerSpectrum(fft, std::span<const float>(samples).subspan(start, kSize));
    for (size_t k = 0; k < block.size(); ++k) power[k] += block[k];
  }
  std::vector<double> deviations;
  for (const auto& [center, level] : en1793) {
    const double lo = center * std::pow(2.0, -1.0 / 6.0), hi = center * std::pow(2.0, 1.0 / 6.0);
    double band = 0.0;
    for (size_t k = 0; k < power.size(); ++k) {
      const double hz = fft.BinFrequencyHz(static_cast<int>(k), kRateHz);
      if (hz >= lo && hz < hi) band += power[k];
    }
    deviations.push_back(10.0 * std::log10(band) + AWeightingDb(center) - level);
  }
  double mean = 0.0;
  for (const double d : deviations) mean += d / static_cast<double>(deviations.size());
  for (size_t i = 0; i < deviations.size(); ++i) {
    EXPECT_NEAR(deviations[i], mean, 3.0) << "band " << i;
  }
}

TEST(BackgroundTest, EachComponentHasItsSpectrum) {
  const std::vector<Component> components = OneByOne();
  const auto samples_of = [&](const char* name) {
    for (const Component& c : components) {
      if (std::string(c.name) == name) return Render(c.spec, 10.0, 21);
    }
    return std::vector<float>();
  };
  EXPECT_GT(BandFraction(samples_of("traffic"), 0.0, 200.0), 0.6);    // a low-frequency rumble
  EXPECT_GT(BandFraction(samples_of("wind"), 0.0, 200.0), 0.9);       // strong below 200 Hz
  EXPECT_GT(BandFraction(samples_of("rain"), 500.0, 6000.0), 0.8);    // broadband clicks
  EXPECT_GT(BandFraction(samples_of("voices"), 200.0, 3000.0), 0.8);  // the speech band
  EXPECT_GT(BandFraction(samples_of("music"), 0.0, 400.0), 0.95);     // beat and bass
}

TEST(BackgroundTest, TrafficAndWindFluctuateSlowly) {
  BackgroundSpec traffic = Silent();
  traffic.traffic_db_spl = 55.0;
  BackgroundSpec wind = Silent();
  wind.wind_speed_mps = 6.0;
  for (const BackgroundSpec& spec : {traffic, wind}) {
    const std::vector<double> levels = BlockLevelsDb(Render(spec, 60.0, 4), 1.0);
    const auto [lowest, highest] = std::minmax_element(levels.begin(), levels.end());
    EXPECT_GT(*highest - *lowest, 3.0);
  }
}

TEST(BackgroundTest, VoicesCarrySyllabicModulationNearFourHertz) {
  BackgroundSpec spec = Silent();
  spec.voices_db_spl = 50.0;
  const std::vector<float> samples = Render(spec, 60.0, 8);
  // Intensity envelope in 10 ms blocks; its modulation power per octave (centred at 1, 2,
  // 4, 8 and 16 Hz) by direct DFT at eight frequencies per octave.
  const size_t block = static_cast<size_t>(0.01 * kRateHz);
  std::vector<double> envelope;
  for (size_t start = 0; start + block <= samples.size(); start += block) {
    double sum = 0.0;
    for (size_t n = start; n < start + block; ++n) {
      sum += static_cast<double>(samples[n]) * samples[n];
    }
    envelope.push_back(sum);
  }
  double mean = 0.0;
  for (const double e : envelope) mean += e / static_cast<double>(envelope.size());
  std::vector<double> octaves(5, 0.0);
  for (int i = 0; i < 40; ++i) {
    const double hz = std::pow(2.0, -0.5 + (i + 0.5) / 8.0);  // 0.75 to 22 Hz
    double re = 0.0, im = 0.0;
    for (size_t k = 0; k < envelope.size(); ++k) {
      const double phase = 2.0 * std::numbers::pi * hz * 0.01 * static_cast<double>(k);
      re += (envelope[k] - mean) * std::cos(phase);
      im += (envelope[k] - mean) * std::sin(phase);
    }
    octaves[static_cast<size_t>(i / 8)] += re * re + im * im;
  }
  const size_t loudest =
      static_cast<size_t>(std::max_element(octaves.begin(), octaves.end()) - octaves.begin());
  EXPECT_EQ(loudest, 2u) << "the octave centred at " << (1 << loudest) << " Hz";
}

}  // namespace
}  // namespace earshot::sim
