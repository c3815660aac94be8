#include "earshot/server/service_config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

namespace earshot::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Reads one JSON object of the config, field by field, naming "prefix.key" in errors.
class Section {
 public:
  Section(const json& object, std::string source, std::string prefix)
      : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {}

  std::string Field(std::string_view key) const {
    return std::string("field ").append(prefix_).append(key);
  }

  // Refuses keys not in `known`.
  Result<void> OnlyKeys(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object_.items()) {
      bool found = false;
      for (std::string_view k : known) found = found || k == key;
      if (!found) {
        std::string expected = "one of";
        for (std::string_view k : known) expected.append(" ").append(k);
        return Fail(source_, Field(key), std::string("unknown key; expected ").append(expected));
      }
    }
    return {};
  }

  bool Has(std::string_view key) const { return object_.contains(key); }

  Result<std::string> String(std::string_view key, bool required) const {
    if (!object_.contains(key)) {
      if (required) return Fail(source_, Field(key), "required, expected a string");
      return std::string();
    }
    const json& value = object_.at(std::string(key));
    if (!value.is_string() || value.get<std::string>().empty())
      return Fail(source_, Field(key), "expected a non-empty string, got " + value.dump());
    return value.get<std::string>();
  }

  Result<std::optional<double>> Number(std::string_view key, double min, double max) const {
    if (!object_.contains(key)) return std::optional<double>();
    const json& value = object_.at(std::string(key));
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < min ||
        value.get<double>() > max) {
      std::ostringstream expected;
      expected << "expected a number in [" << min << ", " << max << "], got " << value.dump();
      return Fail(source_, Field(key), expected.str());
    }
    return std::optional<double>(value.get<double>());
  }

  Result<std::optional<int64_t>> Integer(std::string_view key, int64_t min, int64_t max) const {
    if (!object_.contains(key)) return std::optional<int64_t>();
    const json& value = object_.at(std::string(key));
    if (!value.is_number_integer() || value.get<int64_t>() < min || value.get<int64_t>() > max) {
      std::ostringstream expected;
      expected << "expected an integer in [" << min << ", " << max << "], got " << value.dump();
      return Fail(source_, Field(key), expected.str());
    }
    return std::optional<int64_t>(value.get<int64_t>());
  }

  Result<Section> Object(std::string_view key) const {
    const json& value = object_.contains(key) ? object_.at(std::string(key)) : kEmpty();
    if (!value.is_object())
      return Fail(source_, Field(key), "expected an object, got " + value.dump());
    return Section(value, source_, std::string(prefix_).append(key).append("."));
  }

 private:
  static const json& kEmpty() {
    static const json empty = json::object();
    return empty;
  }
  const json& object_;
  std::string source_;
  std::string prefix_;
};

// A path from the config, relative to the config file's folder unless absolute.
std::string Anchored(const std::string& path, const std::string& source) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(source).parent_path() / path).lexically_normal().string();
}

#define EARSHOT_TRY(var, expr)                                     \
  auto var##_result = (expr);                                      \
  if (!var##_result) return std::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)

}  // namespace

LocalFrame ServiceConfig::Frame() const {
  if (!frame_origin) return LocalFrame::Metric();
  return LocalFrame::Geodetic(frame_origin->lat_deg, frame_origin->lon_deg, frame_origin->height_m);
}

Result<ServiceConfig> ParseServiceConfig(std::string_view text, const std::string& source) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    return Fail(source, "", "expected a JSON object, got text that is not JSON");
  if (!root.is_object()) return Fail(source, "", "expected a JSON object at the top");

  ServiceConfig config;
  config.source = source;
  const Section top(root, source, "");
  if (auto ok = top.OnlyKeys({"listen", "database", "tokens", "models", "frame", "weather",
                              "sensors", "limits", "locate", "pipeline", "cap"});
      !ok)
    return std::unexpected(ok.error());

  EARSHOT_TRY(listen, top.Object("listen"));
  if (auto ok = listen.OnlyKeys({"address", "port", "threads"}); !ok)
    return std::unexpected(ok.error());
  EARSHOT_TRY(address, listen.String("address", false));
  if (!address.empty()) config.listen_address = address;
  EARSHOT_TRY(port, listen.Integer("port", 0, 65535));
  if (port) config.port = static_cast<std::uint16_t>(*port);
  EARSHOT_TRY(threads, listen.Integer("threads", 1, 64));
  if (threads) config.http_threads = static_cast<int>(*threads);

  EARSHOT_TRY(database, top.String("database", true));
  config.database_path = Anchored(database, source);
  EARSHOT_TRY(tokens, top.String("tokens", true));
  config.tokens_path = Anchored(tokens, source);
  EARSHOT_TRY(sensors, top.String("sensors", false));
  config.sensors_path = Anchored(sensors, source);

  EARSHOT_TRY(models, top.Object("models"));
  if (auto ok = models.OnlyKeys({"shot_classifier", "dispatch"}); !ok)
    return std::unexpected(ok.error());
  EARSHOT_TRY(shot_model, models.String("shot_classifier", false));
  config.shot_classifier_path = Anchored(shot_model, source);
  EARSHOT_TRY(dispatch, models.String("dispatch", false));
  config.dispatch_path = Anchored(dispatch, source);

  if (top.Has("frame")) {
    EARSHOT_TRY(frame, top.Object("frame"));
    if (auto ok = frame.OnlyKeys({"lat", "lon", "height_m"}); !ok)
      return std::unexpected(ok.error());
    EARSHOT_TRY(lat, frame.Number("lat", -90, 90));
    EARSHOT_TRY(lon, frame.Number("lon", -180, 180));
    EARSHOT_TRY(height, frame.Number("height_m", -1000, 10000));
    if (!lat || !lon) return Fail(source, "field frame", "expected lat and lon (WGS84 degrees)");
    config.frame_origin = GeodeticPoint{*lat, *lon, height.value_or(0.0)};
  }

  EARSHOT_TRY(weather, top.Object("weather"));
  if (auto ok = weather.OnlyKeys({"temperature_c", "wind_speed_mps", "wind_from_deg"}); !ok)
    return std::unexpected(ok.error());
  EARSHOT_TRY(temperature, weather.Number("temperature_c", -60, 60));
  EARSHOT_TRY(wind_speed, weather.Number("wind_speed_mps", 0, 60));
  EARSHOT_TRY(wind_from, weather.Number("wind_from_deg", 0, 360));
  config.weather.temperature_c = temperature.value_or(config.weather.temperature_c);
  config.weather.wind_speed_mps = wind_speed.value_or(0.0);
  config.weather.wind_from_deg = wind_from.value_or(0.0);

  EARSHOT_TRY(limits, top.Object("limits"));
  if (auto ok =
          limits.OnlyKeys({"max_body_bytes", "max_header_bytes", "max_connections",
                           "requests_per_second_per_token", "idle_timeout_s", "max_queued_pulses"});
      !ok)
    return std::unexpected(ok.error());
  constexpr int64_t kGiB = int64_t{1} << 30;
  EARSHOT_TRY(max_body, limits.Integer("max_body_bytes", 1024, kGiB));
  if (max_body) config.limits.max_body_bytes = static_cast<std::size_t>(*max_body);
  EARSHOT_TRY(max_header, limits.Integer("max_header_bytes", 1024, 1 << 20));
  if (max_header) config.limits.max_header_bytes = static_cast<std::size_t>(*max_header);
  EARSHOT_TRY(max_connections, limits.Integer("max_connections", 1, 100000));
  if (max_connections) config.limits.max_connections = static_cast<std::size_t>(*max_connections);
  EARSHOT_TRY(rate, limits.Number("requests_per_second_per_token", 0.001, 1e9));
  if (rate) config.limits.requests_per_second_per_token = *rate;
  EARSHOT_TRY(idle, limits.Number("idle_timeout_s", 0.1, 86400));
  if (idle) config.limits.idle_timeout_s = *idle;
  EARSHOT_TRY(max_queued, limits.Integer("max_queued_pulses", 1, 100000000));
  if (max_queued) config.max_queued_pulses = static_cast<std::size_t>(*max_queued);

  EARSHOT_TRY(pipeline, top.Object("pipeline"));
  if (auto ok = pipeline.OnlyKeys({"advance_interval_s"}); !ok) return std::unexpected(ok.error());
  EARSHOT_TRY(advance, pipeline.Number("advance_interval_s", 0.01, 3600));
  if (advance) config.advance_interval_s = *advance;

  EARSHOT_TRY(locate, top.Object("locate"));
  if (auto ok = locate.OnlyKeys({"horizon_s", "settle_s", "max_range_m", "min_sensors",
                                 "default_onset_sigma_s", "association_slack_s"});
      !ok)
    return std::unexpected(ok.error());
  EARSHOT_TRY(horizon, locate.Number("horizon_s", 1, 3600));
  config.locate.horizon_s = horizon;
  EARSHOT_TRY(settle, locate.Number("settle_s", 0.1, 3600));
  config.locate.settle_s = settle;
  EARSHOT_TRY(range, locate.Number("max_range_m", 10, 100000));
  config.locate.max_range_m = range;
  EARSHOT_TRY(min_sensors, locate.Integer("min_sensors", 3, 1000));
  if (min_sensors) config.locate.min_sensors = static_cast<int>(*min_sensors);
  EARSHOT_TRY(onset_sigma, locate.Number("default_onset_sigma_s", 1e-6, 1));
  config.locate.default_onset_sigma_s = onset_sigma;
  EARSHOT_TRY(slack, locate.Number("association_slack_s", 0, 10));
  config.locate.association_slack_s = slack;

  EARSHOT_TRY(cap, top.Object("cap"));
  if (auto ok = cap.OnlyKeys({"sender", "public_base_url"}); !ok)
    return std::unexpected(ok.error());
  EARSHOT_TRY(sender, cap.String("sender", false));
  if (!sender.empty()) config.cap_sender = sender;
  EARSHOT_TRY(base_url, cap.String("public_base_url", false));
  config.public_base_url = base_url;

  return config;
}

Result<ServiceConfig> LoadServiceConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", "cannot open the config file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseServiceConfig(text.str(), path);
}

}  // namespace earshot::server
