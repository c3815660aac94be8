// Field access for the JSON readers in json_io.cc: each getter checks one field of one
// record and, when it is wrong, returns an Error that names the source, the record
// ("line 12", "element 3") and the field, and says what was expected and what was found.
// Not part of the public API.
#ifndef EARSHOT_CORE_INTERNAL_JSON_FIELDS_H_
#define EARSHOT_CORE_INTERNAL_JSON_FIELDS_H_

#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/local_frame.h"

namespace earshot::internal {

// Where a record is: "line 12" or "element 3" in `source`.
struct RecordPlace {
  std::string source;
  std::string record;

  // An Error at `field` of this record ("line 12, field time_utc").
  Error At(std::string_view field, std::string message) const;
  // An Error about the record as a whole ("line 12").
  Error Whole(std::string message) const;
};

// A JSON value as a refusal message shows it: strings quoted and cut to a readable
// length, numbers and literals as written, containers by kind ("an object").
std::string DescribeJson(const nlohmann::json& value);
// Text as a refusal message shows it: quoted, cut to a readable length.
std::string QuoteForMessage(std::string_view text);

// The text of a nlohmann exception without its "[json.exception.x.nnn] " prefix, which
// means nothing to an operator.
std::string JsonExceptionText(const nlohmann::json::exception& error);

// The longest id (pulse or sensor) accepted; UUIDs and serials are far shorter, and a cap
// keeps one hostile record from bloating every message and index that carries the id.
inline constexpr size_t kMaxIdLength = 128;

// A required string of 1..kMaxIdLength characters.
Result<std::string> RequiredId(const nlohmann::json& object, const char* key,
                               const RecordPlace& place, std::string_view prefix = "");

// A required ISO 8601 time (see time.h), as UTC ns.
Result<int64_t> RequiredTime(const nlohmann::json& object, const char* key,
                             const RecordPlace& place, std::string_view prefix = "");

// The closed range a number must lie in, and how to name it in a message.
struct NumberRule {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  const char* what = "a finite number";  // "a finite number of metres ≥ 0", ...
};

// A required finite number within `rule`.
Result<double> RequiredNumber(const nlohmann::json& object, const char* key,
                              const RecordPlace& place, const NumberRule& rule,
                              std::string_view prefix = "");

// An optional finite number within `rule`; std::nullopt when the key is absent. A present
// null is refused: a writer that means "unknown" leaves the field out.
Result<std::optional<double>> OptionalNumber(const nlohmann::json& object, const char* key,
                                             const RecordPlace& place, const NumberRule& rule,
                                             std::string_view prefix = "");

// A position as given in a record, before it is placed in the frame of its input.
struct PositionInput {
  bool geodetic = false;
  Eigen::Vector3d metric_m = Eigen::Vector3d::Zero();  // when !geodetic
  GeodeticPoint point;                                 // when geodetic
};

// Parses a position object, either metric {"x_m","y_m","z_m"} or geodetic
// {"lat","lon","height_m"}; `field` names it in messages ("sensor_position").
Result<PositionInput> ParsePositionObject(const nlohmann::json& value, const RecordPlace& place,
                                          const std::string& field);

// Parses a whole JSON document without throwing; a syntax error is refused at the line
// (counted in `text`) where the parser stopped.
Result<nlohmann::json> ParseJsonDocument(std::string_view text, const std::string& source);

}  // namespace earshot::internal

#endif  // EARSHOT_CORE_INTERNAL_JSON_FIELDS_H_
