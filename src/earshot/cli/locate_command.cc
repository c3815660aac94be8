// earshot locate: pulses in, located shots out.
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "earshot/cli/commands.h"
#include "earshot/cli/locate_options.h"
#include "earshot/core/json_io.h"
#include "earshot/core/pulse_validation.h"
#include "earshot/core/time.h"
#include "earshot/locate/locator.h"

namespace earshot::cli {
namespace {

struct LocateArgs {
  std::string pulses_path;
  std::string sensors_path;
  std::string weather_path;
  double temperature_c = std::nan("");
  double wind_speed_mps = std::nan("");
  double wind_from_deg = std::nan("");
  bool json = false;
  bool geojson = false;
  bool quiet = false;
  LocateFlags flags;
  locate::LocateOptions options;
};

void PrintRefusals(const std::vector<Error>& errors, const char* what, bool quiet) {
  if (errors.empty()) return;
  std::cerr << "earshot locate: " << errors.size() << " " << what << "\n";
  if (quiet) return;
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < errors.size() && i < kShown; ++i) {
    std::cerr << "  " << errors[i].ToString() << "\n";
  }
  if (errors.size() > kShown) std::cerr << "  ... and " << errors.size() - kShown << " more\n";
}

int Run(const LocateArgs& args) {
  locate::LocateOptions options = args.options;
  if (!FinishLocateOptions(args.flags, &options)) return 2;

  Weather weather;
  if (!args.weather_path.empty()) {
    auto read = ReadWeatherFile(args.weather_path);
    if (!read) {
      std::cerr << "earshot locate: " << read.error().ToString() << "\n";
      return 2;
    }
    weather = *read;
  }
  if (!std::isnan(args.temperature_c)) weather.temperature_c = args.temperature_c;
  if (!std::isnan(args.wind_speed_mps)) weather.wind_speed_mps = args.wind_speed_mps;
  if (!std::isnan(args.wind_from_deg)) weather.wind_from_deg = args.wind_from_deg;

  std::vector<SensorRecord> sensors;
  if (!args.sensors_path.empty()) {
    auto read = ReadSensorsFile(args.sensors_path, LocalFrame::Metric());
    if (!read) {
      std::cerr << "earshot locate: " << read.error().ToString() << "\n";
      return 2;
    }
    sensors = std::move(*read);
  }
  auto read = ReadPulsesFile(args.pulses_path, sensors);
  if (!read) {
    std::cerr << "earshot locate: " << read.error().ToString() << "\n";
    return 2;
  }
  PrintRefusals(read->refused, "records refused", args.quiet);
  ValidatedPulses validated =
      ValidatePulses(std::move(read->set.pulses), args.pulses_path, PulseValidationOptions{});
  PrintRefusals(validated.skipped, "pulses skipped", args.quiet);

  const locate::LocateResult result = locate::LocatePulses(validated.pulses, weather, options);
  const LocalFrame& frame = read->set.frame;
  if (args.geojson) {
    nlohmann::json collection = {{"type", "FeatureCollection"},
                                 {"features", nlohmann::json::array()}};
    for (const Fix& fix : result.fixes) {
      collection["features"].push_back(FixToGeoJsonFeature(fix, frame));
    }
    std::cout << collection.dump(2) << "\n";
  } else if (args.json) {
    for (const Fix& fix : result.fixes) std::cout << FixToJson(fix, frame).dump() << "\n";
  } else {
    for (const Fix& fix : result.fixes) {
      std::cout << FormatIsoUtc(fix.emission_ns, 3) << "  ";
      if (frame.is_geodetic()) {
        const GeodeticPoint point = frame.Reverse(fix.position_m);
        std::printf("lat %.6f lon %.6f", point.lat_deg, point.lon_deg);
      } else {
        std::printf("x %.1f y %.1f z %.1f m", fix.position_m.x(), fix.position_m.y(),
                    fix.position_m.z());
      }
      std::printf("  %d sensors  ellipse %.1f x %.1f m @ %.0f deg  r95 %.1f m\n", fix.n_sensors(),
                  fix.ellipse.sigma1_m, fix.ellipse.sigma2_m, fix.ellipse.angle_deg,
                  fix.radius95_m);
      std::fflush(stdout);
    }
  }
  std::cerr << "earshot locate: " << result.pulses_in << " pulses, " << result.fixes.size()
            << " shots located, " << result.unassociated.size() << " pulses unassociated\n";
  return 0;
}

}  // namespace

void AddLocateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<LocateArgs>();
  CLI::App* command = app.add_subcommand(
      "locate",
      "Associate pulses into shots and locate them.\n"
      "PULSES is Earshot pulse JSON Lines (as 'earshot detect' writes) or a live-fire\n"
      "allpulses.json. With --json, one located shot per line (docs/formats.md).");
  command->add_option("PULSES", args->pulses_path, "pulses file")->required();
  command->add_option("--sensors", args->sensors_path,
                      "sensor positions (JSON Lines) for pulses that carry none");
  command->add_option("--weather", args->weather_path, "weather JSON (temperature, wind)");
  command->add_option("--temperature", args->temperature_c, "air temperature, deg C (default 15)");
  command->add_option("--wind-speed", args->wind_speed_mps, "wind speed, m/s");
  command->add_option("--wind-from", args->wind_from_deg,
                      "direction the wind blows from, deg clockwise from north");
  auto* json = command->add_flag("--json", args->json, "one JSON object per located shot per line");
  command->add_flag("--geojson", args->geojson, "a GeoJSON FeatureCollection")->excludes(json);
  command->add_flag("--quiet", args->quiet, "only counts of refused input on stderr");
  AddLocateFlags(*command, &args->flags, &args->options);
  command->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace earshot::cli
