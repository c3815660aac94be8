#include "earshot/cli/model_paths.h"

#include <filesystem>

#ifndef EARSHOT_SOURCE_DIR
#define EARSHOT_SOURCE_DIR "."
#endif

namespace earshot::cli {

namespace fs = std::filesystem;

std::string FindDataFile(const std::string& requested, const std::string& relative_path) {
  if (!requested.empty()) return requested;
  if (fs::exists(relative_path)) return relative_path;
  return (fs::path(EARSHOT_SOURCE_DIR) / relative_path).string();
}

std::string FindOptionalDataFile(const std::string& requested, const std::string& relative_path) {
  const std::string found = FindDataFile(requested, relative_path);
  if (!requested.empty() || fs::exists(found)) return found;
  return {};
}

}  // namespace earshot::cli
