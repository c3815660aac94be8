#include "earshot/sim/dataset_writer.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "earshot/audio/audio_file.h"
#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot::sim {
namespace {

using nlohmann::ordered_json;

constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
constexpr const char* kCreator = "earshot simulate";

// Fixed steps for every number written, so that the files stay short and stable.
// Rounds to `digits` decimals: the nearest double to the decimal, so it prints short.
double Round(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}
double Metres(double value) { return Round(value, 3); }
double Decibels(double value) { return Round(value, 2); }
double Seconds(double value) { return Round(value, 9); }

int64_t SecondsToNanos(double seconds) {
  return std::llround(seconds * static_cast<double>(kNanosPerSecond));
}

// A position in the scene's frame: local metres, and WGS84 when the scene has it.
ordered_json PositionJson(const Eigen::Vector3d& position_m, const LocalFrame& frame) {
  ordered_json out = {{"x_m", Metres(position_m.x())},
                      {"y_m", Metres(position_m.y())},
                      {"z_m", Metres(position_m.z())}};
  if (frame.is_geodetic()) {
    const GeodeticPoint point = frame.Reverse(position_m);
    out["lat"] = Round(point.lat_deg, 8);
    out["lon"] = Round(point.lon_deg, 8);
    out["height_m"] = Metres(point.height_m);
  }
  return out;
}

// The dataset's {x, y, z}.
ordered_json DatasetLocation(const Eigen::Vector3d& position_m) {
  return {
      {"x", Metres(position_m.x())}, {"y", Metres(position_m.y())}, {"z", Metres(position_m.z())}};
}

ordered_json IntervalJson(const TimeInterval& interval) {
  return {{"begin_utc", FormatIsoUtc(interval.begin_ns, 9)},
          {"end_utc", FormatIsoUtc(interval.end_ns, 9)}};
}

ordered_json EventJson(const Scene& scene, int index) {
  const Event& event = scene.events[static_cast<size_t>(index)];
  return {{"id", event.id},
          {"class", EventClassName(event.event_class)},
          {"kind", SourceKindName(event.kind)},
          {"description", event.description},
          {"position", PositionJson(event.position_m, scene.frame)},
          {"time_utc", FormatIsoUtc(event.time_ns, 9)},
          {"rounds", event.rounds}};
}

ordered_json EmissionJson(const Scene& scene, int index) {
  const Emission& emission = scene.emissions[static_cast<size_t>(index)];
  ordered_json out = {
      {"index", index},
      {"event", scene.events[static_cast<size_t>(emission.event_index)].id},
      {"round", emission.round_index},
      {"kind", SourceKindName(emission.kind)},
      {"time_utc", FormatIsoUtc(emission.time_ns, 9)},
      {"position", PositionJson(emission.position_m, scene.frame)},
      {"peak_db_spl_at_1m", Decibels(emission.peak_db_spl_at_1m)},
      {"axis",
       {Round(emission.axis.x(), 6), Round(emission.axis.y(), 6), Round(emission.axis.z(), 6)}}};
  if (emission.bullet_speed_mps > 0.0)
    out["bullet_speed_mps"] = Round(emission.bullet_speed_mps, 3);
  return out;
}

ordered_json SensorJson(const Scene& scene, const SimSensor& sensor) {
  ordered_json faults = ordered_json::array();
  for (const ClockFault& fault : sensor.clock_faults) {
    ordered_json f = IntervalJson(fault.interval);
    f["offset_s"] = Seconds(fault.offset_s);
    f["drift_s_per_s"] = Round(fault.drift_s_per_s, 12);
    faults.push_back(std::move(f));
  }
  ordered_json outages = ordered_json::array();
  for (const TimeInterval& outage : sensor.outages) outages.push_back(IntervalJson(outage));
  return {{"sensor", sensor.id},
          {"true_position", PositionJson(sensor.true_position_m, scene.frame)},
          {"reported_position", PositionJson(sensor.reported_position_m, scene.frame)},
          {"position_sigma_m", Metres(sensor.position_sigma_m)},
          {"sample_rate_hz", sensor.sample_rate_hz},
          {"full_scale_db_spl", Decibels(sensor.full_scale_db_spl)},
          {"calibration_error_db", Decibels(sensor.calibration_error_db)},
          {"self_noise_db_spl", Decibels(sensor.self_noise_db_spl)},
          {"clock_jitter_s", Seconds(sensor.clock_jitter_s)},
          {"clock_faults", std::move(faults)},
          {"outages", std::move(outages)}};
}

ordered_json PulseTruthJson(const Scene& scene, const SimulatedPulse& pulse) {
  const PulseTruth& truth = pulse.truth;
  ordered_json out = {{"origin", PulseOriginName(truth.origin)}};
  if (truth.origin != PulseOrigin::kNoise) {
    out["emission"] = truth.emission_index;
    out["event"] = scene
                       .events[static_cast<size_t>(
                           scene.emissions[static_cast<size_t>(truth.emission_index)].event_index)]
                       .id;
  }
  if (truth.origin == PulseOrigin::kArrival) {
    out["path"] = PathKindName(truth.path);
    out["first_arrival"] = truth.first_arrival;
  }
  out["sensor"] = pulse.pulse.sensor_id;
  out["true_arrival_utc"] = FormatIsoUtc(truth.true_arrival_ns, 9);
  out["timing_error_s"] = Seconds(truth.timing_error_s);
  out["true_level_db_spl"] = Decibels(truth.true_level_db_spl);
  out["true_snr_db"] = Decibels(truth.true_snr_db);
  out["clock_faulted"] = truth.clock_faulted;
  return out;
}

// Writes text to a file, reporting any failure with the path.
class FileWriter {
 public:
  explicit FileWriter(std::string path)
      : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {}
  std::ofstream& stream() { return out_; }
  Result<void> Close() {
    if (!out_.is_open()) return Fail(path_, "", "cannot create the file");
    out_.close();
    if (out_.fail()) return Fail(path_, "", "write failed (disk full?)");
    return {};
  }

 private:
  std::string path_;
  std::ofstream out_;
};

// `"key": [` one element a line `]` — the big arrays of the truth file stay greppable.
template <typename Range, typename ToJson>
void WriteArrayLines(std::ostream& out, const char* key, const Range& range, const ToJson& to_json,
                     bool last) {
  out << "  \"" << key << "\": [";
  bool first = true;
  for (const auto& item : range) {
    out << (first ? "\n    " : ",\n    ") << to_json(item).dump();
    first = false;
  }
  out << (first ? "]" : "\n  ]") << (last ? "\n" : ",\n");
}

// `"pulses": {` one "id": truth a line `}`.
void WritePulseTruthLines(std::ostream& out, const Scene& scene,
                          const std::vector<const SimulatedPulse*>& pulses) {
  out << "  \"pulses\": {";
  bool first = true;
  for (const SimulatedPulse* pulse : pulses) {
    out << (first ? "\n    " : ",\n    ") << ordered_json(pulse->pulse.id).dump() << ": "
        << PulseTruthJson(scene, *pulse).dump();
    first = false;
  }
  out << (first ? "}\n" : "\n  }\n");
}

ordered_json FrameJson(const LocalFrame& frame) {
  if (!frame.is_geodetic()) return {{"kind", "metric"}};
  const GeodeticPoint origin = frame.origin();
  return {{"kind", "geodetic"},
          {"origin",
           {{"lat", origin.lat_deg}, {"lon", origin.lon_deg}, {"height_m", origin.height_m}}}};
}

// Pulses whose reported onset lies in [begin, end).
std::vector<const SimulatedPulse*> PulsesIn(const PulseReports& reports, int64_t begin_ns,
                                            int64_t end_ns) {
  const auto by_onset = [](const SimulatedPulse& p, int64_t t) { return p.pulse.onset_ns < t; };
  auto it = std::lower_bound(reports.pulses.begin(), reports.pulses.end(), begin_ns, by_onset);
  std::vector<const SimulatedPulse*> out;
  for (; it != reports.pulses.end() && it->pulse.onset_ns < end_ns; ++it) out.push_back(&*it);
  return out;
}

bool OutageDuring(const SimSensor& sensor, int64_t begin_ns, int64_t end_ns) {
  return std::any_of(sensor.outages.begin(), sensor.outages.end(), [&](const TimeInterval& o) {
    return o.begin_ns <= end_ns && o.end_ns >= begin_ns;
  });
}

// The number of "test_NNN", or −1 when the id is not of that form.
int TestNumber(const std::string& id) {
  constexpr std::string_view kPrefix = "test_";
  if (!id.starts_with(kPrefix) || id.size() == kPrefix.size() || id.size() > kPrefix.size() + 6) {
    return -1;
  }
  int number = 0;
  for (size_t i = kPrefix.size(); i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return -1;
    number = number * 10 + (id[i] - '0');
  }
  return number;
}

std::string SequentialName(int number) {
  char text[24];
  std::snprintf(text, sizeof text, "test_%03d", number);
  return text;
}

std::vector<int> NearestAudioSensors(const Scene& scene, const DatasetWindow& window,
                                     int max_sensors) {
  const Eigen::Vector3d& at = scene.events[static_cast<size_t>(window.events.front())].position_m;
  std::vector<std::pair<double, int>> candidates;
  for (int i = 0; i < static_cast<int>(scene.sensors.size()); ++i) {
    const SimSensor& sensor = scene.sensors[static_cast<size_t>(i)];
    if (OutageDuring(sensor, window.begin_ns, window.end_ns)) continue;
    candidates.emplace_back((sensor.true_position_m - at).norm(), i);
  }
  std::sort(candidates.begin(), candidates.end());
  std::vector<int> out;
  for (const auto& [distance, index] : candidates) {
    if (static_cast<int>(out.size()) >= max_sensors) break;
    out.push_back(index);
  }
  return out;
}

}  // namespace

std::vector<DatasetWindow> PlanWindows(const Scene& scene, const OutputOptions& output) {
  const int64_t window_ns = SecondsToNanos(output.window_s);
  const int64_t lead_ns = SecondsToNanos(output.lead_s);
  std::vector<int> order(scene.events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return scene.events[static_cast<size_t>(a)].time_ns <
           scene.events[static_cast<size_t>(b)].time_ns;
  });
  std::vector<DatasetWindow> windows;
  std::vector<int> window_of_event(scene.events.size(), -1);
  for (const int e : order) {
    const int64_t t_ns = scene.events[static_cast<size_t>(e)].time_ns;
    if (windows.empty() || t_ns >= windows.back().end_ns - lead_ns) {
      DatasetWindow window;
      // On a whole second, as the dataset's recordings start.
      window.begin_ns = (t_ns - lead_ns) -
                        ((t_ns - lead_ns) % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond;
      window.end_ns = window.begin_ns + window_ns;
      windows.push_back(std::move(window));
    }
    windows.back().events.push_back(e);
    window_of_event[static_cast<size_t>(e)] = static_cast<int>(windows.size()) - 1;
  }
  for (int i = 0; i < static_cast<int>(scene.emissions.size()); ++i) {
    const int w =
        window_of_event[static_cast<size_t>(scene.emissions[static_cast<size_t>(i)].event_index)];
    if (w >= 0) windows[static_cast<size_t>(w)].emissions.push_back(i);
  }

  // Names: the events' own "test_NNN" ids when every window has one and none repeats.
  std::vector<int> numbers;
  for (const DatasetWindow& window : windows) {
    numbers.push_back(TestNumber(scene.events[static_cast<size_t>(window.events.front())].id));
  }
  std::vector<int> sorted = numbers;
  std::sort(sorted.begin(), sorted.end());
  const bool own_names = !sorted.empty() && sorted.front() >= 0 &&
                         std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
  for (size_t w = 0; w < windows.size(); ++w) {
    DatasetWindow& window = windows[w];
    window.test_id = own_names ? numbers[w] : static_cast<int>(w) + 1;
    window.name = own_names ? scene.events[static_cast<size_t>(window.events.front())].id
                            : SequentialName(window.test_id);
    window.audio_sensors = NearestAudioSensors(scene, window, output.max_audio_sensors);
  }
  return windows;
}

Result<void> WriteJsonFile(const std::string& path, const ordered_json& value, int indent) {
  FileWriter file(path);
  file.stream() << value.dump(indent) << "\n";
  return file.Close();
}

Result<void> WritePulsesFile(const std::string& path, const Scene& scene,
                             const PulseReports& reports) {
  FileWriter file(path);
  for (const SimulatedPulse& pulse : reports.pulses) {
    file.stream() << PulseToJson(pulse.pulse, scene.frame).dump() << "\n";
  }
  return file.Close();
}

Result<void> WriteSensorsFile(const std::string& path, const Scene& scene) {
  FileWriter file(path);
  for (const SimSensor& sensor : scene.sensors) {
    // The position the sensor reports (with its GPS error), as its pulses carry it.
    Pulse carrier;
    carrier.sensor_position_m = sensor.reported_position_m.unaryExpr(&Metres);
    const nlohmann::json position = PulseToJson(carrier, scene.frame)["sensor_position"];
    const nlohmann::json line = {{"sensor", sensor.id},
                                 {"position", position},
                                 {"position_sigma_m", Metres(sensor.position_sigma_m)}};
    file.stream() << line.dump() << "\n";
  }
  return file.Close();
}

Result<void> WriteWeatherFile(const std::string& path, const Scene& scene) {
  const Atmosphere& air = scene.atmosphere;
  return WriteJsonFile(path, {{"temperature_c", Round(air.weather.temperature_c, 3)},
                              {"wind_speed_mps", Round(air.weather.wind_speed_mps, 3)},
                              {"wind_from_deg", Round(air.weather.wind_from_deg, 3)},
                              {"relative_humidity_pct", Round(air.relative_humidity_pct, 3)},
                              {"pressure_kpa", Round(air.pressure_kpa, 4)}});
}

Result<void> WriteTruthFile(const std::string& path, const Scene& scene,
                            const PulseReports& reports) {
  FileWriter file(path);
  std::ostream& out = file.stream();
  std::vector<int> events(scene.events.size());
  std::iota(events.begin(), events.end(), 0);
  std::vector<int> emissions(scene.emissions.size());
  std::iota(emissions.begin(), emissions.end(), 0);
  std::vector<const SimulatedPulse*> pulses;
  pulses.reserve(reports.pulses.size());
  for (const SimulatedPulse& pulse : reports.pulses) pulses.push_back(&pulse);

  out << "{\n  \"scene\": " << ordered_json(scene.name).dump() << ",\n";
  out << "  \"seed\": " << scene.seed << ",\n";
  out << "  \"frame\": " << FrameJson(scene.frame).dump() << ",\n";
  out << "  \"start_utc\": \"" << FormatIsoUtc(scene.start_ns, 9) << "\",\n";
  out << "  \"end_utc\": \"" << FormatIsoUtc(scene.end_ns, 9) << "\",\n";
  WriteArrayLines(
      out, "events", events, [&](int i) { return EventJson(scene, i); }, false);
  WriteArrayLines(
      out, "emissions", emissions, [&](int i) { return EmissionJson(scene, i); }, false);
  WriteArrayLines(
      out, "sensors", scene.sensors, [&](const SimSensor& s) { return SensorJson(scene, s); },
      false);
  WritePulseTruthLines(out, scene, pulses);
  out << "}\n";
  return file.Close();
}

std::string RecordingStem(const DatasetWindow& window, const SimSensor& sensor) {
  return std::string(window.name).append(".audio.").append(sensor.id);
}

Result<void> WriteWindowFiles(const std::string& folder, const Scenario& scenario,
                              const DatasetWindow& window, const PulseReports& reports) {
  const Scene& scene = scenario.scene;
  const Event& first = scene.events[static_cast<size_t>(window.events.front())];
  const std::string stem = std::string(folder).append("/").append(window.name);
  const std::string description = std::string("Simulated by earshot simulate: ")
                                      .append(std::to_string(first.rounds))
                                      .append(" rounds from ")
                                      .append(first.description)
                                      .append(" (event ")
                                      .append(first.id)
                                      .append(", scene ")
                                      .append(scene.name)
                                      .append(", seed ")
                                      .append(std::to_string(scene.seed))
                                      .append("), local metres of the scene's frame.");

  // survey.json: where and what the window's first event was.
  const ordered_json survey = {
      {"test_id", window.test_id},
      {"firing_position", scenario.output.group},
      {"num_rounds", first.rounds},
      {"firearm", first.description},
      {"approximate_time_utc",
       FormatIsoUtc(
           first.time_ns - ((first.time_ns % kNanosPerMinute) + kNanosPerMinute) % kNanosPerMinute,
           3)},
      {"survey_location", DatasetLocation(first.survey_position_m.value_or(first.position_m))},
      {"creator", kCreator},
      {"description", description},
      {"comment", ""}};
  if (auto ok = WriteJsonFile(stem + ".survey.json", survey, 4); !ok) return ok;

  const Weather& weather = scene.atmosphere.weather;
  const ordered_json weather_json = {
      {"fluid", "air"},
      {"temperature", Round(weather.temperature_c, 3)},
      {"speed", Round(weather.wind_speed_mps, 3)},
      {"direction", Round(weather.wind_from_deg, 3)},
      {"precipitation", scene.background.rain_mm_per_h > 0.0 ? "rain" : "clear"},
      {"observation_time", FormatIsoUtc(window.begin_ns, 3)},
      {"source", "simulated"}};
  if (auto ok = WriteJsonFile(stem + ".weather.json", weather_json, 4); !ok) return ok;

  const std::vector<const SimulatedPulse*> pulses =
      PulsesIn(reports, window.begin_ns, window.end_ns);
  ordered_json allpulses = ordered_json::array();
  for (const SimulatedPulse* p : pulses) {
    // The vendor's reports: millisecond times, truncated.
    allpulses.push_back({{"pulse_uuid", p->pulse.id},
                         {"serial_number", p->pulse.sensor_id},
                         {"arrival_time_utc", FormatIsoUtc(p->pulse.onset_ns, 3)},
                         {"location", DatasetLocation(p->pulse.sensor_position_m)},
                         {"location_error", Metres(p->pulse.sensor_position_sigma_m)},
                         {"signal_to_noise_dB", Decibels(p->pulse.snr_db)},
                         {"power_dB_SPL", Decibels(p->pulse.level_db_spl)}});
  }
  if (auto ok = WriteJsonFile(stem + ".allpulses.json", allpulses, 4); !ok) return ok;

  // nlos-tuples.json: per gunfire emission, its first arrivals (the truth association).
  ordered_json tuples = ordered_json::array();
  for (const int e : window.emissions) {
    if (ClassOfKind(scene.emissions[static_cast<size_t>(e)].kind) != EventClass::kGunfire) continue;
    ordered_json ids = ordered_json::array();
    for (const SimulatedPulse* p : pulses) {
      if (p->truth.emission_index == e && p->truth.first_arrival &&
          p->truth.origin == PulseOrigin::kArrival) {
        ids.push_back(p->pulse.id);
      }
    }
    tuples.push_back(
        {{"shot_index", static_cast<int>(tuples.size())}, {"pulse_uuids", std::move(ids)}});
  }
  if (auto ok = WriteJsonFile(stem + ".nlos-tuples.json", tuples, 4); !ok) return ok;

  // truth.json: the window's events, emissions, pulses and recordings.
  FileWriter file(stem + ".truth.json");
  std::ostream& out = file.stream();
  out << "{\n  \"test\": " << ordered_json(window.name).dump() << ",\n";
  out << "  \"begin_utc\": \"" << FormatIsoUtc(window.begin_ns, 9) << "\",\n";
  out << "  \"end_utc\": \"" << FormatIsoUtc(window.end_ns, 9) << "\",\n";
  ordered_json audio_sensors = ordered_json::array();
  for (const int s : window.audio_sensors)
    audio_sensors.push_back(scene.sensors[static_cast<size_t>(s)].id);
  out << "  \"audio_sensors\": " << audio_sensors.dump() << ",\n";
  WriteArrayLines(
      out, "events", window.events, [&](int i) { return EventJson(scene, i); }, false);
  WriteArrayLines(
      out, "emissions", window.emissions, [&](int i) { return EmissionJson(scene, i); }, false);
  WritePulseTruthLines(out, scene, pulses);
  out << "}\n";
  return file.Close();
}

Result<void> WriteRecording(const std::string& stem, const SimSensor& sensor,
                            const RenderedAudio& audio, const std::string& description) {
  if (auto ok = audio::WriteAudioFile(stem + ".wav", audio.clip); !ok) return ok;
  const ordered_json sidecar = {{"serial_number", sensor.id},
                                {"timestamp", FormatIsoUtc(audio.stamped_first_sample_ns, 9)},
                                {"location", DatasetLocation(sensor.reported_position_m)},
                                {"sample_rate_hz", audio.clip.sample_rate_hz},
                                {"full_scale_db_spl", Decibels(sensor.full_scale_db_spl)},
                                {"creator", kCreator},
                                {"description", description}};
  return WriteJsonFile(stem + ".json", sidecar, 4);
}

}  // namespace earshot::sim
