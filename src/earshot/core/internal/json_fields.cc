#include "earshot/core/internal/json_fields.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "earshot/core/time.h"

namespace earshot::internal {
namespace {

using nlohmann::json;

std::string FieldPath(std::string_view prefix, std::string_view key) {
  std::string path(prefix);
  if (!path.empty()) path += '.';
  path += key;
  return path;
}

std::string FormatNumber(double value) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.10g", value);
  return buffer.data();
}

// "got nothing" reads better than "got null" when the key is simply absent.
constexpr const char* kMissing = "nothing (the field is missing)";

// Checks an already present number against `rule`.
Result<double> CheckNumber(const json& value, const std::string& field, const RecordPlace& place,
                           const NumberRule& rule) {
  if (!value.is_number()) {
    return std::unexpected(
        place.At(field, std::string("expected ") + rule.what + ", got " + DescribeJson(value)));
  }
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < rule.min || number > rule.max) {
    return std::unexpected(
        place.At(field, std::string("expected ") + rule.what + ", got " + DescribeJson(value)));
  }
  return number;
}

}  // namespace

Error RecordPlace::At(std::string_view field, std::string message) const {
  std::string where = record;
  if (!field.empty()) {
    if (!where.empty()) where += ", ";
    where += "field ";
    where += field;
  }
  return Error{source, std::move(where), std::move(message)};
}

Error RecordPlace::Whole(std::string message) const {
  return Error{source, record, std::move(message)};
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out = "\"";
  if (text.size() > kMaxShown) {
    out += text.substr(0, kMaxShown);
    out += "...";
  } else {
    out += text;
  }
  out += '"';
  return out;
}

std::string JsonExceptionText(const json::exception& error) {
  const std::string_view text = error.what();
  const size_t end_of_tag = text.find("] ");
  return std::string(end_of_tag == std::string_view::npos ? text : text.substr(end_of_tag + 2));
}

std::string DescribeJson(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::string:
      return "the string " + QuoteForMessage(value.get_ref<const std::string&>());
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return value.dump();
    case json::value_t::number_float:
      return FormatNumber(value.get<double>());
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  return "an unreadable value";
}

Result<std::string> RequiredId(const json& object, const char* key, const RecordPlace& place,
                               std::string_view prefix) {
  const std::string field = FieldPath(prefix, key);
  const auto it = object.find(key);
  constexpr const char* kExpected = "expected a non-empty string of at most 128 characters, got ";
  if (it == object.end())
    return std::unexpected(place.At(field, std::string(kExpected) + kMissing));
  if (!it->is_string()) return std::unexpected(place.At(field, kExpected + DescribeJson(*it)));
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxIdLength) {
    return std::unexpected(place.At(field, kExpected + DescribeJson(*it)));
  }
  return text;
}

Result<int64_t> RequiredTime(const json& object, const char* key, const RecordPlace& place,
                             std::string_view prefix) {
  const std::string field = FieldPath(prefix, key);
  const auto it = object.find(key);
  constexpr const char* kExpected =
      "expected an ISO 8601 UTC time like 2018-12-19T00:49:27.467Z, got ";
  if (it == object.end())
    return std::unexpected(place.At(field, std::string(kExpected) + kMissing));
  if (!it->is_string()) return std::unexpected(place.At(field, kExpected + DescribeJson(*it)));
  auto time_ns = ParseIsoUtc(it->get_ref<const std::string&>());
  if (!time_ns) return std::unexpected(place.At(field, time_ns.error()));
  return *time_ns;
}

Result<double> RequiredNumber(const json& object, const char* key, const RecordPlace& place,
                              const NumberRule& rule, std::string_view prefix) {
  const std::string field = FieldPath(prefix, key);
  const auto it = object.find(key);
  if (it == object.end()) {
    return std::unexpected(
        place.At(field, std::string("expected ") + rule.what + ", got " + kMissing));
  }
  return CheckNumber(*it, field, place, rule);
}

Result<std::optional<double>> OptionalNumber(const json& object, const char* key,
                                             const RecordPlace& place, const NumberRule& rule,
                                             std::string_view prefix) {
  const auto it = object.find(key);
  if (it == object.end()) return std::optional<double>();
  auto number = CheckNumber(*it, FieldPath(prefix, key), place, rule);
  if (!number) return std::unexpected(number.error());
  return std::optional<double>(*number);
}

Result<PositionInput> ParsePositionObject(const json& value, const RecordPlace& place,
                                          const std::string& field) {
  if (!value.is_object()) {
    return std::unexpected(place.At(
        field,
        "expected an object {\"x_m\",\"y_m\",\"z_m\"} or {\"lat\",\"lon\",\"height_m\"}, got " +
            DescribeJson(value)));
  }
  const bool has_metric = value.contains("x_m") || value.contains("y_m") || value.contains("z_m");
  const bool has_geodetic =
      value.contains("lat") || value.contains("lon") || value.contains("height_m");
  if (has_metric == has_geodetic) {
    return std::unexpected(place.At(
        field,
        std::string("expected either metric x_m, y_m, z_m or geodetic lat, lon, height_m, got ") +
            (has_metric ? "both" : "neither")));
  }
  PositionInput position;
  if (has_metric) {
    constexpr NumberRule kMetres{.what = "a finite number of metres"};
    const char* const keys[] = {"x_m", "y_m", "z_m"};
    for (int axis = 0; axis < 3; ++axis) {
      auto coordinate = RequiredNumber(value, keys[axis], place, kMetres, field);
      if (!coordinate) return std::unexpected(coordinate.error());
      position.metric_m[axis] = *coordinate;
    }
    return position;
  }
  position.geodetic = true;
  auto lat =
      RequiredNumber(value, "lat", place,
                     {.min = -90.0, .max = 90.0, .what = "a latitude in degrees, -90..90"}, field);
  if (!lat) return std::unexpected(lat.error());
  auto lon = RequiredNumber(
      value, "lon", place,
      {.min = -180.0, .max = 180.0, .what = "a longitude in degrees, -180..180"}, field);
  if (!lon) return std::unexpected(lon.error());
  // Heights beyond this are not a sensor on or above a city: a unit slip (feet, mm).
  auto height =
      RequiredNumber(value, "height_m", place,
                     {.min = -1'000.0,
                      .max = 10'000.0,
                      .what = "a height above the WGS84 ellipsoid in metres, -1000..10000"},
                     field);
  if (!height) return std::unexpected(height.error());
  position.point = {*lat, *lon, *height};
  return position;
}

Result<json> ParseJsonDocument(std::string_view text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    // error.byte is 1-based; count the lines before it so the operator can find the spot.
    const size_t end = std::min(text.size(), error.byte == 0 ? 0 : error.byte - 1);
    size_t line = 1, column = 1;
    for (size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Fail(source, "line " + std::to_string(line),
                "expected JSON, got a syntax error at column " + std::to_string(column));
  } catch (const json::exception& error) {
    // Numbers too large for a double and similar: still bad input, never a crash.
    return Fail(source, "",
                "expected JSON, got unreadable input (" + JsonExceptionText(error) + ")");
  }
}

}  // namespace earshot::internal
