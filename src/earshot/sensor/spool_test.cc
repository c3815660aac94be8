#include "earshot/sensor/spool.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::sensor {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh directory per test, removed afterwards.
class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("earshot_spool_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    directory_ = (root_ / "spool").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  static nlohmann::json Record(const std::string& id, const std::string& time_utc) {
    return {{"pulse_id", id}, {"sensor", "S1"}, {"time_utc", time_utc}};
  }
  // A stand-in snippet of `bytes` bytes where the agent would write one.
  static std::string WriteSnippet(const Spool& spool, const std::string& id, size_t bytes) {
    const std::string path = spool.SnippetTempPath(id);
    std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
    return path;
  }
  static void WriteFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path root_;
  std::string directory_;
};

TEST_F(SpoolTest, PutListAck) {
  auto spool = Spool::OpenForWriting(directory_, {});
  ASSERT_TRUE(spool.has_value()) << spool.error().ToString();
  const std::string snippet = WriteSnippet(*spool, "b", 100);
  ASSERT_EQ(spool->Put("b", Record("b", "2024-01-01T00:00:02Z"), snippet).value(),
            PutOutcome::kSpooled);
  ASSERT_EQ(spool->Put("a", Record("a", "2024-01-01T00:00:01Z")).value(), PutOutcome::kSpooled);
  EXPECT_FALSE(fs::exists(snippet));  // moved in
  EXPECT_TRUE(fs::exists(directory_ + "/b.flac"));

  auto listing = spool->List();
  ASSERT_TRUE(listing.has_value());
  ASSERT_EQ(listing->pending.size(), 2u);
  EXPECT_EQ(listing->pending[0].pulse_id, "a");  // onset order
  EXPECT_EQ(listing->pending[0].snippet_path, "");
  EXPECT_EQ(listing->pending[1].pulse_id, "b");
  EXPECT_EQ(listing->pending[1].snippet_path, directory_ + "/b.flac");
  EXPECT_EQ(listing->pending[1].record["sensor"], "S1");
  EXPECT_TRUE(listing->unreadable.empty());

  EXPECT_EQ(spool->Ack("b").value(), AckOutcome::kAcknowledged);
  EXPECT_FALSE(fs::exists(directory_ + "/b.flac"));
  EXPECT_FALSE(fs::exists(directory_ + "/b.json"));
  EXPECT_EQ(spool->List()->pending.size(), 1u);
}

TEST_F(SpoolTest, AckIsIdempotentAndUnknownIdsAreReported) {
  auto spool = Spool::OpenForWriting(directory_, {});
  ASSERT_TRUE(spool.has_value());
  ASSERT_TRUE(spool->Put("a", Record("a", "2024-01-01T00:00:01Z")).has_value());
  EXPECT_EQ(spool->Ack("a").value(), AckOutcome::kAcknowledged);
  EXPECT_EQ(spool->Ack("a").value(), AckOutcome::kUnknown);
  EXPECT_EQ(spool->Ack("never-seen").value(), AckOutcome::kUnknown);
  auto bad = spool->Ack("../etc/passwd");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().ToString(), HasSubstr("expected 1 to 128 characters"));
}

TEST_F(SpoolTest, PutOfASpooledIdChangesNothing) {
  auto spool = Spool::OpenForWriting(directory_, {});
  ASSERT_TRUE(spool.has_value());
  ASSERT_TRUE(spool->Put("a", Record("a", "2024-01-01T00:00:01Z")).has_value());
  const std::string snippet = WriteSnippet(*spool, "a", 10);
  nlohmann::json changed = Record("a", "2030-01-01T00:00:00Z");
  EXPECT_EQ(spool->Put("a", changed, snippet).value(), PutOutcome::kAlreadySpooled);
  EXPECT_FALSE(fs::exists(snippet));  // the temporary snippet is consumed
  EXPECT_FALSE(fs::exists(directory_ + "/a.flac"));
  auto read = spool->Read("a");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->record["time_utc"], "2024-01-01T00:00:01Z");
}

TEST_F(SpoolTest, OpeningForWritingCleansUpAfterACrash) {
  {
    auto spool = Spool::OpenForWriting(directory_, {});
    ASSERT_TRUE(spool.has_value());
    ASSERT_TRUE(
        spool->Put("kept", Record("kept", "2024-01-01T00:00:01Z"), WriteSnippet(*spool, "kept", 10))
            .has_value());
  }
  // What a crash at each step of Put leaves: a half-written snippet, a half-written
  // record, a snippet renamed into place whose record never was.
  WriteFile(directory_ + "/.tmp-x.flac", "half a snippet");
  WriteFile(directory_ + "/.tmp-y.json", "{\"pulse_id\":");
  WriteFile(directory_ + "/z.flac", "a snippet without its record");

  auto reader = Spool::Open(directory_);
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(reader->List()->pending.size(), 1u);  // temporary files are never listed

  auto spool = Spool::OpenForWriting(directory_, {});
  ASSERT_TRUE(spool.has_value());
  EXPECT_EQ(spool->recovery().temporary_files_removed, 2);
  EXPECT_EQ(spool->recovery().orphan_snippets_removed, 1);
  EXPECT_FALSE(fs::exists(directory_ + "/.tmp-x.flac"));
  EXPECT_FALSE(fs::exists(directory_ + "/z.flac"));
  EXPECT_TRUE(fs::exists(directory_ + "/kept.flac"));
  auto listing = spool->List();
  ASSERT_EQ(listing->pending.size(), 1u);
  EXPECT_EQ(listing->pending[0].pulse_id, "kept");
}

TEST_F(SpoolTest, OnlyOneWriterAtATime) {
  auto first = Spool::OpenForWriting(directory_, {});
  ASSERT_TRUE(first.has_value());
  auto second = Spool::OpenForWriting(directory_, {});
  ASSERT_FALSE(second.has_value());
  EXPECT_THAT(second.error().ToString(), HasSubstr("another agent is writing to this spool"));
  EXPECT_TRUE(Spool::Open(directory_).has_value());  // readers are welcome
}

TEST_F(SpoolTest, AFullSpoolRefusesNewPulsesAndKeepsTheWaitingOnes) {
  auto spool = Spool::OpenForWriting(directory_, {.max_bytes = 1000});
  ASSERT_TRUE(spool.has_value());
  ASSERT_TRUE(spool->Put("a", Record("a", "2024-01-01T00:00:01Z"), WriteSnippet(*spool, "a", 600))
                  .has_value());
  const std::string snippet = WriteSnippet(*spool, "b", 600);
  auto refused = spool->Put("b", Record("b", "2024-01-01T00:00:02Z"), snippet);
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().ToString(), HasSubstr("spool full"));
  EXPECT_THAT(refused.error().ToString(), HasSubstr("pulse b refused"));
  EXPECT_FALSE(fs::exists(snippet));
  EXPECT_FALSE(spool->Contains("b"));
  EXPECT_TRUE(spool->Contains("a"));

  // Another process acknowledges "a": the writer notices when it next needs the room.
  auto acknowledger = Spool::Open(directory_);
  ASSERT_EQ(acknowledger->Ack("a").value(), AckOutcome::kAcknowledged);
  EXPECT_TRUE(spool->Put("b", Record("b", "2024-01-01T00:00:02Z"), WriteSnippet(*spool, "b", 600))
                  .has_value());
  EXPECT_LE(spool->bytes(), 1000);
}

TEST_F(SpoolTest, UnreadableRecordsAreListedApart) {
  auto spool = Spool::OpenForWriting(directory_, {});
  ASSERT_TRUE(spool.has_value());
  ASSERT_TRUE(spool->Put("good", Record("good", "2024-01-01T00:00:01Z")).has_value());
  WriteFile(directory_ + "/torn.json", "{\"pulse_id\": \"torn\", \"time_");
  WriteFile(directory_ + "/renamed.json", Record("other", "2024-01-01T00:00:01Z").dump());
  auto listing = spool->List();
  ASSERT_TRUE(listing.has_value());
  ASSERT_EQ(listing->pending.size(), 1u);
  ASSERT_EQ(listing->unreadable.size(), 2u);
  std::string messages;
  for (const Error& error : listing->unreadable) messages += error.ToString() + "\n";
  EXPECT_THAT(messages, HasSubstr("torn.json: expected one JSON object"));
  EXPECT_THAT(messages, HasSubstr("renamed.json:field pulse_id: expected \"renamed\""));
}

TEST_F(SpoolTest, ReadersNeedAnExistingDirectory) {
  auto missing = Spool::Open(directory_ + "/nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().ToString(), HasSubstr("no such spool directory"));
}

}  // namespace
}  // namespace earshot::sensor
