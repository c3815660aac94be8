// Placeholder: filled in by the work on issue 3.
#include "earshot/cli/commands.h"

namespace earshot::cli {

void AddDetectCommand(CLI::App& /*app*/, int* /*exit_code*/) {}

}  // namespace earshot::cli
