// earshot: gunfire detection and location from a network of acoustic sensors.
#include <CLI/CLI.hpp>

#include "earshot/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Earshot: locate gunfire from the arrival times of its sound at a network of sensors.\n"
      "Run 'earshot SUBCOMMAND --help' for each subcommand."};
  app.require_subcommand(1);
  int exit_code = 0;
  earshot::cli::AddLocateCommand(app, &exit_code);
  earshot::cli::AddEvalCommand(app, &exit_code);
  earshot::cli::AddDetectCommand(app, &exit_code);
  earshot::cli::AddSensorCommand(app, &exit_code);
  earshot::cli::AddSimulateCommand(app, &exit_code);
  earshot::cli::AddTrainCommand(app, &exit_code);
  earshot::cli::AddClassifyCommand(app, &exit_code);
  earshot::cli::AddServeCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
