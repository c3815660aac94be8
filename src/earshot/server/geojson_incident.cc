#include "earshot/server/geojson_incident.h"

#include <cmath>
#include <string>
#include <utility>

#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot {
namespace {

using nlohmann::json;

// Microseconds are far below any fix's timing error (as in `earshot locate --json`).
constexpr int kTimeDigits = 6;

// nlohmann writes NaN as null already; saying it here keeps the contract visible.
json NumberOrNull(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json PositionToJson(const Eigen::Vector3d& position_m, const LocalFrame& frame) {
  if (!frame.is_geodetic()) {
    return {{"x_m", position_m.x()}, {"y_m", position_m.y()}, {"z_m", position_m.z()}};
  }
  const GeodeticPoint point = frame.Reverse(position_m);
  return {{"lat", point.lat_deg}, {"lon", point.lon_deg}, {"height_m", point.height_m}};
}

json PointFeature(const std::string& id, const std::string& kind, const Eigen::Vector3d& position_m,
                  const LocalFrame& frame, json properties) {
  json coordinates;
  if (frame.is_geodetic()) {
    const GeodeticPoint point = frame.Reverse(position_m);
    // RFC 7946 §3.1.1: longitude first.
    coordinates = {point.lon_deg, point.lat_deg};
  } else {
    coordinates = {position_m.x(), position_m.y()};
    properties["crs_note"] = "local metric frame, metres";
  }
  properties["kind"] = kind;
  return {{"type", "Feature"},
          {"id", id},
          {"geometry", {{"type", "Point"}, {"coordinates", std::move(coordinates)}}},
          {"properties", std::move(properties)}};
}

}  // namespace

json IncidentToJson(const Incident& incident, const LocalFrame& frame) {
  json out = PositionToJson(incident.position_m, frame);
  out["id"] = incident.id;
  out["version"] = incident.version;
  out["state"] = std::string(IncidentStateName(incident.state));
  out["shot_ids"] = incident.shot_ids;
  out["first_shot_utc"] = FormatIsoUtc(incident.first_shot_ns, kTimeDigits);
  out["last_shot_utc"] = FormatIsoUtc(incident.last_shot_ns, kTimeDigits);
  out["position_sigma_m"] = NumberOrNull(incident.position_sigma_m);
  out["rounds"] = incident.rounds;
  out["cadence_s"] = NumberOrNull(incident.cadence_s);
  out["automatic_fire"] = incident.automatic_fire;
  out["shooters"] = incident.shooters;
  out["movement_m"] = NumberOrNull(incident.movement_m);
  out["speed_mps"] = NumberOrNull(incident.speed_mps);
  out["label"] = incident.label;
  out["p_gunfire"] = incident.p_gunfire;
  out["reasons"] = incident.reasons;
  if (incident.disposition.has_value()) {
    const Disposition& d = *incident.disposition;
    out["disposition"] = {{"code", d.code},
                          {"note", d.note},
                          {"by", d.by},
                          {"at_utc", FormatIsoUtc(d.at_ns, kTimeDigits)}};
  } else {
    out["disposition"] = nullptr;
  }
  return out;
}

json ShotToJson(const Shot& shot, const LocalFrame& frame) {
  json out = FixToJson(shot.fix, frame);
  out["id"] = shot.id;
  out["version"] = shot.version;
  out["incident_id"] = shot.incident_id;
  if (shot.label.empty()) {
    out["classification"] = nullptr;
  } else {
    json p = json::object();
    for (size_t k = 0; k < kShotClassNames.size(); ++k) p[kShotClassNames[k]] = shot.p[k];
    out["classification"] = {{"label", shot.label}, {"p", std::move(p)}, {"reasons", shot.reasons}};
  }
  out["source_level_db_at_1m"] = NumberOrNull(shot.source_level_db_at_1m);
  out["height_above_ground_m"] = NumberOrNull(shot.height_above_ground_m);
  out["crack"] = shot.crack;
  return out;
}

json IncidentToGeoJsonFeature(const Incident& incident, const LocalFrame& frame) {
  return PointFeature(incident.id, "incident", incident.position_m, frame,
                      IncidentToJson(incident, frame));
}

json ShotToGeoJsonFeature(const Shot& shot, const LocalFrame& frame) {
  return PointFeature(shot.id, "shot", shot.fix.position_m, frame, ShotToJson(shot, frame));
}

json IncidentsToGeoJson(const std::vector<Incident>& incidents, const std::vector<Shot>& shots,
                        const LocalFrame& frame) {
  json features = json::array();
  for (const Incident& incident : incidents) {
    features.push_back(IncidentToGeoJsonFeature(incident, frame));
  }
  for (const Shot& shot : shots) features.push_back(ShotToGeoJsonFeature(shot, frame));
  return {{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

}  // namespace earshot
