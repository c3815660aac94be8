#include "earshot/classify/shot_calibration.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <utility>

namespace earshot::classify {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "earshot shot calibration 1";

}  // namespace

double IncidentScore(std::span<const double> shot_p_gunfire) {
  if (shot_p_gunfire.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (double p : shot_p_gunfire) sum += p;
  return sum / static_cast<double>(shot_p_gunfire.size());
}

json ShotCalibration::ToJson() const {
  return {{"format", kFormat}, {"shot", shot.ToJson()}, {"incident", incident.ToJson()}};
}

Result<ShotCalibration> ShotCalibration::FromJson(const json& document, const std::string& source) {
  if (!document.is_object()) return Fail(source, "", "expected a JSON object");
  for (const auto& [key, value] : document.items()) {
    if (key != "format" && key != "shot" && key != "incident") {
      return Fail(source, key, "unknown key; expected only format, shot, incident");
    }
  }
  const auto format = document.find("format");
  if (format == document.end() || !format->is_string() || *format != kFormat) {
    return Fail(source, "format", std::string("expected \"").append(kFormat).append("\""));
  }
  if (!document.contains("shot")) return Fail(source, "shot", "missing");
  if (!document.contains("incident")) return Fail(source, "incident", "missing");
  auto shot = ClassCalibration::FromJson(document["shot"], source + ": shot");
  if (!shot) return std::unexpected(shot.error());
  auto incident = IsotonicCalibration::FromJson(document["incident"], source + ": incident");
  if (!incident) return std::unexpected(incident.error());
  return ShotCalibration{std::move(*shot), std::move(*incident)};
}

Result<void> ShotCalibration::Save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(path, "", "cannot write the file");
  out << ToJson().dump(1) << "\n";
  if (!out) return Fail(path, "", "write failed");
  return {};
}

Result<ShotCalibration> ShotCalibration::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", "cannot open the calibration file");
  json document = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Fail(path, "", "not valid JSON");
  return FromJson(document, path);
}

}  // namespace earshot::classify
