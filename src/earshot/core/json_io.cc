// Readers of json_io.h. The writers are in json_io_write.cc.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "earshot/core/internal/json_fields.h"
#include "earshot/core/json_io.h"

namespace earshot {
namespace {

using internal::NumberRule;
using internal::PositionInput;
using internal::RecordPlace;
using nlohmann::json;

constexpr NumberRule kSigmaSeconds{.min = 0.0, .what = "a finite number of seconds >= 0"};
constexpr NumberRule kSigmaMetres{.min = 0.0, .what = "a finite number of metres >= 0"};
constexpr NumberRule kDecibels{.what = "a finite number of dB"};
constexpr NumberRule kFeature{.what = "a finite number"};

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return Fail(path, "", "expected a file, got a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Fail(path, "", std::string("cannot read: ") + std::strerror(errno));
  std::string content = std::move(text).str();
  // Editors on Windows start UTF-8 files with a byte-order mark; it is not content.
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (content.starts_with(kUtf8Bom)) content.erase(0, kUtf8Bom.size());
  return content;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Parses one JSON Lines record, which must be an object.
Result<json> ParseRecordLine(const std::string& line, const RecordPlace& place) {
  json value;
  try {
    value = json::parse(line);
  } catch (const json::parse_error& error) {
    return std::unexpected(place.Whole("expected a JSON object, got text that is not JSON " +
                                       std::string("(syntax error at column ") +
                                       std::to_string(error.byte) +
                                       "): " + internal::QuoteForMessage(line)));
  } catch (const json::exception& error) {
    return std::unexpected(place.Whole("expected a JSON object, got unreadable JSON (" +
                                       internal::JsonExceptionText(error) + ")"));
  }
  if (!value.is_object()) {
    return std::unexpected(
        place.Whole("expected a JSON object, got " + internal::DescribeJson(value)));
  }
  return value;
}

// Places the positions of one input in one frame. The first position decides its kind:
// metric positions are taken as they are; the first geodetic one becomes the origin of a
// local ENU frame. A later position of the other kind is refused, because a metric
// dataset frame and WGS84 cannot be related without a survey.
class FramePlacer {
 public:
  explicit FramePlacer(LocalFrame* frame) : frame_(frame) {}

  Result<Eigen::Vector3d> Place(const PositionInput& position, const RecordPlace& place,
                                const std::string& field) {
    const Kind kind = position.geodetic ? Kind::kGeodetic : Kind::kMetric;
    if (kind_ == Kind::kUnset) {
      kind_ = kind;
      if (position.geodetic) {
        *frame_ = LocalFrame::Geodetic(position.point.lat_deg, position.point.lon_deg,
                                       position.point.height_m);
      }
    } else if (kind != kind_) {
      return std::unexpected(place.At(
          field, kind_ == Kind::kMetric
                     ? "expected a metric position (x_m, y_m, z_m) like the earlier records, "
                       "got a geodetic one (lat, lon, height_m): one input uses one kind"
                     : "expected a geodetic position (lat, lon, height_m) like the earlier "
                       "records, got a metric one (x_m, y_m, z_m): one input uses one kind"));
    }
    return position.geodetic ? frame_->Forward(position.point) : position.metric_m;
  }

 private:
  enum class Kind { kUnset, kMetric, kGeodetic };
  Kind kind_ = Kind::kUnset;
  LocalFrame* frame_;
};

using SensorIndex = std::unordered_map<std::string, const SensorRecord*>;

SensorIndex IndexSensors(const std::vector<SensorRecord>& sensors) {
  SensorIndex index;
  for (const SensorRecord& sensor : sensors) index.emplace(sensor.id, &sensor);
  return index;
}

PositionInput SensorPosition(const SensorRecord& sensor) {
  PositionInput position;
  if (sensor.geodetic) {
    position.geodetic = true;
    position.point = *sensor.geodetic;
  } else {
    position.metric_m = sensor.position_m;
  }
  return position;
}

Result<std::map<std::string, double>> ParseFeatures(const json& object, const RecordPlace& place) {
  std::map<std::string, double> features;
  const auto it = object.find("features");
  if (it == object.end()) return features;
  if (!it->is_object()) {
    return std::unexpected(place.At(
        "features", "expected an object of named numbers, got " + internal::DescribeJson(*it)));
  }
  for (const auto& [name, value] : it->items()) {
    auto number = internal::RequiredNumber(*it, name.c_str(), place, kFeature, "features");
    if (!number) return std::unexpected(number.error());
    features.emplace(name, *number);
  }
  return features;
}

// One record of Earshot pulse JSON Lines. The position is placed in the frame last, so
// that a record refused for another field never decides the frame of the input.
Result<Pulse> ParsePulseObject(const json& object, const RecordPlace& place,
                               const SensorIndex& sensors, FramePlacer& placer) {
  Pulse pulse;
  auto id = internal::RequiredId(object, "pulse_id", place);
  if (!id) return std::unexpected(id.error());
  pulse.id = std::move(*id);
  auto sensor = internal::RequiredId(object, "sensor", place);
  if (!sensor) return std::unexpected(sensor.error());
  pulse.sensor_id = std::move(*sensor);
  auto onset_ns = internal::RequiredTime(object, "time_utc", place);
  if (!onset_ns) return std::unexpected(onset_ns.error());
  pulse.onset_ns = *onset_ns;

  auto onset_sigma = internal::OptionalNumber(object, "onset_sigma_s", place, kSigmaSeconds);
  if (!onset_sigma) return std::unexpected(onset_sigma.error());
  pulse.onset_sigma_s = onset_sigma->value_or(0.0);
  auto position_sigma = internal::OptionalNumber(object, "position_sigma_m", place, kSigmaMetres);
  if (!position_sigma) return std::unexpected(position_sigma.error());
  auto snr = internal::OptionalNumber(object, "snr_db", place, kDecibels);
  if (!snr) return std::unexpected(snr.error());
  pulse.snr_db = snr->value_or(0.0);
  auto level = internal::OptionalNumber(object, "level_db_spl", place, kDecibels);
  if (!level) return std::unexpected(level.error());
  pulse.level_db_spl = level->value_or(0.0);
  auto features = ParseFeatures(object, place);
  if (!features) return std::unexpected(features.error());
  pulse.features = std::move(*features);

  PositionInput position;
  double default_sigma_m = 0.0;
  if (const auto it = object.find("sensor_position"); it != object.end()) {
    auto parsed = internal::ParsePositionObject(*it, place, "sensor_position");
    if (!parsed) return std::unexpected(parsed.error());
    position = *parsed;
  } else if (const auto known = sensors.find(pulse.sensor_id); known != sensors.end()) {
    position = SensorPosition(*known->second);
    default_sigma_m = known->second->position_sigma_m;
  } else {
    return std::unexpected(place.At("sensor_position", "unknown sensor " + pulse.sensor_id +
                                                           ": no position in the pulse and none "
                                                           "in the sensors file"));
  }
  pulse.sensor_position_sigma_m = position_sigma->value_or(default_sigma_m);
  auto position_m = placer.Place(position, place, "sensor_position");
  if (!position_m) return std::unexpected(position_m.error());
  pulse.sensor_position_m = *position_m;
  return pulse;
}

// One element of the live-fire dataset's allpulses.json.
Result<Pulse> ParseLivefireElement(const json& element, const RecordPlace& place) {
  if (!element.is_object()) {
    return std::unexpected(
        place.Whole("expected a pulse report object, got " + internal::DescribeJson(element)));
  }
  Pulse pulse;
  auto id = internal::RequiredId(element, "pulse_uuid", place);
  if (!id) return std::unexpected(id.error());
  pulse.id = std::move(*id);
  auto sensor = internal::RequiredId(element, "serial_number", place);
  if (!sensor) return std::unexpected(sensor.error());
  pulse.sensor_id = std::move(*sensor);
  auto onset_ns = internal::RequiredTime(element, "arrival_time_utc", place);
  if (!onset_ns) return std::unexpected(onset_ns.error());
  pulse.onset_ns = *onset_ns;

  const auto location = element.find("location");
  if (location == element.end() || !location->is_object()) {
    return std::unexpected(place.At(
        "location", "expected an object {\"x\",\"y\",\"z\"} in metres, got " +
                        (location == element.end() ? std::string("nothing (the field is missing)")
                                                   : internal::DescribeJson(*location))));
  }
  constexpr NumberRule kMetres{.what = "a finite number of metres"};
  const char* const keys[] = {"x", "y", "z"};
  for (int axis = 0; axis < 3; ++axis) {
    auto coordinate = internal::RequiredNumber(*location, keys[axis], place, kMetres, "location");
    if (!coordinate) return std::unexpected(coordinate.error());
    pulse.sensor_position_m[axis] = *coordinate;
  }
  auto sigma = internal::OptionalNumber(element, "location_error", place, kSigmaMetres);
  if (!sigma) return std::unexpected(sigma.error());
  pulse.sensor_position_sigma_m = sigma->value_or(0.0);
  auto snr = internal::OptionalNumber(element, "signal_to_noise_dB", place, kDecibels);
  if (!snr) return std::unexpected(snr.error());
  pulse.snr_db = snr->value_or(0.0);
  auto level = internal::OptionalNumber(element, "power_dB_SPL", place, kDecibels);
  if (!level) return std::unexpected(level.error());
  pulse.level_db_spl = level->value_or(0.0);
  return pulse;
}

// The dataset format is recognised by content, not by file name: a JSON array with at
// least one element that has pulse_uuid (an empty array is an empty dataset file).
bool LooksLikeLivefireArray(const json& document) {
  if (!document.is_array()) return false;
  if (document.empty()) return true;
  for (const json& element : document) {
    if (element.is_object() && element.contains("pulse_uuid")) return true;
  }
  return false;
}

Result<SensorRecord> ParseSensorObject(const json& object, const RecordPlace& place,
                                       const LocalFrame& frame) {
  SensorRecord sensor;
  auto id = internal::RequiredId(object, "sensor", place);
  if (!id) return std::unexpected(id.error());
  sensor.id = std::move(*id);
  const auto it = object.find("position");
  if (it == object.end()) {
    return std::unexpected(
        place.At("position",
                 "expected an object {\"x_m\",\"y_m\",\"z_m\"} or {\"lat\",\"lon\",\"height_m\"}, "
                 "got nothing (the field is missing)"));
  }
  auto position = internal::ParsePositionObject(*it, place, "position");
  if (!position) return std::unexpected(position.error());
  if (position->geodetic) {
    sensor.geodetic = position->point;
    if (frame.is_geodetic()) sensor.position_m = frame.Forward(position->point);
  } else {
    sensor.position_m = position->metric_m;
  }
  auto sigma = internal::OptionalNumber(object, "position_sigma_m", place, kSigmaMetres);
  if (!sigma) return std::unexpected(sigma.error());
  sensor.position_sigma_m = sigma->value_or(0.0);
  return sensor;
}

// A weather quantity that may come under the dataset's key or Earshot's own.
Result<std::optional<double>> WeatherValue(const json& object, const char* dataset_key,
                                           const char* earshot_key, const RecordPlace& place,
                                           const NumberRule& rule) {
  if (object.contains(dataset_key) && object.contains(earshot_key)) {
    return std::unexpected(place.At(earshot_key, std::string("expected one of ") + dataset_key +
                                                     " or " + earshot_key + ", got both"));
  }
  return internal::OptionalNumber(object, object.contains(dataset_key) ? dataset_key : earshot_key,
                                  place, rule);
}

}  // namespace

PulseReadResult ParsePulsesJsonLines(std::istream& in, const std::string& source,
                                     const std::vector<SensorRecord>& sensors) {
  PulseReadResult result;
  const SensorIndex index = IndexSensors(sensors);
  FramePlacer placer(&result.set.frame);
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (IsBlank(line)) continue;
    ++result.records_read;
    const RecordPlace place{source, "line " + std::to_string(line_number)};
    auto object = ParseRecordLine(line, place);
    if (!object) {
      result.refused.push_back(std::move(object.error()));
      continue;
    }
    auto pulse = ParsePulseObject(*object, place, index, placer);
    if (!pulse) {
      result.refused.push_back(std::move(pulse.error()));
      continue;
    }
    result.set.pulses.push_back(std::move(*pulse));
  }
  return result;
}

PulseReadResult ParseLivefirePulses(const json& array, const std::string& source) {
  PulseReadResult result;
  if (!array.is_array()) {
    result.refused.push_back(
        Error{source, "",
              "expected a JSON array of pulse reports, got " + internal::DescribeJson(array)});
    return result;
  }
  for (size_t i = 0; i < array.size(); ++i) {
    ++result.records_read;
    // Elements count from 0, as in jq's .[N], so that an operator can look one up.
    const RecordPlace place{source, "element " + std::to_string(i)};
    auto pulse = ParseLivefireElement(array[i], place);
    if (!pulse) {
      result.refused.push_back(std::move(pulse.error()));
      continue;
    }
    result.set.pulses.push_back(std::move(*pulse));
  }
  return result;
}

Result<PulseReadResult> ReadPulsesFile(const std::string& path,
                                       const std::vector<SensorRecord>& sensors) {
  auto text = ReadWholeFile(path);
  if (!text) return std::unexpected(text.error());
  const size_t first = text->find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (*text)[first] == '[') {
    auto document = internal::ParseJsonDocument(*text, path);
    if (!document) {
      // A broken array would give one refusal per line as JSON Lines; one is clearer.
      PulseReadResult result;
      result.refused.push_back(std::move(document.error()));
      return result;
    }
    if (LooksLikeLivefireArray(*document)) return ParseLivefirePulses(*document, path);
  }
  std::istringstream lines(std::move(*text));
  return ParsePulsesJsonLines(lines, path, sensors);
}

Result<std::vector<SensorRecord>> ReadSensorsFile(const std::string& path,
                                                  const LocalFrame& frame) {
  auto text = ReadWholeFile(path);
  if (!text) return std::unexpected(text.error());
  std::vector<SensorRecord> sensors;
  std::unordered_map<std::string, int> line_of_sensor;
  std::optional<bool> geodetic_file;
  std::istringstream lines(std::move(*text));
  std::string line;
  for (int line_number = 1; std::getline(lines, line); ++line_number) {
    if (IsBlank(line)) continue;
    const RecordPlace place{path, "line " + std::to_string(line_number)};
    auto object = ParseRecordLine(line, place);
    if (!object) return std::unexpected(object.error());
    auto sensor = ParseSensorObject(*object, place, frame);
    if (!sensor) return std::unexpected(sensor.error());
    const bool geodetic = sensor->geodetic.has_value();
    if (geodetic_file && *geodetic_file != geodetic) {
      return std::unexpected(place.At(
          "position", std::string("expected a ") + (*geodetic_file ? "geodetic" : "metric") +
                          " position like the earlier sensors, got a " +
                          (geodetic ? "geodetic" : "metric") + " one: one file uses one kind"));
    }
    geodetic_file = geodetic;
    const auto [earlier, inserted] = line_of_sensor.emplace(sensor->id, line_number);
    if (!inserted) {
      return std::unexpected(place.At("sensor", "expected each sensor once, got " + sensor->id +
                                                    " again (first on line " +
                                                    std::to_string(earlier->second) + ")"));
    }
    sensors.push_back(std::move(*sensor));
  }
  return sensors;
}

Result<Weather> ReadWeatherFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text) return std::unexpected(text.error());
  auto document = internal::ParseJsonDocument(*text, path);
  if (!document) return std::unexpected(document.error());
  const RecordPlace place{path, ""};
  if (!document->is_object()) {
    return std::unexpected(
        place.Whole("expected a JSON object, got " + internal::DescribeJson(*document)));
  }
  // The ranges hold every surface weather report on Earth; outside them is a unit slip
  // (Fahrenheit, knots, radians) that would silently bend every located shot.
  auto temperature = WeatherValue(
      *document, "temperature", "temperature_c", place,
      {.min = -60.0, .max = 60.0, .what = "an air temperature in degrees Celsius, -60..60"});
  if (!temperature) return std::unexpected(temperature.error());
  if (!*temperature) {
    return std::unexpected(place.At("temperature_c",
                                    "expected an air temperature in degrees Celsius (temperature "
                                    "or temperature_c), got nothing (the field is missing)"));
  }
  auto speed = WeatherValue(*document, "speed", "wind_speed_mps", place,
                            {.min = 0.0, .max = 60.0, .what = "a wind speed in m/s, 0..60"});
  if (!speed) return std::unexpected(speed.error());
  auto direction = WeatherValue(
      *document, "direction", "wind_from_deg", place,
      {.min = 0.0, .max = 360.0, .what = "the direction the wind blows from, degrees 0..360"});
  if (!direction) return std::unexpected(direction.error());
  if (speed->value_or(0.0) > 0.0 && !*direction) {
    return std::unexpected(place.At("wind_from_deg",
                                    "expected the direction the wind blows from (direction or "
                                    "wind_from_deg) when the wind speed is above 0, got nothing"));
  }
  Weather weather;
  weather.temperature_c = **temperature;
  weather.wind_speed_mps = speed->value_or(0.0);
  weather.wind_from_deg = direction->value_or(0.0);
  return weather;
}

}  // namespace earshot
