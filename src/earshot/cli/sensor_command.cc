// Placeholder: filled in by the work on issue 3.
#include "earshot/cli/commands.h"

namespace earshot::cli {

void AddSensorCommand(CLI::App& /*app*/, int* /*exit_code*/) {}

}  // namespace earshot::cli
