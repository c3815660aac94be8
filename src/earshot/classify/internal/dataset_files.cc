#include "earshot/classify/internal/dataset_files.h"

#include <filesystem>
#include <fstream>

namespace earshot::classify::internal {

namespace fs = std::filesystem;
using nlohmann::json;

Result<json> ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path, "", "cannot open the file");
  json value = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Fail(path, "", "not valid JSON");
  return value;
}

std::string StringOr(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<json> ReadSimulationScenario(const std::string& sim_dir) {
  if (!fs::is_directory(sim_dir)) return Fail(sim_dir, "", "not a folder");
  const std::string path = (fs::path(sim_dir) / "scenario.json").string();
  if (!fs::exists(path)) {
    return Fail(sim_dir, "",
                "not an 'earshot simulate' output folder: it has no scenario.json (make one "
                "with 'earshot simulate SCENARIO --out DIR')");
  }
  return ReadJson(path);
}

}  // namespace earshot::classify::internal
