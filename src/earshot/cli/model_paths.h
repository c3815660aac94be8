// Where the subcommands find the committed models and configuration when not told: the
// current folder first (a deployment keeps its own models/ and config/ beside it), then the
// source tree the program was built from (so a build run from anywhere still works).
#ifndef EARSHOT_CLI_MODEL_PATHS_H_
#define EARSHOT_CLI_MODEL_PATHS_H_

#include <string>

namespace earshot::cli {

// `requested` when not empty; else `relative_path` (e.g. "models/pulse_classifier.json")
// when it exists in the current folder; else that path in the source tree (which may not
// exist either: the caller's load then names it).
std::string FindDataFile(const std::string& requested, const std::string& relative_path);

// As FindDataFile, but empty when nothing was requested and neither place has the file:
// for files with built-in defaults (config/dispatch.json).
std::string FindOptionalDataFile(const std::string& requested, const std::string& relative_path);

}  // namespace earshot::cli

#endif  // EARSHOT_CLI_MODEL_PATHS_H_
