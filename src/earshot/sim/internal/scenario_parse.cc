#include "earshot/sim/internal/scenario_parse.h"

#include <array>
#include <filesystem>

#include "earshot/core/time.h"
#include "earshot/sim/internal/scenario_json.h"
#include "earshot/sim/internal/scenario_parse_layout.h"

namespace earshot::sim::internal {
namespace {

using nlohmann::json;

constexpr std::array<SourceKind, 11> kAllKinds = {
    SourceKind::kHandgun,     SourceKind::kRifle,        SourceKind::kShotgun,
    SourceKind::kFirecracker, SourceKind::kFireworkLift, SourceKind::kFireworkBurst,
    SourceKind::kBackfire,    SourceKind::kDoorSlam,     SourceKind::kHammer,
    SourceKind::kNailGun,     SourceKind::kBalloonPop,
};

constexpr NumberRule kLevel{.min = 0.0, .max = 120.0, .what = "a level in dB SPL, 0..120"};

bool IsGunfire(SourceKind kind) { return ClassOfKind(kind) == EventClass::kGunfire; }

// A folder name for output.group: what every file system accepts and no path tricks.
bool IsFolderName(const std::string& name) {
  if (name == "." || name == "..") return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<void> ParseAtmosphere(ObjectReader air, ScenarioSpec* spec) {
  Weather& weather = spec->atmosphere.weather;
  EARSHOT_SCENARIO_TRY(temperature,
                       air.OptionalNumber("temperature_c", {.min = -60,
                                                            .max = 60,
                                                            .what = "an air temperature in "
                                                                    "degrees Celsius, -60..60"}));
  EARSHOT_SCENARIO_TRY(
      speed, air.OptionalNumber("wind_speed_mps",
                                {.min = 0, .max = 60, .what = "a wind speed in m/s, 0..60"}));
  EARSHOT_SCENARIO_TRY(
      from, air.OptionalNumber("wind_from_deg", {.min = 0,
                                                 .max = 360,
                                                 .what = "the direction the wind blows from, "
                                                         "degrees clockwise from north, 0..360"}));
  EARSHOT_SCENARIO_TRY(humidity, air.Number("relative_humidity_pct",
                                            {.min = 0, .max = 100, .what = "percent, 0..100"},
                                            spec->atmosphere.relative_humidity_pct));
  EARSHOT_SCENARIO_TRY(
      pressure,
      air.Number("pressure_kpa", {.min = 50, .max = 110, .what = "an air pressure in kPa, 50..110"},
                 spec->atmosphere.pressure_kpa));
  spec->temperature_given = temperature->has_value();
  spec->wind_given = speed->has_value() || from->has_value();
  weather.temperature_c = temperature->value_or(weather.temperature_c);
  weather.wind_speed_mps = speed->value_or(weather.wind_speed_mps);
  weather.wind_from_deg = from->value_or(weather.wind_from_deg);
  spec->atmosphere.relative_humidity_pct = *humidity;
  spec->atmosphere.pressure_kpa = *pressure;
  return air.RefuseUnknownKeys();
}

Result<EventSpec> ParseEvent(const json& value, const KeyPlace& place, const ScenarioSpec& scene) {
  EARSHOT_SCENARIO_TRY(opened, ObjectReader::Open(value, place));
  ObjectReader& object = *opened;
  EventSpec event;
  event.key = place.path;
  EARSHOT_SCENARIO_TRY(
      id, object.OptionalString("id", "an event id, a non-empty string of at most 128 characters"));
  event.id = *id;
  EARSHOT_SCENARIO_TRY(description, object.OptionalString("description", "a non-empty string",
                                                          kMaxDescriptionLength));
  event.description = description->value_or("");
  const std::string kind_what = "a source kind, one of " + EventKindList();
  EARSHOT_SCENARIO_TRY(kind_name, object.RequiredString("kind", kind_what.c_str()));
  const auto kind = EventKindFromName(*kind_name);
  if (!kind) {
    std::string message =
        "expected " + kind_what + ", got " + earshot::internal::DescribeJson(value["kind"]);
    if (*kind_name == "firework_lift") {
      message += " (an aerial shell is one firework_burst event; its lift is added)";
    }
    return std::unexpected(place.Child("kind").Refuse(std::move(message)));
  }
  event.kind = *kind;
  EARSHOT_SCENARIO_TRY(position_value, object.OptionalObject("position"));
  if (!*position_value) {
    return std::unexpected(
        place.Child("position")
            .Refuse(
                std::string("expected a position {\"x_m\", \"y_m\"} or {\"lat\", \"lon\"}, got ") +
                kMissingKey));
  }
  EARSHOT_SCENARIO_TRY(position,
                       ParsePosition(value["position"], place.Child("position"), scene.frame));
  event.position = *position;
  const double max_time = scene.duration_s.value_or(86'400.0);
  const std::string time_what = "seconds after start_utc, 0.." +
                                std::to_string(static_cast<int64_t>(max_time)) +
                                " (the scene's duration)";
  EARSHOT_SCENARIO_TRY(time, object.RequiredNumber(
                                 "time_s", {.min = 0, .max = max_time, .what = time_what.c_str()}));
  event.time_s = *time;
  EARSHOT_SCENARIO_TRY(rounds,
                       object.OptionalInteger("rounds", 1, 10'000,
                                              "a whole number of rounds (crackers, shells), "
                                              "1..10000"));
  event.rounds = static_cast<int>(rounds->value_or(1));
  EARSHOT_SCENARIO_TRY(
      cadence,
      object.OptionalNumber(
          "cadence_s", {.min = 0.005, .max = 60, .what = "seconds between rounds, 0.005..60"}));
  event.cadence_s = *cadence;
  EARSHOT_SCENARIO_TRY(
      level, object.OptionalNumber("peak_db_spl_at_1m",
                                   {.min = 60, .max = 200, .what = "dB SPL at 1 m, 60..200"}));
  event.peak_db_spl_at_1m = *level;
  EARSHOT_SCENARIO_TRY(azimuth,
                       object.OptionalNumber(
                           "aim_azimuth_deg",
                           {.min = 0, .max = 360, .what = "degrees clockwise from north, 0..360"}));
  EARSHOT_SCENARIO_TRY(
      elevation, object.OptionalNumber(
                     "aim_elevation_deg",
                     {.min = -90, .max = 90, .what = "degrees above the horizontal, -90..90"}));
  event.aim_azimuth_deg = *azimuth;
  event.aim_elevation_deg = *elevation;
  EARSHOT_SCENARIO_TRY(
      bullet, object.OptionalNumber(
                  "bullet_speed_mps",
                  {.min = 0, .max = 2000, .what = "m/s, 0..2000 (0: subsonic or no bullet)"}));
  if (*bullet && !IsGunfire(event.kind)) {
    return std::unexpected(place.Child("bullet_speed_mps")
                               .Refuse(std::string("expected only on a handgun, rifle or shotgun, "
                                                   "got it on a ") +
                                       SourceKindName(event.kind)));
  }
  event.bullet_speed_mps = *bullet;
  EARSHOT_SCENARIO_TRY(
      burst_height,
      object.OptionalNumber("burst_height_m",
                            {.min = 30, .max = 300, .what = "metres above the launch, 30..300"}));
  EARSHOT_SCENARIO_TRY(
      burst_delay,
      object.OptionalNumber(
          "burst_delay_s", {.min = 0.5, .max = 10, .what = "seconds from lift to burst, 0.5..10"}));
  if ((*burst_height || *burst_delay) && event.kind != SourceKind::kFireworkBurst) {
    return std::unexpected(
        place.Child(*burst_height ? "burst_height_m" : "burst_delay_s")
            .Refuse(std::string("expected only on a firework_burst, got it on a ") +
                    SourceKindName(event.kind)));
  }
  event.burst_height_m = *burst_height;
  event.burst_delay_s = *burst_delay;
  EARSHOT_SCENARIO_TRY_VOID(object.RefuseUnknownKeys());
  return event;
}

Result<EventGeneratorSpec> ParseEventGenerator(ObjectReader generator,
                                               const std::optional<AreaSpec>& area) {
  EventGeneratorSpec spec;
  spec.key = generator.place().path;
  EARSHOT_SCENARIO_TRY(own_area, GeneratorArea(generator, area));
  spec.area = *own_area;
  EARSHOT_SCENARIO_TRY(rates, generator.OptionalObject("rates_per_hour"));
  if (!*rates) {
    return std::unexpected(
        generator.place()
            .Child("rates_per_hour")
            .Refuse(std::string("expected an object {\"<kind>\": events per hour, ...}, got ") +
                    kMissingKey));
  }
  // One key per kind: an unknown kind is refused as an unknown key, with the list.
  for (const SourceKind kind : kAllKinds) {
    if (kind == SourceKind::kFireworkLift) continue;
    EARSHOT_SCENARIO_TRY(
        rate, (*rates)->OptionalNumber(
                  SourceKindName(kind),
                  {.min = 0, .max = 1e5, .what = "events per hour in the whole area, 0..100000"}));
    if (*rate && **rate > 0) spec.rates_per_hour[kind] = **rate;
  }
  EARSHOT_SCENARIO_TRY_VOID((*rates)->RefuseUnknownKeys());
  EARSHOT_SCENARIO_TRY_VOID(generator.RefuseUnknownKeys());
  return spec;
}

Result<void> ParseBackground(ObjectReader background, ScenarioSpec* spec) {
  BackgroundSpec& b = spec->background;
  EARSHOT_SCENARIO_TRY(traffic, background.Number("traffic_db_spl", kLevel, b.traffic_db_spl));
  EARSHOT_SCENARIO_TRY(
      wind, background.OptionalNumber("wind_speed_mps",
                                      {.min = 0, .max = 60, .what = "a wind speed in m/s, 0..60"}));
  EARSHOT_SCENARIO_TRY(
      rain,
      background.Number("rain_mm_per_h", {.min = 0, .max = 300, .what = "mm per hour, 0..300"},
                        b.rain_mm_per_h));
  EARSHOT_SCENARIO_TRY(voices, background.Number("voices_db_spl", kLevel, b.voices_db_spl));
  EARSHOT_SCENARIO_TRY(music, background.Number("music_db_spl", kLevel, b.music_db_spl));
  EARSHOT_SCENARIO_TRY(impulses, background.Number("local_impulses_per_hour",
                                                   {.min = 0,
                                                    .max = 10000,
                                                    .what = "impulses per sensor per hour, "
                                                            "0..10000"},
                                                   b.local_impulses_per_hour));
  b.traffic_db_spl = *traffic;
  spec->background_wind_given = wind->has_value();
  if (*wind) b.wind_speed_mps = **wind;
  b.rain_mm_per_h = *rain;
  b.voices_db_spl = *voices;
  b.music_db_spl = *music;
  b.local_impulses_per_hour = *impulses;
  return background.RefuseUnknownKeys();
}

Result<void> ParseOutput(ObjectReader output, ScenarioSpec* spec) {
  OutputOptions& o = spec->output;
  EARSHOT_SCENARIO_TRY(
      window,
      output.Number("window_s", {.min = 1, .max = 600, .what = "seconds, 1..600"}, o.window_s));
  const std::string lead_what = "seconds, 0..window_s";
  EARSHOT_SCENARIO_TRY(
      lead, output.Number("lead_s", {.min = 0, .max = *window, .what = lead_what.c_str()},
                          std::min(o.lead_s, *window)));
  EARSHOT_SCENARIO_TRY(sensors, output.OptionalInteger("max_audio_sensors", 1, 10'000,
                                                       "a whole number of sensors, 1..10000"));
  constexpr const char* kGroup =
      "a folder name of 1..64 letters, digits, '-', '_' or '.' (not \".\" or \"..\")";
  EARSHOT_SCENARIO_TRY(group, output.OptionalString("group", kGroup, 64));
  if (*group && !IsFolderName(**group)) {
    return std::unexpected(
        output.place().Child("group").Refuse(std::string("expected ") + kGroup + ", got " +
                                             earshot::internal::QuoteForMessage(**group)));
  }
  o.window_s = *window;
  o.lead_s = *lead;
  if (*sensors) o.max_audio_sensors = static_cast<int>(**sensors);
  spec->output_group_given = group->has_value();
  if (*group) o.group = **group;
  return output.RefuseUnknownKeys();
}

Result<LivefireSpec> ParseLivefire(ObjectReader livefire, const std::string& base_dir) {
  LivefireSpec spec;
  EARSHOT_SCENARIO_TRY(
      dataset, livefire.RequiredString("dataset",
                                       "the folder of one firing position of the live-fire dataset "
                                       "(its test_NNN folders), relative to this file",
                                       4096));
  spec.dataset_as_written = *dataset;
  const std::filesystem::path path(*dataset);
  std::filesystem::path resolved =
      (path.is_absolute() || base_dir.empty() ? path : std::filesystem::path(base_dir) / path)
          .lexically_normal();
  if (!resolved.has_filename()) resolved = resolved.parent_path();  // "FP1/" is "FP1"
  spec.dataset_dir = resolved.string();
  EARSHOT_SCENARIO_TRY(
      cadence,
      livefire.Number("cadence_s", {.min = 0.1, .max = 5, .what = "seconds between rounds, 0.1..5"},
                      spec.cadence_s));
  spec.cadence_s = *cadence;
  EARSHOT_SCENARIO_TRY(
      survey_sigma, livefire.Number("survey_sigma_m", {.min = 0, .max = 100, .what = "m, 0..100"},
                                    spec.survey_sigma_m));
  spec.survey_sigma_m = *survey_sigma;
  EARSHOT_SCENARIO_TRY_VOID(livefire.RefuseUnknownKeys());
  return spec;
}

// name, seed, start_utc, duration_s, origin.
Result<void> ParseHeader(ObjectReader& top, const std::string& source, std::optional<uint64_t> seed,
                         ScenarioSpec* spec) {
  EARSHOT_SCENARIO_TRY(name,
                       top.OptionalString("name",
                                          "a scenario name, a non-empty string of at most 128 "
                                          "characters"));
  spec->name = name->value_or(std::filesystem::path(source).stem().string());
  if (spec->name.empty()) spec->name = "scenario";
  EARSHOT_SCENARIO_TRY(file_seed, top.OptionalUnsigned("seed", "a whole number 0..2^64-1"));
  spec->seed = seed.value_or(file_seed->value_or(1));
  constexpr const char* kTime = "an ISO 8601 UTC time like 2024-07-04T21:00:00Z";
  EARSHOT_SCENARIO_TRY(start, top.OptionalString("start_utc", kTime, 64));
  if (*start) {
    auto start_ns = ParseIsoUtc(**start);
    if (!start_ns) return std::unexpected(top.place().Child("start_utc").Refuse(start_ns.error()));
    spec->start_ns = *start_ns;
  }
  EARSHOT_SCENARIO_TRY(
      duration,
      top.OptionalNumber("duration_s", {.min = 1, .max = 86'400, .what = "seconds, 1..86400"}));
  spec->duration_s = *duration;
  EARSHOT_SCENARIO_TRY(origin, top.OptionalObject("origin"));
  if (*origin) {
    ObjectReader& o = **origin;
    EARSHOT_SCENARIO_TRY(
        lat, o.RequiredNumber("lat", {.min = -90, .max = 90, .what = "degrees, -90..90"}));
    EARSHOT_SCENARIO_TRY(
        lon, o.RequiredNumber("lon", {.min = -180, .max = 180, .what = "degrees, -180..180"}));
    EARSHOT_SCENARIO_TRY(height, o.Number("height_m",
                                          {.min = -1000,
                                           .max = 10000,
                                           .what = "metres above the WGS84 ellipsoid, "
                                                   "-1000..10000"},
                                          0.0));
    EARSHOT_SCENARIO_TRY_VOID(o.RefuseUnknownKeys());
    spec->frame = LocalFrame::Geodetic(*lat, *lon, *height);
  }
  return {};
}

Result<void> ParseAllEvents(ObjectReader& top, const std::optional<AreaSpec>& area,
                            ScenarioSpec* spec) {
  EARSHOT_SCENARIO_TRY(list, top.OptionalArray("events"));
  if (*list != nullptr) {
    for (size_t i = 0; i < (*list)->size(); ++i) {
      EARSHOT_SCENARIO_TRY(event,
                           ParseEvent((**list)[i], top.place().Child("events").Element(i), *spec));
      spec->events.push_back(std::move(*event));
    }
  }
  EARSHOT_SCENARIO_TRY(generators, top.OptionalArray("event_generators"));
  if (*generators != nullptr) {
    for (size_t i = 0; i < (*generators)->size(); ++i) {
      EARSHOT_SCENARIO_TRY(
          object,
          ObjectReader::Open((**generators)[i], top.place().Child("event_generators").Element(i)));
      EARSHOT_SCENARIO_TRY(generator, ParseEventGenerator(std::move(*object), area));
      spec->event_generators.push_back(std::move(*generator));
    }
  }
  return {};
}

}  // namespace

Result<ScenarioSpec> ParseScenarioSpec(const json& document, const std::string& source,
                                       const std::string& base_dir, std::optional<uint64_t> seed) {
  EARSHOT_SCENARIO_TRY(top, ObjectReader::Open(document, KeyPlace{&source, ""}));
  ScenarioSpec spec;
  EARSHOT_SCENARIO_TRY_VOID(ParseHeader(*top, source, seed, &spec));

  EARSHOT_SCENARIO_TRY(livefire, top->OptionalObject("livefire"));
  if (*livefire) {
    EARSHOT_SCENARIO_TRY(parsed, ParseLivefire(std::move(**livefire), base_dir));
    spec.livefire = *parsed;
    if (spec.frame.is_geodetic()) {
      return std::unexpected(top->place().Child("origin").Refuse(
          "expected no origin with \"livefire\": the dataset's positions are metres in its "
          "own arbitrary frame"));
    }
  } else {
    // Without the live-fire generator nothing else can tell when the scene happens.
    if (!spec.start_ns) {
      return std::unexpected(
          top->place()
              .Child("start_utc")
              .Refuse(std::string("expected an ISO 8601 UTC time like 2024-07-04T21:00:00Z, got ") +
                      kMissingKey));
    }
    if (!spec.duration_s) {
      return std::unexpected(
          top->place()
              .Child("duration_s")
              .Refuse(std::string("expected seconds, 1..86400, got ") + kMissingKey));
    }
  }

  std::optional<AreaSpec> area;
  EARSHOT_SCENARIO_TRY(area_object, top->OptionalObject("area"));
  if (*area_object) {
    EARSHOT_SCENARIO_TRY(parsed, ParseArea(std::move(**area_object)));
    area = *parsed;
  }
  EARSHOT_SCENARIO_TRY(atmosphere, top->OptionalObject("atmosphere"));
  if (*atmosphere) EARSHOT_SCENARIO_TRY_VOID(ParseAtmosphere(std::move(**atmosphere), &spec));
  // The microphones feel the same wind unless the background says otherwise.
  spec.background.wind_speed_mps = spec.atmosphere.weather.wind_speed_mps;
  EARSHOT_SCENARIO_TRY(city, top->OptionalObject("city"));
  if (*city) EARSHOT_SCENARIO_TRY_VOID(ParseCity(std::move(**city), area, &spec.city));
  EARSHOT_SCENARIO_TRY_VOID(ParseAllSensors(*top, area, &spec));
  EARSHOT_SCENARIO_TRY(background, top->OptionalObject("background"));
  if (*background) EARSHOT_SCENARIO_TRY_VOID(ParseBackground(std::move(**background), &spec));
  EARSHOT_SCENARIO_TRY_VOID(ParseAllEvents(*top, area, &spec));
  EARSHOT_SCENARIO_TRY(output, top->OptionalObject("output"));
  if (*output) EARSHOT_SCENARIO_TRY_VOID(ParseOutput(std::move(**output), &spec));
  EARSHOT_SCENARIO_TRY_VOID(top->RefuseUnknownKeys());
  return spec;
}

std::string EventKindList() {
  std::string list;
  for (const SourceKind kind : kAllKinds) {
    if (kind == SourceKind::kFireworkLift) continue;
    if (!list.empty()) list += ", ";
    list += SourceKindName(kind);
  }
  return list;
}

std::optional<SourceKind> EventKindFromName(const std::string& name) {
  const auto kind = SourceKindFromName(name);
  if (!kind || *kind == SourceKind::kFireworkLift) return std::nullopt;
  return kind;
}

}  // namespace earshot::sim::internal
