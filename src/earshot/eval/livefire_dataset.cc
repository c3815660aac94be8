#include "earshot/eval/livefire_dataset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "earshot/core/json_io.h"
#include "earshot/core/pulse_validation.h"

namespace earshot::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<json> ReadJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Fail(path.string(), "", "cannot open file");
  json value = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Fail(path.string(), "", "not valid JSON");
  return value;
}

Result<double> Number(const json& object, const char* key, const fs::path& path) {
  if (!object.contains(key) || !object[key].is_number()) {
    return Fail(path.string(), std::string("field ") + key, "expected a number");
  }
  return object[key].get<double>();
}

Result<LivefireTest> LoadTest(const fs::path& folder) {
  LivefireTest test;
  const std::string stem = folder.filename().string();
  test.firing_position = folder.parent_path().filename().string();
  test.name = test.firing_position + "/" + stem;
  const auto file = [&](const std::string& suffix) { return folder / (stem + suffix); };

  auto survey = ReadJson(file(".survey.json"));
  if (!survey) return std::unexpected(survey.error());
  const fs::path survey_path = file(".survey.json");
  if (!survey->contains("num_rounds") || !(*survey)["num_rounds"].is_number_integer()) {
    return Fail(survey_path.string(), "field num_rounds", "expected an integer");
  }
  test.rounds_fired = (*survey)["num_rounds"].get<int>();
  test.test_id = survey->value("test_id", 0);
  test.firearm = survey->value("firearm", "");
  if (!survey->contains("survey_location") || !(*survey)["survey_location"].is_object()) {
    return Fail(survey_path.string(), "field survey_location", "expected an object {x, y, z}");
  }
  const json& location = (*survey)["survey_location"];
  for (int k = 0; k < 3; ++k) {
    const char* axis = k == 0 ? "x" : k == 1 ? "y" : "z";
    auto value = Number(location, axis, survey_path);
    if (!value) return std::unexpected(value.error());
    test.survey_m[k] = *value;
  }

  auto weather = ReadWeatherFile(file(".weather.json").string());
  if (!weather) return std::unexpected(weather.error());
  test.weather = *weather;

  auto pulses = ReadPulsesFile(file(".allpulses.json").string());
  if (!pulses) return std::unexpected(pulses.error());
  ValidatedPulses validated =
      ValidatePulses(std::move(pulses->set.pulses), file(".allpulses.json").string(), {});
  test.pulses = std::move(validated.pulses);
  test.pulses_refused = static_cast<int>(pulses->refused.size() + validated.skipped.size());

  auto tuples = ReadJson(file(".nlos-tuples.json"));
  if (tuples && tuples->is_array()) {
    for (const json& shot : *tuples) {
      std::vector<std::string> ids;
      if (shot.contains("pulse_uuids") && shot["pulse_uuids"].is_array()) {
        for (const json& id : shot["pulse_uuids"]) {
          if (id.is_string()) ids.push_back(id.get<std::string>());
        }
      }
      test.vendor_shot_pulse_ids.push_back(std::move(ids));
    }
  }

  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(stem + ".audio.") && entry.path().extension() == ".wav") {
      test.audio_wav_paths.push_back(entry.path().string());
    }
  }
  std::sort(test.audio_wav_paths.begin(), test.audio_wav_paths.end());
  return test;
}

}  // namespace

Result<std::vector<LivefireTest>> LoadLivefireDataset(const std::string& dir,
                                                      std::vector<Error>* problems) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Fail(dir, "", "not a directory");
  std::vector<fs::path> folders;
  // Groups are the dataset's firing positions (FP1..FP9) or a simulated scene's group
  // (earshot simulate writes UNIT/, NIGHT/, ...): any folder that holds test_NNN folders.
  for (const auto& position : fs::directory_iterator(dir, ec)) {
    if (!position.is_directory()) continue;
    for (const auto& test : fs::directory_iterator(position.path(), ec)) {
      if (test.is_directory() && test.path().filename().string().starts_with("test_")) {
        folders.push_back(test.path());
      }
    }
  }
  std::sort(folders.begin(), folders.end());
  std::vector<LivefireTest> tests;
  for (const fs::path& folder : folders) {
    auto test = LoadTest(folder);
    if (test) {
      tests.push_back(std::move(*test));
    } else if (problems != nullptr) {
      problems->push_back(test.error());
    }
  }
  if (tests.empty()) {
    return Fail(dir, "",
                "no test folders (expected FPn/test_NNN/test_NNN.survey.json ..., where FPn is a "
                "firing position or a simulated group)");
  }
  return tests;
}

}  // namespace earshot::eval
