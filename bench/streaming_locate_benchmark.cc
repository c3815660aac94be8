// Streaming location on a synthetic city: 2,025 sensors every 222 m on 10 km × 10 km,
// bangs at an ordinary night's rate and at 100 times it (a July-4th surge), with echoes,
// late (diffracted) arrivals and the sensors' own unrelated local impulses. Pulses reach
// the locator up to a second after their onset and are handed to it in 50 ms batches of
// arrival time, as the service's ingest does. Prints the time of each Add (p50, p99, max),
// the pulses per second one thread sustains, shots published and pulses held.
//
//   streaming_locate_benchmark [normal_seconds=600] [surge_seconds=120]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"
#include "earshot/locate/arrival.h"
#include "earshot/locate/streaming_locator.h"

namespace {

using earshot::Pulse;
using earshot::locate::StreamingLocator;

constexpr int kGridSide = 45;                      // 45 × 45 = 2,025 sensors
constexpr double kSpacingM = 222.0;                // 10 km across
constexpr double kHearingRadiusM = 1000.0;         // a bang is heard this far, in the city
constexpr double kDetectionShare = 0.9;            // of the sensors in range, these report it
constexpr double kEchoShare = 0.3;                 // reports also one reflection
constexpr double kDiffractedShare = 0.1;           // direct path blocked: 0–20 ms late
constexpr double kLocalImpulsesPerSensorH = 60.0;  // unrelated bangs next to one sensor
constexpr double kNormalBangsPerS = 0.02;          // 72 an hour in the whole city
constexpr double kMaxLatenessS = 1.0;              // uplink and queueing
constexpr int64_t kBatchNs = 50'000'000;           // ingest hands over pulses every 50 ms
constexpr int64_t kStartNs = 1'720'000'000'000'000'000;

struct Timed {
  Pulse pulse;
  int64_t arrival_ns = 0;
};

double Percentile(std::vector<double> values, double share) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(share * values.size()))];
}

std::string Numbered(const char* prefix, size_t n) {
  std::string id = prefix;
  id.append(std::to_string(n));
  return id;
}

struct Stream {
  std::vector<Timed> pulses;  // by arrival
  size_t bangs = 0;
};

Stream MakeStream(std::mt19937_64& rng, const std::vector<Eigen::Vector3d>& sensors,
                  const earshot::locate::Propagation& model, double bangs_per_s,
                  double duration_s) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> onset_noise_s(0.0, 0.5e-3);
  Stream stream;
  auto add = [&](size_t sensor, double onset_s) {
    Pulse pulse;
    pulse.id = Numbered("p", stream.pulses.size());
    pulse.sensor_id = Numbered("s", sensor);
    pulse.onset_ns = kStartNs + static_cast<int64_t>(onset_s * 1e9);
    pulse.sensor_position_m = sensors[sensor];
    pulse.snr_db = 20.0;
    pulse.level_db_spl = 100.0;
    const auto lateness_ns =
        static_cast<int64_t>((0.05 + unit(rng) * (kMaxLatenessS - 0.05)) * 1e9);
    stream.pulses.push_back({std::move(pulse), pulse.onset_ns + lateness_ns});
  };
  const double city_m = kGridSide * kSpacingM;
  for (double t = std::exponential_distribution<double>(bangs_per_s)(rng); t < duration_s;
       t += std::exponential_distribution<double>(bangs_per_s)(rng)) {
    ++stream.bangs;
    const Eigen::Vector3d source(unit(rng) * city_m, unit(rng) * city_m, 1.0);
    for (size_t s = 0; s < sensors.size(); ++s) {
      if ((sensors[s] - source).head<2>().norm() > kHearingRadiusM) continue;
      if (unit(rng) > kDetectionShare) continue;
      double onset_s =
          t + earshot::locate::TravelTimeS(model, source, sensors[s]) + onset_noise_s(rng);
      if (unit(rng) < kDiffractedShare) onset_s += unit(rng) * 0.020;
      add(s, onset_s);
      if (unit(rng) < kEchoShare) add(s, onset_s + 0.010 + unit(rng) * 0.290);
    }
  }
  const double local_per_s = kLocalImpulsesPerSensorH / 3600.0 * sensors.size();
  for (double t = 0.0; t < duration_s;
       t += std::exponential_distribution<double>(local_per_s)(rng)) {
    add(std::uniform_int_distribution<size_t>(0, sensors.size() - 1)(rng), t);
  }
  std::sort(stream.pulses.begin(), stream.pulses.end(),
            [](const Timed& a, const Timed& b) { return a.arrival_ns < b.arrival_ns; });
  return stream;
}

void Run(const char* name, const std::vector<Eigen::Vector3d>& sensors,
         const earshot::Weather& weather, double bangs_per_s, double duration_s) {
  std::mt19937_64 rng(42);
  const Stream stream =
      MakeStream(rng, sensors,
                 earshot::locate::Propagation{earshot::SpeedOfSoundMps(weather.temperature_c),
                                              earshot::WindVelocityEnMps(weather)},
                 bangs_per_s, duration_s);

  earshot::locate::StreamingLocateOptions options;
  // Sensors 222 m apart and bangs heard to about 1 km: a sensor further than 1.5 km from a
  // source is not taken to hear it (the 4 km default suits sparse networks).
  options.locate.max_range_m = 1500.0;
  StreamingLocator locator(weather, options);

  std::vector<double> add_ms;
  std::vector<double> publishing_add_ms;  // Adds whose pulses completed a new fix
  size_t most_held = 0;
  double total_s = 0.0;
  size_t next = 0;
  std::vector<Pulse> batch;
  for (int64_t batch_end_ns = kStartNs + kBatchNs; next < stream.pulses.size();
       batch_end_ns += kBatchNs) {
    batch.clear();
    while (next < stream.pulses.size() && stream.pulses[next].arrival_ns < batch_end_ns) {
      batch.push_back(stream.pulses[next++].pulse);
    }
    if (batch.empty()) {
      locator.Advance(batch_end_ns);
      continue;
    }
    const size_t published_before = locator.counters().shots_published;
    const auto start = std::chrono::steady_clock::now();
    const auto updates = locator.Add(batch, batch_end_ns);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    total_s += ms / 1e3;
    add_ms.push_back(ms);
    if (locator.counters().shots_published > published_before) publishing_add_ms.push_back(ms);
    most_held = std::max(most_held, locator.pulses_held());
  }
  const auto& counters = locator.counters();
  std::printf(
      "%-7s %6.0f s  bangs %5zu (%.2f/s)  pulses %7zu (%.0f/s offered)\n"
      "        Add (50 ms batch): p50 %.2f ms  p99 %.2f ms  max %.2f ms  (%zu Adds)\n"
      "        Adds that published a shot: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n"
      "        sustained %.0f pulses/s on one thread  shots published %zu  updates %zu  "
      "absorbed %zu  relocations %zu (%.0f pulses each)  most pulses held %zu\n",
      name, duration_s, stream.bangs, bangs_per_s, stream.pulses.size(),
      stream.pulses.size() / duration_s, Percentile(add_ms, 0.5), Percentile(add_ms, 0.99),
      Percentile(add_ms, 1.0), add_ms.size(), Percentile(publishing_add_ms, 0.5),
      Percentile(publishing_add_ms, 0.99), Percentile(publishing_add_ms, 1.0),
      stream.pulses.size() / total_s, counters.shots_published, counters.shot_updates,
      counters.shots_absorbed, counters.relocations,
      counters.relocations ? static_cast<double>(counters.pulses_relocated) / counters.relocations
                           : 0.0,
      most_held);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each run's figures as soon as they exist
  const double normal_s = argc > 1 ? std::atof(argv[1]) : 600.0;
  const double surge_s = argc > 2 ? std::atof(argv[2]) : 120.0;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> jitter(-30.0, 30.0);
  std::uniform_real_distribution<double> height(4.0, 12.0);
  std::vector<Eigen::Vector3d> sensors;
  for (int row = 0; row < kGridSide; ++row) {
    for (int column = 0; column < kGridSide; ++column) {
      sensors.emplace_back(column * kSpacingM + jitter(rng), row * kSpacingM + jitter(rng),
                           height(rng));
    }
  }
  earshot::Weather weather;
  weather.temperature_c = 24.0;
  weather.wind_speed_mps = 2.0;
  weather.wind_from_deg = 240.0;
  std::printf("streaming locate: %zu sensors, %.1f km across, cores %u\n", sensors.size(),
              kGridSide * kSpacingM / 1000.0, std::thread::hardware_concurrency());
  Run("normal", sensors, weather, kNormalBangsPerS, normal_s);
  Run("surge", sensors, weather, 100.0 * kNormalBangsPerS, surge_s);
  return 0;
}
