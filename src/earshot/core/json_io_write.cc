// Writers of json_io.h: pulses and located shots. The field names and units are a
// contract with other tools (docs/formats.md); change them only together.
#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot {
namespace {

using nlohmann::json;

constexpr double kMillisPerSecond = 1e3;

// Microseconds are far below the timing error of any fix; six digits keep the line short.
constexpr int kFixTimeDigits = 6;

// Onsets are written with six fraction digits when that loses nothing (the common case:
// microsecond clocks, millisecond datasets) and nine otherwise, so that every pulse reads
// back to the same nanosecond.
std::string FormatOnset(int64_t onset_ns) {
  constexpr int64_t kNanosPerMicro = 1'000;
  return FormatIsoUtc(onset_ns, onset_ns % kNanosPerMicro == 0 ? 6 : 9);
}

json PositionToJson(const Eigen::Vector3d& position_m, const LocalFrame& frame) {
  if (!frame.is_geodetic()) {
    return {{"x_m", position_m.x()}, {"y_m", position_m.y()}, {"z_m", position_m.z()}};
  }
  const GeodeticPoint point = frame.Reverse(position_m);
  return {{"lat", point.lat_deg}, {"lon", point.lon_deg}, {"height_m", point.height_m}};
}

json UsedPulsesToJson(const std::vector<UsedPulse>& used) {
  json residuals = json::array();
  for (const UsedPulse& pulse : used) {
    residuals.push_back({{"pulse_id", pulse.pulse_id},
                         {"sensor", pulse.sensor_id},
                         {"residual_ms", pulse.residual_s * kMillisPerSecond}});
  }
  return residuals;
}

json RejectedPulsesToJson(const std::vector<RejectedPulse>& rejected) {
  json out = json::array();
  for (const RejectedPulse& pulse : rejected) {
    out.push_back({{"pulse_id", pulse.pulse_id},
                   {"sensor", pulse.sensor_id},
                   {"reason", pulse.reason},
                   {"residual_ms", pulse.residual_s * kMillisPerSecond}});
  }
  return out;
}

}  // namespace

json PulseToJson(const Pulse& pulse, const LocalFrame& frame) {
  json out = {
      {"pulse_id", pulse.id},
      {"sensor", pulse.sensor_id},
      {"time_utc", FormatOnset(pulse.onset_ns)},
      {"onset_sigma_s", pulse.onset_sigma_s},
      {"sensor_position", PositionToJson(pulse.sensor_position_m, frame)},
      {"position_sigma_m", pulse.sensor_position_sigma_m},
      {"snr_db", pulse.snr_db},
      {"level_db_spl", pulse.level_db_spl},
  };
  if (!pulse.features.empty()) out["features"] = pulse.features;
  return out;
}

json FixToJson(const Fix& fix, const LocalFrame& frame) {
  json out = PositionToJson(fix.position_m, frame);
  out["time_utc"] = FormatIsoUtc(fix.emission_ns, kFixTimeDigits);
  out["mode"] = SolveModeName(fix.mode);
  json pulse_ids = json::array();
  for (const UsedPulse& pulse : fix.used) pulse_ids.push_back(pulse.pulse_id);
  out["pulse_ids"] = std::move(pulse_ids);
  out["n_sensors"] = fix.n_sensors();
  out["ellipse"] = {{"sigma1_m", fix.ellipse.sigma1_m},
                    {"sigma2_m", fix.ellipse.sigma2_m},
                    {"angle_deg", fix.ellipse.angle_deg}};
  out["radius95_m"] = fix.radius95_m;
  out["crb_rms_m"] = fix.crb_rms_m;
  // Only a 3D solve estimates the height; elsewhere it is assumed and has no sigma.
  if (fix.mode == SolveMode::k3D) out["height_sigma_m"] = fix.height_sigma_m;
  out["emission_sigma_s"] = fix.emission_sigma_s;
  out["timing_sigma_s"] = fix.timing_sigma_s;
  out["speed_of_sound_mps"] = fix.speed_of_sound_mps;
  out["coverage"] = fix.coverage;
  out["residuals"] = UsedPulsesToJson(fix.used);
  out["rejected"] = RejectedPulsesToJson(fix.rejected);
  out["solver"] = {{"method", fix.summary.method},
                   {"iterations", fix.summary.iterations},
                   {"termination", fix.summary.termination},
                   {"initial_cost", fix.summary.initial_cost},
                   {"final_cost", fix.summary.final_cost}};
  return out;
}

json FixToGeoJsonFeature(const Fix& fix, const LocalFrame& frame) {
  json properties = FixToJson(fix, frame);
  json coordinates;
  if (frame.is_geodetic()) {
    // GeoJSON (RFC 7946) orders longitude before latitude.
    coordinates = {properties["lon"], properties["lat"]};
  } else {
    coordinates = {fix.position_m.x(), fix.position_m.y()};
    properties["crs_note"] = "local metric frame, metres";
  }
  return {{"type", "Feature"},
          {"geometry", {{"type", "Point"}, {"coordinates", std::move(coordinates)}}},
          {"properties", std::move(properties)}};
}

}  // namespace earshot
