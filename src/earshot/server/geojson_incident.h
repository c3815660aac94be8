// Incidents and shots as JSON and GeoJSON (RFC 7946), the shapes the REST API returns
// (docs/api/openapi.yaml: Incident, Shot, the FeatureCollection of
// /api/v1/incidents.geojson) and that a GIS or a web map takes as they are.
//
// Positions are WGS84 [lon, lat] (RFC 7946 order) in a geodetic frame. In a metric frame
// the coordinates are the local [x_m, y_m], which no GIS can place, and each feature's
// properties say so with "crs_note" (as FixToGeoJsonFeature does, docs/formats.md).
// Unknown numbers (NaN: the cadence of a single shot) are written as null.
#ifndef EARSHOT_SERVER_GEOJSON_INCIDENT_H_
#define EARSHOT_SERVER_GEOJSON_INCIDENT_H_

#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/incident.h"
#include "earshot/core/local_frame.h"
#include "earshot/core/shot.h"

namespace earshot {

// Every Incident field: id, version, state, shot_ids, first_shot_utc, last_shot_utc,
// the position (lat/lon/height_m or x_m/y_m/z_m), position_sigma_m, rounds, cadence_s,
// automatic_fire, shooters, movement_m, speed_mps, label, p_gunfire, reasons and
// disposition ({code, note, by, at_utc} or null).
nlohmann::json IncidentToJson(const Incident& incident, const LocalFrame& frame);

// A shot: its fix as `earshot locate --json` writes it (FixToJson: time_utc, position,
// ellipse {sigma1_m, sigma2_m, angle_deg}, radius95_m, residuals, ...) plus id, version,
// incident_id, classification {label, p {gunfire, aerial_firework, firecracker,
// other_impulsive}, reasons} (null when not classified), source_level_db_at_1m,
// height_above_ground_m and crack.
nlohmann::json ShotToJson(const Shot& shot, const LocalFrame& frame);

// Point Features with "id" the incident or shot id and properties as above plus
// "kind": "incident" or "shot".
nlohmann::json IncidentToGeoJsonFeature(const Incident& incident, const LocalFrame& frame);
nlohmann::json ShotToGeoJsonFeature(const Shot& shot, const LocalFrame& frame);

// A FeatureCollection: the incidents, in the given order, then the shots.
nlohmann::json IncidentsToGeoJson(const std::vector<Incident>& incidents,
                                  const std::vector<Shot>& shots, const LocalFrame& frame);

}  // namespace earshot

#endif  // EARSHOT_SERVER_GEOJSON_INCIDENT_H_
