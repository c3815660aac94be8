#include "earshot/classify/probability_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <utility>

#include "earshot/core/internal/json_fields.h"

namespace earshot::classify {
namespace {

using nlohmann::json;

constexpr const char* kFitSource = "calibration";

std::string FormatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

// Refuses any key of `object` not in `known`, so a misspelt field is not silently ignored.
Result<void> RefuseUnknownKeys(const json& object, std::initializer_list<const char*> known,
                               const internal::RecordPlace& place, const std::string& prefix) {
  for (const auto& [key, value] : object.items()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      std::string expected;
      for (const char* k : known) expected += (expected.empty() ? "" : ", ") + std::string(k);
      return std::unexpected(place.At(prefix.empty() ? key : prefix + "." + key,
                                      "unknown key; expected only " + expected));
    }
  }
  return {};
}

// A pooled run of training points: weighted sums, so two blocks merge by adding.
struct Pool {
  double min_score;
  double max_score;
  double weight;
  double weighted_outcome;
  double Value() const { return weighted_outcome / weight; }
};

}  // namespace

Result<IsotonicCalibration> IsotonicCalibration::Fit(std::span<const double> scores,
                                                     std::span<const int> outcomes,
                                                     std::span<const double> weights) {
  if (scores.empty()) {
    return Fail(kFitSource, "", "expected at least one score to calibrate, got none");
  }
  if (outcomes.size() != scores.size() || (!weights.empty() && weights.size() != scores.size())) {
    return Fail(kFitSource, "",
                "expected one outcome (and one weight, if any) per score, got " +
                    std::to_string(scores.size()) + " scores, " + std::to_string(outcomes.size()) +
                    " outcomes and " + std::to_string(weights.size()) + " weights");
  }
  for (std::size_t r = 0; r < scores.size(); ++r) {
    const std::string row = "row " + std::to_string(r);
    if (!(scores[r] >= 0.0 && scores[r] <= 1.0)) {
      return Fail(kFitSource, row, "expected a score in [0, 1], got " + FormatNumber(scores[r]));
    }
    if (outcomes[r] != 0 && outcomes[r] != 1) {
      return Fail(kFitSource, row,
                  "expected an outcome of 0 or 1, got " + std::to_string(outcomes[r]));
    }
    if (!weights.empty() && !(std::isfinite(weights[r]) && weights[r] > 0.0)) {
      return Fail(kFitSource, row, "expected a finite weight > 0, got " + FormatNumber(weights[r]));
    }
  }

  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });

  // Pool-adjacent-violators. Equal scores are pooled first: a function has one value there.
  std::vector<Pool> pools;
  for (std::size_t r : order) {
    const double weight = weights.empty() ? 1.0 : weights[r];
    const double weighted_outcome = weight * outcomes[r];
    if (!pools.empty() && pools.back().max_score == scores[r]) {
      pools.back().weight += weight;
      pools.back().weighted_outcome += weighted_outcome;
    } else {
      pools.push_back({scores[r], scores[r], weight, weighted_outcome});
    }
    // Merge backwards while the last pool breaks monotonicity; ties are left apart so that
    // monotone outcomes come back unchanged at their own scores.
    while (pools.size() >= 2 && pools[pools.size() - 2].Value() > pools.back().Value()) {
      const Pool last = pools.back();
      pools.pop_back();
      pools.back().max_score = last.max_score;
      pools.back().weight += last.weight;
      pools.back().weighted_outcome += last.weighted_outcome;
    }
  }

  std::vector<Block> blocks;
  blocks.reserve(pools.size());
  for (const Pool& pool : pools) {
    blocks.push_back({pool.min_score, pool.max_score, std::clamp(pool.Value(), 0.0, 1.0)});
  }
  return IsotonicCalibration(std::move(blocks));
}

double IsotonicCalibration::Apply(double p) const {
  if (std::isnan(p)) return p;
  if (p <= blocks_.front().max_score) return blocks_.front().value;
  if (p >= blocks_.back().min_score) return blocks_.back().value;
  // The first block whose highest score is at or above p: p is inside it, or in the gap
  // between it and the block before.
  const auto it =
      std::lower_bound(blocks_.begin(), blocks_.end(), p,
                       [](const Block& block, double x) { return block.max_score < x; });
  if (p >= it->min_score) return it->value;
  const Block& before = *(it - 1);
  const double fraction = (p - before.max_score) / (it->min_score - before.max_score);
  return std::clamp(before.value + fraction * (it->value - before.value), before.value, it->value);
}

json IsotonicCalibration::ToJson() const {
  json blocks = json::array();
  for (const Block& block : blocks_) {
    blocks.push_back(
        {{"min_score", block.min_score}, {"max_score", block.max_score}, {"value", block.value}});
  }
  return json{{"blocks", std::move(blocks)}};
}

Result<IsotonicCalibration> IsotonicCalibration::FromJson(const json& document,
                                                          const std::string& source) {
  const internal::RecordPlace place{source, ""};
  if (!document.is_object()) {
    return std::unexpected(place.Whole("expected an object {\"blocks\": [...]}, got " +
                                       internal::DescribeJson(document)));
  }
  if (auto ok = RefuseUnknownKeys(document, {"blocks"}, place, ""); !ok) {
    return std::unexpected(ok.error());
  }
  const auto array = document.find("blocks");
  if (array == document.end() || !array->is_array() || array->empty()) {
    return std::unexpected(place.At(
        "blocks", "expected a non-empty array of blocks, got " +
                      (array == document.end() ? std::string("nothing (the field is missing)")
                                               : internal::DescribeJson(*array))));
  }
  constexpr internal::NumberRule kUnit{.min = 0.0, .max = 1.0, .what = "a number in [0, 1]"};
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json& item = (*array)[i];
    const std::string prefix = "blocks[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      return std::unexpected(place.At(
          prefix,
          "expected an object {min_score, max_score, value}, got " + internal::DescribeJson(item)));
    }
    if (auto ok = RefuseUnknownKeys(item, {"min_score", "max_score", "value"}, place, prefix);
        !ok) {
      return std::unexpected(ok.error());
    }
    Block block;
    for (auto [key, target] :
         {std::pair{"min_score", &block.min_score}, std::pair{"max_score", &block.max_score},
          std::pair{"value", &block.value}}) {
      auto number = internal::RequiredNumber(item, key, place, kUnit, prefix);
      if (!number) return std::unexpected(number.error());
      *target = *number;
    }
    if (block.max_score < block.min_score) {
      return std::unexpected(place.At(prefix + ".max_score", "expected max_score >= min_score " +
                                                                 FormatNumber(block.min_score) +
                                                                 ", got " +
                                                                 FormatNumber(block.max_score)));
    }
    if (!blocks.empty() && block.min_score <= blocks.back().max_score) {
      return std::unexpected(
          place.At(prefix + ".min_score", "expected a score above the previous block's max_score " +
                                              FormatNumber(blocks.back().max_score) + ", got " +
                                              FormatNumber(block.min_score)));
    }
    if (!blocks.empty() && block.value < blocks.back().value) {
      return std::unexpected(
          place.At(prefix + ".value", "expected a value no lower than the previous block's " +
                                          FormatNumber(blocks.back().value) +
                                          " (calibration is non-decreasing), got " +
                                          FormatNumber(block.value)));
    }
    blocks.push_back(block);
  }
  return IsotonicCalibration(std::move(blocks));
}

Result<ClassCalibration> ClassCalibration::Fit(const std::vector<std::vector<float>>& probabilities,
                                               const std::vector<int>& labels, int class_count,
                                               std::span<const double> weights) {
  if (class_count < 2) {
    return Fail(kFitSource, "", "expected at least 2 classes, got " + std::to_string(class_count));
  }
  if (labels.size() != probabilities.size()) {
    return Fail(kFitSource, "",
                "expected one label per row, got " + std::to_string(labels.size()) +
                    " labels for " + std::to_string(probabilities.size()) + " rows");
  }
  for (std::size_t r = 0; r < probabilities.size(); ++r) {
    if (probabilities[r].size() != static_cast<std::size_t>(class_count)) {
      return Fail(kFitSource, "row " + std::to_string(r),
                  "expected " + std::to_string(class_count) + " probabilities, got " +
                      std::to_string(probabilities[r].size()));
    }
    if (labels[r] < 0 || labels[r] >= class_count) {
      return Fail(kFitSource, "row " + std::to_string(r),
                  "expected a label in [0, " + std::to_string(class_count) + "), got " +
                      std::to_string(labels[r]));
    }
  }
  std::vector<IsotonicCalibration> per_class;
  std::vector<double> scores(probabilities.size());
  std::vector<int> outcomes(probabilities.size());
  for (int c = 0; c < class_count; ++c) {
    for (std::size_t r = 0; r < probabilities.size(); ++r) {
      scores[r] = probabilities[r][static_cast<std::size_t>(c)];
      outcomes[r] = labels[r] == c ? 1 : 0;
    }
    Result<IsotonicCalibration> fit = IsotonicCalibration::Fit(scores, outcomes, weights);
    if (!fit) {
      Error error = fit.error();
      error.where = "class " + std::to_string(c) + (error.where.empty() ? "" : ", ") + error.where;
      return std::unexpected(error);
    }
    per_class.push_back(*std::move(fit));
  }
  return ClassCalibration(std::move(per_class));
}

std::vector<double> ClassCalibration::Apply(std::span<const double> p) const {
  EARSHOT_CHECK(p.size() == per_class_.size());
  std::vector<double> calibrated(p.size());
  double sum = 0.0;
  for (std::size_t c = 0; c < p.size(); ++c) {
    calibrated[c] = per_class_[c].Apply(p[c]);
    sum += calibrated[c];
  }
  if (!(sum > 0.0)) return {p.begin(), p.end()};
  for (double& value : calibrated) value /= sum;
  return calibrated;
}

std::vector<double> ClassCalibration::Apply(std::span<const float> p) const {
  const std::vector<double> wide(p.begin(), p.end());
  return Apply(std::span<const double>(wide));
}

json ClassCalibration::ToJson() const {
  json classes = json::array();
  for (const IsotonicCalibration& calibration : per_class_) classes.push_back(calibration.ToJson());
  return json{{"classes", std::move(classes)}};
}

Result<ClassCalibration> ClassCalibration::FromJson(const json& document,
                                                    const std::string& source) {
  const internal::RecordPlace place{source, ""};
  if (!document.is_object()) {
    return std::unexpected(place.Whole("expected an object {\"classes\": [...]}, got " +
                                       internal::DescribeJson(document)));
  }
  if (auto ok = RefuseUnknownKeys(document, {"classes"}, place, ""); !ok) {
    return std::unexpected(ok.error());
  }
  const auto array = document.find("classes");
  if (array == document.end() || !array->is_array() || array->size() < 2) {
    return std::unexpected(place.At(
        "classes", "expected an array of at least 2 class calibrations, got " +
                       (array == document.end() ? std::string("nothing (the field is missing)")
                                                : internal::DescribeJson(*array))));
  }
  std::vector<IsotonicCalibration> per_class;
  for (std::size_t c = 0; c < array->size(); ++c) {
    Result<IsotonicCalibration> one = IsotonicCalibration::FromJson((*array)[c], source);
    if (!one) {
      // Put the class in front of the field the inner reader named.
      Error error = one.error();
      const std::string prefix = "classes[" + std::to_string(c) + "]";
      if (error.where.starts_with("field ")) {
        error.where = "field " + prefix + "." + error.where.substr(6);
      } else {
        error.where = "field " + prefix + (error.where.empty() ? "" : ", " + error.where);
      }
      return std::unexpected(error);
    }
    per_class.push_back(*std::move(one));
  }
  return ClassCalibration(std::move(per_class));
}

}  // namespace earshot::classify
