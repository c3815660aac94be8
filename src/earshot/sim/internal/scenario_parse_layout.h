// The parts of a scenario file that say where things are: areas, positions, the city
// (ground, facades, buildings, city generators) and the sensors (model, list,
// generators). Used by scenario_parse.cc; see there for the rest of the file.
// Not part of the public API.
#ifndef EARSHOT_SIM_INTERNAL_SCENARIO_PARSE_LAYOUT_H_
#define EARSHOT_SIM_INTERNAL_SCENARIO_PARSE_LAYOUT_H_

#include <optional>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/core/local_frame.h"
#include "earshot/sim/internal/scenario_json.h"
#include "earshot/sim/internal/scenario_spec.h"

namespace earshot::sim::internal {

// Area: {"center_m": [x, y], "km2": A} (a square) or {"center_m", "width_m", "height_m"}.
Result<AreaSpec> ParseArea(ObjectReader area);

// The "area" of a generator, else the scenario's top-level one, else a refusal.
Result<AreaSpec> GeneratorArea(ObjectReader& generator, const std::optional<AreaSpec>& fallback);

// Position: {"x_m", "y_m"} or {"lat", "lon"} (with an origin), with at most one of an
// absolute height (z_m, or height_m above the ellipsoid) and height_above_ground_m.
Result<PositionSpec> ParsePosition(const nlohmann::json& value, const KeyPlace& place,
                                   const LocalFrame& frame);

// "city": ground, facade_reflection_coefficient, buildings, generators.
Result<void> ParseCity(ObjectReader city, const std::optional<AreaSpec>& area, CitySpec* spec);

// "sensor_model", "sensors" and "sensor_generators" of the top-level object.
Result<void> ParseAllSensors(ObjectReader& top, const std::optional<AreaSpec>& area,
                             ScenarioSpec* spec);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SCENARIO_PARSE_LAYOUT_H_
