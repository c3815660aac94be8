// kill -9 during ingest: everything the store acknowledged (returned success for) is there
// after reopening, exactly once, and the audit chain verifies (DESIGN.md §6, issue 6).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "earshot/store/sqlite_store.h"
#include "earshot/store/test_records.h"

namespace earshot::store {
namespace {

namespace fs = std::filesystem;

// Built by appending: GCC 12's -Wrestrict misfires on "literal" + std::to_string(...).
std::string NumberedId(const char* prefix, int n) {
  std::string id(prefix);
  id.append(std::to_string(n));
  return id;
}

// The child: ingests pulses in small batches (with replays of the previous batch, as a
// sensor resends after a lost acknowledgement) and an incident version every few batches,
// and writes each acknowledged pulse id to `ack_fd` only after the insert returned.
[[noreturn]] void IngestUntilKilled(const std::string& path, int ack_fd) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  if (!store) _exit(2);
  for (int batch = 0;; ++batch) {
    std::vector<PulseWithSnippet> pulses;
    for (int i = 0; i < 4; ++i) {
      const std::string id = NumberedId("pulse-", batch * 4 + i);
      const std::vector<unsigned char> audio(256, static_cast<unsigned char>(i));
      pulses.push_back({testing::SamplePulse(id), Snippet{id, "audio/flac", audio, ""}});
    }
    if (batch > 0)
      pulses.push_back({testing::SamplePulse(NumberedId("pulse-", batch * 4 - 1)), {}});
    if (!(*store)->InsertPulses(pulses)) _exit(3);
    if (batch % 3 == 0) {
      Incident incident = testing::SampleIncident(NumberedId("inc-", batch / 30), batch / 3 + 1);
      if (!(*store)->PutIncident(incident, "machine:incident")) _exit(4);
    }
    std::string acks;
    for (const PulseWithSnippet& p : pulses) acks += p.pulse.id + "\n";
    if (write(ack_fd, acks.data(), acks.size()) != static_cast<ssize_t>(acks.size())) _exit(5);
  }
}

TEST(SqliteStoreCrashTest, AcknowledgedPulsesSurviveKillNine) {
  const fs::path root =
      fs::temp_directory_path() / ("earshot_store_crash_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string path = (root / "earshot.db").string();

  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    IngestUntilKilled(path, pipe_fds[1]);
  }
  close(pipe_fds[1]);

  // Read acknowledgements until enough have come, then kill the child mid-ingest.
  std::string acked_text;
  char buffer[4096];
  int newlines = 0;
  while (newlines < 400) {
    const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
    ASSERT_GT(got, 0) << "the child stopped before being killed";
    acked_text.append(buffer, static_cast<size_t>(got));
    for (ssize_t i = 0; i < got; ++i) newlines += buffer[i] == '\n';
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  // Acknowledgements written before the kill are still in the pipe.
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    acked_text.append(buffer, static_cast<size_t>(got));
  }
  close(pipe_fds[0]);

  std::set<std::string> acked;
  for (size_t start = 0, end; (end = acked_text.find('\n', start)) != std::string::npos;
       start = end + 1) {
    acked.insert(acked_text.substr(start, end - start));  // a torn last line is not an ack
  }

  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  for (const std::string& id : acked) {
    Result<std::optional<Pulse>> pulse = (*store)->GetPulse(id);
    ASSERT_TRUE(pulse.has_value() && pulse->has_value()) << "acknowledged pulse lost: " << id;
  }
  const StoreCounts counts = *(*store)->Counts();
  // Exactly once: the pulse table holds distinct ids, at least every acknowledged one, and
  // at most one batch (4 new pulses) more: the batch committed when the kill came before
  // its acknowledgement was written.
  EXPECT_GE(counts.pulses, static_cast<int64_t>(acked.size()));
  EXPECT_LE(counts.pulses, static_cast<int64_t>(acked.size()) + 4);
  EXPECT_EQ(counts.snippets, counts.pulses);
  Result<AuditChainCheck> chain = (*store)->VerifyAuditChain();
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->ok) << "broken at " << chain->first_broken_sequence << ": " << chain->reason;
  EXPECT_EQ(chain->entries_checked, counts.audit_entries);
  EXPECT_GT(counts.audit_entries, 0);

  // Ingest goes on after the restart; replays stay idempotent.
  Result<WriteOutcome> replay = (*store)->InsertPulse(testing::SamplePulse(*acked.begin()));
  ASSERT_TRUE(replay.has_value());
  EXPECT_EQ(*replay, WriteOutcome::kDuplicate);
  store->reset();
  fs::remove_all(root);
}

}  // namespace
}  // namespace earshot::store
