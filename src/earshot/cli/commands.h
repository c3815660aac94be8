// The `earshot` command's subcommands, one file each. Each registers itself on the app
// and runs through its callback; the library does the work (GeographicLib's tools are
// the model: thin wrappers over the library).
#ifndef EARSHOT_CLI_COMMANDS_H_
#define EARSHOT_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace earshot::cli {

// Each returns through `exit_code` what the process should exit with.
void AddLocateCommand(CLI::App& app, int* exit_code);
void AddEvalCommand(CLI::App& app, int* exit_code);
void AddDetectCommand(CLI::App& app, int* exit_code);
void AddSensorCommand(CLI::App& app, int* exit_code);
void AddSimulateCommand(CLI::App& app, int* exit_code);
void AddTrainCommand(CLI::App& app, int* exit_code);
void AddClassifyCommand(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace earshot::cli

#endif  // EARSHOT_CLI_COMMANDS_H_
