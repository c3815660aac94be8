// The audit log: an append-only, hash-chained record of every machine and human decision
// on an incident (DESIGN.md §7), so that anyone holding the log can show that no entry was
// changed, removed from the middle or reordered since it was written.
//
// Entry n carries hash_n = SHA-256(hash_{n-1} || CanonicalAuditBytes(entry_n)) as 64 hex
// digits, where hash_{n-1} is the previous entry's hash as its 64 ASCII hex digits
// (kAuditGenesisHash for the first entry) and || is byte concatenation. The canonical bytes
// are the compact JSON object
//   {"action":...,"actor":...,"details":{...},"sequence":n,"subject":...,"time_ns":...}
// with keys sorted and no whitespace (nlohmann::json::dump()). docs/storage.md shows how
// to recompute a hash by hand.
//
// The chain proves integrity, not completeness at the tail: cutting off the newest entries
// leaves a valid chain. Publishing the head hash elsewhere (a signed daily anchor) closes
// that gap; it is not built yet.
//
// This file holds the format and the verifier, independent of where entries are kept; the
// store appends them (Store::AppendAudit) in the same transaction as the decision.
#ifndef EARSHOT_STORE_AUDIT_LOG_H_
#define EARSHOT_STORE_AUDIT_LOG_H_

#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace earshot::store {

// The hash before the first entry: 64 zeros.
inline constexpr char kAuditGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

// What a caller states when it appends. Actors are "machine:<stage>" or "user:<name>";
// actions are dotted verbs: "incident.created", "incident.updated", "incident.reviewed",
// "incident.disposition", "shot.located", "audio.accessed", "alert.sent", ...
struct AuditEntry {
  int64_t time_ns = 0;  // UTC ns of the decision
  std::string actor;
  std::string action;
  std::string subject_id;  // incident, shot, pulse or sensor id
  nlohmann::json details = nlohmann::json::object();
};

// An entry as stored: its place in the chain and its links.
struct AuditRecord {
  int64_t sequence = 0;  // 1, 2, 3, ... without gaps
  AuditEntry entry;
  std::string prev_hash;  // 64 hex digits
  std::string hash;       // 64 hex digits
};

// The bytes hashed for one entry at `sequence` (see the file comment).
std::string CanonicalAuditBytes(int64_t sequence, const AuditEntry& entry);

// SHA-256(prev_hash || CanonicalAuditBytes(sequence, entry)) as 64 hex digits.
std::string AuditChainHash(const std::string& prev_hash, int64_t sequence, const AuditEntry& entry);

// Builds the record that follows `previous` (nullptr: the first entry).
AuditRecord ChainAuditEntry(const AuditRecord* previous, AuditEntry entry);

// What checking a chain found.
struct AuditChainCheck {
  bool ok = true;
  int64_t entries_checked = 0;        // entries whose links held
  int64_t first_broken_sequence = 0;  // 0 when ok
  std::string reason;                 // why that entry breaks the chain; empty when ok
};

// Checks `records` (in stored order): sequences without gaps, each prev_hash equal to the
// previous hash, each hash recomputed from the entry. `previous` is the already verified
// record just before records.front(), so that a long chain can be checked page by page;
// nullptr: the records start the chain (sequence 1, kAuditGenesisHash). Reports the first
// entry that fails.
AuditChainCheck VerifyAuditRecords(std::span<const AuditRecord> records,
                                   const AuditRecord* previous = nullptr);

}  // namespace earshot::store

#endif  // EARSHOT_STORE_AUDIT_LOG_H_
