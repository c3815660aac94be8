#include "earshot/sensor/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "earshot/core/time.h"
#include "earshot/sensor/durable_file.h"

namespace earshot::sensor {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxPulseIdLength = 128;
constexpr char kTemporaryPrefix[] = ".tmp-";
constexpr char kLockName[] = ".lock";
constexpr char kRecordExtension[] = ".json";
constexpr char kSnippetExtension[] = ".flac";

bool IsSpoolOwn(const std::string& name) { return !name.empty() && name.front() == '.'; }

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

// Size of a file, 0 when it is not there.
int64_t SizeOrZero(const std::string& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

// Removes a file; a file that is already gone is fine.
Result<bool> RemoveIfPresent(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return Fail(path, "", std::string("cannot delete: ") + std::strerror(errno));
}

// Reads one record file into a SpooledPulse (without the snippet's size).
Result<SpooledPulse> ReadRecord(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Fail(path, "", std::string("cannot open: ") + std::strerror(errno));
  nlohmann::json record = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (record.is_discarded() || !record.is_object()) {
    return Fail(path, "", "expected one JSON object (a pulse record), got something else");
  }
  SpooledPulse pulse;
  if (!record.contains("pulse_id") || !record["pulse_id"].is_string()) {
    return Fail(path, "field pulse_id", "expected a string");
  }
  pulse.pulse_id = record["pulse_id"].get<std::string>();
  if (!record.contains("time_utc") || !record["time_utc"].is_string()) {
    return Fail(path, "field time_utc", "expected an ISO 8601 UTC time string");
  }
  auto onset = ParseIsoUtc(record["time_utc"].get<std::string>());
  if (!onset) return Fail(path, "field time_utc", onset.error());
  pulse.onset_ns = *onset;
  pulse.record_path = path;
  pulse.record = std::move(record);
  return pulse;
}

}  // namespace

Spool::Spool(std::string directory, const SpoolOptions& options)
    : directory_(std::move(directory)), options_(options) {}

Spool::Spool(Spool&& other) noexcept
    : directory_(std::move(other.directory_)),
      options_(other.options_),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      bytes_(other.bytes_),
      recovery_(other.recovery_) {}

Spool& Spool::operator=(Spool&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    directory_ = std::move(other.directory_);
    options_ = other.options_;
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    bytes_ = other.bytes_;
    recovery_ = other.recovery_;
  }
  return *this;
}

Spool::~Spool() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the writer's lock
}

std::string Spool::PathOf(const std::string& name) const {
  return (fs::path(directory_) / name).string();
}

Result<void> Spool::CheckPulseId(const std::string& pulse_id) {
  const bool length_ok = !pulse_id.empty() && pulse_id.size() <= kMaxPulseIdLength;
  const bool characters_ok = std::all_of(pulse_id.begin(), pulse_id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!length_ok || !characters_ok || pulse_id.front() == '.') {
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "\"" + text + "\"".
    std::string shown = "\"";
    shown.append(pulse_id, 0, kMaxPulseIdLength);
    shown.push_back('"');
    return Fail("pulse id", std::move(shown),
                "expected 1 to 128 characters of letters, digits, '.', '_' and '-', not "
                "starting with '.'");
  }
  return {};
}

Result<Spool> Spool::Open(const std::string& directory, const SpoolOptions& options) {
  if (!(options.max_bytes > 0)) {
    return Fail("config", "spool max bytes",
                "expected a positive size, got " + std::to_string(options.max_bytes));
  }
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return Fail(directory, "", "no such spool directory");
  }
  Spool spool(directory, options);
  auto bytes = spool.CountBytes();
  if (!bytes) return std::unexpected(bytes.error());
  spool.bytes_ = *bytes;
  return spool;
}

Result<Spool> Spool::OpenForWriting(const std::string& directory, const SpoolOptions& options) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return Fail(directory, "", "cannot create the spool directory: " + error.message());
  auto opened = Open(directory, options);
  if (!opened) return std::unexpected(opened.error());
  Spool spool = std::move(*opened);
  const std::string lock_path = spool.PathOf(kLockName);
  spool.lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (spool.lock_fd_ < 0) {
    return Fail(lock_path, "", std::string("cannot create the lock: ") + std::strerror(errno));
  }
  if (::flock(spool.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Fail(directory, "",
                "another agent is writing to this spool (it holds " + lock_path +
                    "); give each agent its own spool");
  }
  if (auto recovered = spool.Recover(); !recovered) return std::unexpected(recovered.error());
  auto bytes = spool.CountBytes();
  if (!bytes) return std::unexpected(bytes.error());
  spool.bytes_ = *bytes;
  return spool;
}

void Spool::AddSnippet(SpooledPulse* pulse) const {
  pulse->bytes = SizeOrZero(pulse->record_path);
  const std::string snippet_path = PathOf(SnippetFileName(pulse->pulse_id));
  std::error_code missing;
  if (fs::exists(snippet_path, missing)) {
    pulse->snippet_path = snippet_path;
    pulse->bytes += SizeOrZero(snippet_path);
  }
}

Result<void> Spool::Recover() {
  std::error_code error;
  std::vector<std::string> doomed;
  for (const auto& entry : fs::directory_iterator(directory_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kTemporaryPrefix)) {
      doomed.push_back(name);
      ++recovery_.temporary_files_removed;
    } else if (!IsSpoolOwn(name) && EndsWith(name, kSnippetExtension)) {
      const std::string id = name.substr(0, name.size() - std::strlen(kSnippetExtension));
      if (!fs::exists(PathOf(id + kRecordExtension), error)) {
        doomed.push_back(name);
        ++recovery_.orphan_snippets_removed;
      }
    }
  }
  if (error) return Fail(directory_, "", "cannot list the spool: " + error.message());
  for (const std::string& name : doomed) {
    if (auto removed = RemoveIfPresent(PathOf(name)); !removed) {
      return std::unexpected(removed.error());
    }
  }
  if (!doomed.empty()) return SyncDirectory(directory_);
  return {};
}

Result<int64_t> Spool::CountBytes() const {
  std::error_code error;
  int64_t total = 0;
  for (const auto& entry : fs::directory_iterator(directory_, error)) {
    const std::string name = entry.path().filename().string();
    if (IsSpoolOwn(name)) continue;
    std::error_code size_error;
    const auto size = entry.file_size(size_error);
    if (!size_error) total += static_cast<int64_t>(size);  // acknowledged while we looked
  }
  if (error) return Fail(directory_, "", "cannot list the spool: " + error.message());
  return total;
}

std::string Spool::SnippetTempPath(const std::string& pulse_id) const {
  return PathOf(kTemporaryPrefix + pulse_id + kSnippetExtension);
}

bool Spool::Contains(const std::string& pulse_id) const {
  std::error_code error;
  return fs::exists(PathOf(pulse_id + kRecordExtension), error);
}

Result<SpooledPulse> Spool::Read(const std::string& pulse_id) const {
  if (auto checked = CheckPulseId(pulse_id); !checked) return std::unexpected(checked.error());
  auto pulse = ReadRecord(PathOf(pulse_id + kRecordExtension));
  if (!pulse) return std::unexpected(pulse.error());
  AddSnippet(&*pulse);
  return pulse;
}

Result<PutOutcome> Spool::Put(const std::string& pulse_id, const nlohmann::json& record,
                              const std::string& snippet_temp_path) {
  // The temporary snippet is ours to consume whatever happens.
  struct TempCleaner {
    std::string path;
    ~TempCleaner() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } cleaner{snippet_temp_path};

  if (auto checked = CheckPulseId(pulse_id); !checked) return std::unexpected(checked.error());
  if (Contains(pulse_id)) return PutOutcome::kAlreadySpooled;

  const std::string text = record.dump() + "\n";
  const int64_t snippet_bytes = snippet_temp_path.empty() ? 0 : SizeOrZero(snippet_temp_path);
  const int64_t needed = static_cast<int64_t>(text.size()) + snippet_bytes;
  if (bytes_ + needed > options_.max_bytes) {
    // Others may have acknowledged pulses since we last counted.
    auto counted = CountBytes();
    if (!counted) return std::unexpected(counted.error());
    bytes_ = *counted;
    if (bytes_ + needed > options_.max_bytes) {
      return Fail(directory_, "",
                  "spool full: " + Megabytes(bytes_) + " waiting of the " +
                      Megabytes(options_.max_bytes) + " allowed; pulse " + pulse_id +
                      " refused (acknowledge pulses to make room; nothing waiting was dropped)");
    }
  }

  if (!snippet_temp_path.empty()) {
    if (auto synced = SyncFile(snippet_temp_path); !synced) return std::unexpected(synced.error());
    auto moved = RenameFile(snippet_temp_path, PathOf(SnippetFileName(pulse_id)));
    if (!moved) return std::unexpected(moved.error());
    cleaner.path.clear();
  }
  // Until the record is in place, a failure takes the snippet back out with it.
  const auto abandon = [&](const Error& error) {
    if (!snippet_temp_path.empty()) ::unlink(PathOf(SnippetFileName(pulse_id)).c_str());
    return std::unexpected(error);
  };
  const std::string record_temp = PathOf(kTemporaryPrefix + pulse_id + kRecordExtension);
  ::unlink(record_temp.c_str());  // a leftover of a failed Put of the same id
  if (auto written = WriteAndSync(record_temp, text); !written) {
    ::unlink(record_temp.c_str());
    return abandon(written.error());
  }
  if (auto moved = RenameFile(record_temp, PathOf(pulse_id + kRecordExtension)); !moved) {
    ::unlink(record_temp.c_str());
    return abandon(moved.error());
  }
  if (auto synced = SyncDirectory(directory_); !synced) return std::unexpected(synced.error());
  bytes_ += needed;
  return PutOutcome::kSpooled;
}

Result<AckOutcome> Spool::Ack(const std::string& pulse_id) {
  if (auto checked = CheckPulseId(pulse_id); !checked) return std::unexpected(checked.error());
  const std::string record_path = PathOf(pulse_id + kRecordExtension);
  const std::string snippet_path = PathOf(SnippetFileName(pulse_id));
  const int64_t freed = SizeOrZero(record_path) + SizeOrZero(snippet_path);
  // The record first: once it is gone the pulse is acknowledged, whatever happens next.
  auto record_removed = RemoveIfPresent(record_path);
  if (!record_removed) return std::unexpected(record_removed.error());
  if (!*record_removed) return AckOutcome::kUnknown;
  if (auto removed = RemoveIfPresent(snippet_path); !removed) {
    return std::unexpected(removed.error());
  }
  if (auto synced = SyncDirectory(directory_); !synced) return std::unexpected(synced.error());
  bytes_ = std::max<int64_t>(0, bytes_ - freed);
  return AckOutcome::kAcknowledged;
}

Result<SpoolListing> Spool::List() const {
  SpoolListing listing;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory_, error)) {
    const std::string name = entry.path().filename().string();
    if (IsSpoolOwn(name) || !EndsWith(name, kRecordExtension)) continue;
    auto pulse = ReadRecord(entry.path().string());
    if (!pulse) {
      // Acknowledged by someone else between listing and reading: not a problem.
      std::error_code gone;
      if (!fs::exists(entry.path(), gone)) continue;
      listing.unreadable.push_back(pulse.error());
      continue;
    }
    const std::string stem = name.substr(0, name.size() - std::strlen(kRecordExtension));
    if (pulse->pulse_id != stem) {
      // Ack finds a pulse by its file name; a record under another name could never leave.
      listing.unreadable.push_back(
          Error{pulse->record_path, "field pulse_id",
                "expected \"" + stem + "\" (the file's name), got \"" + pulse->pulse_id + "\""});
      continue;
    }
    AddSnippet(&*pulse);
    listing.pending.push_back(std::move(*pulse));
  }
  if (error) return Fail(directory_, "", "cannot list the spool: " + error.message());
  std::sort(listing.pending.begin(), listing.pending.end(),
            [](const SpooledPulse& a, const SpooledPulse& b) {
              return a.onset_ns != b.onset_ns ? a.onset_ns < b.onset_ns : a.pulse_id < b.pulse_id;
            });
  return listing;
}

}  // namespace earshot::sensor
