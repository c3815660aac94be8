#include "earshot/core/time.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>

namespace earshot {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kSecondsPerHour = 3'600;
constexpr int64_t kSecondsPerMinute = 60;
constexpr int kMaxFractionDigits = 9;

// Days since 1970-01-01 of a proleptic Gregorian date. Howard Hinnant's days_from_civil:
// pure integer arithmetic, so the result does not depend on the C library's time zone,
// locale or timegm (which is not standard and differs between platforms).
constexpr int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;                                          // [0, 399]
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// The inverse of DaysFromCivil.
constexpr CivilDate CivilFromDays(int64_t days) {
  days += 719'468;
  const int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const int64_t day_of_era = days - era * 146'097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1'460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
  const int64_t month_index = (5 * day_of_year + 2) / 153;                     // [0, 11]
  const int day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
  const int month = static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11'017);
static_assert(CivilFromDays(11'017).year == 2000 && CivilFromDays(11'017).month == 3);

constexpr bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int DaysInMonth(int64_t year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// A small cursor over the text that reads fixed-width decimal fields.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void Skip() { ++pos_; }

  // Reads exactly `width` decimal digits.
  bool Digits(int width, int64_t* value) {
    int64_t result = 0;
    for (int i = 0; i < width; ++i) {
      if (AtEnd() || text_[pos_] < '0' || text_[pos_] > '9') return false;
      result = result * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    *value = result;
    return true;
  }

  bool Literal(char expected) {
    if (Peek() != expected) return false;
    ++pos_;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::string Quoted(std::string_view text) {
  // Long garbage is cut so that one bad record cannot flood a log.
  constexpr size_t kMaxShown = 64;
  std::string out = "\"";
  out +=
      text.size() > kMaxShown ? std::string(text.substr(0, kMaxShown)) + "..." : std::string(text);
  out += "\"";
  return out;
}

std::unexpected<std::string> Refuse(std::string_view text, const std::string& why) {
  return std::unexpected(
      "expected an ISO 8601 time YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), got " +
      Quoted(text) + ": " + why);
}

std::string TwoDigits(int64_t value) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%02d", static_cast<int>(value));
  return buffer.data();
}

}  // namespace

std::expected<int64_t, std::string> ParseIsoUtc(std::string_view text) {
  Scanner scan(text);
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!scan.Digits(4, &year) || !scan.Literal('-') || !scan.Digits(2, &month) ||
      !scan.Literal('-') || !scan.Digits(2, &day)) {
    return Refuse(text, "the date is not YYYY-MM-DD");
  }
  // RFC 3339 allows a lower-case 't'; a space is not ISO 8601 and is refused.
  if (!scan.Literal('T') && !scan.Literal('t')) {
    return Refuse(text, scan.AtEnd() ? "the time of day is missing" : "'T' must follow the date");
  }
  if (!scan.Digits(2, &hour) || !scan.Literal(':') || !scan.Digits(2, &minute) ||
      !scan.Literal(':') || !scan.Digits(2, &second)) {
    return Refuse(text, "the time of day is not HH:MM:SS");
  }
  if (month < 1 || month > 12) {
    return Refuse(text, "month " + TwoDigits(month) + " is not in 01..12");
  }
  if (day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return Refuse(text, "day " + TwoDigits(day) + " does not exist in " + std::to_string(year) +
                            "-" + TwoDigits(month));
  }
  if (hour > 23) return Refuse(text, "hour " + TwoDigits(hour) + " is not in 00..23");
  if (minute > 59) return Refuse(text, "minute " + TwoDigits(minute) + " is not in 00..59");
  if (second == 60) {
    // Sensor clocks are GPS-disciplined and report UTC without leap seconds; a 60th second
    // would have to be smeared into its neighbour, which would silently shift onsets.
    return Refuse(text, "leap second 60 cannot be represented in Unix time");
  }
  if (second > 59) return Refuse(text, "second " + TwoDigits(second) + " is not in 00..59");

  int64_t fraction_ns = 0;
  if (scan.Literal('.') || scan.Literal(',')) {
    int digits = 0;
    while (!scan.AtEnd() && scan.Peek() >= '0' && scan.Peek() <= '9') {
      if (digits == kMaxFractionDigits) {
        return Refuse(text, "more than 9 fraction digits (nanoseconds are the resolution)");
      }
      fraction_ns = fraction_ns * 10 + (scan.Peek() - '0');
      scan.Skip();
      ++digits;
    }
    if (digits == 0) return Refuse(text, "a decimal point must be followed by digits");
    for (int i = digits; i < kMaxFractionDigits; ++i) fraction_ns *= 10;
  }

  int64_t offset_s = 0;
  if (scan.AtEnd()) {
    return Refuse(text, "the zone is missing (add Z for UTC): a local time is ambiguous");
  }
  if (scan.Literal('Z') || scan.Literal('z')) {
    offset_s = 0;
  } else if (scan.Peek() == '+' || scan.Peek() == '-') {
    const int64_t sign = scan.Peek() == '-' ? -1 : 1;
    scan.Skip();
    int64_t offset_hours = 0, offset_minutes = 0;
    if (!scan.Digits(2, &offset_hours) || !scan.Literal(':') || !scan.Digits(2, &offset_minutes)) {
      return Refuse(text, "the zone offset is not +HH:MM or -HH:MM");
    }
    if (offset_hours > 23 || offset_minutes > 59) {
      return Refuse(text, "the zone offset is out of range");
    }
    offset_s = sign * (offset_hours * kSecondsPerHour + offset_minutes * kSecondsPerMinute);
  } else {
    return Refuse(text, "the zone must be Z or +HH:MM or -HH:MM");
  }
  if (!scan.AtEnd()) return Refuse(text, "unexpected text after the zone");

  // Local wall-clock time minus the offset is UTC. Years 0000..9999 fit int64 seconds
  // easily; only the nanosecond product can overflow, outside 1677..2262.
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay +
                          hour * kSecondsPerHour + minute * kSecondsPerMinute + second - offset_s;
  // Borrowing a second for a negative time keeps the product in range down to INT64_MIN
  // itself, whose whole-second part alone would not fit.
  int64_t whole_s = seconds;
  int64_t part_ns = fraction_ns;
  if (whole_s < 0 && part_ns > 0) {
    whole_s += 1;
    part_ns -= kNanosPerSecond;
  }
  int64_t time_ns = 0;
  if (__builtin_mul_overflow(whole_s, kNanosPerSecond, &time_ns) ||
      __builtin_add_overflow(time_ns, part_ns, &time_ns)) {
    return Refuse(text, "outside the representable range 1677-09-21..2262-04-11");
  }
  return time_ns;
}

std::string FormatIsoUtc(int64_t time_ns, int fraction_digits) {
  // A bad digit count is a caller's slip, not outside input; clamping keeps output valid.
  fraction_digits = std::clamp(fraction_digits, 0, kMaxFractionDigits);
  // Floor division, so that times before 1970 also truncate towards the earlier time.
  int64_t seconds = time_ns / kNanosPerSecond;
  int64_t sub_ns = time_ns % kNanosPerSecond;
  if (sub_ns < 0) {
    sub_ns += kNanosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);

  std::array<char, 64> buffer{};
  int length = std::snprintf(buffer.data(), buffer.size(), "%04lld-%02d-%02dT%02d:%02d:%02d",
                             static_cast<long long>(date.year), date.month, date.day,
                             static_cast<int>(second_of_day / kSecondsPerHour),
                             static_cast<int>(second_of_day % kSecondsPerHour / kSecondsPerMinute),
                             static_cast<int>(second_of_day % kSecondsPerMinute));
  std::string out(buffer.data(), static_cast<size_t>(length));
  if (fraction_digits > 0) {
    std::array<char, 16> fraction{};
    std::snprintf(fraction.data(), fraction.size(), "%09lld", static_cast<long long>(sub_ns));
    out += '.';
    out.append(fraction.data(), static_cast<size_t>(fraction_digits));
  }
  out += 'Z';
  return out;
}

}  // namespace earshot
