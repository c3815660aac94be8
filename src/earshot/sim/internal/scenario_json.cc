#include "earshot/sim/internal/scenario_json.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace earshot::sim::internal {
namespace {

using earshot::internal::DescribeJson;
using nlohmann::json;

std::string Expectation(std::string_view what, const json* got) {
  std::string message = "expected ";
  message += what;
  message += ", got ";
  message += got == nullptr ? kMissingKey : DescribeJson(*got);
  return message;
}

Result<double> CheckNumber(const json& value, const KeyPlace& place, const NumberRule& rule) {
  if (!value.is_number()) return std::unexpected(place.Expected(rule.what, value));
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < rule.min || number > rule.max) {
    return std::unexpected(place.Expected(rule.what, value));
  }
  return number;
}

}  // namespace

KeyPlace KeyPlace::Child(std::string_view key) const {
  std::string child = path;
  if (!child.empty()) child += '.';
  child += key;
  return {source, std::move(child)};
}

KeyPlace KeyPlace::Element(size_t index) const {
  return {source, path + "[" + std::to_string(index) + "]"};
}

Error KeyPlace::Refuse(std::string message) const {
  return Error{source == nullptr ? std::string() : *source, path.empty() ? "" : "key " + path,
               std::move(message)};
}

Error KeyPlace::Expected(std::string_view what, const json& got) const {
  return Refuse(Expectation(what, &got));
}

Result<ObjectReader> ObjectReader::Open(const json& value, KeyPlace place) {
  if (!value.is_object()) return std::unexpected(place.Expected("a JSON object {...}", value));
  ObjectReader reader(value, std::move(place));
  // Every object may carry a "description": a comment for the reader of the file.
  auto description = reader.OptionalString("description", "a description, a non-empty string",
                                           kMaxDescriptionLength);
  if (!description) return std::unexpected(description.error());
  return reader;
}

const json* ObjectReader::Find(const char* key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

Result<std::optional<double>> ObjectReader::OptionalNumber(const char* key,
                                                           const NumberRule& rule) {
  const json* value = Find(key);
  if (value == nullptr) return std::optional<double>();
  auto number = CheckNumber(*value, place_.Child(key), rule);
  if (!number) return std::unexpected(number.error());
  return std::optional<double>(*number);
}

Result<double> ObjectReader::Number(const char* key, const NumberRule& rule, double fallback) {
  auto number = OptionalNumber(key, rule);
  if (!number) return std::unexpected(number.error());
  return number->value_or(fallback);
}

Result<double> ObjectReader::RequiredNumber(const char* key, const NumberRule& rule) {
  const json* value = Find(key);
  if (value == nullptr)
    return std::unexpected(place_.Child(key).Refuse(Expectation(rule.what, nullptr)));
  return CheckNumber(*value, place_.Child(key), rule);
}

Result<std::optional<int64_t>> ObjectReader::OptionalInteger(const char* key, int64_t min,
                                                             int64_t max, const char* what) {
  const json* value = Find(key);
  if (value == nullptr) return std::optional<int64_t>();
  const KeyPlace place = place_.Child(key);
  if (!value->is_number()) return std::unexpected(place.Expected(what, *value));
  const double number = value->get<double>();
  // Whole numbers written as 3.0 are accepted; 2.5 rounds of a burst are not.
  if (!std::isfinite(number) || number != std::floor(number) || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    return std::unexpected(place.Expected(what, *value));
  }
  return std::optional<int64_t>(static_cast<int64_t>(number));
}

Result<std::optional<uint64_t>> ObjectReader::OptionalUnsigned(const char* key, const char* what) {
  const json* value = Find(key);
  if (value == nullptr) return std::optional<uint64_t>();
  if (value->is_number_unsigned()) return std::optional<uint64_t>(value->get<uint64_t>());
  if (value->is_number_integer() && value->get<int64_t>() >= 0) {
    return std::optional<uint64_t>(static_cast<uint64_t>(value->get<int64_t>()));
  }
  return std::unexpected(place_.Child(key).Expected(what, *value));
}

Result<std::optional<std::string>> ObjectReader::OptionalString(const char* key, const char* what,
                                                                size_t max_length) {
  const json* value = Find(key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return std::unexpected(place_.Child(key).Expected(what, *value));
  const auto& text = value->get_ref<const std::string&>();
  if (text.empty() || text.size() > max_length) {
    return std::unexpected(place_.Child(key).Expected(what, *value));
  }
  return std::optional<std::string>(text);
}

Result<std::string> ObjectReader::RequiredString(const char* key, const char* what,
                                                 size_t max_length) {
  auto text = OptionalString(key, what, max_length);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::unexpected(place_.Child(key).Refuse(Expectation(what, nullptr)));
  return std::move(**text);
}

Result<std::optional<Eigen::Vector2d>> ObjectReader::OptionalPair(const char* key,
                                                                  const NumberRule& rule) {
  const json* value = Find(key);
  if (value == nullptr) return std::optional<Eigen::Vector2d>();
  auto pair = ReadPair(*value, place_.Child(key), rule);
  if (!pair) return std::unexpected(pair.error());
  return std::optional<Eigen::Vector2d>(*pair);
}

Result<std::optional<ObjectReader>> ObjectReader::OptionalObject(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) return std::optional<ObjectReader>();
  auto reader = Open(*value, place_.Child(key));
  if (!reader) return std::unexpected(reader.error());
  return std::optional<ObjectReader>(std::move(*reader));
}

Result<const json*> ObjectReader::OptionalArray(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array())
    return std::unexpected(place_.Child(key).Expected("an array [...]", *value));
  return value;
}

Result<void> ObjectReader::RefuseUnknownKeys() const {
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::vector<std::string> accepted = known_;
    std::sort(accepted.begin(), accepted.end());
    std::string list;
    for (const std::string& name : accepted) {
      if (!list.empty()) list += ", ";
      list += name;
    }
    return std::unexpected(place_.Child(key).Refuse(
        "unknown key (a typo would otherwise fall back to a default): expected one of " + list));
  }
  return {};
}

Result<Eigen::Vector2d> ReadPair(const json& value, const KeyPlace& place, const NumberRule& rule) {
  const std::string what = std::string("a pair [a, b] of ") + rule.what;
  if (!value.is_array() || value.size() != 2) return std::unexpected(place.Expected(what, value));
  Eigen::Vector2d pair;
  for (size_t i = 0; i < 2; ++i) {
    auto number = CheckNumber(value[i], place.Element(i), rule);
    if (!number) return std::unexpected(number.error());
    pair[static_cast<Eigen::Index>(i)] = *number;
  }
  return pair;
}

}  // namespace earshot::sim::internal
