#include "earshot/store/audit_log.h"

#include <vector>

#include <gtest/gtest.h>

#include "earshot/digest/sha256.h"

namespace earshot::store {
namespace {

std::vector<AuditRecord> Chain(int n) {
  std::vector<AuditRecord> records;
  for (int i = 0; i < n; ++i) {
    AuditEntry entry{1000 + i,
                     "machine:classifier",
                     "incident.created",
                     "inc-" + std::to_string(i),
                     {{"p_gunfire", 0.1 * i}, {"rounds", i}}};
    records.push_back(ChainAuditEntry(records.empty() ? nullptr : &records.back(), entry));
  }
  return records;
}

TEST(AuditLogTest, CanonicalBytesAreSortedCompactJson) {
  const AuditEntry entry{7, "user:alice", "incident.reviewed", "inc-1", {{"label", "gunfire"}}};
  EXPECT_EQ(CanonicalAuditBytes(3, entry),
            R"({"action":"incident.reviewed","actor":"user:alice","details":{"label":"gunfire"},)"
            R"("sequence":3,"subject":"inc-1","time_ns":7})");
}

TEST(AuditLogTest, HashIsSha256OfPreviousHashAndCanonicalBytes) {
  const std::vector<AuditRecord> records = Chain(2);
  EXPECT_EQ(records[0].prev_hash, kAuditGenesisHash);
  EXPECT_EQ(records[0].hash, digest::Sha256Hex(std::string(kAuditGenesisHash) +
                                               CanonicalAuditBytes(1, records[0].entry)));
  EXPECT_EQ(records[1].prev_hash, records[0].hash);
  EXPECT_EQ(records[1].sequence, 2);
}

TEST(AuditLogTest, IntactChainVerifies) {
  const std::vector<AuditRecord> records = Chain(5);
  const AuditChainCheck check = VerifyAuditRecords(records);
  EXPECT_TRUE(check.ok) << check.reason;
  EXPECT_EQ(check.entries_checked, 5);
  EXPECT_EQ(check.first_broken_sequence, 0);
}

TEST(AuditLogTest, ChangedEntryIsFoundAtItsSequence) {
  std::vector<AuditRecord> records = Chain(5);
  records[2].entry.details["rounds"] = 99;
  const AuditChainCheck check = VerifyAuditRecords(records);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.first_broken_sequence, 3);
  EXPECT_NE(check.reason.find("changed"), std::string::npos) << check.reason;
}

TEST(AuditLogTest, RehashedEntryBreaksTheNextLink) {
  std::vector<AuditRecord> records = Chain(5);
  records[2].entry.actor = "user:mallory";
  records[2].hash = AuditChainHash(records[2].prev_hash, 3, records[2].entry);
  const AuditChainCheck check = VerifyAuditRecords(records);
  EXPECT_EQ(check.first_broken_sequence, 4);
}

TEST(AuditLogTest, RemovedEntryIsFound) {
  std::vector<AuditRecord> records = Chain(5);
  records.erase(records.begin() + 1);
  const AuditChainCheck check = VerifyAuditRecords(records);
  EXPECT_EQ(check.first_broken_sequence, 2);
  EXPECT_NE(check.reason.find("missing"), std::string::npos) << check.reason;
}

TEST(AuditLogTest, VerifiesPageByPage) {
  const std::vector<AuditRecord> records = Chain(6);
  const std::span<const AuditRecord> all(records);
  EXPECT_TRUE(VerifyAuditRecords(all.subspan(3), &records[2]).ok);
  EXPECT_FALSE(VerifyAuditRecords(all.subspan(3), &records[1]).ok);
}

}  // namespace
}  // namespace earshot::store
