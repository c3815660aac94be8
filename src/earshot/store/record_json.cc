#include "earshot/store/record_json.h"

#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>

namespace earshot::store {
namespace {

using nlohmann::json;

// JSON has no NaN; null stands for "not known" and reads back as NaN.
json Number(double value) { return std::isnan(value) ? json(nullptr) : json(value); }
double ReadNumber(const json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

json Vector3(const Eigen::Vector3d& v) { return {Number(v.x()), Number(v.y()), Number(v.z())}; }
Eigen::Vector3d ReadVector3(const json& value) {
  return {ReadNumber(value.at(0)), ReadNumber(value.at(1)), ReadNumber(value.at(2))};
}

json FixToRecord(const Fix& fix) {
  json used = json::array();
  for (const UsedPulse& u : fix.used) {
    used.push_back({{"pulse_id", u.pulse_id},
                    {"sensor_id", u.sensor_id},
                    {"residual_s", Number(u.residual_s)}});
  }
  json rejected = json::array();
  for (const RejectedPulse& r : fix.rejected) {
    rejected.push_back({{"pulse_id", r.pulse_id},
                        {"sensor_id", r.sensor_id},
                        {"reason", r.reason},
                        {"residual_s", Number(r.residual_s)}});
  }
  const Eigen::Matrix2d& c = fix.covariance_en_m2;
  return {
      {"emission_ns", fix.emission_ns},
      {"position_m", Vector3(fix.position_m)},
      {"mode", SolveModeName(fix.mode)},
      {"covariance_en_m2", {Number(c(0, 0)), Number(c(0, 1)), Number(c(1, 0)), Number(c(1, 1))}},
      {"ellipse",
       {{"sigma1_m", Number(fix.ellipse.sigma1_m)},
        {"sigma2_m", Number(fix.ellipse.sigma2_m)},
        {"angle_deg", Number(fix.ellipse.angle_deg)}}},
      {"radius95_m", Number(fix.radius95_m)},
      {"height_sigma_m", Number(fix.height_sigma_m)},
      {"emission_sigma_s", Number(fix.emission_sigma_s)},
      {"timing_sigma_s", Number(fix.timing_sigma_s)},
      {"crb_rms_m", Number(fix.crb_rms_m)},
      {"speed_of_sound_mps", Number(fix.speed_of_sound_mps)},
      {"coverage", Number(fix.coverage)},
      {"used", used},
      {"rejected", rejected},
      {"summary",
       {{"method", fix.summary.method},
        {"iterations", fix.summary.iterations},
        {"termination", fix.summary.termination},
        {"initial_cost", Number(fix.summary.initial_cost)},
        {"final_cost", Number(fix.summary.final_cost)}}}};
}

// Throws nlohmann's exceptions on a missing field or wrong type; the public readers turn
// them into an Error.
Fix ReadFix(const json& r) {
  Fix fix;
  fix.emission_ns = r.at("emission_ns").get<int64_t>();
  fix.position_m = ReadVector3(r.at("position_m"));
  const std::string mode = r.at("mode").get<std::string>();
  bool mode_known = false;
  for (SolveMode m : {SolveMode::k2D, SolveMode::kFixedHeight, SolveMode::k3D}) {
    if (mode == SolveModeName(m)) {
      fix.mode = m;
      mode_known = true;
    }
  }
  if (!mode_known) throw std::invalid_argument("unknown solve mode \"" + mode + "\"");
  const json& c = r.at("covariance_en_m2");
  fix.covariance_en_m2 << ReadNumber(c.at(0)), ReadNumber(c.at(1)), ReadNumber(c.at(2)),
      ReadNumber(c.at(3));
  const json& e = r.at("ellipse");
  fix.ellipse = {ReadNumber(e.at("sigma1_m")), ReadNumber(e.at("sigma2_m")),
                 ReadNumber(e.at("angle_deg"))};
  fix.radius95_m = ReadNumber(r.at("radius95_m"));
  fix.height_sigma_m = ReadNumber(r.at("height_sigma_m"));
  fix.emission_sigma_s = ReadNumber(r.at("emission_sigma_s"));
  fix.timing_sigma_s = ReadNumber(r.at("timing_sigma_s"));
  fix.crb_rms_m = ReadNumber(r.at("crb_rms_m"));
  fix.speed_of_sound_mps = ReadNumber(r.at("speed_of_sound_mps"));
  fix.coverage = ReadNumber(r.at("coverage"));
  for (const json& u : r.at("used")) {
    fix.used.push_back({u.at("pulse_id").get<std::string>(), u.at("sensor_id").get<std::string>(),
                        ReadNumber(u.at("residual_s"))});
  }
  for (const json& j : r.at("rejected")) {
    fix.rejected.push_back({j.at("pulse_id").get<std::string>(),
                            j.at("sensor_id").get<std::string>(), j.at("reason").get<std::string>(),
                            ReadNumber(j.at("residual_s"))});
  }
  const json& s = r.at("summary");
  fix.summary = {s.at("method").get<std::string>(), s.at("iterations").get<int>(),
                 s.at("termination").get<std::string>(), ReadNumber(s.at("initial_cost")),
                 ReadNumber(s.at("final_cost"))};
  return fix;
}

template <typename Reader>
auto Guarded(const std::string& source, Reader read) -> Result<decltype(read())> {
  try {
    return read();
  } catch (const std::exception& e) {
    return Fail(source, "", std::string("stored record unreadable: ") + e.what());
  }
}

}  // namespace

json PulseToRecord(const Pulse& pulse) {
  json features = json::object();
  for (const auto& [name, value] : pulse.features) features[name] = Number(value);
  return {{"id", pulse.id},
          {"sensor_id", pulse.sensor_id},
          {"onset_ns", pulse.onset_ns},
          {"onset_sigma_s", Number(pulse.onset_sigma_s)},
          {"sensor_position_m", Vector3(pulse.sensor_position_m)},
          {"sensor_position_sigma_m", Number(pulse.sensor_position_sigma_m)},
          {"snr_db", Number(pulse.snr_db)},
          {"level_db_spl", Number(pulse.level_db_spl)},
          {"features", features}};
}

json ShotToRecord(const Shot& shot) {
  return {{"id", shot.id},
          {"version", shot.version},
          {"fix", FixToRecord(shot.fix)},
          {"p", {Number(shot.p[0]), Number(shot.p[1]), Number(shot.p[2]), Number(shot.p[3])}},
          {"label", shot.label},
          {"reasons", shot.reasons},
          {"source_level_db_at_1m", Number(shot.source_level_db_at_1m)},
          {"height_above_ground_m", Number(shot.height_above_ground_m)},
          {"crack", shot.crack},
          {"incident_id", shot.incident_id}};
}

json IncidentToRecord(const Incident& incident) {
  json record = {{"id", incident.id},
                 {"version", incident.version},
                 {"state", std::string(IncidentStateName(incident.state))},
                 {"shot_ids", incident.shot_ids},
                 {"first_shot_ns", incident.first_shot_ns},
                 {"last_shot_ns", incident.last_shot_ns},
                 {"position_m", Vector3(incident.position_m)},
                 {"position_sigma_m", Number(incident.position_sigma_m)},
                 {"rounds", incident.rounds},
                 {"cadence_s", Number(incident.cadence_s)},
                 {"automatic_fire", incident.automatic_fire},
                 {"shooters", incident.shooters},
                 {"movement_m", Number(incident.movement_m)},
                 {"speed_mps", Number(incident.speed_mps)},
                 {"label", incident.label},
                 {"p_gunfire", Number(incident.p_gunfire)},
                 {"reasons", incident.reasons},
                 {"disposition", nullptr}};
  if (incident.disposition) {
    const Disposition& d = *incident.disposition;
    record["disposition"] = {{"code", d.code}, {"note", d.note}, {"by", d.by}, {"at_ns", d.at_ns}};
  }
  return record;
}

Result<Pulse> PulseFromRecord(const json& r, const std::string& source) {
  return Guarded(source, [&] {
    Pulse pulse;
    pulse.id = r.at("id").get<std::string>();
    pulse.sensor_id = r.at("sensor_id").get<std::string>();
    pulse.onset_ns = r.at("onset_ns").get<int64_t>();
    pulse.onset_sigma_s = ReadNumber(r.at("onset_sigma_s"));
    pulse.sensor_position_m = ReadVector3(r.at("sensor_position_m"));
    pulse.sensor_position_sigma_m = ReadNumber(r.at("sensor_position_sigma_m"));
    pulse.snr_db = ReadNumber(r.at("snr_db"));
    pulse.level_db_spl = ReadNumber(r.at("level_db_spl"));
    for (const auto& [name, value] : r.at("features").items()) {
      pulse.features[name] = ReadNumber(value);
    }
    return pulse;
  });
}

Result<Shot> ShotFromRecord(const json& r, const std::string& source) {
  return Guarded(source, [&] {
    Shot shot;
    shot.id = r.at("id").get<std::string>();
    shot.version = r.at("version").get<int>();
    shot.fix = ReadFix(r.at("fix"));
    for (size_t i = 0; i < shot.p.size(); ++i) shot.p[i] = ReadNumber(r.at("p").at(i));
    shot.label = r.at("label").get<std::string>();
    shot.reasons = r.at("reasons").get<std::vector<std::string>>();
    shot.source_level_db_at_1m = ReadNumber(r.at("source_level_db_at_1m"));
    shot.height_above_ground_m = ReadNumber(r.at("height_above_ground_m"));
    shot.crack = r.at("crack").get<bool>();
    shot.incident_id = r.at("incident_id").get<std::string>();
    return shot;
  });
}

Result<Incident> IncidentFromRecord(const json& r, const std::string& source) {
  return Guarded(source, [&] {
    Incident incident;
    incident.id = r.at("id").get<std::string>();
    incident.version = r.at("version").get<int>();
    const std::string state = r.at("state").get<std::string>();
    bool state_known = false;
    for (IncidentState s : {IncidentState::kNew, IncidentState::kUpdated, IncidentState::kReviewed,
                            IncidentState::kClosed}) {
      if (state == IncidentStateName(s)) {
        incident.state = s;
        state_known = true;
      }
    }
    if (!state_known) throw std::invalid_argument("unknown incident state \"" + state + "\"");
    incident.shot_ids = r.at("shot_ids").get<std::vector<std::string>>();
    incident.first_shot_ns = r.at("first_shot_ns").get<int64_t>();
    incident.last_shot_ns = r.at("last_shot_ns").get<int64_t>();
    incident.position_m = ReadVector3(r.at("position_m"));
    incident.position_sigma_m = ReadNumber(r.at("position_sigma_m"));
    incident.rounds = r.at("rounds").get<int>();
    incident.cadence_s = ReadNumber(r.at("cadence_s"));
    incident.automatic_fire = r.at("automatic_fire").get<bool>();
    incident.shooters = r.at("shooters").get<int>();
    incident.movement_m = ReadNumber(r.at("movement_m"));
    incident.speed_mps = ReadNumber(r.at("speed_mps"));
    incident.label = r.at("label").get<std::string>();
    incident.p_gunfire = ReadNumber(r.at("p_gunfire"));
    incident.reasons = r.at("reasons").get<std::vector<std::string>>();
    const json& d = r.at("disposition");
    if (!d.is_null()) {
      incident.disposition =
          Disposition{d.at("code").get<std::string>(), d.at("note").get<std::string>(),
                      d.at("by").get<std::string>(), d.at("at_ns").get<int64_t>()};
    }
    return incident;
  });
}

}  // namespace earshot::store
