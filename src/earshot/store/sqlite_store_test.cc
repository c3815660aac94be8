#include "earshot/store/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "earshot/store/test_records.h"

namespace earshot::store {
namespace {

namespace fs = std::filesystem;
using testing::SampleIncident;
using testing::SamplePulse;
using testing::SampleShot;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("earshot_store_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    path_ = (root_ / "earshot.db").string();
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }
  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(path_);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }
  // Runs SQL on the file behind the store's back, as an attacker with file access would.
  void RawSql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string error = message != nullptr ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << error;
  }
  int RawSqlStatus(const std::string& sql, std::string* error) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    *error = message != nullptr ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    return rc;
  }

  fs::path root_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, SamePulseTwiceIsStoredOnceAndReportedDuplicate) {
  Result<WriteOutcome> first = store_->InsertPulse(SamplePulse("p-1"));
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(*first, WriteOutcome::kInserted);
  Result<WriteOutcome> again = store_->InsertPulse(SamplePulse("p-1"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, WriteOutcome::kDuplicate);
  EXPECT_EQ(store_->Counts()->pulses, 1);
  Result<std::optional<Pulse>> read = store_->GetPulse("p-1");
  ASSERT_TRUE(read.has_value() && read->has_value());
  EXPECT_EQ((*read)->onset_ns, SamplePulse("p-1").onset_ns);
  EXPECT_FALSE(store_->GetPulse("p-2")->has_value());
}

TEST_F(SqliteStoreTest, BatchReportsDuplicatesInsideTheBatch) {
  const std::vector<PulseWithSnippet> batch = {
      {SamplePulse("a"), {}}, {SamplePulse("b"), {}}, {SamplePulse("a"), {}}};
  Result<std::vector<WriteOutcome>> outcomes = store_->InsertPulses(batch);
  ASSERT_TRUE(outcomes.has_value()) << outcomes.error().ToString();
  EXPECT_EQ(*outcomes, (std::vector<WriteOutcome>{WriteOutcome::kInserted, WriteOutcome::kInserted,
                                                  WriteOutcome::kDuplicate}));
}

TEST_F(SqliteStoreTest, BatchWithAnInvalidPulseIsRefusedWhole) {
  Pulse bad = SamplePulse("");
  const std::vector<PulseWithSnippet> batch = {{SamplePulse("a"), {}}, {bad, {}}};
  Result<std::vector<WriteOutcome>> outcomes = store_->InsertPulses(batch);
  ASSERT_FALSE(outcomes.has_value());
  EXPECT_NE(outcomes.error().where.find("batch element 1"), std::string::npos);
  EXPECT_EQ(store_->Counts()->pulses, 0);
}

TEST_F(SqliteStoreTest, RandomInsertsWithDuplicatesCountDistinctIds) {
  std::mt19937 random(20240706);
  std::uniform_int_distribution<int> id_of(0, 299);
  std::uniform_int_distribution<int> batch_size(1, 40);
  std::set<std::string> distinct;
  int64_t inserted = 0;
  for (int round = 0; round < 30; ++round) {
    std::vector<PulseWithSnippet> batch;
    for (int i = batch_size(random); i > 0; --i) {
      const std::string id = "pulse-" + std::to_string(id_of(random));
      distinct.insert(id);
      batch.push_back({SamplePulse(id), {}});
    }
    Result<std::vector<WriteOutcome>> outcomes = store_->InsertPulses(batch);
    ASSERT_TRUE(outcomes.has_value()) << outcomes.error().ToString();
    for (WriteOutcome outcome : *outcomes) inserted += outcome == WriteOutcome::kInserted;
  }
  EXPECT_EQ(store_->Counts()->pulses, static_cast<int64_t>(distinct.size()));
  EXPECT_EQ(inserted, static_cast<int64_t>(distinct.size()));
}

TEST_F(SqliteStoreTest, EveryShotVersionIsKept) {
  for (int version = 1; version <= 3; ++version) {
    Result<WriteOutcome> put =
        store_->PutShot(SampleShot("shot-1", version, "inc-1"), "machine:locate");
    ASSERT_TRUE(put.has_value()) << put.error().ToString();
    EXPECT_EQ(*put, WriteOutcome::kInserted);
  }
  EXPECT_EQ(*store_->PutShot(SampleShot("shot-1", 2, "inc-1"), "machine:locate"),
            WriteOutcome::kDuplicate);
  Shot changed = SampleShot("shot-1", 2, "inc-1");
  changed.label = "firecracker";
  EXPECT_FALSE(store_->PutShot(changed, "machine:locate").has_value());

  Result<std::vector<Shot>> versions = store_->ShotVersions("shot-1");
  ASSERT_TRUE(versions.has_value());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[0].fix.position_m.x(), 10.0);
  EXPECT_EQ((*versions)[2].version, 3);
  EXPECT_EQ((*store_->GetShot("shot-1"))->version, 3);
  const StoreCounts counts = *store_->Counts();
  EXPECT_EQ(counts.shots, 1);
  EXPECT_EQ(counts.shot_versions, 3);
  EXPECT_EQ(counts.audit_entries, 3);
}

TEST_F(SqliteStoreTest, ShotsOfAnIncidentFollowTheirLatestVersion) {
  ASSERT_TRUE(store_->PutShot(SampleShot("s1", 1, "inc-1"), "machine:locate"));
  ASSERT_TRUE(store_->PutShot(SampleShot("s2", 1, "inc-1"), "machine:locate"));
  ASSERT_TRUE(store_->PutShot(SampleShot("s2", 2, "inc-2"), "machine:incident"));
  Result<std::vector<Shot>> shots = store_->ShotsOfIncident("inc-1");
  ASSERT_TRUE(shots.has_value());
  ASSERT_EQ(shots->size(), 1u);
  EXPECT_EQ((*shots)[0].id, "s1");
  EXPECT_EQ(store_->ShotsOfIncident("inc-2")->size(), 1u);
}

TEST_F(SqliteStoreTest, PulsesOfAShotAreThoseItsFixUsed) {
  for (const char* id : {"p1", "p2", "p3", "p4"}) ASSERT_TRUE(store_->InsertPulse(SamplePulse(id)));
  ASSERT_TRUE(store_->PutShot(SampleShot("s1", 1, "inc-1"), "machine:locate"));
  Result<std::vector<Pulse>> pulses = store_->PulsesOfShot("s1");
  ASSERT_TRUE(pulses.has_value());
  ASSERT_EQ(pulses->size(), 3u);
  EXPECT_EQ((*pulses)[0].id, "p1");
  EXPECT_EQ((*pulses)[2].id, "p3");
}

TEST_F(SqliteStoreTest, EveryIncidentVersionIsKeptAndFedInOrder) {
  ASSERT_TRUE(store_->PutIncident(SampleIncident("inc-1", 1), "machine:incident"));
  ASSERT_TRUE(store_->PutIncident(SampleIncident("inc-2", 1), "machine:incident"));
  ASSERT_TRUE(store_->PutIncident(SampleIncident("inc-1", 2), "machine:incident"));
  EXPECT_EQ(*store_->PutIncident(SampleIncident("inc-1", 2), "machine:incident"),
            WriteOutcome::kDuplicate);
  EXPECT_EQ(store_->IncidentVersions("inc-1")->size(), 2u);
  EXPECT_EQ((*store_->GetIncident("inc-1"))->version, 2);
  EXPECT_FALSE(store_->GetIncident("inc-3")->has_value());

  Result<std::vector<IncidentChange>> feed = store_->IncidentsChangedSince(0, 2);
  ASSERT_TRUE(feed.has_value());
  ASSERT_EQ(feed->size(), 2u);
  EXPECT_EQ((*feed)[0].incident.id, "inc-1");
  EXPECT_EQ((*feed)[1].incident.id, "inc-2");
  Result<std::vector<IncidentChange>> rest = store_->IncidentsChangedSince((*feed)[1].sequence, 10);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].incident.version, 2);
  EXPECT_GT((*rest)[0].sequence, (*feed)[1].sequence);
  const StoreCounts counts = *store_->Counts();
  EXPECT_EQ(counts.incidents, 2);
  EXPECT_EQ(counts.incident_versions, 3);
}

TEST_F(SqliteStoreTest, ReviewsAndDispositionsAreStoredAndAudited) {
  Review review{"inc-1", "alice", "gunfire", "heard on the 911 call", 5};
  EXPECT_FALSE(store_->AddReview(review).has_value());  // no such incident yet
  ASSERT_TRUE(store_->PutIncident(SampleIncident("inc-1", 1), "machine:incident"));
  ASSERT_TRUE(store_->AddReview(review)) << "review";
  ASSERT_TRUE(store_->AddDisposition("inc-1", {"evidence_found", "4 casings", "bob", 9}));
  ASSERT_EQ(store_->ReviewsOf("inc-1")->size(), 1u);
  EXPECT_EQ((*store_->ReviewsOf("inc-1"))[0].user, "alice");
  ASSERT_EQ(store_->DispositionsOf("inc-1")->size(), 1u);
  EXPECT_EQ((*store_->DispositionsOf("inc-1"))[0].code, "evidence_found");

  Result<std::vector<AuditRecord>> audit = store_->ReadAudit(0, 100);
  ASSERT_TRUE(audit.has_value());
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].entry.action, "incident.created");
  EXPECT_EQ((*audit)[1].entry.actor, "user:alice");
  EXPECT_EQ((*audit)[1].entry.action, "incident.reviewed");
  EXPECT_EQ((*audit)[2].entry.action, "incident.disposition");
}

TEST_F(SqliteStoreTest, SensorsAreRegisteredAndReRegistered) {
  SensorInfo sensor{
      "S1", {1.0, 2.0, 3.0}, 0.5, GeodeticPoint{40.4, -79.9, 250.0}, {{"firmware", "1.2"}}};
  ASSERT_TRUE(store_->PutSensor(sensor));
  sensor.metadata["firmware"] = "1.3";
  ASSERT_TRUE(store_->PutSensor(sensor));
  Result<std::optional<SensorInfo>> read = store_->GetSensor("S1");
  ASSERT_TRUE(read.has_value() && read->has_value());
  EXPECT_EQ((*read)->metadata["firmware"], "1.3");
  EXPECT_EQ((*read)->geodetic->lon_deg, -79.9);
  EXPECT_EQ(store_->ListSensors()->size(), 1u);
}

TEST_F(SqliteStoreTest, SnippetDigestIsVerifiedAndTamperingDetected) {
  const std::vector<unsigned char> audio = {'f', 'L', 'a', 'C', 1, 2, 3, 4, 0, 255};
  ASSERT_TRUE(store_->InsertPulse(SamplePulse("p1"), Snippet{"p1", "audio/flac", audio, ""}));
  Result<StoredSnippet> read = store_->ReadSnippet("p1", "user:alice");
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->bytes, audio);
  EXPECT_EQ(read->sha256.size(), 64u);

  RawSql("UPDATE snippets SET bytes = X'664C614301020304FF00' WHERE pulse_id = 'p1'");
  Result<StoredSnippet> tampered = store_->ReadSnippet("p1", "user:alice");
  ASSERT_FALSE(tampered.has_value());
  EXPECT_NE(tampered.error().message.find("digest mismatch"), std::string::npos)
      << tampered.error().ToString();

  Result<std::vector<AuditRecord>> audit = store_->ReadAudit(0, 100);
  ASSERT_EQ(audit->size(), 2u);  // both reads, the failed one too
  EXPECT_EQ((*audit)[0].entry.action, "audio.accessed");
  EXPECT_EQ((*audit)[1].entry.details["digest_ok"], false);
}

TEST_F(SqliteStoreTest, SnippetByPathIsVerifiedOnRead) {
  const std::string file = (root_ / "p1.flac").string();
  std::ofstream(file, std::ios::binary) << "fLaC original audio";
  ASSERT_TRUE(store_->InsertPulse(SamplePulse("p1"), Snippet{"p1", "audio/flac", {}, file}));
  EXPECT_TRUE(store_->ReadSnippet("p1", "machine:cap").has_value());
  EXPECT_EQ(*store_->PutSnippet({"p1", "audio/flac", {}, file}), WriteOutcome::kDuplicate);
  std::ofstream(file, std::ios::binary) << "fLaC edited audio!!";
  EXPECT_FALSE(store_->ReadSnippet("p1", "machine:cap").has_value());
}

TEST_F(SqliteStoreTest, AuditLogRefusesUpdateAndDeleteByTrigger) {
  ASSERT_TRUE(store_->PutIncident(SampleIncident("inc-1", 1), "machine:incident"));
  std::string error;
  EXPECT_NE(RawSqlStatus("UPDATE audit_log SET actor = 'user:mallory'", &error), SQLITE_OK);
  EXPECT_NE(error.find("append-only"), std::string::npos) << error;
  EXPECT_NE(RawSqlStatus("DELETE FROM audit_log", &error), SQLITE_OK);
  EXPECT_EQ(store_->Counts()->audit_entries, 1);
}

TEST_F(SqliteStoreTest, AuditChainVerifiesAndATamperedRowIsFoundAtItsSequence) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(
        store_->PutIncident(SampleIncident("inc-" + std::to_string(i), 1), "machine:incident"));
  }
  Result<AuditChainCheck> intact = store_->VerifyAuditChain();
  ASSERT_TRUE(intact.has_value());
  EXPECT_TRUE(intact->ok) << intact->reason;
  EXPECT_EQ(intact->entries_checked, 5);

  RawSql(
      "DROP TRIGGER audit_log_no_update;"
      "UPDATE audit_log SET details = json_set(details, '$.label', 'not_gunfire') "
      "WHERE sequence = 3;");
  Reopen();  // the migration does not recreate a dropped trigger; the chain still tells
  Result<AuditChainCheck> tampered = store_->VerifyAuditChain();
  ASSERT_TRUE(tampered.has_value());
  EXPECT_FALSE(tampered->ok);
  EXPECT_EQ(tampered->first_broken_sequence, 3);
  EXPECT_EQ(tampered->entries_checked, 2);
}

TEST_F(SqliteStoreTest, DataSurvivesReopening) {
  ASSERT_TRUE(store_->InsertPulse(SamplePulse("p1")));
  ASSERT_TRUE(store_->PutIncident(SampleIncident("inc-1", 1), "machine:incident"));
  Reopen();
  const StoreCounts counts = *store_->Counts();
  EXPECT_EQ(counts.pulses, 1);
  EXPECT_EQ(counts.incidents, 1);
  EXPECT_TRUE(store_->VerifyAuditChain()->ok);
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerBuild) {
  RawSql("INSERT INTO schema_version (version, applied_ns) VALUES (99, 0)");
  store_.reset();
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(path_);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("newer"), std::string::npos);
}

}  // namespace
}  // namespace earshot::store
