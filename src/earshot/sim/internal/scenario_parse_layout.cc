#include "earshot/sim/internal/scenario_parse_layout.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace earshot::sim::internal {
namespace {

using nlohmann::json;

constexpr NumberRule kHeightAboveGround{
    .min = 0.0, .max = 1000.0, .what = "a height above the ground in metres, 0..1000"};
constexpr double kMaxGeneratedBuildings = 1e6;
constexpr NumberRule kReflection{
    .min = 0.0, .max = 1.0, .what = "a pressure reflection coefficient, 0..1"};

// Twice the signed area of a polygon (positive when counter-clockwise).
double TwiceSignedArea(const std::vector<Eigen::Vector2d>& polygon) {
  double sum = 0.0;
  for (size_t i = 0; i < polygon.size(); ++i) {
    const Eigen::Vector2d& a = polygon[i];
    const Eigen::Vector2d& b = polygon[(i + 1) % polygon.size()];
    sum += a.x() * b.y() - b.x() * a.y();
  }
  return sum;
}

double Cross(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

// True when two edges that share no vertex cross.
bool EdgesCross(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& c,
                const Eigen::Vector2d& d) {
  const double d1 = Cross(b - a, c - a), d2 = Cross(b - a, d - a);
  const double d3 = Cross(d - c, a - c), d4 = Cross(d - c, b - c);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 && d3 != 0 &&
         d4 != 0;
}

bool SelfIntersects(const std::vector<Eigen::Vector2d>& polygon) {
  const size_t n = polygon.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;  // neighbours through the closing edge
      if (EdgesCross(polygon[i], polygon[(i + 1) % n], polygon[j], polygon[(j + 1) % n])) {
        return true;
      }
    }
  }
  return false;
}

Result<Building> ParseBuilding(const json& value, const KeyPlace& place) {
  EARSHOT_SCENARIO_TRY(opened, ObjectReader::Open(value, place));
  ObjectReader& object = *opened;
  EARSHOT_SCENARIO_TRY(footprint, object.OptionalArray("footprint_m"));
  const KeyPlace footprint_place = place.Child("footprint_m");
  constexpr const char* kFootprint =
      "a footprint polygon [[x, y], ...] of 3..1000 vertices in metres";
  if (*footprint == nullptr || (*footprint)->size() < 3 || (*footprint)->size() > 1000) {
    if (*footprint == nullptr)
      return std::unexpected(
          footprint_place.Refuse(std::string("expected ") + kFootprint + ", got " + kMissingKey));
    return std::unexpected(footprint_place.Expected(kFootprint, **footprint));
  }
  Building building;
  for (size_t i = 0; i < (*footprint)->size(); ++i) {
    EARSHOT_SCENARIO_TRY(vertex,
                         ReadPair((**footprint)[i], footprint_place.Element(i), kCoordinate));
    building.footprint_m.push_back(*vertex);
  }
  const double twice_area = TwiceSignedArea(building.footprint_m);
  if (std::abs(twice_area) < 1e-6 || SelfIntersects(building.footprint_m)) {
    return std::unexpected(footprint_place.Refuse(
        "expected a simple polygon with an area (its edges must not cross), got one that is " +
        std::string(std::abs(twice_area) < 1e-6 ? "flat" : "self-intersecting")));
  }
  // Either orientation is accepted; the scene keeps counter-clockwise footprints.
  if (twice_area < 0) std::reverse(building.footprint_m.begin(), building.footprint_m.end());
  EARSHOT_SCENARIO_TRY(
      height, object.RequiredNumber("height_m", {.min = 1,
                                                 .max = 1000,
                                                 .what = "a roof height above the ground in "
                                                         "metres, 1..1000"}));
  building.height_m = *height;
  EARSHOT_SCENARIO_TRY_VOID(object.RefuseUnknownKeys());
  return building;
}

Result<CityGeneratorSpec> ParseCityGenerator(ObjectReader generator,
                                             const std::optional<AreaSpec>& area) {
  CityGeneratorSpec spec;
  spec.key = generator.place().path;
  EARSHOT_SCENARIO_TRY(own_area, GeneratorArea(generator, area));
  spec.area = *own_area;
  EARSHOT_SCENARIO_TRY(
      block, generator.Number("block_size_m", {.min = 20, .max = 1000, .what = "metres, 20..1000"},
                              spec.block_size_m));
  EARSHOT_SCENARIO_TRY(
      street, generator.Number("street_width_m", {.min = 3, .max = 200, .what = "metres, 3..200"},
                               spec.street_width_m));
  EARSHOT_SCENARIO_TRY(
      low, generator.Number("min_height_m", {.min = 2, .max = 1000, .what = "metres, 2..1000"},
                            spec.min_height_m));
  EARSHOT_SCENARIO_TRY(
      high, generator.Number("max_height_m",
                             {.min = *low, .max = 1000, .what = "metres, min_height_m..1000"},
                             std::max(*low, spec.max_height_m)));
  EARSHOT_SCENARIO_TRY(
      coverage,
      generator.Number("coverage",
                       {.min = 0, .max = 0.95, .what = "the built fraction of each block, 0..0.95"},
                       spec.coverage));
  EARSHOT_SCENARIO_TRY(
      clearance, generator.Number("clearance_m", {.min = 0, .max = 200, .what = "metres, 0..200"},
                                  spec.clearance_m));
  spec.block_size_m = *block;
  spec.street_width_m = *street;
  spec.min_height_m = *low;
  spec.max_height_m = *high;
  spec.coverage = *coverage;
  spec.clearance_m = *clearance;
  // A block holds 4 buildings on average; a million is a city of 250 km² at 80 m blocks.
  const double pitch_m = spec.block_size_m + spec.street_width_m;
  const double buildings =
      4.0 * std::floor(spec.area.width_m / pitch_m) * std::floor(spec.area.height_m / pitch_m);
  if (buildings > kMaxGeneratedBuildings) {
    return std::unexpected(generator.place()
                               .Child("block_size_m")
                               .Refuse("expected blocks large enough for at most 1000000 buildings "
                                       "over the area, got about " +
                                       std::to_string(static_cast<int64_t>(buildings))));
  }
  EARSHOT_SCENARIO_TRY_VOID(generator.RefuseUnknownKeys());
  return spec;
}

Result<void> ParseSensorModel(ObjectReader model, SensorsSpec* spec) {
  SensorModelSpec& m = spec->model;
  struct Key {
    const char* name;
    NumberRule rule;
    double* value;
  };
  const Key keys[] = {
      {"sample_rate_hz",
       {.min = 1000, .max = 192000, .what = "hertz, 1000..192000"},
       &m.sample_rate_hz},
      {"full_scale_db_spl",
       {.min = 60, .max = 200, .what = "dB SPL, 60..200"},
       &m.full_scale_db_spl},
      {"calibration_sigma_db", {.min = 0, .max = 10, .what = "dB, 0..10"}, &m.calibration_sigma_db},
      {"self_noise_db_spl", {.min = 0, .max = 100, .what = "dB SPL, 0..100"}, &m.self_noise_db_spl},
      {"gps_sigma_m", {.min = 0, .max = 100, .what = "metres, 0..100"}, &m.gps_sigma_m},
      {"clock_jitter_s", {.min = 0, .max = 0.1, .what = "seconds, 0..0.1"}, &m.clock_jitter_s},
      {"clock_faults_per_hour",
       {.min = 0, .max = 100, .what = "faults per hour, 0..100"},
       &m.clock_faults_per_hour},
      {"clock_fault_length_s",
       {.min = 1, .max = 86400, .what = "seconds, 1..86400"},
       &m.clock_fault_length_s},
      {"clock_fault_offset_s",
       {.min = 0, .max = 10, .what = "seconds, 0..10"},
       &m.clock_fault_offset_s},
      {"clock_fault_drift_s_per_s",
       {.min = 0, .max = 0.01, .what = "seconds per second, 0..0.01"},
       &m.clock_fault_drift_s_per_s},
      {"outages_per_hour",
       {.min = 0, .max = 100, .what = "outages per hour, 0..100"},
       &m.outages_per_hour},
      {"outage_length_s",
       {.min = 1, .max = 86400, .what = "seconds, 1..86400"},
       &m.outage_length_s},
      {"mounting_height_m",
       {.min = 0, .max = 200, .what = "metres above the ground, 0..200"},
       &spec->mounting_height_m},
  };
  for (const Key& key : keys) {
    EARSHOT_SCENARIO_TRY(value, model.Number(key.name, key.rule, *key.value));
    *key.value = *value;
  }
  return model.RefuseUnknownKeys();
}

Result<void> ParseSensors(const json& list, const KeyPlace& place, const LocalFrame& frame,
                          SensorsSpec* spec) {
  for (size_t i = 0; i < list.size(); ++i) {
    EARSHOT_SCENARIO_TRY(opened, ObjectReader::Open(list[i], place.Element(i)));
    ObjectReader& object = *opened;
    SensorEntrySpec entry;
    EARSHOT_SCENARIO_TRY(
        id,
        object.RequiredString("id", "a sensor id, a non-empty string of at most 128 characters"));
    entry.id = *id;
    EARSHOT_SCENARIO_TRY(position_value, object.OptionalObject("position"));
    if (!*position_value) {
      return std::unexpected(
          object.place()
              .Child("position")
              .Refuse(std::string(
                          "expected a position {\"x_m\", \"y_m\"} or {\"lat\", \"lon\"}, got ") +
                      kMissingKey));
    }
    EARSHOT_SCENARIO_TRY(
        position, ParsePosition(list[i]["position"], object.place().Child("position"), frame));
    entry.position = *position;
    EARSHOT_SCENARIO_TRY_VOID(object.RefuseUnknownKeys());
    spec->list.push_back(std::move(entry));
  }
  return {};
}

Result<SensorGeneratorSpec> ParseSensorGenerator(ObjectReader generator,
                                                 const std::optional<AreaSpec>& area) {
  SensorGeneratorSpec spec;
  spec.key = generator.place().path;
  EARSHOT_SCENARIO_TRY(own_area, GeneratorArea(generator, area));
  spec.area = *own_area;
  EARSHOT_SCENARIO_TRY(
      density, generator.RequiredNumber("density_per_km2", {.min = 0.01,
                                                            .max = 1000,
                                                            .what = "sensors per square kilometre, "
                                                                    "0.01..1000"}));
  EARSHOT_SCENARIO_TRY(
      jitter, generator.Number("jitter_m", {.min = 0, .max = 1000, .what = "metres, 0..1000"},
                               spec.jitter_m));
  EARSHOT_SCENARIO_TRY(
      prefix, generator.OptionalString("id_prefix", "an id prefix of 1..64 characters", 64));
  spec.density_per_km2 = *density;
  spec.jitter_m = *jitter;
  if (*prefix) spec.id_prefix = **prefix;
  const double count = spec.density_per_km2 * spec.area.AreaKm2();
  if (count > 100'000) {
    return std::unexpected(generator.place()
                               .Child("density_per_km2")
                               .Refuse("expected at most 100000 sensors over the area, got " +
                                       std::to_string(static_cast<int64_t>(count))));
  }
  EARSHOT_SCENARIO_TRY_VOID(generator.RefuseUnknownKeys());
  return spec;
}

}  // namespace

// Area: {"center_m": [x, y], "km2": A} (a square) or {"center_m", "width_m", "height_m"}.
Result<AreaSpec> ParseArea(ObjectReader area) {
  AreaSpec spec;
  EARSHOT_SCENARIO_TRY(center, area.OptionalPair("center_m", kCoordinate));
  if (*center) spec.center_m = **center;
  constexpr NumberRule kKm2{
      .min = 1e-4, .max = 2500.0, .what = "an area in square kilometres, 0.0001..2500"};
  constexpr NumberRule kSide{.min = 10.0, .max = 50'000.0, .what = "metres, 10..50000"};
  EARSHOT_SCENARIO_TRY(km2, area.OptionalNumber("km2", kKm2));
  EARSHOT_SCENARIO_TRY(width, area.OptionalNumber("width_m", kSide));
  EARSHOT_SCENARIO_TRY(height, area.OptionalNumber("height_m", kSide));
  if (*km2 && !*width && !*height) {
    spec.width_m = spec.height_m = std::sqrt(**km2) * 1000.0;
  } else if (!*km2 && *width && *height) {
    spec.width_m = **width;
    spec.height_m = **height;
  } else {
    return std::unexpected(
        area.place().Refuse("expected either km2 (a square) or both width_m and height_m, got " +
                            std::string(*km2 ? "km2 with a side" : "neither")));
  }
  EARSHOT_SCENARIO_TRY_VOID(area.RefuseUnknownKeys());
  return spec;
}

// The "area" of a generator, or the scenario's top-level one.
Result<AreaSpec> GeneratorArea(ObjectReader& generator, const std::optional<AreaSpec>& fallback) {
  EARSHOT_SCENARIO_TRY(area, generator.OptionalObject("area"));
  if (*area) return ParseArea(std::move(**area));
  if (fallback) return *fallback;
  return std::unexpected(generator.place().Child("area").Refuse(
      "expected an area {\"km2\"} or {\"width_m\", \"height_m\"} here or at the top level, got " +
      std::string(kMissingKey)));
}

// Position: {"x_m", "y_m"} or {"lat", "lon"} (with an origin), with at most one of an
// absolute height (z_m, or height_m above the ellipsoid) and height_above_ground_m.
Result<PositionSpec> ParsePosition(const json& value, const KeyPlace& place,
                                   const LocalFrame& frame) {
  EARSHOT_SCENARIO_TRY(opened, ObjectReader::Open(value, place));
  ObjectReader& position = *opened;
  PositionSpec spec;
  spec.key = place.path;
  const bool metric = position.Has("x_m") || position.Has("y_m") || position.Has("z_m");
  const bool geodetic = position.Has("lat") || position.Has("lon") || position.Has("height_m");
  if (metric == geodetic) {
    return std::unexpected(place.Refuse(
        "expected either metric x_m, y_m [, z_m] or geodetic lat, lon [, height_m], got " +
        std::string(metric ? "both" : "neither")));
  }
  std::optional<double> absolute;
  if (metric) {
    EARSHOT_SCENARIO_TRY(x, position.RequiredNumber("x_m", kCoordinate));
    EARSHOT_SCENARIO_TRY(y, position.RequiredNumber("y_m", kCoordinate));
    EARSHOT_SCENARIO_TRY(z, position.OptionalNumber("z_m", kCoordinate));
    spec.xy_m = {*x, *y};
    absolute = *z;
  } else {
    if (!frame.is_geodetic()) {
      return std::unexpected(place.Refuse(
          "expected metric x_m, y_m: lat/lon positions need the scenario's \"origin\""));
    }
    EARSHOT_SCENARIO_TRY(
        lat, position.RequiredNumber("lat", {.min = -90, .max = 90, .what = "degrees, -90..90"}));
    EARSHOT_SCENARIO_TRY(lon, position.RequiredNumber(
                                  "lon", {.min = -180, .max = 180, .what = "degrees, -180..180"}));
    EARSHOT_SCENARIO_TRY(
        height, position.OptionalNumber("height_m", {.min = -1000,
                                                     .max = 10000,
                                                     .what = "metres above the WGS84 ellipsoid, "
                                                             "-1000..10000"}));
    const Eigen::Vector3d enu =
        frame.Forward({*lat, *lon, height->value_or(frame.origin().height_m)});
    spec.xy_m = enu.head<2>();
    if (*height) absolute = enu.z();
  }
  EARSHOT_SCENARIO_TRY(above, position.OptionalNumber("height_above_ground_m", kHeightAboveGround));
  if (absolute && *above) {
    return std::unexpected(place.Child("height_above_ground_m")
                               .Refuse("expected either an absolute height or a height above "
                                       "the ground, got both"));
  }
  spec.z_m = absolute;
  spec.height_above_ground_m = *above;
  EARSHOT_SCENARIO_TRY_VOID(position.RefuseUnknownKeys());
  return spec;
}

Result<void> ParseCity(ObjectReader city, const std::optional<AreaSpec>& area, CitySpec* spec) {
  EARSHOT_SCENARIO_TRY(ground, city.OptionalObject("ground"));
  if (*ground) {
    ObjectReader& g = **ground;
    EARSHOT_SCENARIO_TRY(
        base, g.Number("base_m", {.min = -1000, .max = 10000, .what = "metres, -1000..10000"},
                       spec->ground.base_m));
    EARSHOT_SCENARIO_TRY(slope, g.OptionalPair("slope", {.min = -1,
                                                         .max = 1,
                                                         .what = "a gradient dz/dx or dz/dy, "
                                                                 "-1..1"}));
    EARSHOT_SCENARIO_TRY(reflection, g.Number("reflection_coefficient", kReflection,
                                              spec->ground.reflection_coefficient));
    spec->ground.base_m = *base;
    if (*slope) spec->ground.slope = **slope;
    spec->ground.reflection_coefficient = *reflection;
    spec->ground_given = true;
    EARSHOT_SCENARIO_TRY_VOID(g.RefuseUnknownKeys());
  }
  EARSHOT_SCENARIO_TRY(facade, city.Number("facade_reflection_coefficient", kReflection,
                                           spec->facade_reflection_coefficient));
  spec->facade_reflection_coefficient = *facade;
  EARSHOT_SCENARIO_TRY(buildings, city.OptionalArray("buildings"));
  if (*buildings != nullptr) {
    for (size_t i = 0; i < (*buildings)->size(); ++i) {
      EARSHOT_SCENARIO_TRY(
          building, ParseBuilding((**buildings)[i], city.place().Child("buildings").Element(i)));
      spec->buildings.push_back(std::move(*building));
    }
  }
  EARSHOT_SCENARIO_TRY(generators, city.OptionalArray("generators"));
  if (*generators != nullptr) {
    for (size_t i = 0; i < (*generators)->size(); ++i) {
      EARSHOT_SCENARIO_TRY(object, ObjectReader::Open((**generators)[i],
                                                      city.place().Child("generators").Element(i)));
      EARSHOT_SCENARIO_TRY(generator, ParseCityGenerator(std::move(*object), area));
      spec->generators.push_back(std::move(*generator));
    }
  }
  return city.RefuseUnknownKeys();
}

// Sensors: the model, the explicit list and the generators.
Result<void> ParseAllSensors(ObjectReader& top, const std::optional<AreaSpec>& area,
                             ScenarioSpec* spec) {
  EARSHOT_SCENARIO_TRY(model, top.OptionalObject("sensor_model"));
  if (*model) EARSHOT_SCENARIO_TRY_VOID(ParseSensorModel(std::move(**model), &spec->sensors));
  EARSHOT_SCENARIO_TRY(list, top.OptionalArray("sensors"));
  if (*list != nullptr) {
    EARSHOT_SCENARIO_TRY_VOID(
        ParseSensors(**list, top.place().Child("sensors"), spec->frame, &spec->sensors));
  }
  EARSHOT_SCENARIO_TRY(generators, top.OptionalArray("sensor_generators"));
  if (*generators != nullptr) {
    for (size_t i = 0; i < (*generators)->size(); ++i) {
      EARSHOT_SCENARIO_TRY(
          object,
          ObjectReader::Open((**generators)[i], top.place().Child("sensor_generators").Element(i)));
      EARSHOT_SCENARIO_TRY(generator, ParseSensorGenerator(std::move(*object), area));
      spec->sensors.generators.push_back(std::move(*generator));
    }
  }
  return {};
}

}  // namespace earshot::sim::internal
