// Tests of the JSON readers: what is accepted, and that every refusal names the right
// line or element and field. The writers are tested in json_io_write_test.cc.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot {
namespace {

using ::testing::HasSubstr;

constexpr const char* kGoodPulse =
    R"({"pulse_id":"3e94","sensor":"SCP-00-BNG-5028","time_utc":"2018-12-19T00:49:27.467000Z",)"
    R"("onset_sigma_s":0.0005,"sensor_position":{"x_m":-11784.30,"y_m":3135.64,"z_m":-102.04},)"
    R"("position_sigma_m":0.03,"snr_db":4.33,"level_db_spl":76.97,)"
    R"("features":{"rise_time_s":0.0004}})";

PulseReadResult ParseLines(const std::string& text, const std::vector<SensorRecord>& sensors = {}) {
  std::istringstream in(text);
  return ParsePulsesJsonLines(in, "pulses.jsonl", sensors);
}

// A file in the test's temporary folder, removed when the test ends.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content)
      : path_(std::filesystem::path(::testing::TempDir()) /
              (std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ParsePulsesJsonLines, ReadsEveryField) {
  const PulseReadResult read = ParseLines(kGoodPulse);
  ASSERT_TRUE(read.refused.empty()) << read.refused[0].ToString();
  ASSERT_EQ(read.set.pulses.size(), 1u);
  EXPECT_EQ(read.records_read, 1);
  EXPECT_FALSE(read.set.frame.is_geodetic());
  const Pulse& pulse = read.set.pulses[0];
  EXPECT_EQ(pulse.id, "3e94");
  EXPECT_EQ(pulse.sensor_id, "SCP-00-BNG-5028");
  EXPECT_EQ(pulse.onset_ns, ParseIsoUtc("2018-12-19T00:49:27.467Z").value());
  EXPECT_DOUBLE_EQ(pulse.onset_sigma_s, 0.0005);
  EXPECT_EQ(pulse.sensor_position_m, Eigen::Vector3d(-11784.30, 3135.64, -102.04));
  EXPECT_DOUBLE_EQ(pulse.sensor_position_sigma_m, 0.03);
  EXPECT_DOUBLE_EQ(pulse.snr_db, 4.33);
  EXPECT_DOUBLE_EQ(pulse.level_db_spl, 76.97);
  EXPECT_EQ(pulse.features, (std::map<std::string, double>{{"rise_time_s", 0.0004}}));
}

TEST(ParsePulsesJsonLines, OptionalFieldsDefaultToZero) {
  const PulseReadResult read =
      ParseLines(R"({"pulse_id":"a","sensor":"s","time_utc":"2018-12-19T00:49:27Z",)"
                 R"("sensor_position":{"x_m":1,"y_m":2,"z_m":3}})");
  ASSERT_EQ(read.set.pulses.size(), 1u);
  const Pulse& pulse = read.set.pulses[0];
  EXPECT_EQ(pulse.onset_sigma_s, 0.0);
  EXPECT_EQ(pulse.sensor_position_sigma_m, 0.0);
  EXPECT_EQ(pulse.snr_db, 0.0);
  EXPECT_TRUE(pulse.features.empty());
}

TEST(ParsePulsesJsonLines, SkipsBlankLinesButCountsThemInLineNumbers) {
  const PulseReadResult read = ParseLines(std::string("\n  \r\n") + kGoodPulse + "\n\nnot json\n");
  EXPECT_EQ(read.records_read, 2);
  EXPECT_EQ(read.set.pulses.size(), 1u);
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].source, "pulses.jsonl");
  EXPECT_EQ(read.refused[0].where, "line 5");
  EXPECT_THAT(read.refused[0].message,
              HasSubstr("expected a JSON object, got text that is not JSON"));
}

TEST(ParsePulsesJsonLines, OneBadRecordDoesNotStopTheRest) {
  const std::string bad = R"({"pulse_id":"b","sensor":"s","time_utc":"soon"})";
  std::string good2 = kGoodPulse;
  good2.replace(good2.find("3e94"), 4, "3e95");
  const PulseReadResult read = ParseLines(std::string(kGoodPulse) + "\n" + bad + "\n" + good2);
  EXPECT_EQ(read.records_read, 3);
  ASSERT_EQ(read.set.pulses.size(), 2u);
  EXPECT_EQ(read.set.pulses[1].id, "3e95");
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].where, "line 2, field time_utc");
}

TEST(ParsePulsesJsonLines, RefusesAnArrayLine) {
  const PulseReadResult read = ParseLines("[1,2]");
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].where, "line 1");
  EXPECT_EQ(read.refused[0].message, "expected a JSON object, got an array");
}

TEST(ParsePulsesJsonLines, RefusesNumbersBeyondDouble) {
  const PulseReadResult read = ParseLines(
      R"({"pulse_id":"a","sensor":"s","time_utc":"2018-12-19T00:49:27Z","snr_db":1e999})");
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].where, "line 1");
  EXPECT_THAT(read.refused[0].message, HasSubstr("expected a JSON object"));
}

// One field made wrong at a time in an otherwise good pulse, and what the refusal says.
struct FieldCase {
  const char* name;
  const char* line;
  const char* where;
  const char* message;  // a part of the expected message
};

void PrintTo(const FieldCase& c, std::ostream* os) { *os << c.name; }

class PulseFieldRefusal : public ::testing::TestWithParam<FieldCase> {};

TEST_P(PulseFieldRefusal, NamesLineAndField) {
  const PulseReadResult read = ParseLines(std::string(kGoodPulse) + "\n" + GetParam().line);
  EXPECT_EQ(read.records_read, 2);
  EXPECT_EQ(read.set.pulses.size(), 1u) << "the good first line must still be read";
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].source, "pulses.jsonl");
  EXPECT_EQ(read.refused[0].where, GetParam().where);
  EXPECT_THAT(read.refused[0].message, HasSubstr(GetParam().message));
}

#define PULSE_HEAD R"({"pulse_id":"p2","sensor":"s2","time_utc":"2018-12-19T00:49:28Z",)"
#define POSITION R"("sensor_position":{"x_m":1,"y_m":2,"z_m":3})"

INSTANTIATE_TEST_SUITE_P(
    EveryField, PulseFieldRefusal,
    ::testing::Values(
        FieldCase{"NoPulseId", R"({"sensor":"s","time_utc":"2018-12-19T00:49:28Z",)" POSITION "}",
                  "line 2, field pulse_id", "got nothing (the field is missing)"},
        FieldCase{"EmptyPulseId",
                  R"({"pulse_id":"","sensor":"s","time_utc":"2018-12-19T00:49:28Z",)" POSITION "}",
                  "line 2, field pulse_id", "got the string \"\""},
        FieldCase{"NumericPulseId",
                  R"({"pulse_id":12,"sensor":"s","time_utc":"2018-12-19T00:49:28Z",)" POSITION "}",
                  "line 2, field pulse_id",
                  "expected a non-empty string of at most 128 characters, got 12"},
        FieldCase{"NoSensor", R"({"pulse_id":"p","time_utc":"2018-12-19T00:49:28Z",)" POSITION "}",
                  "line 2, field sensor", "got nothing"},
        FieldCase{"NullSensor",
                  R"({"pulse_id":"p","sensor":null,"time_utc":"2018-12-19T00:49:28Z",)" POSITION
                  "}",
                  "line 2, field sensor", "got null"},
        FieldCase{"NoTime", R"({"pulse_id":"p","sensor":"s",)" POSITION "}",
                  "line 2, field time_utc", "expected an ISO 8601 UTC time"},
        FieldCase{"BadTime", R"({"pulse_id":"p","sensor":"s","time_utc":"yesterday",)" POSITION "}",
                  "line 2, field time_utc", "got \"yesterday\""},
        FieldCase{"TimeWithoutZone",
                  R"({"pulse_id":"p","sensor":"s","time_utc":"2018-12-19T00:49:28",)" POSITION "}",
                  "line 2, field time_utc", "the zone is missing"},
        FieldCase{"NumericTime",
                  R"({"pulse_id":"p","sensor":"s","time_utc":1545180567,)" POSITION "}",
                  "line 2, field time_utc", "got 1545180567"},
        FieldCase{"NegativeOnsetSigma", PULSE_HEAD R"("onset_sigma_s":-1,)" POSITION "}",
                  "line 2, field onset_sigma_s",
                  "expected a finite number of seconds >= 0, got -1"},
        FieldCase{"StringOnsetSigma", PULSE_HEAD R"("onset_sigma_s":"1ms",)" POSITION "}",
                  "line 2, field onset_sigma_s", "got the string \"1ms\""},
        FieldCase{"NullOnsetSigma", PULSE_HEAD R"("onset_sigma_s":null,)" POSITION "}",
                  "line 2, field onset_sigma_s", "got null"},
        FieldCase{"PositionNotObject", PULSE_HEAD R"("sensor_position":[1,2,3]})",
                  "line 2, field sensor_position", "got an array"},
        FieldCase{"PositionBothKinds",
                  PULSE_HEAD R"("sensor_position":{"x_m":1,"y_m":2,"z_m":3,"lat":40}})",
                  "line 2, field sensor_position", "got both"},
        FieldCase{"PositionNeitherKind", PULSE_HEAD R"("sensor_position":{"east":1}})",
                  "line 2, field sensor_position", "got neither"},
        FieldCase{"PositionMissingZ", PULSE_HEAD R"("sensor_position":{"x_m":1,"y_m":2}})",
                  "line 2, field sensor_position.z_m",
                  "expected a finite number of metres, got nothing"},
        FieldCase{"PositionStringX", PULSE_HEAD R"("sensor_position":{"x_m":"1","y_m":2,"z_m":3}})",
                  "line 2, field sensor_position.x_m", "got the string \"1\""},
        FieldCase{"MixedKindsLater",
                  PULSE_HEAD R"("sensor_position":{"lat":40.44,"lon":-79.99,"height_m":250}})",
                  "line 2, field sensor_position",
                  "expected a metric position (x_m, y_m, z_m) like the earlier records"},
        FieldCase{"NegativePositionSigma", PULSE_HEAD POSITION R"(,"position_sigma_m":-0.1})",
                  "line 2, field position_sigma_m", "got -0.1"},
        FieldCase{"StringSnr", PULSE_HEAD POSITION R"(,"snr_db":"high"})", "line 2, field snr_db",
                  "expected a finite number of dB, got the string \"high\""},
        FieldCase{"BoolLevel", PULSE_HEAD POSITION R"(,"level_db_spl":true})",
                  "line 2, field level_db_spl", "got true"},
        FieldCase{"FeaturesNotObject", PULSE_HEAD POSITION R"(,"features":[0.1]})",
                  "line 2, field features", "expected an object of named numbers, got an array"},
        FieldCase{"FeatureNotNumber", PULSE_HEAD POSITION R"(,"features":{"rise_time_s":"fast"}})",
                  "line 2, field features.rise_time_s", "got the string \"fast\""},
        FieldCase{"UnknownSensor",
                  R"({"pulse_id":"p","sensor":"SCP-X","time_utc":"2018-12-19T00:49:28Z"})",
                  "line 2, field sensor_position",
                  "unknown sensor SCP-X: no position in the pulse and none in the sensors file"},
        FieldCase{"NotJson", "{pulse_id: p}", "line 2",
                  "got text that is not JSON (syntax error at column 2)"},
        FieldCase{"JustANumber", "42", "line 2", "expected a JSON object, got 42"}),
    [](const ::testing::TestParamInfo<FieldCase>& info) { return info.param.name; });

TEST(ParsePulsesJsonLines, RefusesOverlongIds) {
  const std::string id(200, 'a');
  const PulseReadResult read =
      ParseLines(R"({"pulse_id":")" + id +
                 R"(","sensor":"s","time_utc":"2018-12-19T00:49:28Z",)" POSITION "}");
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].where, "line 1, field pulse_id");
  EXPECT_LT(read.refused[0].message.size(), 200u) << "long values are cut in messages";
}

TEST(ParsePulsesJsonLines, GeodeticPulsesMakeAFrameAtTheFirstSensor) {
  const PulseReadResult read =
      ParseLines(R"({"pulse_id":"a","sensor":"s1","time_utc":"2018-12-19T00:49:28Z",)"
                 R"("sensor_position":{"lat":40.4406,"lon":-79.9959,"height_m":250}})"
                 "\n"
                 R"({"pulse_id":"b","sensor":"s2","time_utc":"2018-12-19T00:49:29Z",)"
                 R"("sensor_position":{"lat":40.4506,"lon":-79.9959,"height_m":250}})"
                 "\n" PULSE_HEAD POSITION "}");
  ASSERT_EQ(read.set.pulses.size(), 2u);
  ASSERT_TRUE(read.set.frame.is_geodetic());
  EXPECT_DOUBLE_EQ(read.set.frame.origin().lat_deg, 40.4406);
  EXPECT_LT(read.set.pulses[0].sensor_position_m.norm(), 1e-9);
  EXPECT_NEAR(read.set.pulses[1].sensor_position_m.y(), 1110.43, 0.05);
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].where, "line 3, field sensor_position");
  EXPECT_THAT(read.refused[0].message, HasSubstr("expected a geodetic position"));
}

TEST(ParsePulsesJsonLines, GeodeticRangesAreChecked) {
  const PulseReadResult read = ParseLines(
      PULSE_HEAD R"("sensor_position":{"lat":95,"lon":-79.9959,"height_m":250}})"
                 "\n" PULSE_HEAD R"("sensor_position":{"lat":40,"lon":-181,"height_m":250}})"
                 "\n" PULSE_HEAD R"("sensor_position":{"lat":40,"lon":-79,"height_m":25000}})");
  ASSERT_EQ(read.refused.size(), 3u);
  EXPECT_EQ(read.refused[0].where, "line 1, field sensor_position.lat");
  EXPECT_EQ(read.refused[1].where, "line 2, field sensor_position.lon");
  EXPECT_EQ(read.refused[2].where, "line 3, field sensor_position.height_m");
}

TEST(ParsePulsesJsonLines, ARefusedRecordDoesNotDecideTheFrame) {
  const PulseReadResult read =
      ParseLines(PULSE_HEAD R"("snr_db":"x","sensor_position":{"lat":40,"lon":-79,"height_m":250}})"
                            "\n" PULSE_HEAD POSITION "}");
  EXPECT_EQ(read.set.pulses.size(), 1u);
  EXPECT_FALSE(read.set.frame.is_geodetic());
}

TEST(ParsePulsesJsonLines, TakesMissingPositionsFromTheSensors) {
  SensorRecord metric{
      .id = "s2", .position_m = {10, 20, 30}, .position_sigma_m = 0.5, .geodetic = std::nullopt};
  const PulseReadResult read = ParseLines(PULSE_HEAD R"("snr_db":3})"
                                                     "\n" PULSE_HEAD R"("position_sigma_m":0.1})",
                                          {metric});
  ASSERT_EQ(read.set.pulses.size(), 2u);
  EXPECT_EQ(read.set.pulses[0].sensor_position_m, Eigen::Vector3d(10, 20, 30));
  EXPECT_EQ(read.set.pulses[0].sensor_position_sigma_m, 0.5);
  EXPECT_EQ(read.set.pulses[1].sensor_position_sigma_m, 0.1) << "the pulse's own sigma wins";
}

TEST(ParsePulsesJsonLines, PlacesGeodeticSensorsInThePulsesFrame) {
  SensorRecord geodetic{.id = "s2", .geodetic = GeodeticPoint{40.4506, -79.9959, 250}};
  const PulseReadResult read =
      ParseLines(R"({"pulse_id":"a","sensor":"s1","time_utc":"2018-12-19T00:49:28Z",)"
                 R"("sensor_position":{"lat":40.4406,"lon":-79.9959,"height_m":250}})"
                 "\n" PULSE_HEAD "\"snr_db\":1}",
                 {geodetic});
  ASSERT_EQ(read.set.pulses.size(), 2u) << read.refused[0].ToString();
  EXPECT_NEAR(read.set.pulses[1].sensor_position_m.y(), 1110.43, 0.05);
}

TEST(ParseLivefirePulses, ReadsElementsAndNamesBadOnes) {
  const nlohmann::json array = nlohmann::json::parse(R"([
    {"pulse_uuid":"u1","serial_number":"S1","arrival_time_utc":"2018-12-19T00:49:27.467Z",
     "location":{"x":-1.5,"y":2.5,"z":-3.5},"location_error":0.03,"signal_to_noise_dB":4.3,
     "power_dB_SPL":76.9},
    {"pulse_uuid":"u2","serial_number":"S2","arrival_time_utc":"2018-12-19T00:49:27.5Z",
     "location":{"x":"west","y":2,"z":3}},
    {"pulse_uuid":"u3","serial_number":"S3","arrival_time_utc":"2018-12-19T00:49:27.5Z"},
    {"pulse_uuid":"u4","serial_number":"S4","arrival_time_utc":"2018-12-19T00:49:27.5Z",
     "location":{"x":1,"y":2,"z":3},"power_dB_SPL":null},
    {"serial_number":"S5"},
    "u6"
  ])");
  const PulseReadResult read = ParseLivefirePulses(array, "allpulses.json");
  EXPECT_EQ(read.records_read, 6);
  ASSERT_EQ(read.set.pulses.size(), 1u);
  const Pulse& pulse = read.set.pulses[0];
  EXPECT_EQ(pulse.id, "u1");
  EXPECT_EQ(pulse.sensor_id, "S1");
  EXPECT_EQ(pulse.sensor_position_m, Eigen::Vector3d(-1.5, 2.5, -3.5));
  EXPECT_DOUBLE_EQ(pulse.sensor_position_sigma_m, 0.03);
  EXPECT_DOUBLE_EQ(pulse.snr_db, 4.3);
  EXPECT_DOUBLE_EQ(pulse.level_db_spl, 76.9);
  ASSERT_EQ(read.refused.size(), 5u);
  EXPECT_EQ(read.refused[0].where, "element 1, field location.x");
  EXPECT_EQ(read.refused[1].where, "element 2, field location");
  EXPECT_EQ(read.refused[2].where, "element 3, field power_dB_SPL");
  EXPECT_EQ(read.refused[3].where, "element 4, field pulse_uuid");
  EXPECT_EQ(read.refused[4].where, "element 5");
  EXPECT_EQ(read.refused[4].message, "expected a pulse report object, got the string \"u6\"");
}

TEST(ParseLivefirePulses, RefusesANonArray) {
  const PulseReadResult read = ParseLivefirePulses(nlohmann::json::object(), "x.json");
  ASSERT_EQ(read.refused.size(), 1u);
  EXPECT_EQ(read.refused[0].message, "expected a JSON array of pulse reports, got an object");
}

TEST(ReadPulsesFile, DetectsTheDatasetArray) {
  const TempFile file("dataset.json",
                      "\n  [{\"pulse_uuid\":\"u1\",\"serial_number\":\"S1\","
                      "\"arrival_time_utc\":\"2018-12-19T00:49:27.467Z\","
                      "\"location\":{\"x\":1,\"y\":2,\"z\":3}}]\n");
  auto read = ReadPulsesFile(file.path());
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ASSERT_EQ(read->set.pulses.size(), 1u);
  EXPECT_EQ(read->set.pulses[0].id, "u1");
}

TEST(ReadPulsesFile, ReadsJsonLines) {
  const TempFile file("pulses.jsonl", std::string(kGoodPulse) + "\n");
  auto read = ReadPulsesFile(file.path());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->set.pulses.size(), 1u);
  EXPECT_TRUE(read->refused.empty());
}

TEST(ReadPulsesFile, IgnoresAByteOrderMarkAndCrLf) {
  const TempFile dataset("bom.json",
                         "\xEF\xBB\xBF[{\"pulse_uuid\":\"u1\",\"serial_number\":\"S1\","
                         "\"arrival_time_utc\":\"2018-12-19T00:49:27.467Z\","
                         "\"location\":{\"x\":1,\"y\":2,\"z\":3}}]\r\n");
  auto read = ReadPulsesFile(dataset.path());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->set.pulses.size(), 1u);
  const TempFile lines("bom.jsonl", "\xEF\xBB\xBF" + std::string(kGoodPulse) + "\r\n\r\n");
  read = ReadPulsesFile(lines.path());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->set.pulses.size(), 1u);
  EXPECT_TRUE(read->refused.empty());
}

TEST(ReadPulsesFile, ABrokenArrayIsOneRefusalWithItsLine) {
  const TempFile file("broken.json", "[\n  {\"pulse_uuid\": \"u1\",\n  \"x\": }\n]\n");
  auto read = ReadPulsesFile(file.path());
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->set.pulses.empty());
  ASSERT_EQ(read->refused.size(), 1u);
  EXPECT_EQ(read->refused[0].source, file.path());
  EXPECT_EQ(read->refused[0].where, "line 3");
  EXPECT_THAT(read->refused[0].message, HasSubstr("syntax error"));
}

TEST(ReadPulsesFile, AnArrayOfOtherThingsIsReadAsJsonLines) {
  const TempFile file("other.json", "[1, 2]\n");
  auto read = ReadPulsesFile(file.path());
  ASSERT_TRUE(read.has_value());
  ASSERT_EQ(read->refused.size(), 1u);
  EXPECT_EQ(read->refused[0].where, "line 1");
  EXPECT_EQ(read->refused[0].message, "expected a JSON object, got an array");
}

TEST(ReadPulsesFile, FailsWhenTheFileCannotBeOpened) {
  auto missing = ReadPulsesFile("/nonexistent/pulses.jsonl");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().source, "/nonexistent/pulses.jsonl");
  EXPECT_THAT(missing.error().message, HasSubstr("cannot open"));
  auto directory = ReadPulsesFile(::testing::TempDir());
  ASSERT_FALSE(directory.has_value());
  EXPECT_THAT(directory.error().message, HasSubstr("got a directory"));
}

// The live-fire data lives outside the project (EARSHOT_SHARED_DATA); without it the
// tests that need it are skipped, not failed.
std::string SharedDataFile(const std::string& relative) {
  const char* root = std::getenv("EARSHOT_SHARED_DATA");
  if (root == nullptr) return "";
  const std::filesystem::path path =
      std::filesystem::path(root) / "pittsburgh-livefire-2018" / relative;
  return std::filesystem::exists(path) ? path.string() : "";
}

TEST(LivefireDataset, ReadsAllPulsesOfTest001) {
  const std::string path = SharedDataFile("FP1/test_001/test_001.allpulses.json");
  if (path.empty()) GTEST_SKIP() << "EARSHOT_SHARED_DATA does not hold the live-fire data";
  auto read = ReadPulsesFile(path);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_TRUE(read->refused.empty()) << read->refused[0].ToString();
  EXPECT_EQ(read->records_read, 158);
  ASSERT_EQ(read->set.pulses.size(), 158u);
  EXPECT_FALSE(read->set.frame.is_geodetic());
  const Pulse& first = read->set.pulses[0];
  EXPECT_EQ(first.id, "3e946732-30fe-bd5b-5586-42311920789e");
  EXPECT_EQ(first.sensor_id, "SCP-00-BNG-5028");
  EXPECT_EQ(FormatIsoUtc(first.onset_ns, 3), "2018-12-19T00:49:27.467Z");
  EXPECT_NEAR(first.sensor_position_m.x(), -11784.3014226056, 1e-9);
  EXPECT_NEAR(first.sensor_position_sigma_m, 0.031864, 1e-9);
}

TEST(LivefireDataset, ReadsTheWeatherOfTest001) {
  const std::string path = SharedDataFile("FP1/test_001/test_001.weather.json");
  if (path.empty()) GTEST_SKIP() << "EARSHOT_SHARED_DATA does not hold the live-fire data";
  auto weather = ReadWeatherFile(path);
  ASSERT_TRUE(weather.has_value()) << weather.error().ToString();
  EXPECT_EQ(weather->temperature_c, 0.0);
  EXPECT_EQ(weather->wind_speed_mps, 0.0);
}

TEST(ReadSensorsFile, ReadsMetricAndGeodeticSensors) {
  const TempFile metric(
      "sensors_metric.jsonl",
      R"({"sensor":"a","position":{"x_m":1,"y_m":2,"z_m":3},"position_sigma_m":0.2})"
      "\n\n"
      R"({"sensor":"b","position":{"x_m":4,"y_m":5,"z_m":6}})"
      "\n");
  auto sensors = ReadSensorsFile(metric.path(), LocalFrame::Metric());
  ASSERT_TRUE(sensors.has_value()) << sensors.error().ToString();
  ASSERT_EQ(sensors->size(), 2u);
  EXPECT_EQ((*sensors)[0].id, "a");
  EXPECT_EQ((*sensors)[0].position_sigma_m, 0.2);
  EXPECT_EQ((*sensors)[1].position_m, Eigen::Vector3d(4, 5, 6));
  EXPECT_FALSE((*sensors)[1].geodetic.has_value());

  const TempFile geodetic(
      "sensors_geodetic.jsonl",
      R"({"sensor":"g","position":{"lat":40.4506,"lon":-79.9959,"height_m":250}})");
  auto in_frame = ReadSensorsFile(geodetic.path(), LocalFrame::Geodetic(40.4406, -79.9959, 250));
  ASSERT_TRUE(in_frame.has_value());
  EXPECT_NEAR((*in_frame)[0].position_m.y(), 1110.43, 0.05);
  ASSERT_TRUE((*in_frame)[0].geodetic.has_value());
  auto kept = ReadSensorsFile(geodetic.path(), LocalFrame::Metric());
  ASSERT_TRUE(kept.has_value());
  EXPECT_DOUBLE_EQ((*kept)[0].geodetic->lat_deg, 40.4506);
}

TEST(ReadSensorsFile, RefusesTheFileAtItsFirstBadRecord) {
  struct Case {
    std::string content;
    std::string where;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"sensor":"a","position":{"x_m":1,"y_m":2,"z_m":3}})"
       "\n"
       R"({"sensor":"a","position":{"x_m":1,"y_m":2,"z_m":3}})",
       "line 2, field sensor", "expected each sensor once, got a again (first on line 1)"},
      {R"({"sensor":"a"})", "line 1, field position", "got nothing"},
      {R"({"position":{"x_m":1,"y_m":2,"z_m":3}})", "line 1, field sensor", "got nothing"},
      {R"({"sensor":"a","position":{"x_m":1,"y_m":2,"z_m":3}})"
       "\n"
       R"({"sensor":"b","position":{"lat":40,"lon":-80,"height_m":3}})",
       "line 2, field position", "one file uses one kind"},
      {R"({"sensor":"a","position":{"x_m":1,"y_m":2,"z_m":3},"position_sigma_m":-1})",
       "line 1, field position_sigma_m", "got -1"},
      {"\n{oops", "line 2", "not JSON"},
  };
  for (const Case& c : cases) {
    const TempFile file("sensors_bad.jsonl", c.content);
    auto sensors = ReadSensorsFile(file.path(), LocalFrame::Metric());
    ASSERT_FALSE(sensors.has_value()) << c.content;
    EXPECT_EQ(sensors.error().source, file.path());
    EXPECT_EQ(sensors.error().where, c.where) << c.content;
    EXPECT_THAT(sensors.error().message, HasSubstr(c.message)) << c.content;
  }
}

TEST(ReadWeatherFile, ReadsBothKeySets) {
  const TempFile dataset("weather_dataset.json",
                         R"({"fluid":"air","temperature":-3.5,"speed":4.1,"direction":270,)"
                         R"("precipitation":"clear"})");
  auto weather = ReadWeatherFile(dataset.path());
  ASSERT_TRUE(weather.has_value()) << weather.error().ToString();
  EXPECT_EQ(weather->temperature_c, -3.5);
  EXPECT_EQ(weather->wind_speed_mps, 4.1);
  EXPECT_EQ(weather->wind_from_deg, 270.0);

  const TempFile earshot("weather_earshot.json", R"({"temperature_c":21,"wind_speed_mps":0})");
  weather = ReadWeatherFile(earshot.path());
  ASSERT_TRUE(weather.has_value()) << weather.error().ToString();
  EXPECT_EQ(weather->temperature_c, 21.0);
  EXPECT_EQ(weather->wind_speed_mps, 0.0);
}

TEST(ReadWeatherFile, RefusesImplausibleOrAmbiguousWeather) {
  struct Case {
    std::string content;
    std::string where;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"temperature":75})", "field temperature", "-60..60, got 75"},
      {R"({"temperature_c":-61})", "field temperature_c", "got -61"},
      {R"({"temperature":10,"speed":-1,"direction":0})", "field speed", "0..60, got -1"},
      {R"({"temperature":10,"speed":61,"direction":0})", "field speed", "got 61"},
      {R"({"temperature":10,"speed":1,"direction":400})", "field direction", "0..360, got 400"},
      {R"({"temperature":10,"temperature_c":10})", "field temperature_c", "got both"},
      {R"({"speed":1,"direction":10})", "field temperature_c", "got nothing"},
      {R"({"temperature":"cold"})", "field temperature", "got the string \"cold\""},
      {R"({"temperature":10,"wind_speed_mps":3})", "field wind_from_deg",
       "when the wind speed is above 0"},
      {"[10]", "", "expected a JSON object, got an array"},
      {"{\n\"temperature\": 1,\n}", "line 3", "syntax error"},
  };
  for (const Case& c : cases) {
    const TempFile file("weather_bad.json", c.content);
    auto weather = ReadWeatherFile(file.path());
    ASSERT_FALSE(weather.has_value()) << c.content;
    EXPECT_EQ(weather.error().source, file.path());
    EXPECT_EQ(weather.error().where, c.where) << c.content;
    EXPECT_THAT(weather.error().message, HasSubstr(c.message)) << c.content;
  }
}

}  // namespace
}  // namespace earshot
