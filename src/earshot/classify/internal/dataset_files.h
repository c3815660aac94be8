// Reading the files the dataset builders label from: JSON files, their optional string fields
// and the scenario.json that marks an 'earshot simulate' output folder. Shared by the pulse
// dataset (pulse_dataset.cc) and the shot dataset (shot_dataset.cc), so that both read and
// reject the same files with the same messages.
//
//   Result<nlohmann::json> truth = internal::ReadJson(sim_dir + "/truth.json");
//   std::string id = internal::StringOr(event, "id");   // "" when absent or not a string
#ifndef EARSHOT_CLASSIFY_INTERNAL_DATASET_FILES_H_
#define EARSHOT_CLASSIFY_INTERNAL_DATASET_FILES_H_

#include <string>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"

namespace earshot::classify::internal {

// The file parsed as JSON; errors name the path.
Result<nlohmann::json> ReadJson(const std::string& path);

// object[key] when `object` is an object holding a string there, else "".
std::string StringOr(const nlohmann::json& object, const char* key);

// The scenario.json of an 'earshot simulate' output folder; an error when `sim_dir` is not a
// folder or has no scenario.json. The caller checks what it needs of the scenario (its mode).
Result<nlohmann::json> ReadSimulationScenario(const std::string& sim_dir);

}  // namespace earshot::classify::internal

#endif  // EARSHOT_CLASSIFY_INTERNAL_DATASET_FILES_H_
