// Error values for everything that can fail because of outside input.
//
// Library functions that read files, parse messages or validate configuration return
// `Result<T>` (a `std::expected<T, Error>`); they never throw and never abort on bad
// input. An `Error` names where the problem is (the source, e.g. a file path, and the
// place inside it, e.g. "line 12, field time_utc") and what was expected, so that the
// message can be shown to an operator as it is:
//
//   pulses.jsonl:line 12, field time_utc: expected an ISO 8601 UTC time, got "yesterday"
//
// An impossible internal state is a bug, not an Error: it aborts (see EARSHOT_CHECK).
#ifndef EARSHOT_CORE_ERROR_H_
#define EARSHOT_CORE_ERROR_H_

#include <cstdio>
#include <cstdlib>
#include <expected>
#include <string>
#include <utility>

namespace earshot {

struct Error {
  std::string source;   // file path, stream name or "config"; may be empty
  std::string where;    // "line 12, field time_utc", "byte 40"; may be empty
  std::string message;  // what was wrong and what was expected

  // "source:where: message", leaving out the empty parts.
  std::string ToString() const;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for `return std::unexpected(Error{...})`.
inline std::unexpected<Error> Fail(std::string source, std::string where, std::string message) {
  return std::unexpected(Error{std::move(source), std::move(where), std::move(message)});
}

}  // namespace earshot

// Aborts loudly when an internal invariant does not hold. Not for outside input.
#define EARSHOT_CHECK(condition)                                                                  \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: internal check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)

#endif  // EARSHOT_CORE_ERROR_H_
