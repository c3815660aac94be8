#include "earshot/sim/simulator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "earshot/core/time.h"
#include "earshot/sim/audio_render.h"
#include "earshot/sim/dataset_writer.h"
#include "earshot/sim/internal/parallel_for.h"

namespace earshot::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// Rounds to `digits` decimals: the nearest double to the decimal, so it prints short.
double Round(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

Result<void> MakeFolder(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return Fail(folder.string(), "", "cannot create the folder: " + ec.message());
  return {};
}

// The recordings of every window: one job per window and sensor, rendered and written in
// parallel; the first failure in job order is returned.
Result<int64_t> WriteRecordings(const Scenario& scenario, const PathFinder& paths,
                                const std::vector<DatasetWindow>& windows,
                                const fs::path& group_dir, int threads, double* audio_seconds) {
  const Scene& scene = scenario.scene;
  struct Job {
    const DatasetWindow* window;
    int sensor;
  };
  std::vector<Job> jobs;
  for (const DatasetWindow& window : windows) {
    for (const int s : window.audio_sensors) jobs.push_back({&window, s});
  }
  std::vector<std::optional<Error>> errors(jobs.size());
  std::vector<double> seconds(jobs.size(), 0.0);
  internal::ParallelFor(static_cast<int>(jobs.size()), threads, [&](int j) {
    const Job& job = jobs[static_cast<size_t>(j)];
    const SimSensor& sensor = scene.sensors[static_cast<size_t>(job.sensor)];
    const RenderedAudio audio =
        RenderSensorAudio(scene, paths, job.sensor, job.window->begin_ns, job.window->end_ns);
    const Event& first = scene.events[static_cast<size_t>(job.window->events.front())];
    const std::string description = std::string("Simulated recording of sensor ")
                                        .append(sensor.id)
                                        .append(" around event ")
                                        .append(first.id)
                                        .append(" (")
                                        .append(first.description)
                                        .append("), scene ")
                                        .append(scene.name)
                                        .append(", local metres of the scene's frame.");
    const fs::path stem = group_dir / job.window->name / RecordingStem(*job.window, sensor);
    auto written = WriteRecording(stem.string(), sensor, audio, description);
    if (!written) errors[static_cast<size_t>(j)] = written.error();
    seconds[static_cast<size_t>(j)] =
        static_cast<double>(audio.clip.samples.size()) / audio.clip.sample_rate_hz;
  });
  for (const std::optional<Error>& error : errors) {
    if (error) return std::unexpected(*error);
  }
  for (const double s : seconds) *audio_seconds += s;
  return static_cast<int64_t>(jobs.size());
}

ordered_json ScenarioJson(const Scenario& scenario, const SimulationOptions& options,
                          const SimulationSummary& summary) {
  const Scene& scene = scenario.scene;
  const PulseModelOptions& pm = options.pulse_model;
  ordered_json by_class = ordered_json::object();
  for (const auto& [name, count] : summary.events_by_class) by_class[name] = count;
  ordered_json frame = {{"kind", scene.frame.is_geodetic() ? "geodetic" : "metric"}};
  if (scene.frame.is_geodetic()) {
    const GeodeticPoint origin = scene.frame.origin();
    frame["origin"] = {
        {"lat", origin.lat_deg}, {"lon", origin.lon_deg}, {"height_m", origin.height_m}};
  }
  const Atmosphere& air = scene.atmosphere;
  const BackgroundSpec& bg = scene.background;
  return {{"generator", "earshot simulate"},
          {"scene", scene.name},
          {"seed", scene.seed},
          {"mode", options.pulses_only ? "pulses-only" : "audio"},
          {"start_utc", FormatIsoUtc(scene.start_ns, 9)},
          {"end_utc", FormatIsoUtc(scene.end_ns, 9)},
          {"duration_s", NanosToSeconds(scene.end_ns - scene.start_ns)},
          {"frame", frame},
          {"counts",
           {{"sensors", summary.sensors},
            {"buildings", static_cast<int64_t>(scene.city.buildings.size())},
            {"events", summary.events},
            {"events_by_class", by_class},
            {"emissions", summary.emissions},
            {"pulses", summary.pulses},
            {"arrival_pulses", summary.arrival_pulses},
            {"shock_wave_pulses", summary.shock_wave_pulses},
            {"noise_pulses", summary.noise_pulses},
            {"windows", summary.windows},
            {"audio_files", summary.audio_files},
            {"audio_seconds", Round(summary.audio_seconds, 6)}}},
          {"atmosphere",
           {{"temperature_c", air.weather.temperature_c},
            {"wind_speed_mps", air.weather.wind_speed_mps},
            {"wind_from_deg", air.weather.wind_from_deg},
            {"relative_humidity_pct", air.relative_humidity_pct},
            {"pressure_kpa", air.pressure_kpa}}},
          {"background",
           {{"traffic_db_spl", bg.traffic_db_spl},
            {"wind_speed_mps", bg.wind_speed_mps},
            {"rain_mm_per_h", bg.rain_mm_per_h},
            {"voices_db_spl", bg.voices_db_spl},
            {"music_db_spl", bg.music_db_spl},
            {"local_impulses_per_hour", bg.local_impulses_per_hour}}},
          {"output",
           {{"window_s", scenario.output.window_s},
            {"lead_s", scenario.output.lead_s},
            {"max_audio_sensors", scenario.output.max_audio_sensors},
            {"group", scenario.output.group}}},
          {"pulse_model",
           {{"detection_snr_db", pm.detection_snr_db},
            {"detection_spread_db", pm.detection_spread_db},
            {"noise_peak_over_leq_db", pm.noise_peak_over_leq_db},
            {"range_cut_spreads", pm.range_cut_spreads},
            {"timing_sigma_floor_s", pm.timing_sigma_floor_s},
            {"timing_sigma_low_snr_s", pm.timing_sigma_low_snr_s},
            {"timing_sigma_max_s", pm.timing_sigma_max_s},
            {"diffraction_late_mean_s", pm.diffraction_late_mean_s},
            {"min_separation_s", pm.min_separation_s},
            {"level_sigma_db", pm.level_sigma_db}}}};
}

}  // namespace

Result<SimulationSummary> RunSimulation(const Scenario& scenario, const std::string& out_dir,
                                        const SimulationOptions& options) {
  const Scene& scene = scenario.scene;
  const fs::path dir(out_dir);
  if (auto ok = MakeFolder(dir); !ok) return std::unexpected(ok.error());

  const PathFinder paths(scene.city, scene.atmosphere, options.paths);
  PulseModelOptions pulse_options = options.pulse_model;
  pulse_options.threads = options.threads;
  const PulseReports reports = SimulatePulses(scene, paths, pulse_options);

  SimulationSummary summary;
  summary.events = static_cast<int64_t>(scene.events.size());
  for (const Event& event : scene.events)
    ++summary.events_by_class[EventClassName(event.event_class)];
  summary.emissions = static_cast<int64_t>(scene.emissions.size());
  summary.sensors = static_cast<int64_t>(scene.sensors.size());
  summary.pulses = static_cast<int64_t>(reports.pulses.size());
  summary.arrival_pulses = reports.arrival_pulses;
  summary.shock_wave_pulses = reports.shock_wave_pulses;
  summary.noise_pulses = reports.noise_pulses;

  if (auto ok = WritePulsesFile((dir / "pulses.jsonl").string(), scene, reports); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = WriteSensorsFile((dir / "sensors.json").string(), scene); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = WriteWeatherFile((dir / "weather.json").string(), scene); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = WriteTruthFile((dir / "truth.json").string(), scene, reports); !ok) {
    return std::unexpected(ok.error());
  }

  if (!options.pulses_only) {
    const std::vector<DatasetWindow> windows = PlanWindows(scene, scenario.output);
    const fs::path group_dir = dir / scenario.output.group;
    for (const DatasetWindow& window : windows) {
      const fs::path folder = group_dir / window.name;
      if (auto ok = MakeFolder(folder); !ok) return std::unexpected(ok.error());
      if (auto ok = WriteWindowFiles(folder.string(), scenario, window, reports); !ok) {
        return std::unexpected(ok.error());
      }
    }
    summary.windows = static_cast<int64_t>(windows.size());
    auto recordings = WriteRecordings(scenario, paths, windows, group_dir, options.threads,
                                      &summary.audio_seconds);
    if (!recordings) return std::unexpected(recordings.error());
    summary.audio_files = *recordings;
  }

  if (auto ok = WriteJsonFile((dir / "scenario.json").string(),
                              ScenarioJson(scenario, options, summary), 2);
      !ok) {
    return std::unexpected(ok.error());
  }
  return summary;
}

}  // namespace earshot::sim
