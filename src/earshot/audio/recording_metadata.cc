#include "earshot/audio/recording_metadata.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "earshot/core/internal/json_fields.h"
#include "earshot/core/time.h"

namespace earshot::audio {
namespace {

using nlohmann::json;

// Longest serial accepted: real serials are ~16 characters; a cap keeps a corrupt file
// from putting kilobytes into every pulse id and message.
constexpr size_t kMaxSensorIdLength = 128;

// A JSON value as a message shows it: strings quoted and cut short, the rest by kind.
std::string Describe(const json& value) {
  constexpr size_t kMaxShown = 64;
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      return "the string \"" +
             (text.size() > kMaxShown ? text.substr(0, kMaxShown) + "..." : text) + "\"";
    }
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    default:
      return value.dump();
  }
}

// Field access for one sidecar file: each getter names the file and the field it refuses.
class Fields {
 public:
  explicit Fields(std::string path) : path_(std::move(path)) {}

  Result<const json*> Required(const json& object, const std::string& field,
                               const char* expected) const {
    const std::string key = LastKey(field);
    if (!object.contains(key))
      return Fail(path_, "field " + field, std::string("missing: expected ") + expected);
    return &object.at(key);
  }

  Result<std::string> String(const json& object, const std::string& field,
                             const char* expected) const {
    auto value = Required(object, field, expected);
    if (!value) return std::unexpected(value.error());
    if (!(*value)->is_string() || (*value)->get_ref<const std::string&>().empty()) {
      return Refuse(field, expected, **value);
    }
    return (*value)->get<std::string>();
  }

  Result<double> Number(const json& object, const std::string& field, const char* expected,
                        double min, double max) const {
    auto value = Required(object, field, expected);
    if (!value) return std::unexpected(value.error());
    return CheckNumber(**value, field, expected, min, max);
  }

  Result<std::optional<double>> OptionalNumber(const json& object, const std::string& field,
                                               const char* expected, double min, double max) const {
    const std::string key = LastKey(field);
    if (!object.contains(key)) return std::nullopt;
    auto number = CheckNumber(object.at(key), field, expected, min, max);
    if (!number) return std::unexpected(number.error());
    return *number;
  }

  std::unexpected<Error> Refuse(const std::string& field, const char* expected,
                                const json& got) const {
    return Fail(path_, "field " + field,
                std::string("expected ") + expected + ", got " + Describe(got));
  }

 private:
  // "location.x" is key "x" of the object "location".
  static std::string LastKey(const std::string& field) {
    const size_t dot = field.rfind('.');
    return dot == std::string::npos ? field : field.substr(dot + 1);
  }

  Result<double> CheckNumber(const json& value, const std::string& field, const char* expected,
                             double min, double max) const {
    if (!value.is_number()) return Refuse(field, expected, value);
    const double number = value.get<double>();
    if (!std::isfinite(number) || number < min || number > max) {
      return Refuse(field, expected, value);
    }
    return number;
  }

  std::string path_;
};

// Reads the file and parses it with core's JSON reader, which places a syntax error at
// its line the same way for every file the project reads.
Result<json> ParseDocument(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", "cannot open: " + std::string(std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return internal::ParseJsonDocument(std::move(buffer).str(), path);
}

// Fills position and geodetic from "location": local metres {x, y, z} or WGS84
// {lat, lon, alt_m}.
Result<void> ParseLocation(const json& document, const Fields& fields, RecordingMetadata* out) {
  constexpr const char* kExpected =
      "an object {\"x\", \"y\", \"z\"} in metres or {\"lat\", \"lon\", \"alt_m\"} in WGS84";
  auto location = fields.Required(document, "location", kExpected);
  if (!location) return std::unexpected(location.error());
  const json& object = **location;
  if (!object.is_object()) return fields.Refuse("location", kExpected, object);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (object.contains("lat") || object.contains("lon")) {
    auto lat = fields.Number(object, "location.lat", "a latitude in degrees, -90..90", -90, 90);
    if (!lat) return std::unexpected(lat.error());
    auto lon =
        fields.Number(object, "location.lon", "a longitude in degrees, -180..180", -180, 180);
    if (!lon) return std::unexpected(lon.error());
    // Height above the WGS84 ellipsoid; the range holds every place a sensor can stand.
    auto alt =
        fields.Number(object, "location.alt_m",
                      "a height in metres above the WGS84 ellipsoid, -1000..10000", -1000, 10000);
    if (!alt) return std::unexpected(alt.error());
    out->position = {*lat, *lon, *alt};
    out->geodetic = true;
    return {};
  }
  const char* axes[] = {"x", "y", "z"};
  for (int i = 0; i < 3; ++i) {
    auto value = fields.Number(object, std::string("location.") + axes[i],
                               "a finite number of metres", -kInf, kInf);
    if (!value) return std::unexpected(value.error());
    out->position[i] = *value;
  }
  out->geodetic = false;
  return {};
}

}  // namespace

Result<RecordingMetadata> ReadRecordingMetadata(const std::string& path) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(path, ignored)) {
    return Fail(path, "",
                "no metadata beside the recording: expected " + path +
                    " (sensor serial, UTC time of the first sample, sensor location)");
  }
  auto document = ParseDocument(path);
  if (!document) return std::unexpected(document.error());
  const Fields fields(path);
  if (!document->is_object()) {
    return Fail(path, "", "expected a JSON object, got " + Describe(*document));
  }

  RecordingMetadata metadata;
  auto serial = fields.String(*document, "serial_number", "the sensor serial, a non-empty string");
  if (!serial) return std::unexpected(serial.error());
  if (serial->size() > kMaxSensorIdLength) {
    return fields.Refuse("serial_number", "a serial of at most 128 characters", *serial);
  }
  metadata.sensor_id = *serial;

  constexpr const char* kTimeExpected = "the UTC time of the first sample, ISO 8601 with a zone";
  auto timestamp = fields.String(*document, "timestamp", kTimeExpected);
  if (!timestamp) return std::unexpected(timestamp.error());
  auto first_sample_ns = ParseIsoUtc(*timestamp);
  if (!first_sample_ns) {
    return Fail(path, "field timestamp",
                std::string("expected ") + kTimeExpected + ", got " + Describe(*timestamp) + ": " +
                    first_sample_ns.error());
  }
  metadata.first_sample_ns = *first_sample_ns;

  if (auto located = ParseLocation(*document, fields, &metadata); !located) {
    return std::unexpected(located.error());
  }

  auto rate = fields.OptionalNumber(*document, "sample_rate_hz",
                                    "a sample rate in hertz, 1..1000000", 1, 1e6);
  if (!rate) return std::unexpected(rate.error());
  metadata.sample_rate_hz = *rate;

  // A full-scale sine outside this range is no microphone's calibration but a unit slip.
  auto full_scale = fields.OptionalNumber(*document, "full_scale_db_spl",
                                          "a full-scale level in dB SPL, 40..200", 40, 200);
  if (!full_scale) return std::unexpected(full_scale.error());
  if (*full_scale) metadata.full_scale_db_spl = **full_scale;
  return metadata;
}

std::string SidecarPathFor(const std::string& audio_path) {
  return std::filesystem::path(audio_path).replace_extension(".json").string();
}

}  // namespace earshot::audio
