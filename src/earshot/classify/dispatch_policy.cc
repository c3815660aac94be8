#include "earshot/classify/dispatch_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <numeric>
#include <utility>

#include <nlohmann/json.hpp>

#include "earshot/core/internal/json_fields.h"

namespace earshot::classify {
namespace {

using nlohmann::json;

constexpr const char* kGunfireKey = "gunfire_min_p";
constexpr const char* kProbableKey = "probable_gunfire_min_p";

std::string FormatNumber(const char* format, double value) {
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

bool DispatchThresholds::IsValid(std::string* error) const {
  if (!(probable_min_p > 0.0 && probable_min_p <= 1.0)) {
    *error = std::string(kProbableKey) + " must be in (0, 1], got " +
             FormatNumber("%.10g", probable_min_p);
    return false;
  }
  if (!(gunfire_min_p > 0.0 && gunfire_min_p <= 1.0)) {
    *error = std::string(kGunfireKey) + " must be in (0, 1], got " +
             FormatNumber("%.10g", gunfire_min_p);
    return false;
  }
  if (probable_min_p > gunfire_min_p) {
    *error = std::string(kProbableKey) + " (" + FormatNumber("%.10g", probable_min_p) +
             ") must not exceed " + kGunfireKey + " (" + FormatNumber("%.10g", gunfire_min_p) + ")";
    return false;
  }
  return true;
}

Result<DispatchThresholds> LoadDispatchThresholds(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(path, "", "cannot open the dispatch thresholds file (missing or unreadable)");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<json> document = internal::ParseJsonDocument(text, path);
  if (!document) return std::unexpected(document.error());
  const internal::RecordPlace place{path, ""};
  if (!document->is_object()) {
    return std::unexpected(place.Whole(std::string("expected an object {\"") + kGunfireKey +
                                       "\": ..., \"" + kProbableKey + "\": ...}, got " +
                                       internal::DescribeJson(*document)));
  }
  for (const auto& [key, value] : document->items()) {
    if (key != kGunfireKey && key != kProbableKey) {
      return std::unexpected(place.At(
          key, std::string("unknown key; expected only ") + kGunfireKey + " and " + kProbableKey));
    }
  }
  constexpr internal::NumberRule kProbability{
      .min = 0.0, .max = 1.0, .what = "a probability in (0, 1]"};
  DispatchThresholds thresholds;
  for (auto [key, target] : {std::pair{kGunfireKey, &thresholds.gunfire_min_p},
                             std::pair{kProbableKey, &thresholds.probable_min_p}}) {
    Result<double> number = internal::RequiredNumber(*document, key, place, kProbability);
    if (!number) return std::unexpected(number.error());
    if (*number == 0.0) {
      return std::unexpected(place.At(key, "expected a probability in (0, 1], got 0"));
    }
    *target = *number;
  }
  if (std::string error; !thresholds.IsValid(&error)) {
    return std::unexpected(place.At(kProbableKey, error));
  }
  return thresholds;
}

std::string_view DispatchLabelName(DispatchLabel label) {
  switch (label) {
    case DispatchLabel::kGunfire:
      return "gunfire";
    case DispatchLabel::kProbableGunfire:
      return "probable_gunfire";
    case DispatchLabel::kNotGunfire:
      return "not_gunfire";
  }
  return "not_gunfire";
}

DispatchLabel Decide(double p_gunfire, const DispatchThresholds& thresholds) {
  if (p_gunfire >= thresholds.gunfire_min_p) return DispatchLabel::kGunfire;
  if (p_gunfire >= thresholds.probable_min_p) return DispatchLabel::kProbableGunfire;
  return DispatchLabel::kNotGunfire;  // NaN lands here: no evidence of gunfire
}

std::vector<Reason> TopReasons(const std::vector<std::string>& feature_names,
                               std::span<const float> feature_values,
                               std::span<const float> contributions, int count) {
  EARSHOT_CHECK(feature_values.size() == feature_names.size());
  EARSHOT_CHECK(contributions.size() == feature_names.size() ||
                contributions.size() == feature_names.size() + 1);
  std::vector<Reason> reasons;
  for (std::size_t f = 0; f < feature_names.size(); ++f) {
    if (std::isnan(feature_values[f]) && contributions[f] == 0.0F) continue;
    reasons.push_back({feature_names[f], feature_values[f], contributions[f]});
  }
  std::stable_sort(reasons.begin(), reasons.end(), [](const Reason& a, const Reason& b) {
    return std::abs(a.contribution) > std::abs(b.contribution);
  });
  reasons.resize(std::min(reasons.size(), static_cast<std::size_t>(std::max(count, 0))));
  return reasons;
}

std::string DescribeReason(const Reason& reason) {
  const std::string value =
      std::isnan(reason.value) ? std::string("missing") : FormatNumber("%.4g", reason.value);
  const char* effect = reason.contribution > 0.0   ? "raises"
                       : reason.contribution < 0.0 ? "lowers"
                                                   : "does not change";
  return reason.feature + " = " + value + " " + effect + " p(gunfire) (" +
         FormatNumber("%+.2f", reason.contribution) + ")";
}

}  // namespace earshot::classify
