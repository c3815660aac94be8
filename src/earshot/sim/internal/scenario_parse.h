// Reads a scenario document into a ScenarioSpec: every key checked against its unit and
// range, unknown keys refused, defaults filled in (docs/simulation.md, "Scenarios").
// Nothing is drawn here; generate_*.h and scenario.cc expand the spec into a Scene.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_SCENARIO_PARSE_H_
#define EARSHOT_SIM_INTERNAL_SCENARIO_PARSE_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/sim/internal/scenario_spec.h"

namespace earshot::sim::internal {

// `source` names the file in errors (and its stem is the default name); `base_dir` is
// the folder relative paths in the file are resolved against; `seed` replaces the file's.
Result<ScenarioSpec> ParseScenarioSpec(const nlohmann::json& document, const std::string& source,
                                       const std::string& base_dir, std::optional<uint64_t> seed);

// The kinds an event may name, as a message lists them: "handgun, rifle, ...". A
// firework's lift is not an event of its own: an aerial shell is a firework_burst event.
std::string EventKindList();
std::optional<SourceKind> EventKindFromName(const std::string& name);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SCENARIO_PARSE_H_
