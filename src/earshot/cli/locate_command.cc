// earshot locate: pulses in, located shots out; with --classify, each shot's class and each
// incident's dispatch label too.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/classify/shot_classifier.h"
#include "earshot/cli/commands.h"
#include "earshot/cli/locate_options.h"
#include "earshot/cli/model_paths.h"
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
  bool classify = false;
  std::string shot_model_path;       // empty: models/shot_classifier.json, found
  std::string dispatch_config_path;  // empty: config/dispatch.json if found, else defaults
  std::string incidents_path;        // empty: incidents only in the text and GeoJSON output
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

constexpr const char* kShotModelName = "models/shot_classifier.json";
constexpr const char* kDispatchConfigName = "config/dispatch.json";

// Rounded for output: more digits than this only look like precision the model lacks.
double Rounded(double value, double scale) { return std::round(value * scale) / scale; }

nlohmann::json ReasonStrings(const std::vector<classify::Reason>& reasons) {
  nlohmann::json out = nlohmann::json::array();
  for (const classify::Reason& reason : reasons) out.push_back(classify::DescribeReason(reason));
  return out;
}

// The "classification" member of a located shot (docs/formats.md, "Located shots").
nlohmann::json ShotClassificationJson(const classify::ShotClassification& shot, size_t incident) {
  nlohmann::json p = nlohmann::json::object();
  for (size_t c = 0; c < classify::kPulseClassCount; ++c) {
    p[std::string(classify::kPulseClassNames[c])] = Rounded(shot.p[c], 1e6);
  }
  return {{"p", std::move(p)},
          {"label", classify::kPulseClassNames[static_cast<size_t>(shot.label)]},
          {"incident", incident},
          {"reasons", ReasonStrings(shot.reasons)}};
}

nlohmann::json IncidentJson(const classify::IncidentClassification& incident, size_t index) {
  return {{"incident", index},
          {"shots", incident.shots},
          {"p_gunfire", Rounded(incident.p_gunfire, 1e6)},
          {"dispatch", classify::DispatchLabelName(incident.dispatch)},
          {"reasons", ReasonStrings(incident.reasons)}};
}

// The classifier and its options, or the exit status when they cannot be had.
struct Classification {
  classify::ShotClassifier classifier;
  classify::ShotClassifierOptions options;
};

std::optional<Classification> LoadClassification(const LocateArgs& args, int* status) {
  const std::string model_path = FindDataFile(args.shot_model_path, kShotModelName);
  auto classifier = classify::ShotClassifier::Load(model_path);
  if (!classifier) {
    std::cerr << "earshot locate: " << classifier.error().ToString()
              << " (train one with 'earshot train', or pass --shot-model FILE)\n";
    *status = 2;
    return std::nullopt;
  }
  classify::ShotClassifierOptions options;
  const std::string config_path =
      FindOptionalDataFile(args.dispatch_config_path, kDispatchConfigName);
  if (!config_path.empty()) {
    auto thresholds = classify::LoadDispatchThresholds(config_path);
    if (!thresholds) {
      std::cerr << "earshot locate: " << thresholds.error().ToString() << "\n";
      *status = 2;
      return std::nullopt;
    }
    options.thresholds = *thresholds;
  }
  return Classification{.classifier = std::move(*classifier), .options = options};
}

// Pulses without the detector's features (a live-fire allpulses.json, or pulses written by
// hand) still classify, on the location features alone; say so once, not per pulse.
void NoteMissingFeatures(const std::vector<Pulse>& pulses) {
  const auto bare = std::count_if(pulses.begin(), pulses.end(),
                                  [](const Pulse& pulse) { return pulse.features.empty(); });
  if (bare == 0) return;
  std::cerr << "earshot locate: " << bare << " of " << pulses.size()
            << " pulses carry no detector features (as 'earshot detect --json' writes them); "
               "shots classify with those features missing, less surely\n";
}

int Run(const LocateArgs& args) {
  locate::LocateOptions options = args.options;
  if (!FinishLocateOptions(args.flags, &options)) return 2;

  // Before any work: a missing model should not cost a whole locate run first.
  std::optional<Classification> classification;
  if (args.classify) {
    int status = 0;
    classification = LoadClassification(args, &status);
    if (!classification) return status;
  }

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

  classify::ClassifiedFixes classified;
  std::vector<size_t> incident_of_fix(result.fixes.size(), 0);
  nlohmann::json incidents = nlohmann::json::array();
  if (classification) {
    NoteMissingFeatures(validated.pulses);
    auto out = classification->classifier.ClassifyFixes(result.fixes, validated.pulses, weather,
                                                        classification->options);
    if (!out) {
      std::cerr << "earshot locate: " << out.error().ToString() << "\n";
      return 2;
    }
    classified = std::move(*out);
    for (size_t g = 0; g < classified.incidents.size(); ++g) {
      for (size_t i : classified.incidents[g].shots) incident_of_fix[i] = g;
      incidents.push_back(IncidentJson(classified.incidents[g], g));
    }
    if (!args.incidents_path.empty()) {
      std::ofstream file(args.incidents_path);
      for (const nlohmann::json& incident : incidents) file << incident.dump() << "\n";
      if (!file) {
        std::cerr << "earshot locate: cannot write " << args.incidents_path << "\n";
        return 2;
      }
    }
  }
  const auto classification_of = [&](size_t i) {
    return ShotClassificationJson(classified.shots[i], incident_of_fix[i]);
  };

  if (args.geojson) {
    nlohmann::json collection = {{"type", "FeatureCollection"},
                                 {"features", nlohmann::json::array()}};
    for (size_t i = 0; i < result.fixes.size(); ++i) {
      nlohmann::json feature = FixToGeoJsonFeature(result.fixes[i], frame);
      if (classification) feature["properties"]["classification"] = classification_of(i);
      collection["features"].push_back(std::move(feature));
    }
    // A foreign member (RFC 7946, 6.1): GIS readers ignore it.
    if (classification) collection["incidents"] = incidents;
    std::cout << collection.dump(2) << "\n";
  } else if (args.json) {
    for (size_t i = 0; i < result.fixes.size(); ++i) {
      nlohmann::json line = FixToJson(result.fixes[i], frame);
      if (classification) line["classification"] = classification_of(i);
      std::cout << line.dump() << "\n";
    }
  } else {
    for (size_t i = 0; i < result.fixes.size(); ++i) {
      const Fix& fix = result.fixes[i];
      std::cout << FormatIsoUtc(fix.emission_ns, 3) << "  ";
      if (frame.is_geodetic()) {
        const GeodeticPoint point = frame.Reverse(fix.position_m);
        std::printf("lat %.6f lon %.6f", point.lat_deg, point.lon_deg);
      } else {
        std::printf("x %.1f y %.1f z %.1f m", fix.position_m.x(), fix.position_m.y(),
                    fix.position_m.z());
      }
      std::printf("  %d sensors  ellipse %.1f x %.1f m @ %.0f deg  r95 %.1f m", fix.n_sensors(),
                  fix.ellipse.sigma1_m, fix.ellipse.sigma2_m, fix.ellipse.angle_deg,
                  fix.radius95_m);
      if (classification) {
        const classify::ShotClassification& shot = classified.shots[i];
        std::printf(
            "  %s p %.3f  incident %zu",
            std::string(classify::kPulseClassNames[static_cast<size_t>(shot.label)]).c_str(),
            shot.p[static_cast<size_t>(shot.label)], incident_of_fix[i]);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    for (size_t g = 0; g < classified.incidents.size(); ++g) {
      const classify::IncidentClassification& incident = classified.incidents[g];
      std::printf("incident %zu: %zu shots  p_gunfire %.3f  %s\n", g, incident.shots.size(),
                  incident.p_gunfire,
                  std::string(classify::DispatchLabelName(incident.dispatch)).c_str());
      for (const classify::Reason& reason : incident.reasons) {
        std::printf("  %s\n", classify::DescribeReason(reason).c_str());
      }
    }
    std::fflush(stdout);
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
      "allpulses.json. With --json, one located shot per line (docs/formats.md).\n"
      "With --classify, each shot also gets its class (gunfire, aerial_firework, firecracker,\n"
      "other_impulsive) and shots are grouped into incidents labelled for dispatch (gunfire,\n"
      "probable_gunfire, not_gunfire); exit status 2 when the model cannot be loaded.");
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
  CLI::Option* classify =
      command->add_flag("--classify", args->classify,
                        "classify each shot and label each incident for dispatch (the pulses "
                        "should carry the detector's features, as 'earshot detect' writes them)");
  command
      ->add_option("--shot-model", args->shot_model_path,
                   "shot classifier for --classify (default: models/shot_classifier.json "
                   "here, else in the source tree; its .calibration.json beside it)")
      ->needs(classify);
  command
      ->add_option("--dispatch-config", args->dispatch_config_path,
                   "dispatch thresholds for --classify (default: config/dispatch.json here, "
                   "else in the source tree, else 0.8 and 0.5)")
      ->needs(classify);
  command
      ->add_option("--incidents", args->incidents_path,
                   "with --classify: also write the incidents here, one JSON object per line")
      ->needs(classify);
  AddLocateFlags(*command, &args->flags, &args->options);
  command->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace earshot::cli
