// Key access for the scenario reader: each getter checks one key of one JSON object and,
// when it is wrong, returns an Error that names the file, the key path
// ("key events.list[2].kind") and what was expected, with what was found:
//
//   scenarios/x.json:key events.list[2].rounds: expected a whole number of rounds, 1..10000,
//   got 2.5
//
// A reader remembers the keys it was asked about; RefuseUnknownKeys() then refuses any
// other key, so that a typo never falls back to a default silently.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_SCENARIO_JSON_H_
#define EARSHOT_SIM_INTERNAL_SCENARIO_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/internal/json_fields.h"

// Inside a function returning Result<...>: declares `lhs` as the Result of `expr` and
// returns its error when it failed (read the value with *lhs).
#define EARSHOT_SCENARIO_TRY(lhs, expr) \
  auto lhs = (expr);                    \
  if (!lhs) return std::unexpected(lhs.error())
// The same for a Result<void>.
#define EARSHOT_SCENARIO_TRY_VOID(expr) \
  if (auto ok_ = (expr); !ok_) return std::unexpected(ok_.error())

namespace earshot::sim::internal {

using earshot::internal::NumberRule;

// Coordinates beyond this are no place in one city's scene but a unit slip (mm, feet).
inline constexpr NumberRule kCoordinate{.min = -1e6, .max = 1e6, .what = "metres, -1e6..1e6"};

// "got nothing (the key is missing)": what a message says of an absent key.
inline constexpr const char* kMissingKey = "nothing (the key is missing)";
// Descriptions are prose for people; a cap keeps a corrupt file's megabyte out of messages.
inline constexpr size_t kMaxDescriptionLength = 4096;

// A place in the scenario file: the file and a key path ("" for the document itself).
struct KeyPlace {
  const std::string* source = nullptr;
  std::string path;

  KeyPlace Child(std::string_view key) const;
  KeyPlace Element(size_t index) const;
  // An Error at this place: "key <path>" (or no place for the document).
  Error Refuse(std::string message) const;
  // "expected <what>, got <value>".
  Error Expected(std::string_view what, const nlohmann::json& got) const;
};

class ObjectReader {
 public:
  // Refuses a value that is not an object. Every object may carry a "description" string
  // (a comment); it is checked here and counts as known.
  static Result<ObjectReader> Open(const nlohmann::json& value, KeyPlace place);

  const KeyPlace& place() const { return place_; }
  bool Has(const char* key) const { return object_->contains(key); }

  // Optional number within `rule`; absent gives std::nullopt, null is refused.
  Result<std::optional<double>> OptionalNumber(const char* key, const NumberRule& rule);
  // Optional number within `rule`, `fallback` when absent.
  Result<double> Number(const char* key, const NumberRule& rule, double fallback);
  Result<double> RequiredNumber(const char* key, const NumberRule& rule);
  // A whole number in [min, max]; `what` names it ("a whole number of rounds, 1..10000").
  Result<std::optional<int64_t>> OptionalInteger(const char* key, int64_t min, int64_t max,
                                                 const char* what);
  // A whole number 0..2^64-1 (a seed).
  Result<std::optional<uint64_t>> OptionalUnsigned(const char* key, const char* what);
  // A string of 1..max_length characters.
  Result<std::optional<std::string>> OptionalString(const char* key, const char* what,
                                                    size_t max_length = 128);
  Result<std::string> RequiredString(const char* key, const char* what, size_t max_length = 128);
  // A pair of finite numbers [a, b] within `rule` each.
  Result<std::optional<Eigen::Vector2d>> OptionalPair(const char* key, const NumberRule& rule);
  // A nested object, or std::nullopt when absent.
  Result<std::optional<ObjectReader>> OptionalObject(const char* key);
  // An array (its elements are checked by the caller at place().Child(key).Element(i)), or
  // nullptr when absent.
  Result<const nlohmann::json*> OptionalArray(const char* key);
  // Marks `key` as known without reading it (a comment such as "description").
  void Allow(const char* key) { known_.emplace_back(key); }

  // Refuses the first key that no getter asked for, listing the keys that are accepted.
  Result<void> RefuseUnknownKeys() const;

 private:
  ObjectReader(const nlohmann::json& object, KeyPlace place)
      : object_(&object), place_(std::move(place)) {}
  // The value at `key` (remembering the key), or nullptr when absent.
  const nlohmann::json* Find(const char* key);

  const nlohmann::json* object_;
  KeyPlace place_;
  std::vector<std::string> known_;
};

// A pair [a, b] of finite numbers within `rule` each.
Result<Eigen::Vector2d> ReadPair(const nlohmann::json& value, const KeyPlace& place,
                                 const NumberRule& rule);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SCENARIO_JSON_H_
