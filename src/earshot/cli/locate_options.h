// Locator options shared by the subcommands that locate (locate, eval).
#ifndef EARSHOT_CLI_LOCATE_OPTIONS_H_
#define EARSHOT_CLI_LOCATE_OPTIONS_H_

#include <limits>
#include <string>

#include <CLI/CLI.hpp>

#include "earshot/locate/locator.h"

namespace earshot::cli {

struct LocateFlags {
  std::string mode = "auto";
  double height_m = std::numeric_limits<double>::quiet_NaN();  // NaN: not given
};

// Registers --mode, --height, --min-sensors, --onset-sigma-ms and the inlier window.
void AddLocateFlags(CLI::App& command, LocateFlags* flags, locate::LocateOptions* options);

// Applies the parsed flags; false with a message on stderr when they do not fit together.
bool FinishLocateOptions(const LocateFlags& flags, locate::LocateOptions* options);

}  // namespace earshot::cli

#endif  // EARSHOT_CLI_LOCATE_OPTIONS_H_
