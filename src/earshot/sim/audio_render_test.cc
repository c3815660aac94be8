#include "earshot/sim/audio_render.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/core/weather.h"
#include "earshot/detect/detector.h"
#include "earshot/sim/atmosphere.h"
#include "earshot/sim/internal/render_arrival.h"
#include "earshot/sim/internal/render_fft.h"
#include "earshot/sim/internal/render_response.h"
#include "earshot/sim/propagation.h"
#include "earshot/sim/sensor_model.h"
#include "earshot/sim/source_waveform.h"

namespace earshot::sim {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kBeginNs = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
constexpr double kRateHz = 12000.0;
constexpr double kReferencePa = 20e-6;

// A scene with nothing in it but the air and one sensor: no background, a converter whose
// full scale (140 dB SPL) no shot in these tests reaches and whose self-noise is far below
// its last bit, and a perfect clock. What a test needs it adds.
Scene QuietScene() {
  Scene scene;
  scene.name = "render test";
  scene.seed = 20240917;
  scene.start_ns = kBeginNs;
  scene.end_ns = kBeginNs + 60 * kNanosPerSecond;
  scene.atmosphere.weather.temperature_c = 20.0;
  scene.atmosphere.relative_humidity_pct = 70.0;
  scene.background = {.traffic_db_spl = 0.0,
                      .wind_speed_mps = 0.0,
                      .rain_mm_per_h = 0.0,
                      .voices_db_spl = 0.0,
                      .music_db_spl = 0.0,
                      .local_impulses_per_hour = 0.0};
  SimSensor sensor;
  sensor.id = "SIM-0001";
  sensor.true_position_m = {0.0, 0.0, 4.0};
  sensor.reported_position_m = sensor.true_position_m;
  sensor.sample_rate_hz = kRateHz;
  sensor.full_scale_db_spl = 140.0;
  sensor.self_noise_db_spl = -40.0;
  sensor.clock_jitter_s = 0.0;
  scene.sensors.push_back(sensor);
  return scene;
}

// A handgun shot from `position_m` at `time_ns`, pointing at the first sensor.
void AddShot(Scene* scene, const Eigen::Vector3d& position_m, int64_t time_ns,
             SourceKind kind = SourceKind::kHandgun, double peak_db_spl_at_1m = 155.0) {
  Event event;
  event.id = "E" + std::to_string(scene->events.size());
  event.kind = kind;
  event.event_class = ClassOfKind(kind);
  event.position_m = position_m;
  event.time_ns = time_ns;
  scene->events.push_back(event);
  Emission emission;
  emission.event_index = static_cast<int>(scene->events.size()) - 1;
  emission.kind = kind;
  emission.time_ns = time_ns;
  emission.position_m = position_m;
  emission.peak_db_spl_at_1m = peak_db_spl_at_1m;
  emission.axis = (scene->sensors[0].true_position_m - position_m).normalized();
  emission.bullet_speed_mps = TraitsOf(kind).bullet_speed_mps;
  emission.waveform_seed = 1000 + scene->emissions.size();
  scene->emissions.push_back(emission);
}

PathOptions DirectOnly() {
  PathOptions options;
  options.ground_reflection = false;
  options.facade_reflections = false;
  options.diffraction = false;
  return options;
}

double SpeedOfSound(const Scene& scene) {
  return SpeedOfSoundMps(scene.atmosphere.weather.temperature_c);
}

// The clip in pascals (the sensors here have no calibration error).
std::vector<double> ClipPa(const RenderedAudio& audio, const SimSensor& sensor) {
  std::vector<double> pa(audio.clip.samples.size());
  for (size_t k = 0; k < pa.size(); ++k) pa[k] = audio.clip.samples[k] * FullScalePa(sensor);
  return pa;
}

// The pressure a pure-physics renderer expects from one path: the blast at 1 m on the
// path's bearing, filtered by the path's response and placed at `front_sample`.
std::vector<double> ExpectedPathPa(const Emission& emission, const PropagationPath& path,
                                   const Atmosphere& air, double front_sample, size_t count) {
  const std::vector<double> gain = internal::PathResponseGrid(path, air, kRateHz);
  const std::vector<float> blast = BlastAt1mPa(emission, path.departure, kRateHz);
  std::vector<float> signal(count, 0.0f);
  internal::ArrivalRenderer(kRateHz).Add(blast, gain, front_sample, signal);
  return std::vector<double>(signal.begin(), signal.end());
}

double MaxAbsDifference(const std::vector<double>& a, const std::vector<double>& b) {
  double largest = 0.0;
  for (size_t k = 0; k < a.size(); ++k) largest = std::max(largest, std::abs(a[k] - b[k]));
  return largest;
}

double PeakPaBetween(const std::vector<double>& pa, double first, double last) {
  double peak = 0.0;
  const auto begin = static_cast<size_t>(std::max(0.0, first));
  const auto end = std::min(pa.size(), static_cast<size_t>(std::max(0.0, last)));
  for (size_t k = begin; k < end; ++k) peak = std::max(peak, std::abs(pa[k]));
  return peak;
}

double DbSpl(double pa) { return 20.0 * std::log10(pa / kReferencePa); }
double DbSplToPa(double db_spl) { return kReferencePa * std::pow(10.0, db_spl / 20.0); }

TEST(RenderSensorAudioTest, DirectArrivalLandsAtEmissionTimePlusDistanceOverC) {
  Scene scene = QuietScene();
  const Eigen::Vector3d source_m(100.3, 20.7, 1.5);
  const int64_t shot_ns = kBeginNs + 1'234'567'891;
  AddShot(&scene, source_m, shot_ns);
  const PathFinder paths(scene.city, scene.atmosphere, DirectOnly());
  const RenderedAudio audio =
      RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 3 * kNanosPerSecond);
  ASSERT_EQ(audio.clip.samples.size(), 36000u);
  EXPECT_EQ(audio.true_first_sample_ns, kBeginNs);

  const SimSensor& sensor = scene.sensors[0];
  const double travel_s = (sensor.true_position_m - source_m).norm() / SpeedOfSound(scene);
  ASSERT_EQ(audio.arrivals.size(), 1u);
  EXPECT_EQ(audio.arrivals[0].path, PathKind::kDirect);
  EXPECT_FALSE(audio.arrivals[0].shock_wave);
  EXPECT_NEAR(static_cast<double>(audio.arrivals[0].true_arrival_ns - shot_ns), travel_s * 1e9,
              1.0);

  // The samples are the blast through the path, its front at the exact fractional sample
  // (to the converter's last bit). Moving the front by a twentieth of a sample already
  // shows: the placement is far finer than that.
  const std::vector<PropagationPath> direct = paths.Paths(source_m, sensor.true_position_m);
  ASSERT_EQ(direct.size(), 1u);
  const double front_sample = (1.234567891 + travel_s) * kRateHz;
  EXPECT_GT(front_sample - std::floor(front_sample), 0.05);  // not on a sample
  const std::vector<double> clip_pa = ClipPa(audio, sensor);
  const double lsb_pa = FullScalePa(sensor) / 32768.0;
  const auto expected = [&](double front) {
    return ExpectedPathPa(scene.emissions[0], direct[0], scene.atmosphere, front, clip_pa.size());
  };
  EXPECT_LE(MaxAbsDifference(clip_pa, expected(front_sample)), 0.51 * lsb_pa + 1e-6);
  EXPECT_GT(MaxAbsDifference(clip_pa, expected(front_sample + 0.05)), 4.0 * lsb_pa);
  EXPECT_GT(MaxAbsDifference(clip_pa, expected(front_sample - 0.05)), 4.0 * lsb_pa);
  // Nothing comes before the front (but the converter's last bit).
  EXPECT_LE(PeakPaBetween(clip_pa, 0.0, front_sample - 2.0), lsb_pa);
}

// Magnitude spectrum of `count` samples of `signal` from `first`, by a real DFT.
std::vector<double> MagnitudeSpectrum(const std::vector<double>& signal, size_t first, int count) {
  internal::RenderFft fft(count);
  for (int n = 0; n < count; ++n) fft.time()[n] = static_cast<float>(signal[first + n]);
  fft.Forward();
  std::vector<double> magnitude(fft.bins());
  for (int k = 0; k < fft.bins(); ++k) magnitude[k] = std::abs(fft.spectrum()[k]);
  return magnitude;
}

TEST(RenderSensorAudioTest, DirectLevelFollowsSphericalSpreadingAndAbsorption) {
  for (double range_m : {30.0, 100.0, 300.0, 1000.0}) {
    Scene scene = QuietScene();
    // Full scale 10 dB over the arrival's peak, so that the converter's last bit is far
    // below what is measured.
    scene.sensors[0].full_scale_db_spl = 165.0 - 20.0 * std::log10(range_m);
    const Eigen::Vector3d source_m(0.6 * range_m, -0.8 * range_m, 4.0);  // level with it
    const int64_t shot_ns = kBeginNs + 100'000'000;
    AddShot(&scene, source_m, shot_ns);
    const PathFinder paths(scene.city, scene.atmosphere, DirectOnly());
    const RenderedAudio audio =
        RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 4 * kNanosPerSecond);
    ASSERT_EQ(audio.arrivals.size(), 1u) << range_m << " m";
    const std::vector<double> clip_pa = ClipPa(audio, scene.sensors[0]);
    const double measured_db = DbSpl(PeakPaBetween(clip_pa, 0.0, clip_pa.size()));
    EXPECT_NEAR(audio.arrivals[0].peak_db_spl, measured_db, 0.05) << range_m << " m";

    // The same blast as this converter records it at 1 m, at the same fraction of a sample.
    const Emission& shot = scene.emissions[0];
    const double front_sample =
        static_cast<double>(audio.arrivals[0].true_arrival_ns - kBeginNs) * kRateHz / 1e9;
    std::vector<float> at_1m(clip_pa.size(), 0.0f);
    const double at_1m_peak_pa = internal::ArrivalRenderer(kRateHz).Add(
        BlastAt1mPa(shot, shot.axis, kRateHz), internal::ConverterResponseGrid(), front_sample,
        at_1m);

    // Bin by bin, the arrival is the blast at 1 m, over r, less the air's absorption over r.
    constexpr int kWindow = 4096;
    const auto first = static_cast<size_t>(front_sample) - 64;
    const std::vector<double> heard = MagnitudeSpectrum(clip_pa, first, kWindow);
    const std::vector<double> source =
        MagnitudeSpectrum(std::vector<double>(at_1m.begin(), at_1m.end()), first, kWindow);
    std::vector<double> expected_db(source.size());
    double loudest_db = -1e9;
    for (size_t k = 0; k < source.size(); ++k) {
      const double frequency_hz = k * kRateHz / kWindow;
      expected_db[k] = 20.0 * std::log10(source[k] / range_m) -
                       AbsorptionDbPerM(frequency_hz, scene.atmosphere) * range_m;
      loudest_db = std::max(loudest_db, expected_db[k]);
    }
    int compared = 0;
    for (size_t k = 1; k < source.size() * 3 / 4; ++k) {
      if (expected_db[k] < loudest_db - 40.0) continue;
      EXPECT_NEAR(20.0 * std::log10(heard[k]), expected_db[k], 0.5)
          << range_m << " m, " << k * kRateHz / kWindow << " Hz";
      ++compared;
    }
    EXPECT_GT(compared, kWindow / 8) << range_m << " m";

    // Nearby, where the air takes little, the peak follows 1/r and the absorption at the
    // source's dominant frequency; farther, the air rounds the sharp front more than that.
    const double dominant_db =
        AbsorptionDbPerM(TraitsOf(shot.kind).dominant_frequency_hz, scene.atmosphere) * range_m;
    const double predicted_db = DbSpl(at_1m_peak_pa / range_m) - dominant_db;
    if (range_m <= 100.0) {
      EXPECT_NEAR(measured_db, predicted_db, 0.5) << range_m << " m";
    } else {
      EXPECT_LT(measured_db, predicted_db) << range_m << " m";
    }
  }
}

TEST(RenderSensorAudioTest, WallEchoArrivesAtTheImageSourceTime) {
  Scene scene = QuietScene();
  // A long wall (the west face of a building) at x = 40 m; the shooter stands between it
  // and the sensor, so the echo comes back past the shooter.
  scene.city.buildings.push_back(
      {.footprint_m = {{40.0, -200.0}, {60.0, -200.0}, {60.0, 200.0}, {40.0, 200.0}},
       .height_m = 20.0});
  const Eigen::Vector3d source_m(20.0, 5.0, 1.5);
  const int64_t shot_ns = kBeginNs + 500'000'000;
  AddShot(&scene, source_m, shot_ns);
  PathOptions options = DirectOnly();
  options.facade_reflections = true;
  const PathFinder paths(scene.city, scene.atmosphere, options);
  const RenderedAudio audio =
      RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 2 * kNanosPerSecond);

  const SimSensor& sensor = scene.sensors[0];
  const Eigen::Vector3d image_m(80.0 - source_m.x(), source_m.y(), source_m.z());
  const double c = SpeedOfSound(scene);
  const double direct_s = (sensor.true_position_m - source_m).norm() / c;
  const double echo_s = (sensor.true_position_m - image_m).norm() / c;
  ASSERT_EQ(audio.arrivals.size(), 2u);
  EXPECT_EQ(audio.arrivals[0].path, PathKind::kDirect);
  EXPECT_NEAR(static_cast<double>(audio.arrivals[0].true_arrival_ns - shot_ns), direct_s * 1e9,
              1.0);
  EXPECT_EQ(audio.arrivals[1].path, PathKind::kFacade);
  EXPECT_NEAR(static_cast<double>(audio.arrivals[1].true_arrival_ns - shot_ns), echo_s * 1e9, 1.0);

  // The echo is in the samples where the truth says: silence just before its front (the
  // direct blast has rung out), its peak just after, at the level the truth gives.
  const std::vector<double> clip_pa = ClipPa(audio, sensor);
  const double echo_front = (0.5 + echo_s) * kRateHz;
  const double lsb_pa = FullScalePa(sensor) / 32768.0;
  EXPECT_LE(PeakPaBetween(clip_pa, echo_front - 0.02 * kRateHz, echo_front - 2.0), lsb_pa);
  EXPECT_NEAR(DbSpl(PeakPaBetween(clip_pa, echo_front - 2.0, echo_front + 0.01 * kRateHz)),
              audio.arrivals[1].peak_db_spl, 0.1);
  // The facade's 0.8, 1/r over three times the distance, and the gun's directivity: the
  // echo left it backwards. (A sampled peak also depends on where the front falls between
  // two samples, by up to 0.7 dB.)
  const std::vector<PropagationPath> both = paths.Paths(source_m, sensor.true_position_m);
  ASSERT_EQ(both.size(), 2u);
  const Emission& shot = scene.emissions[0];
  const double directivity_db = DirectivityDb(shot.kind, shot.axis.dot(both[1].departure)) -
                                DirectivityDb(shot.kind, shot.axis.dot(both[0].departure));
  EXPECT_LT(directivity_db, -8.0);
  EXPECT_NEAR(audio.arrivals[1].peak_db_spl - audio.arrivals[0].peak_db_spl,
              20.0 * std::log10(0.8 * direct_s / echo_s) + directivity_db, 1.5);
}

TEST(RenderSensorAudioTest, OutageIsSilence) {
  Scene scene = QuietScene();
  scene.background = BackgroundSpec{};  // traffic and all
  scene.background.local_impulses_per_hour = 0.0;
  SimSensor& sensor = scene.sensors[0];
  sensor.full_scale_db_spl = 120.0;
  sensor.self_noise_db_spl = 35.0;
  const Eigen::Vector3d source_m(150.0, 0.0, 1.5);
  const int64_t shot_ns = kBeginNs + 1 * kNanosPerSecond;
  AddShot(&scene, source_m, shot_ns);
  const int64_t arrival_ns = shot_ns + std::llround((sensor.true_position_m - source_m).norm() /
                                                    SpeedOfSound(scene) * 1e9);
  const TimeInterval outage{.begin_ns = arrival_ns - 300'000'000,
                            .end_ns = arrival_ns + 300'000'000};
  sensor.outages.push_back(outage);
  const PathFinder paths(scene.city, scene.atmosphere);
  const RenderedAudio audio =
      RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 3 * kNanosPerSecond);

  EXPECT_TRUE(audio.arrivals.empty());  // nothing heard, so nothing to find
  size_t silent = 0, nonzero_outside = 0, outside = 0;
  for (size_t k = 0; k < audio.clip.samples.size(); ++k) {
    const int64_t t_ns = kBeginNs + std::llround(static_cast<double>(k) * 1e9 / kRateHz);
    if (outage.Contains(t_ns)) {
      EXPECT_EQ(audio.clip.samples[k], 0.0f) << "sample " << k;
      ++silent;
    } else {
      ++outside;
      if (audio.clip.samples[k] != 0.0f) ++nonzero_outside;
    }
  }
  EXPECT_NEAR(static_cast<double>(silent), 0.6 * kRateHz, 1.0);
  EXPECT_GT(nonzero_outside, outside * 9 / 10);  // the background is there around it
}

TEST(RenderSensorAudioTest, ShotNextToTheSensorClipsAtFullScale) {
  Scene scene = QuietScene();
  scene.sensors[0].full_scale_db_spl = 93.0;  // a live-fire sensor's calibration
  AddShot(&scene, {3.0, 0.0, 2.5}, kBeginNs + 200'000'000);
  const PathFinder paths(scene.city, scene.atmosphere);
  const RenderedAudio audio =
      RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 1 * kNanosPerSecond);
  ASSERT_FALSE(audio.arrivals.empty());
  EXPECT_GT(audio.arrivals[0].peak_db_spl, 93.0 + 40.0);
  const auto [low, high] =
      std::minmax_element(audio.clip.samples.begin(), audio.clip.samples.end());
  EXPECT_EQ(*low, -1.0f);
  EXPECT_EQ(*high, 32767.0f / 32768.0f);  // the converter's largest code
  const auto railed = std::count_if(audio.clip.samples.begin(), audio.clip.samples.end(),
                                    [](float s) { return std::abs(s) >= 32767.0f / 32768.0f; });
  EXPECT_GT(railed, 3);
}

TEST(RenderSensorAudioTest, InaudibleArrivalsAreLeftOut) {
  Scene scene = QuietScene();
  scene.sensors[0].self_noise_db_spl = 35.0;
  // Firecrackers 8 and 15 km away: 1/r takes 78 and 84 dB, the air 35 and 65 dB more
  // at their dominant kilohertz: far under the self-noise.
  AddShot(&scene, {0.0, 8000.0, 1.5}, kBeginNs + 100'000'000, SourceKind::kFirecracker, 130.0);
  AddShot(&scene, {0.0, 15000.0, 1.5}, kBeginNs + 100'000'000, SourceKind::kFirecracker, 130.0);
  // A shot 300 m away is heard.
  AddShot(&scene, {0.0, -300.0, 1.5}, kBeginNs + 200'000'000);
  const PathFinder paths(scene.city, scene.atmosphere, DirectOnly());
  const RenderedAudio audio =
      RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 50 * kNanosPerSecond);
  ASSERT_EQ(audio.arrivals.size(), 1u);
  EXPECT_EQ(audio.arrivals[0].emission_index, 2);
}

// A realistic scene: background, ground, a building, the default sensor, several shots.
Scene BusyScene() {
  Scene scene = QuietScene();
  scene.background = BackgroundSpec{};
  SimSensor& sensor = scene.sensors[0];
  sensor.full_scale_db_spl = 120.0;
  sensor.self_noise_db_spl = 35.0;
  sensor.clock_jitter_s = 20e-6;
  scene.sensors.push_back(sensor);
  scene.sensors[1].id = "SIM-0002";
  scene.sensors[1].true_position_m = {-120.0, 80.0, 5.0};
  scene.city.buildings.push_back(
      {.footprint_m = {{60.0, 30.0}, {90.0, 30.0}, {90.0, 70.0}, {60.0, 70.0}}, .height_m = 15.0});
  for (int round = 0; round < 3; ++round) {
    AddShot(&scene, {140.0, 60.0, 1.5}, kBeginNs + 800'000'000 + round * 90'000'000);
  }
  AddShot(&scene, {-60.0, -200.0, 1.5}, kBeginNs + 2'500'000'000LL, SourceKind::kShotgun);
  return scene;
}

TEST(RenderSensorAudioTest, SameInputsGiveTheSameSamples) {
  const Scene scene = BusyScene();
  const PathFinder paths(scene.city, scene.atmosphere);
  const int64_t end_ns = kBeginNs + 4 * kNanosPerSecond;
  const RenderedAudio first = RenderSensorAudio(scene, paths, 0, kBeginNs, end_ns);
  const RenderedAudio again = RenderSensorAudio(scene, paths, 0, kBeginNs, end_ns);
  EXPECT_EQ(first.clip.samples, again.clip.samples);
  EXPECT_EQ(first.stamped_first_sample_ns, again.stamped_first_sample_ns);
  ASSERT_EQ(first.arrivals.size(), again.arrivals.size());
  ASSERT_GE(first.arrivals.size(), 4u);
  for (size_t i = 0; i < first.arrivals.size(); ++i) {
    EXPECT_EQ(first.arrivals[i].true_arrival_ns, again.arrivals[i].true_arrival_ns);
    EXPECT_EQ(first.arrivals[i].peak_db_spl, again.arrivals[i].peak_db_spl);
    if (i > 0) {
      EXPECT_LE(first.arrivals[i - 1].true_arrival_ns, first.arrivals[i].true_arrival_ns);
    }
  }
  // Another sensor has its own noise and its own clock.
  const RenderedAudio other = RenderSensorAudio(scene, paths, 1, kBeginNs, end_ns);
  EXPECT_NE(first.clip.samples, other.clip.samples);
  EXPECT_NE(first.stamped_first_sample_ns - kBeginNs, other.stamped_first_sample_ns - kBeginNs);
}

TEST(RenderSensorAudioTest, ArrivalsBeforeTheSpanRingIntoIt) {
  Scene scene = QuietScene();
  const Eigen::Vector3d source_m(50.0, 0.0, 4.0);
  const int64_t shot_ns = kBeginNs + 100'000'000;
  AddShot(&scene, source_m, shot_ns);
  const PathFinder paths(scene.city, scene.atmosphere, DirectOnly());
  const int64_t end_ns = kBeginNs + kNanosPerSecond;
  const RenderedAudio whole = RenderSensorAudio(scene, paths, 0, kBeginNs, end_ns);
  ASSERT_EQ(whole.arrivals.size(), 1u);
  // Start some 30 samples after the front, in the middle of the blast, on a sample of
  // the first clip that falls on a whole nanosecond (every third at 12 kHz).
  const int64_t front_ns = whole.arrivals[0].true_arrival_ns;
  const int64_t offset = ((front_ns - kBeginNs) * 12 / 1'000'000 + 30) / 3 * 3;
  const int64_t later_begin_ns = kBeginNs + offset * 1'000'000 / 12;
  const RenderedAudio part = RenderSensorAudio(scene, paths, 0, later_begin_ns, end_ns);
  EXPECT_TRUE(part.arrivals.empty());  // its front is before the span
  ASSERT_EQ(part.clip.samples.size() + offset, whole.clip.samples.size());
  float largest = 0.0f;
  for (size_t k = 0; k < part.clip.samples.size(); ++k) {
    EXPECT_NEAR(part.clip.samples[k], whole.clip.samples[k + offset], 1.01f / 32768.0f) << k;
    largest = std::max(largest, std::abs(part.clip.samples[k]));
  }
  EXPECT_GT(largest, 100.0f / 32768.0f);  // the tail is there
}

TEST(RenderSensorAudioTest, RifleShockWaveComesBeforeTheBlast) {
  Scene scene = QuietScene();
  const Eigen::Vector3d source_m(-300.0, 0.0, 1.5);
  AddShot(&scene, source_m, kBeginNs + 100'000'000, SourceKind::kRifle, 160.0);
  // Fired along the x axis, passing the sensor 15 m away.
  scene.emissions[0].axis = Eigen::Vector3d(1.0, 0.05, 0.0).normalized();
  const PathFinder paths(scene.city, scene.atmosphere, DirectOnly());
  const RenderedAudio audio =
      RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 2 * kNanosPerSecond);
  ASSERT_EQ(audio.arrivals.size(), 2u);
  EXPECT_TRUE(audio.arrivals[0].shock_wave);
  EXPECT_FALSE(audio.arrivals[1].shock_wave);
  const std::optional<ShockArrival> shock =
      BulletShockAt(scene.emissions[0], scene.sensors[0].true_position_m, SpeedOfSound(scene));
  ASSERT_TRUE(shock.has_value());
  EXPECT_NEAR(static_cast<double>(audio.arrivals[0].true_arrival_ns - scene.emissions[0].time_ns),
              shock->time_after_shot_s * 1e9, 1.0);
  // The crack is in the samples at its time.
  const std::vector<double> clip_pa = ClipPa(audio, scene.sensors[0]);
  const double front =
      static_cast<double>(audio.arrivals[0].true_arrival_ns - kBeginNs) * kRateHz / 1e9;
  EXPECT_NEAR(DbSpl(PeakPaBetween(clip_pa, front - 2.0, front + 10.0)),
              audio.arrivals[0].peak_db_spl, 0.1);
  // Before it, at most the faint ringing of a two-sample pulse's band limit (−50 dB).
  EXPECT_LT(PeakPaBetween(clip_pa, 0.0, front - 2.0),
            3e-3 * DbSplToPa(audio.arrivals[0].peak_db_spl));
}

// End to end: the project's own detector finds the direct arrival of a shot rendered with
// a city's background, ground reflection and a realistic sensor, within half a
// millisecond of the truth.
TEST(RenderSensorAudioTest, DetectorFindsTheRenderedShotOnTime) {
  Scene scene = QuietScene();
  scene.background = BackgroundSpec{};
  scene.background.local_impulses_per_hour = 0.0;
  SimSensor& sensor = scene.sensors[0];
  sensor.full_scale_db_spl = 120.0;
  sensor.self_noise_db_spl = 35.0;
  for (double range_m : {80.0, 250.0, 600.0}) {
    scene.emissions.clear();
    scene.events.clear();
    AddShot(&scene, {0.0, range_m, 1.5}, kBeginNs + 3 * kNanosPerSecond + 123'456);
    const PathFinder paths(scene.city, scene.atmosphere);
    const RenderedAudio audio =
        RenderSensorAudio(scene, paths, 0, kBeginNs, kBeginNs + 6 * kNanosPerSecond);
    ASSERT_FALSE(audio.arrivals.empty());
    ASSERT_EQ(audio.arrivals[0].path, PathKind::kDirect);
    const int64_t truth_ns = audio.arrivals[0].true_arrival_ns;

    detect::DetectorOptions options;
    options.full_scale_db_spl = sensor.full_scale_db_spl;
    auto detector = detect::ImpulseDetector::Create(options, kRateHz, audio.true_first_sample_ns);
    ASSERT_TRUE(detector.has_value());
    const std::vector<float>& samples = audio.clip.samples;
    std::vector<detect::DetectedPulse> pulses;
    for (size_t k = 0; k < samples.size(); k += 4096) {
      (*detector)->Push(
          std::span<const float>(samples.data() + k, std::min<size_t>(4096, samples.size() - k)));
      for (const detect::DetectedPulse& p : (*detector)->TakePulses()) pulses.push_back(p);
    }
    (*detector)->Finish();
    for (const detect::DetectedPulse& p : (*detector)->TakePulses()) pulses.push_back(p);

    ASSERT_EQ(pulses.size(), 1u) << range_m << " m";
    EXPECT_NEAR(static_cast<double>(pulses[0].onset_ns - truth_ns), 0.0, 0.5e6) << range_m << " m";
  }
}

}  // namespace
}  // namespace earshot::sim
