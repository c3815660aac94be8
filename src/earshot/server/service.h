// `earshot serve` as a library: everything built from a ServiceConfig (store, classifier,
// pipeline, HTTP server with the routes of docs/api/openapi.yaml), started and stopped as
// one (docs/serving.md).
//
//   Result<std::unique_ptr<Service>> service = Service::Create(config, files);
//   Result<std::uint16_t> port = (*service)->Start();
//   ...
//   (*service)->Stop();
//
// Start-up refuses a database whose audit chain does not verify: a service that appended
// to a broken chain would make every later entry unverifiable too.
//
// What a restart keeps: the store keeps everything acknowledged (pulses, snippets, every
// shot and incident version, reviews, dispositions, the audit log). The locator and the
// incident tracker start empty: pulses stored before the restart are not re-located, and
// a shot after the restart opens a new incident even next to one opened before it. Ids
// carry the start time so they never collide with stored ones. Incidents held only by the
// store can still be read, reviewed and disposed of.
#ifndef EARSHOT_SERVER_SERVICE_H_
#define EARSHOT_SERVER_SERVICE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/shot_classifier.h"
#include "earshot/core/error.h"
#include "earshot/core/json_io.h"
#include "earshot/server/event_stream.h"
#include "earshot/server/http_server.h"
#include "earshot/server/pipeline.h"
#include "earshot/server/service_config.h"
#include "earshot/store/sqlite_store.h"

namespace earshot::server {

// Files the service reads beside the config, resolved by the caller (the CLI knows where
// the source tree and the committed models are).
struct ServiceFiles {
  std::string shot_classifier_path;  // models/shot_classifier.json
  std::string dispatch_path;         // config/dispatch.json; empty: the built-in thresholds
  std::string openapi_path;          // docs/api/openapi.yaml
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> Create(const ServiceConfig& config,
                                                 const ServiceFiles& files);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts the pipeline and the HTTP server; returns the port bound.
  Result<std::uint16_t> Start();
  // Stops taking requests, then stops the pipeline. Idempotent.
  void Stop();

  const std::string& listen_address() const { return config_.listen_address; }

 private:
  Service(ServiceConfig config, std::unique_ptr<store::SqliteStore> store,
          classify::ShotClassifier classifier, classify::DispatchThresholds thresholds,
          std::vector<SensorRecord> sensors, TokenStore tokens, std::string openapi_path);
  Result<void> RegisterRoutes();

  // The latest version of every incident, caught up from the store's change feed.
  std::vector<Incident> LatestIncidents();

  Response Ingest(const Request& request);
  Response ListIncidents(const Request& request, bool geojson);
  Response GetIncident(const Request& request);
  Response IncidentShots(const Request& request);
  Response IncidentCap(const Request& request);
  Response ReviewIncident(const Request& request);
  Response DisposeIncident(const Request& request);
  Response GetShot(const Request& request);
  Response GetSnippet(const Request& request);
  Response ListSensors(const Request& request);
  Response PipelineMetrics(const Request& request);
  Response VerifyAudit(const Request& request);

  ServiceConfig config_;
  LocalFrame frame_;
  std::unique_ptr<store::SqliteStore> store_;
  classify::ShotClassifier classifier_;
  classify::DispatchThresholds thresholds_;
  std::vector<SensorRecord> sensors_;
  std::string openapi_path_;
  std::unique_ptr<Broadcaster> broadcaster_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<Pipeline> pipeline_;

  std::mutex incidents_mutex_;
  int64_t incidents_sequence_ = 0;
  std::map<std::string, Incident> incidents_;
};

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_SERVICE_H_
