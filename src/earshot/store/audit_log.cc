#include "earshot/store/audit_log.h"

#include <utility>

#include "earshot/digest/sha256.h"

namespace earshot::store {

std::string CanonicalAuditBytes(int64_t sequence, const AuditEntry& entry) {
  // nlohmann's object is an ordered std::map, so dump() writes keys sorted and compact:
  // the same entry always gives the same bytes, also after a round trip through the
  // database (doubles are written at round-trip precision).
  const nlohmann::json canonical = {{"action", entry.action},      {"actor", entry.actor},
                                    {"details", entry.details},    {"sequence", sequence},
                                    {"subject", entry.subject_id}, {"time_ns", entry.time_ns}};
  return canonical.dump();
}

std::string AuditChainHash(const std::string& prev_hash, int64_t sequence,
                           const AuditEntry& entry) {
  return digest::Sha256Hex(prev_hash + CanonicalAuditBytes(sequence, entry));
}

AuditRecord ChainAuditEntry(const AuditRecord* previous, AuditEntry entry) {
  AuditRecord record;
  record.sequence = previous == nullptr ? 1 : previous->sequence + 1;
  record.prev_hash = previous == nullptr ? std::string(kAuditGenesisHash) : previous->hash;
  record.entry = std::move(entry);
  record.hash = AuditChainHash(record.prev_hash, record.sequence, record.entry);
  return record;
}

AuditChainCheck VerifyAuditRecords(std::span<const AuditRecord> records,
                                   const AuditRecord* previous) {
  AuditChainCheck check;
  std::string expected_prev = previous == nullptr ? kAuditGenesisHash : previous->hash;
  int64_t expected_sequence = previous == nullptr ? 1 : previous->sequence + 1;
  auto broken = [&](int64_t sequence, std::string reason) {
    check.ok = false;
    check.first_broken_sequence = sequence;
    check.reason = std::move(reason);
    return check;
  };
  for (const AuditRecord& record : records) {
    if (record.sequence != expected_sequence) {
      return broken(expected_sequence, "entry " + std::to_string(expected_sequence) +
                                           " missing (next stored is " +
                                           std::to_string(record.sequence) + ")");
    }
    if (record.prev_hash != expected_prev) {
      return broken(record.sequence, "prev_hash " + record.prev_hash +
                                         " is not the previous entry's hash " + expected_prev);
    }
    const std::string recomputed = AuditChainHash(record.prev_hash, record.sequence, record.entry);
    if (record.hash != recomputed) {
      return broken(record.sequence, "hash " + record.hash + " does not match the entry (" +
                                         recomputed + "): the entry was changed");
    }
    expected_prev = record.hash;
    ++expected_sequence;
    ++check.entries_checked;
  }
  return check;
}

}  // namespace earshot::store
