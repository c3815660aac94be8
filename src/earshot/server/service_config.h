// The configuration of `earshot serve` (docs/serving.md): one JSON file that says where to
// listen, where the database and the token file are, which models to use, the deployment's
// frame and air, and the limits. Checked once at start: a bad value refuses the whole file
// with a message naming the file and the field, and an unknown key is refused too (a
// misspelt key would otherwise leave a default silently in force).
//
//   Result<ServiceConfig> config = LoadServiceConfig("config/serve.json");
//
// Relative paths in the file are taken relative to the folder that holds it, so that a
// deployment's folder can be moved as a whole.
#ifndef EARSHOT_SERVER_SERVICE_CONFIG_H_
#define EARSHOT_SERVER_SERVICE_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "earshot/core/error.h"
#include "earshot/core/local_frame.h"
#include "earshot/core/weather.h"
#include "earshot/server/http_message.h"

namespace earshot::server {

// Overrides of the streaming locator's defaults (locate/streaming_locator.h); unset keeps
// the library's value.
struct LocateOverrides {
  std::optional<double> horizon_s;
  std::optional<double> settle_s;
  std::optional<double> max_range_m;
  std::optional<int> min_sensors;
  std::optional<double> default_onset_sigma_s;
  std::optional<double> association_slack_s;
};

struct ServiceConfig {
  std::string source;  // the file it came from, for messages

  std::string listen_address = "127.0.0.1";  // loopback unless the operator opens it
  std::uint16_t port = 8080;
  int http_threads = 2;

  std::string database_path;  // required: the SQLite file (created when missing)
  std::string tokens_path;    // required: the token file (auth.h), hashes only
  // Empty: the CLI finds models/shot_classifier.json and config/dispatch.json itself.
  std::string shot_classifier_path;
  std::string dispatch_path;

  // Origin of the local frame: positions go out as WGS84 and pulses may come in as
  // lat/lon. Unset: a metric deployment (pulses and output in local metres).
  std::optional<GeodeticPoint> frame_origin;
  Weather weather;
  std::string sensors_path;  // optional sensors file (JSON Lines, docs/formats.md)

  HttpLimits limits;
  // Pulses waiting for the locator at most; a batch that would overflow is refused with
  // 503 before it is stored, so that the sensor keeps it in its spool and retries.
  std::size_t max_queued_pulses = 200000;
  // How often incidents are checked for closing when no pulse arrives.
  double advance_interval_s = 1.0;
  LocateOverrides locate;

  // CAP <sender> and the URL prefix of audio resources in CAP alerts.
  std::string cap_sender = "earshot@localhost";
  std::string public_base_url;  // "https://earshot.example.org"; empty: http://ADDRESS:PORT

  LocalFrame Frame() const;
};

// Parses the text of a config file; `source` names it in errors and its folder anchors
// relative paths.
Result<ServiceConfig> ParseServiceConfig(std::string_view text, const std::string& source);
Result<ServiceConfig> LoadServiceConfig(const std::string& path);

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_SERVICE_CONFIG_H_
