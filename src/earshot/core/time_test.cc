#include "earshot/core/time.h"

#include <cstdint>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot {
namespace {

using ::testing::HasSubstr;

// 2018-12-19T00:49:27Z, cross-checked with `date -u -d @1545180567`.
constexpr int64_t kLivefireSecond = 1'545'180'567;

TEST(ParseIsoUtc, ReadsTheDatasetForm) {
  auto t = ParseIsoUtc("2018-12-19T00:49:27.467Z");
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_EQ(*t, kLivefireSecond * kNanosPerSecond + 467'000'000);
}

TEST(ParseIsoUtc, EpochAndWithoutFraction) {
  EXPECT_EQ(ParseIsoUtc("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseIsoUtc("1970-01-01T00:00:01Z").value(), kNanosPerSecond);
  EXPECT_EQ(ParseIsoUtc("1969-12-31T23:59:59.999999999Z").value(), -1);
}

TEST(ParseIsoUtc, KeepsAllNineFractionDigits) {
  EXPECT_EQ(ParseIsoUtc("1970-01-01T00:00:00.000000001Z").value(), 1);
  EXPECT_EQ(ParseIsoUtc("1970-01-01T00:00:00.123456789Z").value(), 123'456'789);
  EXPECT_EQ(ParseIsoUtc("1970-01-01T00:00:00.5Z").value(), 500'000'000);
}

TEST(ParseIsoUtc, NumericOffsetsShiftToUtc) {
  const int64_t utc = ParseIsoUtc("2018-12-19T00:49:27.467Z").value();
  EXPECT_EQ(ParseIsoUtc("2018-12-18T19:49:27.467-05:00").value(), utc);
  EXPECT_EQ(ParseIsoUtc("2018-12-19T05:19:27.467+04:30").value(), utc);
  EXPECT_EQ(ParseIsoUtc("2018-12-19T00:49:27.467+00:00").value(), utc);
  EXPECT_EQ(ParseIsoUtc("2018-12-19T00:49:27.467-00:00").value(), utc);
}

TEST(ParseIsoUtc, LeapDays) {
  EXPECT_TRUE(ParseIsoUtc("2000-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseIsoUtc("2024-02-29T00:00:00Z").has_value());
  EXPECT_EQ(
      ParseIsoUtc("2024-03-01T00:00:00Z").value() - ParseIsoUtc("2024-02-28T00:00:00Z").value(),
      2 * 86'400 * kNanosPerSecond);
  auto not_leap = ParseIsoUtc("1900-02-29T00:00:00Z");
  ASSERT_FALSE(not_leap.has_value());
  EXPECT_THAT(not_leap.error(), HasSubstr("day 29 does not exist in 1900-02"));
}

struct BadTime {
  const char* text;
  const char* reason;
};

void PrintTo(const BadTime& t, std::ostream* os) { *os << '"' << t.text << '"'; }

class ParseIsoUtcRefuses : public ::testing::TestWithParam<BadTime> {};

TEST_P(ParseIsoUtcRefuses, WithAClearReason) {
  auto t = ParseIsoUtc(GetParam().text);
  ASSERT_FALSE(t.has_value()) << GetParam().text << " was accepted as " << *t;
  EXPECT_THAT(t.error(), HasSubstr("expected an ISO 8601 time"));
  EXPECT_THAT(t.error(), HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, ParseIsoUtcRefuses,
    ::testing::Values(BadTime{"", "the date is not YYYY-MM-DD"},
                      BadTime{"yesterday", "the date is not YYYY-MM-DD"},
                      BadTime{"2018-12-19", "the time of day is missing"},
                      BadTime{"2018-12-19 00:49:27Z", "'T' must follow the date"},
                      BadTime{"2018-12-19T00:49Z", "the time of day is not HH:MM:SS"},
                      BadTime{"2018-12-19T00:49:27", "the zone is missing"},
                      BadTime{"2018-12-19T00:49:27.467", "the zone is missing"},
                      BadTime{"2016-12-31T23:59:60Z", "leap second 60"},
                      BadTime{"2018-12-19T00:49:61Z", "second 61 is not in 00..59"},
                      BadTime{"2018-12-19T24:00:00Z", "hour 24 is not in 00..23"},
                      BadTime{"2018-12-19T00:60:00Z", "minute 60 is not in 00..59"},
                      BadTime{"2018-13-19T00:00:00Z", "month 13 is not in 01..12"},
                      BadTime{"2018-00-19T00:00:00Z", "month 00 is not in 01..12"},
                      BadTime{"2018-04-31T00:00:00Z", "day 31 does not exist"},
                      BadTime{"2018-04-00T00:00:00Z", "day 00 does not exist"},
                      BadTime{"2018-12-19T00:49:27.1234567891Z", "more than 9 fraction digits"},
                      BadTime{"2018-12-19T00:49:27.Z", "a decimal point must be followed"},
                      BadTime{"2018-12-19T00:49:27+0500", "not +HH:MM or -HH:MM"},
                      BadTime{"2018-12-19T00:49:27+05", "not +HH:MM or -HH:MM"},
                      BadTime{"2018-12-19T00:49:27+24:00", "offset is out of range"},
                      BadTime{"2018-12-19T00:49:27 UTC", "the zone must be Z"},
                      BadTime{"2018-12-19T00:49:27Zjunk", "unexpected text after the zone"},
                      BadTime{"1600-01-01T00:00:00Z", "outside the representable range"},
                      BadTime{"2263-01-01T00:00:00Z", "outside the representable range"},
                      BadTime{"２０18-12-19T00:49:27Z", "the date is not YYYY-MM-DD"}));

TEST(ParseIsoUtc, QuotesLongGarbageShortened) {
  const std::string garbage(10'000, 'x');
  auto t = ParseIsoUtc(garbage);
  ASSERT_FALSE(t.has_value());
  EXPECT_LT(t.error().size(), 300u);
}

TEST(FormatIsoUtc, FormsTheDocumentedExample) {
  const int64_t t = kLivefireSecond * kNanosPerSecond + 467'000'000;
  EXPECT_EQ(FormatIsoUtc(t, 6), "2018-12-19T00:49:27.467000Z");
  EXPECT_EQ(FormatIsoUtc(t, 3), "2018-12-19T00:49:27.467Z");
  EXPECT_EQ(FormatIsoUtc(t, 0), "2018-12-19T00:49:27Z");
  EXPECT_EQ(FormatIsoUtc(t), "2018-12-19T00:49:27.467000000Z");
}

TEST(FormatIsoUtc, TruncatesTowardsTheEarlierTime) {
  EXPECT_EQ(FormatIsoUtc(999'999'999, 3), "1970-01-01T00:00:00.999Z");
  EXPECT_EQ(FormatIsoUtc(999'999'999, 0), "1970-01-01T00:00:00Z");
  // Before the epoch truncation still goes back in time, not towards zero.
  EXPECT_EQ(FormatIsoUtc(-1, 3), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoUtc(-1, 0), "1969-12-31T23:59:59Z");
}

TEST(FormatIsoUtc, ClampsTheDigitCount) {
  EXPECT_EQ(FormatIsoUtc(1, -3), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1, 12), "1970-01-01T00:00:00.000000001Z");
}

TEST(FormatIsoUtc, CoversTheWholeInt64Range) {
  EXPECT_EQ(FormatIsoUtc(INT64_MAX), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatIsoUtc(INT64_MIN), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(ParseIsoUtc("2262-04-11T23:47:16.854775807Z").value(), INT64_MAX);
  EXPECT_EQ(ParseIsoUtc("1677-09-21T00:12:43.145224192Z").value(), INT64_MIN);
  EXPECT_FALSE(ParseIsoUtc("2262-04-11T23:47:16.854775808Z").has_value());
}

// Property: formatting with all nine digits and parsing back is the identity, and
// formatting with fewer digits parses back to the time floored to that resolution.
TEST(IsoUtcProperty, RoundTripsRandomTimes) {
  std::mt19937_64 random(20181218);
  std::uniform_int_distribution<int64_t> any_time(INT64_MIN, INT64_MAX);
  std::uniform_int_distribution<int> any_digits(0, 9);
  for (int i = 0; i < 20'000; ++i) {
    const int64_t t = any_time(random);
    const std::string text = FormatIsoUtc(t);
    auto back = ParseIsoUtc(text);
    ASSERT_TRUE(back.has_value()) << text << ": " << back.error();
    ASSERT_EQ(*back, t) << text;

    const int digits = any_digits(random);
    int64_t unit_ns = 1;
    for (int d = digits; d < 9; ++d) unit_ns *= 10;
    int64_t floored = t / unit_ns * unit_ns;
    if (floored > t) floored -= unit_ns;  // C++ division truncates towards zero
    const std::string shorter = FormatIsoUtc(t, digits);
    auto shorter_back = ParseIsoUtc(shorter);
    ASSERT_TRUE(shorter_back.has_value()) << shorter << ": " << shorter_back.error();
    ASSERT_EQ(*shorter_back, floored) << shorter << " from " << t;
    ASSERT_LE(*shorter_back, t) << "a formatted time must never lie in the future";
  }
}

// Property: consecutive days differ by exactly 86400 s across centuries, i.e. the civil
// calendar arithmetic has no gaps or doubles (checked via the formatted date).
TEST(IsoUtcProperty, DaysAreContiguous) {
  const int64_t day_ns = 86'400 * kNanosPerSecond;
  const int64_t start = ParseIsoUtc("1678-01-01T12:00:00Z").value();
  std::string previous = FormatIsoUtc(start, 0);
  for (int64_t t = start + day_ns; t < ParseIsoUtc("2262-01-01T00:00:00Z").value(); t += day_ns) {
    const std::string text = FormatIsoUtc(t, 0);
    ASSERT_GT(text, previous);
    ASSERT_EQ(text.substr(10), "T12:00:00Z");
    ASSERT_EQ(ParseIsoUtc(text).value(), t);
    previous = text;
  }
}

}  // namespace
}  // namespace earshot
