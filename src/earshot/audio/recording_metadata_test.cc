#include "earshot/audio/recording_metadata.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/core/time.h"

namespace earshot::audio {
namespace {

using ::testing::HasSubstr;

std::string DatasetDir() {
  const char* shared = std::getenv("EARSHOT_SHARED_DATA");
  const std::string base = shared != nullptr ? shared : "../shared/data";
  return base + "/pittsburgh-livefire-2018";
}

class RecordingMetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("earshot_metadata_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` as a sidecar and reads it back.
  Result<RecordingMetadata> Read(const std::string& text) {
    const std::string path = (dir_ / "r.json").string();
    std::ofstream(path) << text;
    return ReadRecordingMetadata(path);
  }

  std::filesystem::path dir_;
};

TEST_F(RecordingMetadataTest, ReadsTheLiveFireDatasetsSidecar) {
  const std::string path = DatasetDir() + "/FP1/test_001/test_001.audio.SCP-00-BNG-5567.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  const auto metadata = ReadRecordingMetadata(path);
  ASSERT_TRUE(metadata.has_value()) << metadata.error().ToString();
  EXPECT_EQ(metadata->sensor_id, "SCP-00-BNG-5567");
  EXPECT_EQ(metadata->first_sample_ns, *ParseIsoUtc("2018-12-19T00:49:26.000Z"));
  EXPECT_FALSE(metadata->geodetic);
  EXPECT_DOUBLE_EQ(metadata->position.x(), -11625.3960530303);
  EXPECT_DOUBLE_EQ(metadata->position.y(), 3373.84941826388);
  EXPECT_DOUBLE_EQ(metadata->position.z(), -125.092069366200);
  EXPECT_FALSE(metadata->sample_rate_hz.has_value());
  EXPECT_EQ(metadata->full_scale_db_spl, 93.0);
}

TEST_F(RecordingMetadataTest, ReadsOptionalFieldsAndGeodeticLocations) {
  const auto metadata = Read(R"({"serial_number": "ES-0007",
      "timestamp": "2024-07-05T03:12:09.118204-04:00",
      "location": {"lat": 40.44, "lon": -79.99, "alt_m": 262.5},
      "sample_rate_hz": 48000, "full_scale_db_spl": 120.5, "extra": [1, 2]})");
  ASSERT_TRUE(metadata.has_value()) << metadata.error().ToString();
  EXPECT_EQ(metadata->first_sample_ns, *ParseIsoUtc("2024-07-05T07:12:09.118204Z"));
  EXPECT_TRUE(metadata->geodetic);
  EXPECT_EQ(metadata->position, Eigen::Vector3d(40.44, -79.99, 262.5));
  EXPECT_EQ(metadata->sample_rate_hz, 48000.0);
  EXPECT_EQ(metadata->full_scale_db_spl, 120.5);
}

TEST_F(RecordingMetadataTest, SidecarPathReplacesTheExtension) {
  EXPECT_EQ(SidecarPathFor("a/b/test_001.audio.SCP-00-BNG-5567.wav"),
            "a/b/test_001.audio.SCP-00-BNG-5567.json");
  EXPECT_EQ(SidecarPathFor("x.flac"), "x.json");
  EXPECT_EQ(SidecarPathFor("noext"), "noext.json");
}

TEST_F(RecordingMetadataTest, RefusesAMissingSidecar) {
  const std::string path = (dir_ / "absent.json").string();
  const auto metadata = ReadRecordingMetadata(path);
  ASSERT_FALSE(metadata.has_value());
  EXPECT_THAT(metadata.error().message,
              HasSubstr("no metadata beside the recording: expected " + path));
}

TEST_F(RecordingMetadataTest, RefusesMalformedJsonAtItsLine) {
  const auto metadata = Read("{\n  \"serial_number\": \"A\",\n  \"timestamp\": oops\n}");
  ASSERT_FALSE(metadata.has_value());
  EXPECT_EQ(metadata.error().where, "line 3");
  EXPECT_THAT(metadata.error().message, HasSubstr("syntax error"));
}

TEST_F(RecordingMetadataTest, RefusesMissingAndWronglyTypedFieldsByName) {
  const std::string location = R"("location": {"x": 1, "y": 2, "z": 3})";
  struct Case {
    std::string text;
    std::string where;
    std::string message;
  };
  const Case cases[] = {
      {"[1]", "", "expected a JSON object, got an array"},
      {R"({"timestamp": "2018-12-19T00:49:26Z", )" + location + "}", "field serial_number",
       "missing"},
      {R"({"serial_number": 5567, "timestamp": "2018-12-19T00:49:26Z", )" + location + "}",
       "field serial_number", "got 5567"},
      {R"({"serial_number": "A", )" + location + "}", "field timestamp", "missing"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26", )" + location + "}",
       "field timestamp", "ISO 8601"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z"})", "field location",
       "missing"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z", "location": [1, 2]})",
       "field location", "got an array"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z",
           "location": {"x": 1, "y": "2", "z": 3}})",
       "field location.y", "got the string \"2\""},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z",
           "location": {"x": 1, "z": 3}})",
       "field location.y", "missing"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z",
           "location": {"lat": 95, "lon": 1, "alt_m": 3}})",
       "field location.lat", "-90..90"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z", )" + location +
           R"(, "sample_rate_hz": "12000"})",
       "field sample_rate_hz", "expected a sample rate"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z", )" + location +
           R"(, "sample_rate_hz": -1})",
       "field sample_rate_hz", "got -1"},
      {R"({"serial_number": "A", "timestamp": "2018-12-19T00:49:26Z", )" + location +
           R"(, "full_scale_db_spl": null})",
       "field full_scale_db_spl", "got null"},
  };
  for (const Case& c : cases) {
    const auto metadata = Read(c.text);
    ASSERT_FALSE(metadata.has_value()) << c.text;
    EXPECT_EQ(metadata.error().where, c.where) << c.text;
    EXPECT_THAT(metadata.error().message, HasSubstr(c.message)) << c.text;
    EXPECT_EQ(metadata.error().source, (dir_ / "r.json").string());
  }
}

}  // namespace
}  // namespace earshot::audio
