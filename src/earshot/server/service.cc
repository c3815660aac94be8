#include "earshot/server/service.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <expected>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "earshot/core/time.h"
#include "earshot/server/cap_alert.h"
#include "earshot/server/geojson_incident.h"
#include "earshot/server/http_static_file.h"
#include "earshot/server/pulse_ingest.h"

namespace earshot::server {
namespace {

// The optional free-text "note" of a review or disposition: at most 4000 bytes, so that a
// note cannot bloat every stored version of the incident.
std::expected<std::string, std::string> OptionalNote(const nlohmann::json& body) {
  if (!body.contains("note")) return std::string();
  if (!body["note"].is_string() || body["note"].get<std::string>().size() > 4000)
    return std::unexpected(std::string("field note: expected a string of at most 4000 bytes"));
  return body["note"].get<std::string>();
}

using nlohmann::json;

constexpr RoleSet kReaders = RoleBit(Role::kDispatcher) | RoleBit(Role::kOfficer) |
                             RoleBit(Role::kAnalyst) | RoleBit(Role::kAdmin) |
                             RoleBit(Role::kAuditor);

// "a%20b+c" -> "a b c".
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> QueryParams(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    params[PercentDecode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

std::set<std::string> CommaSet(const std::string& text) {
  std::set<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.insert(item);
  }
  return out;
}

std::string Sha1Hex(const std::vector<unsigned char>& bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(bytes.data(), bytes.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

Response StoreError(const Error& error) { return ErrorResponse(500, error.ToString()); }

locate::StreamingLocateOptions StreamingOptionsOf(const ServiceConfig& config) {
  locate::StreamingLocateOptions options;
  const LocateOverrides& o = config.locate;
  if (o.horizon_s) options.horizon_s = *o.horizon_s;
  if (o.settle_s) options.settle_s = *o.settle_s;
  if (o.max_range_m) options.locate.max_range_m = *o.max_range_m;
  if (o.min_sensors) options.locate.min_sensors = *o.min_sensors;
  if (o.default_onset_sigma_s) options.locate.default_onset_sigma_s = *o.default_onset_sigma_s;
  if (o.association_slack_s) options.locate.association_slack_s = *o.association_slack_s;
  return options;
}

}  // namespace

Result<std::unique_ptr<Service>> Service::Create(const ServiceConfig& config,
                                                 const ServiceFiles& files) {
  // The locator throws on options it cannot use; say so here, naming the config.
  if (const auto locate = StreamingOptionsOf(config); locate.settle_s > locate.horizon_s)
    return Fail(config.source, "field locate.settle_s",
                "expected at most horizon_s: a shot's pulses are held until it settles");
  auto store = store::SqliteStore::Open(config.database_path);
  if (!store) return std::unexpected(store.error());
  auto chain = (*store)->VerifyAuditChain();
  if (!chain) return std::unexpected(chain.error());
  if (!chain->ok)
    return Fail(config.database_path, "audit log",
                std::string("the audit chain is broken at entry ")
                    .append(std::to_string(chain->first_broken_sequence))
                    .append(" (")
                    .append(chain->reason)
                    .append("); refusing to append to it. Keep the file as evidence and start "
                            "on a new database."));
  auto tokens = TokenStore::Load(config.tokens_path);
  if (!tokens) return std::unexpected(tokens.error());
  auto classifier = classify::ShotClassifier::Load(files.shot_classifier_path);
  if (!classifier) return std::unexpected(classifier.error());
  classify::DispatchThresholds thresholds;
  if (!files.dispatch_path.empty()) {
    auto loaded = classify::LoadDispatchThresholds(files.dispatch_path);
    if (!loaded) return std::unexpected(loaded.error());
    thresholds = *loaded;
  }
  std::vector<SensorRecord> sensors;
  if (!config.sensors_path.empty()) {
    auto read = ReadSensorsFile(config.sensors_path, config.Frame());
    if (!read) return std::unexpected(read.error());
    sensors = std::move(*read);
    for (const SensorRecord& sensor : sensors) {
      store::SensorInfo info;
      info.id = sensor.id;
      info.position_m = sensor.position_m;
      info.position_sigma_m = sensor.position_sigma_m;
      info.geodetic = sensor.geodetic;
      if (auto put = (*store)->PutSensor(info); !put) return std::unexpected(put.error());
    }
  }
  std::unique_ptr<Service> service(new Service(config, std::move(*store), std::move(*classifier),
                                               thresholds, std::move(sensors), std::move(*tokens),
                                               files.openapi_path));
  if (auto routes = service->RegisterRoutes(); !routes) return std::unexpected(routes.error());
  return service;
}

Service::Service(ServiceConfig config, std::unique_ptr<store::SqliteStore> store,
                 classify::ShotClassifier classifier, classify::DispatchThresholds thresholds,
                 std::vector<SensorRecord> sensors, TokenStore tokens, std::string openapi_path)
    : config_(std::move(config)),
      frame_(config_.Frame()),
      store_(std::move(store)),
      classifier_(std::move(classifier)),
      thresholds_(thresholds),
      sensors_(std::move(sensors)),
      openapi_path_(std::move(openapi_path)) {
  HttpServerOptions http_options;
  http_options.address = config_.listen_address;
  http_options.port = config_.port;
  http_options.threads = config_.http_threads;
  http_options.limits = config_.limits;
  http_ = std::make_unique<HttpServer>(http_options, std::move(tokens));
  Broadcaster::Options broadcast_options;
  broadcast_options.replay_capacity = 4096;
  broadcaster_ = std::make_unique<Broadcaster>(broadcast_options, &http_->counters());

  // Ids carry the start time (seconds) so that a restart never reuses a stored id.
  const std::string run = std::to_string(WallNowNs() / 1000000000);
  PipelineParts parts;
  parts.store = store_.get();
  parts.broadcaster = broadcaster_.get();
  parts.classifier = &classifier_;
  parts.thresholds = thresholds_;
  parts.frame = frame_;
  parts.weather = config_.weather;
  parts.locate = StreamingOptionsOf(config_);
  parts.locate.id_prefix = "shot-" + run + "-";
  parts.incidents.id_prefix = "incident-" + run + "-";
  parts.incidents.summary.gunfire_min_p = thresholds_.gunfire_min_p;
  parts.incidents.summary.probable_min_p = thresholds_.probable_min_p;
  const classify::ShotClassifier* shot_classifier = &classifier_;
  parts.incidents.summary.incident_p_gunfire = [shot_classifier](std::span<const double> p) {
    return shot_classifier->IncidentProbability(p);
  };
  PipelineOptions pipeline_options;
  pipeline_options.max_queued_pulses = config_.max_queued_pulses;
  pipeline_options.advance_interval_s = config_.advance_interval_s;
  pipeline_ = std::make_unique<Pipeline>(std::move(parts), pipeline_options);
}

Service::~Service() { Stop(); }

Result<std::uint16_t> Service::Start() {
  pipeline_->Start();
  auto port = http_->Start();
  if (!port) pipeline_->Stop();
  return port;
}

void Service::Stop() {
  if (http_) http_->Stop();
  if (pipeline_) pipeline_->Stop();
}

Result<void> Service::RegisterRoutes() {
  struct Route {
    const char* method;
    const char* pattern;
    RouteOptions options;
    Response (Service::*handler)(const Request&);
  };
  const RoleSet reviewers =
      RoleBit(Role::kDispatcher) | RoleBit(Role::kAnalyst) | RoleBit(Role::kAdmin);
  const RoleSet disposers =
      RoleBit(Role::kOfficer) | RoleBit(Role::kDispatcher) | RoleBit(Role::kAdmin);
  const RoleSet listeners =
      RoleBit(Role::kDispatcher) | RoleBit(Role::kAnalyst) | RoleBit(Role::kAdmin);
  const RoleSet sensor_readers = RoleBit(Role::kDispatcher) | RoleBit(Role::kAnalyst) |
                                 RoleBit(Role::kAdmin) | RoleBit(Role::kAuditor);
  const std::vector<Route> routes = {
      // Sensors have no role of their own yet (auth.h knows user roles only; sensor
      // credentials are the next issue): ingest takes an admin token until then.
      {"POST", "/api/v1/pulses", {RoleBit(Role::kAdmin)}, &Service::Ingest},
      {"GET", "/api/v1/incidents", {kReaders}, nullptr},
      {"GET", "/api/v1/incidents.geojson", {kReaders}, nullptr},
      {"GET", "/api/v1/incidents/{id}", {kReaders}, &Service::GetIncident},
      {"GET", "/api/v1/incidents/{id}/shots", {kReaders}, &Service::IncidentShots},
      {"GET", "/api/v1/incidents/{id}/cap", {kReaders}, &Service::IncidentCap},
      {"POST", "/api/v1/incidents/{id}/review", {reviewers}, &Service::ReviewIncident},
      {"POST", "/api/v1/incidents/{id}/disposition", {disposers}, &Service::DisposeIncident},
      {"GET", "/api/v1/shots/{id}", {kReaders}, &Service::GetShot},
      {"GET", "/api/v1/snippets/{id}", {listeners, true}, &Service::GetSnippet},
      {"GET", "/api/v1/sensors", {sensor_readers}, &Service::ListSensors},
      {"GET", "/api/v1/metrics/pipeline", {}, &Service::PipelineMetrics},
      {"GET",
       "/api/v1/audit/verify",
       {RoleBit(Role::kAuditor) | RoleBit(Role::kAdmin)},
       &Service::VerifyAudit},
  };
  for (const Route& route : routes) {
    Handler handler;
    if (route.handler != nullptr) {
      handler = [this, member = route.handler](const Request& r) { return (this->*member)(r); };
    } else {
      const bool geojson = std::string_view(route.pattern).ends_with(".geojson");
      handler = [this, geojson](const Request& r) { return ListIncidents(r, geojson); };
    }
    if (auto added = http_->Handle(route.method, route.pattern, route.options, std::move(handler));
        !added)
      return added;
  }
  if (auto added = http_->HandleEventStream("/api/v1/events", broadcaster_.get(), {kReaders});
      !added)
    return added;
  return http_->Handle("GET", "/api/openapi.yaml", {},
                       ServeFile(openapi_path_, "application/yaml"));
}

Response Service::Ingest(const Request& request) {
  const int64_t ingested_ns = WallNowNs();
  PipelineCounters& counters = pipeline_->mutable_counters();
  auto body = JsonBody(request);
  if (!body) return ErrorResponse(400, body.error().ToString());
  auto batch = ParseIngestBody(*body, frame_, sensors_);
  if (!batch) return ErrorResponse(400, batch.error().ToString());
  // A pulse from the future is a sensor clock fault. Taken in, it would move the stream
  // clock ahead and make every honest pulse after it look late.
  constexpr int64_t kMaxFutureNs = int64_t{300} * 1'000'000'000;
  for (std::size_t i = 0; i < batch->pulses.size();) {
    if (batch->pulses[i].pulse.onset_ns <= ingested_ns + kMaxFutureNs) {
      ++i;
      continue;
    }
    const std::size_t index = batch->indices[i];
    batch->refused.push_back(
        {index, batch->pulses[i].pulse.id,
         std::string("pulses[")
             .append(std::to_string(index))
             .append("], field time_utc: expected at most 300 s after the server's clock (")
             .append(FormatIsoUtc(ingested_ns, 3))
             .append("): a sensor clock fault?")});
    batch->pulses.erase(batch->pulses.begin() + static_cast<std::ptrdiff_t>(i));
    batch->indices.erase(batch->indices.begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::sort(batch->refused.begin(), batch->refused.end(),
            [](const RefusedPulse& a, const RefusedPulse& b) { return a.index < b.index; });
  const std::size_t reserved = batch->pulses.size();
  if (!pipeline_->TryReserve(reserved)) {
    ++counters.batches_refused_queue_full;
    Response busy = ErrorResponse(503, "the locator's queue is full; retry later");
    busy.headers.emplace_back("Retry-After", "1");
    return busy;
  }
  std::vector<store::WriteOutcome> outcomes;
  if (!batch->pulses.empty()) {
    auto stored = store_->InsertPulses(batch->pulses);
    if (!stored) {
      pipeline_->Release(reserved);
      return ErrorResponse(503, "not stored, retry: " + stored.error().ToString());
    }
    outcomes = std::move(*stored);
  }
  // Durable from here on: acknowledge, and hand the new pulses to the locator.
  json results = json::array();
  const std::size_t total = body->at("pulses").size();
  std::vector<std::string> result_of(total, "refused");
  std::vector<Pulse> fresh;
  int accepted = 0, duplicates = 0;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i] == store::WriteOutcome::kInserted) {
      ++accepted;
      result_of[batch->indices[i]] = "accepted";
      fresh.push_back(batch->pulses[i].pulse);
    } else {
      ++duplicates;
      result_of[batch->indices[i]] = "duplicate";
    }
  }
  pipeline_->Enqueue(std::move(fresh), ingested_ns, reserved);
  counters.pulses_accepted += static_cast<std::uint64_t>(accepted);
  counters.pulses_duplicate += static_cast<std::uint64_t>(duplicates);
  counters.pulses_refused += batch->refused.size();
  json refused = json::array();
  for (const RefusedPulse& r : batch->refused) {
    json item = {{"index", r.index}, {"error", r.error}};
    if (!r.pulse_id.empty()) item["pulse_id"] = r.pulse_id;
    refused.push_back(std::move(item));
  }
  return JsonResponse({{"accepted", accepted},
                       {"duplicates", duplicates},
                       {"refused", std::move(refused)},
                       {"results", result_of}});
}

std::vector<Incident> Service::LatestIncidents() {
  std::lock_guard lock(incidents_mutex_);
  while (true) {
    auto changes = store_->IncidentsChangedSince(incidents_sequence_, 1000);
    if (!changes || changes->empty()) break;
    for (store::IncidentChange& change : *changes) {
      incidents_sequence_ = change.sequence;
      Incident& held = incidents_[change.incident.id];
      if (change.incident.version >= held.version || held.id.empty())
        held = std::move(change.incident);
    }
  }
  std::vector<Incident> out;
  out.reserve(incidents_.size());
  for (const auto& [id, incident] : incidents_) out.push_back(incident);
  return out;
}

Response Service::ListIncidents(const Request& request, bool geojson) {
  const auto params = QueryParams(request.query);
  std::optional<int64_t> since_ns;
  std::set<std::string> states, labels;
  std::size_t limit = 100, offset = 0;
  for (const auto& [key, value] : params) {
    if (key == "since") {
      auto parsed = ParseIsoUtc(value);
      if (!parsed) return ErrorResponse(400, "query since: " + parsed.error());
      since_ns = *parsed;
    } else if (key == "state") {
      states = CommaSet(value);
    } else if (key == "label") {
      labels = CommaSet(value);
    } else if (key == "limit" || key == "cursor") {
      std::size_t parsed = 0;
      const bool ok = !value.empty() && value.size() < 10 &&
                      std::all_of(value.begin(), value.end(), [](char c) {
                        return std::isdigit(static_cast<unsigned char>(c));
                      });
      if (ok) parsed = std::stoul(value);
      if (!ok || (key == "limit" && (parsed < 1 || parsed > 500)))
        return ErrorResponse(400, "query " + key +
                                      (key == "limit" ? ": expected an integer 1..500"
                                                      : ": expected a cursor from next_cursor"));
      (key == "limit" ? limit : offset) = parsed;
    } else {
      return ErrorResponse(400, "query " + key +
                                    ": unknown; expected since, state, label, "
                                    "limit or cursor");
    }
  }
  std::vector<Incident> selected;
  for (Incident& incident : LatestIncidents()) {
    if (since_ns && incident.last_shot_ns < *since_ns) continue;
    if (!states.empty() && !states.contains(std::string(IncidentStateName(incident.state))))
      continue;
    if (!labels.empty() && !labels.contains(incident.label)) continue;
    selected.push_back(std::move(incident));
  }
  std::sort(selected.begin(), selected.end(), [](const Incident& a, const Incident& b) {
    return a.last_shot_ns != b.last_shot_ns ? a.last_shot_ns > b.last_shot_ns : a.id < b.id;
  });
  const std::size_t begin = std::min(offset, selected.size());
  const std::size_t end = std::min(begin + limit, selected.size());
  std::vector<Incident> page(selected.begin() + static_cast<std::ptrdiff_t>(begin),
                             selected.begin() + static_cast<std::ptrdiff_t>(end));
  if (geojson) {
    std::vector<Shot> shots;
    for (const Incident& incident : page) {
      auto of = store_->ShotsOfIncident(incident.id);
      if (!of) return StoreError(of.error());
      shots.insert(shots.end(), of->begin(), of->end());
    }
    Response response = JsonResponse(IncidentsToGeoJson(page, shots, frame_));
    response.content_type = "application/geo+json";
    return response;
  }
  json items = json::array();
  for (const Incident& incident : page) items.push_back(IncidentToJson(incident, frame_));
  return JsonResponse(
      {{"incidents", std::move(items)},
       {"next_cursor", end < selected.size() ? json(std::to_string(end)) : json()}});
}

Response Service::GetIncident(const Request& request) {
  auto incident = store_->GetIncident(request.path_params.at("id"));
  if (!incident) return StoreError(incident.error());
  if (!incident->has_value())
    return ErrorResponse(404, "no incident " + request.path_params.at("id"));
  return JsonResponse(IncidentToJson(**incident, frame_));
}

Response Service::IncidentShots(const Request& request) {
  const std::string& id = request.path_params.at("id");
  auto incident = store_->GetIncident(id);
  if (!incident) return StoreError(incident.error());
  if (!incident->has_value()) return ErrorResponse(404, "no incident " + id);
  auto shots = store_->ShotsOfIncident(id);
  if (!shots) return StoreError(shots.error());
  json items = json::array();
  for (const Shot& shot : *shots) items.push_back(ShotToJson(shot, frame_));
  return JsonResponse({{"shots", std::move(items)}});
}

Response Service::IncidentCap(const Request& request) {
  const std::string& id = request.path_params.at("id");
  auto incident = store_->GetIncident(id);
  if (!incident) return StoreError(incident.error());
  if (!incident->has_value()) return ErrorResponse(404, "no incident " + id);
  auto shots = store_->ShotsOfIncident(id);
  if (!shots) return StoreError(shots.error());
  CapOptions options;
  options.sender = config_.cap_sender;
  const std::string base = !config_.public_base_url.empty()
                               ? config_.public_base_url
                               : std::string("http://")
                                     .append(config_.listen_address)
                                     .append(":")
                                     .append(std::to_string(http_->port()));
  options.snippet_base_url = base + "/api/v1/snippets/";
  // Audio of the latest shot, a few sensors: enough for a dispatcher to hear it, small
  // enough for an alert. The digests need the bytes; the store audits that read.
  constexpr std::size_t kMaxAudio = 4;
  if (!shots->empty()) {
    for (const UsedPulse& used : shots->back().fix.used) {
      if (options.audio.size() >= kMaxAudio) break;
      auto snippet = store_->ReadSnippet(used.pulse_id, "machine:cap-export");
      if (!snippet) continue;  // no audio stored for this pulse
      CapAudio audio;
      audio.snippet_id = used.pulse_id;
      audio.sensor_id = used.sensor_id;
      audio.mime_type = snippet->media_type;
      audio.size_bytes = static_cast<int64_t>(snippet->bytes.size());
      audio.sha1_hex = Sha1Hex(snippet->bytes);
      audio.sha256_hex = snippet->sha256;
      options.audio.push_back(std::move(audio));
    }
  }
  Response response;
  response.content_type = "application/cap+xml";
  response.body = CapAlertXml(**incident, *shots, frame_, options);
  return response;
}

Response Service::ReviewIncident(const Request& request) {
  const int64_t at_ns = WallNowNs();
  auto body = JsonBody(request);
  if (!body) return ErrorResponse(400, body.error().ToString());
  if (!body->is_object() || !body->contains("label") || !(*body)["label"].is_string())
    return ErrorResponse(400, "field label: expected gunfire, probable_gunfire or not_gunfire");
  auto note = OptionalNote(*body);
  if (!note) return ErrorResponse(400, note.error());
  std::optional<int> expected_version;
  if (body->contains("expected_version")) {
    if (!(*body)["expected_version"].is_number_integer())
      return ErrorResponse(400, "field expected_version: expected an integer");
    expected_version = (*body)["expected_version"].get<int>();
  }
  auto reviewed =
      pipeline_->Review(request.path_params.at("id"), (*body)["label"].get<std::string>(), *note,
                        request.user, expected_version, at_ns);
  if (!reviewed) return ErrorResponse(reviewed.error().status, reviewed.error().message);
  return JsonResponse(IncidentToJson(*reviewed, frame_));
}

Response Service::DisposeIncident(const Request& request) {
  const int64_t at_ns = WallNowNs();
  auto body = JsonBody(request);
  if (!body) return ErrorResponse(400, body.error().ToString());
  if (!body->is_object() || !body->contains("code") || !(*body)["code"].is_string() ||
      (*body)["code"].get<std::string>().empty())
    return ErrorResponse(400, "field code: expected a disposition code (e.g. evidence_found)");
  auto note = OptionalNote(*body);
  if (!note) return ErrorResponse(400, note.error());
  bool close = false;
  if (body->contains("close")) {
    if (!(*body)["close"].is_boolean())
      return ErrorResponse(400, "field close: expected a boolean");
    close = (*body)["close"].get<bool>();
  }
  auto disposed =
      pipeline_->Dispose(request.path_params.at("id"), (*body)["code"].get<std::string>(), *note,
                         request.user, close, at_ns);
  if (!disposed) return ErrorResponse(disposed.error().status, disposed.error().message);
  return JsonResponse(IncidentToJson(*disposed, frame_));
}

Response Service::GetShot(const Request& request) {
  auto shot = store_->GetShot(request.path_params.at("id"));
  if (!shot) return StoreError(shot.error());
  if (!shot->has_value()) return ErrorResponse(404, "no shot " + request.path_params.at("id"));
  return JsonResponse(ShotToJson(**shot, frame_));
}

Response Service::GetSnippet(const Request& request) {
  const std::string& id = request.path_params.at("id");
  // The store appends "audio.accessed" by this user for every read, found or not.
  auto snippet = store_->ReadSnippet(id, "user:" + request.user);
  if (!snippet) {
    if (snippet.error().message.find("no snippet") != std::string::npos)
      return ErrorResponse(404, "no snippet for pulse " + id);
    return StoreError(snippet.error());
  }
  Response response;
  response.content_type = snippet->media_type;
  response.body.assign(snippet->bytes.begin(), snippet->bytes.end());
  response.headers.emplace_back("X-Content-SHA256", snippet->sha256);
  response.headers.emplace_back("ETag", "\"" + snippet->sha256 + "\"");
  return response;
}

Response Service::ListSensors(const Request&) {
  auto sensors = store_->ListSensors();
  if (!sensors) return StoreError(sensors.error());
  json items = json::array();
  for (const store::SensorInfo& sensor : *sensors) {
    json position;
    if (frame_.is_geodetic()) {
      const GeodeticPoint point =
          sensor.geodetic ? *sensor.geodetic : frame_.Reverse(sensor.position_m);
      position = {{"lat", point.lat_deg}, {"lon", point.lon_deg}, {"height_m", point.height_m}};
    } else {
      position = {{"x_m", sensor.position_m.x()},
                  {"y_m", sensor.position_m.y()},
                  {"z_m", sensor.position_m.z()}};
    }
    items.push_back({{"sensor", sensor.id},
                     {"position", std::move(position)},
                     {"position_sigma_m", sensor.position_sigma_m}});
  }
  return JsonResponse({{"sensors", std::move(items)}});
}

Response Service::PipelineMetrics(const Request&) {
  const PipelineCounters& c = pipeline_->counters();
  std::ostringstream out;
  out << "# Earshot pipeline counters (docs/serving.md)\n"
      << "earshot_pulses_accepted_total " << c.pulses_accepted << "\n"
      << "earshot_pulses_duplicate_total " << c.pulses_duplicate << "\n"
      << "earshot_pulses_refused_total " << c.pulses_refused << "\n"
      << "earshot_ingest_batches_refused_queue_full_total " << c.batches_refused_queue_full << "\n"
      << "earshot_pulses_located_in_total " << c.pulses_located_in << "\n"
      << "earshot_shots_new_total " << c.shots_new << "\n"
      << "earshot_shot_updates_total " << c.shot_updates << "\n"
      << "earshot_incidents_new_total " << c.incidents_new << "\n"
      << "earshot_incident_updates_total " << c.incident_updates << "\n"
      << "earshot_pipeline_errors_total " << c.errors << "\n"
      << "earshot_pipeline_queue_depth " << pipeline_->queue_depth() << "\n"
      << "earshot_pipeline_last_batch_seconds " << static_cast<double>(c.last_batch_ns) * 1e-9
      << "\n"
      << pipeline_->LocatorMetricsText();
  if (auto counts = store_->Counts()) {
    out << "earshot_store_pulses " << counts->pulses << "\n"
        << "earshot_store_snippets " << counts->snippets << "\n"
        << "earshot_store_shots " << counts->shots << "\n"
        << "earshot_store_shot_versions " << counts->shot_versions << "\n"
        << "earshot_store_incidents " << counts->incidents << "\n"
        << "earshot_store_incident_versions " << counts->incident_versions << "\n"
        << "earshot_store_audit_entries " << counts->audit_entries << "\n";
  }
  Response response;
  response.content_type = "text/plain; version=0.0.4";
  response.body = out.str();
  return response;
}

Response Service::VerifyAudit(const Request&) {
  auto check = store_->VerifyAuditChain();
  if (!check) return StoreError(check.error());
  return JsonResponse({{"ok", check->ok},
                       {"entries_checked", check->entries_checked},
                       {"first_broken_sequence", check->first_broken_sequence},
                       {"reason", check->reason}});
}

}  // namespace earshot::server
