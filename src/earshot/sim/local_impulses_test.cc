#include "earshot/sim/local_impulses.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/core/time.h"
#include "earshot/sim/audio_render.h"
#include "earshot/sim/propagation.h"
#include "earshot/sim/pulse_model.h"

namespace earshot::sim {
namespace {

constexpr int64_t kStartNs = 1'700'000'000LL * kNanosPerSecond;

// One sensor in a quiet, empty scene; bangs at `per_hour` over `duration_s`.
Scene SceneWithLocalBangs(double per_hour, double duration_s) {
  Scene scene;
  scene.seed = 99;
  scene.start_ns = kStartNs;
  scene.end_ns = kStartNs + static_cast<int64_t>(duration_s * 1e9);
  scene.background = {.traffic_db_spl = 40.0,
                      .wind_speed_mps = 0.0,
                      .rain_mm_per_h = 0.0,
                      .voices_db_spl = 0.0,
                      .music_db_spl = 0.0,
                      .local_impulses_per_hour = per_hour};
  SimSensor sensor;
  sensor.id = "SIM-0001";
  sensor.true_position_m = {0.0, 0.0, 5.0};
  sensor.reported_position_m = sensor.true_position_m;
  sensor.full_scale_db_spl = 120.0;
  sensor.self_noise_db_spl = 20.0;
  sensor.clock_jitter_s = 0.0;
  scene.sensors.push_back(sensor);
  return scene;
}

TEST(LocalImpulsesTest, CountFollowsTheRateWithinPoissonBounds) {
  // 600 per hour over 2 h: mean 1200, sigma ~35; 5 sigma either side.
  const Scene scene = SceneWithLocalBangs(600.0, 7200.0);
  const std::vector<LocalImpulse> impulses = LocalImpulsesAt(scene, 0);
  EXPECT_NEAR(static_cast<double>(impulses.size()), 1200.0, 5.0 * std::sqrt(1200.0));
  EXPECT_TRUE(std::is_sorted(
      impulses.begin(), impulses.end(),
      [](const LocalImpulse& a, const LocalImpulse& b) { return a.time_ns < b.time_ns; }));
  const double floor_db = NoisePeakDbSpl(scene.background, scene.sensors[0]);
  for (const LocalImpulse& impulse : impulses) {
    EXPECT_GE(impulse.time_ns, scene.start_ns);
    EXPECT_LT(impulse.time_ns, scene.end_ns);
    EXPECT_GE(impulse.peak_db_spl, floor_db);
  }
}

TEST(LocalImpulsesTest, SameSeedSameBangsAndNoneDuringAnOutage) {
  Scene scene = SceneWithLocalBangs(600.0, 3600.0);
  const std::vector<LocalImpulse> all = LocalImpulsesAt(scene, 0);
  ASSERT_FALSE(all.empty());
  const std::vector<LocalImpulse> again = LocalImpulsesAt(scene, 0);
  ASSERT_EQ(all.size(), again.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].time_ns, again[i].time_ns);

  const TimeInterval outage{kStartNs + 600 * kNanosPerSecond, kStartNs + 1200 * kNanosPerSecond};
  scene.sensors[0].outages.push_back(outage);
  const std::vector<LocalImpulse> kept = LocalImpulsesAt(scene, 0);
  size_t outside = 0;
  for (const LocalImpulse& impulse : all) outside += outage.Contains(impulse.time_ns) ? 0 : 1;
  EXPECT_EQ(kept.size(), outside);  // the outage removes its own bangs and shifts no other
  for (const LocalImpulse& impulse : kept) EXPECT_FALSE(outage.Contains(impulse.time_ns));
}

TEST(LocalImpulsesTest, PulseReportsAndAudioCarryTheSameBangs) {
  const Scene scene = SceneWithLocalBangs(720.0, 60.0);  // about 12 in a minute
  const std::vector<LocalImpulse> impulses = LocalImpulsesAt(scene, 0);
  ASSERT_GE(impulses.size(), 3u);
  const PathFinder paths(scene.city, scene.atmosphere);

  // Pulse reports: one noise pulse per bang, at its true time.
  const PulseReports reports = SimulatePulses(scene, paths, PulseModelOptions{});
  std::vector<int64_t> noise_ns;
  for (const SimulatedPulse& pulse : reports.pulses) {
    if (pulse.truth.origin == PulseOrigin::kNoise) noise_ns.push_back(pulse.truth.true_arrival_ns);
  }
  std::sort(noise_ns.begin(), noise_ns.end());
  ASSERT_EQ(noise_ns.size(), impulses.size());
  for (size_t i = 0; i < impulses.size(); ++i) EXPECT_EQ(noise_ns[i], impulses[i].time_ns);

  // Audio: each bang is rendered at its time with its peak level: at most 1 dB over it,
  // and at most 3 dB under it (the converter's anti-alias roll-off rounds the sharpest
  // fronts, a balloon's or a nail gun's). The background is 40 dB SPL, far below.
  const RenderedAudio audio = RenderSensorAudio(scene, paths, 0, scene.start_ns, scene.end_ns);
  std::vector<RenderedArrival> bangs;
  for (const RenderedArrival& arrival : audio.arrivals) {
    if (arrival.emission_index == kLocalImpulse) bangs.push_back(arrival);
  }
  ASSERT_EQ(bangs.size(), impulses.size());
  const double rate_hz = audio.clip.sample_rate_hz;
  const double full_scale_pa = 20e-6 * std::pow(10.0, scene.sensors[0].full_scale_db_spl / 20.0);
  for (size_t i = 0; i < impulses.size(); ++i) {
    EXPECT_EQ(bangs[i].true_arrival_ns, impulses[i].time_ns);
    EXPECT_LE(bangs[i].peak_db_spl, impulses[i].peak_db_spl + 1.0) << "bang " << i;
    EXPECT_GE(bangs[i].peak_db_spl, impulses[i].peak_db_spl - 3.0) << "bang " << i;
    // The recording's loudest sample within 20 ms after the front is the bang's peak, give
    // or take the background under it (the faintest bangs are only ~15 dB over it).
    const auto first =
        static_cast<size_t>(NanosToSeconds(impulses[i].time_ns - scene.start_ns) * rate_hz);
    const size_t last = std::min(audio.clip.samples.size(), first + 240);
    float peak = 0.0f;
    for (size_t k = first; k < last; ++k) peak = std::max(peak, std::abs(audio.clip.samples[k]));
    const double peak_db = 20.0 * std::log10(peak * full_scale_pa / 20e-6);
    EXPECT_NEAR(peak_db, bangs[i].peak_db_spl, 2.0) << "bang " << i;
  }
}

}  // namespace
}  // namespace earshot::sim
