// Time in Earshot: int64 nanoseconds since the Unix epoch, UTC (GPS-disciplined on the
// sensors). This covers 1678..2262 with nanosecond resolution, more than the ~10 µs
// that GPS PPS timing gives, and keeps arithmetic exact.
//
// Interfaces speak ISO 8601 with a "Z" (or numeric offset) suffix:
//   auto t = ParseIsoUtc("2018-12-19T00:49:27.467Z");   // Result<int64_t>
//   FormatIsoUtc(*t, 6) == "2018-12-19T00:49:27.467000Z"
#ifndef EARSHOT_CORE_TIME_H_
#define EARSHOT_CORE_TIME_H_

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace earshot {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)". Up to 9 fraction digits are kept;
// more are refused. A time without a zone is refused: it is ambiguous. On failure the
// unexpected value says what was expected.
std::expected<int64_t, std::string> ParseIsoUtc(std::string_view text);

// Formats as "YYYY-MM-DDTHH:MM:SS.fffZ" with `fraction_digits` (0..9) digits, truncating
// towards the earlier time so that a formatted time never lies in the future.
std::string FormatIsoUtc(int64_t time_ns, int fraction_digits = 9);

inline double NanosToSeconds(int64_t ns) { return static_cast<double>(ns) * 1e-9; }

}  // namespace earshot

#endif  // EARSHOT_CORE_TIME_H_
