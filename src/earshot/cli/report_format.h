// Number formatting for the training and classification reports (earshot train, the shot
// classifier's report), so that every report writes its numbers the same way.
//
//   Fixed(0.91234, 3)  // "0.912"
//   Percent(1, 3)      // "33.3 %"; Percent(0, 0) is "–"
#ifndef EARSHOT_CLI_REPORT_FORMAT_H_
#define EARSHOT_CLI_REPORT_FORMAT_H_

#include <cstddef>
#include <string>

namespace earshot::cli {

// `value` with `digits` digits after the point ("%.*f").
std::string Fixed(double value, int digits);

// part / whole as a percentage with one decimal and " %"; "–" when `whole` is 0.
std::string Percent(std::size_t part, std::size_t whole);

}  // namespace earshot::cli

#endif  // EARSHOT_CLI_REPORT_FORMAT_H_
