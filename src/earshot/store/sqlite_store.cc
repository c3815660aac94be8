#include "earshot/store/sqlite_store.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

#include "earshot/digest/sha256.h"
#include "earshot/store/internal/schema.h"
#include "earshot/store/internal/sqlite_connection.h"
#include "earshot/store/record_json.h"

namespace earshot::store {
namespace {

using internal::Connection;
using internal::Statement;
using internal::Transaction;
using nlohmann::json;

// Propagates the Error of a failed Result out of the calling function.
#define STORE_TRY(expression)                             \
  do {                                                    \
    if (auto _result = (expression); !_result) {          \
      return std::unexpected(std::move(_result).error()); \
    }                                                     \
  } while (false)

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<json> ParseRecord(const std::string& text, const std::string& source) {
  json record = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (record.is_discarded()) return Fail(source, "", "stored record is not valid JSON");
  return record;
}

json PositionJson(const Eigen::Vector3d& p) { return {p.x(), p.y(), p.z()}; }

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  static_assert(kSchemaVersion == internal::kLatestSchemaVersion);
  Result<std::unique_ptr<Connection>> connection = Connection::Open(path);
  if (!connection) return std::unexpected(connection.error());
  STORE_TRY(internal::PrepareDatabase(**connection));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*connection)));
}

// ---- sensors ----

Result<void> SqliteStore::PutSensor(const SensorInfo& sensor) {
  if (sensor.id.empty()) return Fail("sensor", "field id", "expected a non-empty sensor id");
  std::lock_guard lock(mutex_);
  Result<Statement> put = connection_->Prepare(
      "INSERT INTO sensors (id, x_m, y_m, z_m, position_sigma_m, lat_deg, lon_deg, height_m, "
      "metadata, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET x_m = excluded.x_m, y_m = excluded.y_m, "
      "z_m = excluded.z_m, position_sigma_m = excluded.position_sigma_m, "
      "lat_deg = excluded.lat_deg, lon_deg = excluded.lon_deg, height_m = excluded.height_m, "
      "metadata = excluded.metadata, updated_ns = excluded.updated_ns");
  if (!put) return std::unexpected(put.error());
  put->Bind(1, sensor.id)
      .Bind(2, sensor.position_m.x())
      .Bind(3, sensor.position_m.y())
      .Bind(4, sensor.position_m.z())
      .Bind(5, sensor.position_sigma_m);
  if (sensor.geodetic) {
    put->Bind(6, sensor.geodetic->lat_deg)
        .Bind(7, sensor.geodetic->lon_deg)
        .Bind(8, sensor.geodetic->height_m);
  } else {
    put->BindNull(6).BindNull(7).BindNull(8);
  }
  put->Bind(9, sensor.metadata.dump()).Bind(10, NowNs());
  return put->Run();
}

namespace {

constexpr char kSelectSensor[] =
    "SELECT id, x_m, y_m, z_m, position_sigma_m, lat_deg, lon_deg, height_m, metadata "
    "FROM sensors";

Result<SensorInfo> ReadSensorRow(const Statement& row, const std::string& source) {
  SensorInfo sensor;
  sensor.id = row.Text(0);
  sensor.position_m = {row.Real(1), row.Real(2), row.Real(3)};
  sensor.position_sigma_m = row.Real(4);
  if (!row.IsNull(5)) sensor.geodetic = GeodeticPoint{row.Real(5), row.Real(6), row.Real(7)};
  Result<json> metadata = ParseRecord(row.Text(8), source + ":sensors:" + sensor.id);
  if (!metadata) return std::unexpected(metadata.error());
  sensor.metadata = std::move(*metadata);
  return sensor;
}

}  // namespace

Result<std::optional<SensorInfo>> SqliteStore::GetSensor(const std::string& id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(std::string(kSelectSensor) + " WHERE id = ?");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  Result<bool> row = get->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<SensorInfo>();
  Result<SensorInfo> sensor = ReadSensorRow(*get, connection_->path());
  if (!sensor) return std::unexpected(sensor.error());
  return std::optional<SensorInfo>(std::move(*sensor));
}

Result<std::vector<SensorInfo>> SqliteStore::ListSensors() {
  std::lock_guard lock(mutex_);
  Result<Statement> list = connection_->Prepare(std::string(kSelectSensor) + " ORDER BY id");
  if (!list) return std::unexpected(list.error());
  std::vector<SensorInfo> sensors;
  for (;;) {
    Result<bool> row = list->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    Result<SensorInfo> sensor = ReadSensorRow(*list, connection_->path());
    if (!sensor) return std::unexpected(sensor.error());
    sensors.push_back(std::move(*sensor));
  }
  return sensors;
}

// ---- pulses and snippets ----

namespace {

Result<void> ValidateSnippet(const Snippet& snippet, const std::string& where) {
  if (snippet.pulse_id.empty()) return Fail("snippet", where, "expected a non-empty pulse id");
  if (snippet.bytes.empty() == snippet.path.empty()) {
    return Fail("snippet " + snippet.pulse_id, where, "expected either bytes or a path, not both");
  }
  return {};
}

}  // namespace

Result<std::vector<WriteOutcome>> SqliteStore::InsertPulses(
    std::span<const PulseWithSnippet> batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const Pulse& pulse = batch[i].pulse;
    const std::string where = "batch element " + std::to_string(i);
    if (pulse.id.empty()) return Fail("pulse", where + ", field id", "expected a non-empty id");
    if (pulse.sensor_id.empty()) {
      return Fail("pulse " + pulse.id, where + ", field sensor_id", "expected a non-empty id");
    }
    if (batch[i].snippet) {
      STORE_TRY(ValidateSnippet(*batch[i].snippet, where));
      if (batch[i].snippet->pulse_id != pulse.id) {
        return Fail("pulse " + pulse.id, where + ", snippet",
                    "snippet names pulse " + batch[i].snippet->pulse_id);
      }
    }
  }
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  const int64_t stored_ns = NowNs();
  std::vector<WriteOutcome> outcomes;
  outcomes.reserve(batch.size());
  for (const PulseWithSnippet& item : batch) {
    {
      Result<Statement> insert = connection_->Prepare(
          "INSERT INTO pulses (id, sensor_id, onset_ns, record, stored_ns) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (id) DO NOTHING");
      if (!insert) return std::unexpected(insert.error());
      insert->Bind(1, item.pulse.id)
          .Bind(2, item.pulse.sensor_id)
          .Bind(3, item.pulse.onset_ns)
          .Bind(4, PulseToRecord(item.pulse).dump())
          .Bind(5, stored_ns);
      STORE_TRY(insert->Run());
    }
    outcomes.push_back(connection_->Changes() == 1 ? WriteOutcome::kInserted
                                                   : WriteOutcome::kDuplicate);
    if (item.snippet) STORE_TRY(PutSnippetLocked(*item.snippet));
  }
  STORE_TRY(transaction->Commit());
  return outcomes;
}

Result<std::optional<Pulse>> SqliteStore::GetPulse(const std::string& id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare("SELECT record FROM pulses WHERE id = ?");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  Result<bool> row = get->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Pulse>();
  const std::string source = connection_->path() + ":pulses:" + id;
  Result<json> record = ParseRecord(get->Text(0), source);
  if (!record) return std::unexpected(record.error());
  Result<Pulse> pulse = PulseFromRecord(*record, source);
  if (!pulse) return std::unexpected(pulse.error());
  return std::optional<Pulse>(std::move(*pulse));
}

Result<WriteOutcome> SqliteStore::PutSnippetLocked(const Snippet& snippet) {
  std::string digest;
  int64_t size_bytes = 0;
  if (snippet.path.empty()) {
    digest = digest::Sha256Hex(std::span(snippet.bytes));
    size_bytes = static_cast<int64_t>(snippet.bytes.size());
  } else {
    Result<std::string> file_digest = digest::Sha256OfFile(snippet.path);
    if (!file_digest) return std::unexpected(file_digest.error());
    digest = std::move(*file_digest);
    std::error_code ignored;
    size_bytes = static_cast<int64_t>(std::filesystem::file_size(snippet.path, ignored));
  }
  Result<Statement> insert = connection_->Prepare(
      "INSERT INTO snippets (pulse_id, media_type, bytes, path, size_bytes, sha256, stored_ns) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pulse_id) DO NOTHING");
  if (!insert) return std::unexpected(insert.error());
  insert->Bind(1, snippet.pulse_id).Bind(2, snippet.media_type);
  if (snippet.path.empty()) {
    insert->BindBlob(3, snippet.bytes).BindNull(4);
  } else {
    insert->BindNull(3).Bind(4, snippet.path);
  }
  insert->Bind(5, size_bytes).Bind(6, digest).Bind(7, NowNs());
  STORE_TRY(insert->Run());
  return connection_->Changes() == 1 ? WriteOutcome::kInserted : WriteOutcome::kDuplicate;
}

Result<WriteOutcome> SqliteStore::PutSnippet(const Snippet& snippet) {
  STORE_TRY(ValidateSnippet(snippet, ""));
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  Result<WriteOutcome> outcome = PutSnippetLocked(snippet);
  if (!outcome) return outcome;
  STORE_TRY(transaction->Commit());
  return outcome;
}

Result<StoredSnippet> SqliteStore::ReadSnippet(const std::string& pulse_id,
                                               const std::string& actor) {
  if (actor.empty()) return Fail("snippet " + pulse_id, "actor", "expected who reads the audio");
  std::lock_guard lock(mutex_);
  StoredSnippet snippet;
  {
    Result<Statement> get = connection_->Prepare(
        "SELECT media_type, bytes, path, sha256, stored_ns FROM snippets WHERE pulse_id = ?");
    if (!get) return std::unexpected(get.error());
    get->Bind(1, pulse_id);
    Result<bool> row = get->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Fail(connection_->path(), "snippet " + pulse_id, "no snippet stored");
    snippet.pulse_id = pulse_id;
    snippet.media_type = get->Text(0);
    snippet.bytes = get->Blob(1);
    snippet.path = get->IsNull(2) ? std::string() : get->Text(2);
    snippet.sha256 = get->Text(3);
    snippet.stored_ns = get->Int(4);
  }
  std::string problem;
  if (!snippet.path.empty()) {
    std::ifstream in(snippet.path, std::ios::binary);
    if (!in) {
      problem = "snippet file " + snippet.path + " cannot be read";
    } else {
      snippet.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  std::string actual_digest;
  if (problem.empty()) {
    actual_digest = digest::Sha256Hex(std::span(snippet.bytes));
    if (actual_digest != snippet.sha256) {
      problem = "digest mismatch: stored " + snippet.sha256 + ", bytes now hash to " +
                actual_digest + "; the snippet was altered after it was stored";
    }
  }
  // The access is audited whether or not the evidence checks out: a failed check is
  // itself worth a record.
  {
    Result<Transaction> transaction = Transaction::Begin(*connection_);
    if (!transaction) return std::unexpected(transaction.error());
    AuditEntry entry{NowNs(), actor, "audio.accessed", pulse_id,
                     json{{"sha256", snippet.sha256}, {"digest_ok", problem.empty()}}};
    STORE_TRY(AppendAuditLocked(entry));
    STORE_TRY(transaction->Commit());
  }
  if (!problem.empty()) return Fail(connection_->path(), "snippet " + pulse_id, problem);
  return snippet;
}

// ---- shots ----

Result<WriteOutcome> SqliteStore::PutShot(const Shot& shot, const std::string& actor) {
  const std::string source = "shot " + shot.id;
  if (shot.id.empty()) return Fail("shot", "field id", "expected a non-empty id");
  if (shot.version < 1) return Fail(source, "field version", "expected a version >= 1");
  if (actor.empty()) return Fail(source, "actor", "expected who decided");
  const std::string record = ShotToRecord(shot).dump();
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  {
    Result<Statement> existing =
        connection_->Prepare("SELECT record FROM shot_versions WHERE id = ? AND version = ?");
    if (!existing) return std::unexpected(existing.error());
    existing->Bind(1, shot.id).Bind(2, shot.version);
    Result<bool> row = existing->Step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
      if (existing->Text(0) == record) return WriteOutcome::kDuplicate;
      return Fail(source, "version " + std::to_string(shot.version),
                  "already stored with different content; a stored version never changes, "
                  "publish the change as a new version");
    }
  }
  {
    Result<Statement> insert = connection_->Prepare(
        "INSERT INTO shot_versions (id, version, incident_id, emission_ns, record, stored_ns) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->Bind(1, shot.id)
        .Bind(2, shot.version)
        .Bind(3, shot.incident_id)
        .Bind(4, shot.fix.emission_ns)
        .Bind(5, record)
        .Bind(6, NowNs());
    STORE_TRY(insert->Run());
  }
  const AuditEntry entry{NowNs(), actor, shot.version == 1 ? "shot.located" : "shot.updated",
                         shot.id,
                         json{{"version", shot.version},
                              {"label", shot.label},
                              {"p", shot.p},
                              {"position_m", PositionJson(shot.fix.position_m)},
                              {"radius95_m", shot.fix.radius95_m},
                              {"sensors", shot.fix.n_sensors()},
                              {"incident_id", shot.incident_id}}};
  STORE_TRY(AppendAuditLocked(entry));
  STORE_TRY(transaction->Commit());
  return WriteOutcome::kInserted;
}

namespace {

// Reads every row of `statement` (bound, not yet stepped) whose column 0 is a record.
template <typename T, typename Reader>
Result<std::vector<T>> ReadRecords(Statement& statement, const std::string& source, Reader read) {
  std::vector<T> values;
  for (;;) {
    Result<bool> row = statement.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    Result<json> record = ParseRecord(statement.Text(0), source);
    if (!record) return std::unexpected(record.error());
    Result<T> value = read(*record, source);
    if (!value) return std::unexpected(value.error());
    values.push_back(std::move(*value));
  }
  return values;
}

template <typename T>
Result<std::optional<T>> FirstOrNone(Result<std::vector<T>> values) {
  if (!values) return std::unexpected(values.error());
  if (values->empty()) return std::optional<T>();
  return std::optional<T>(std::move(values->front()));
}

}  // namespace

Result<std::optional<Shot>> SqliteStore::GetShot(const std::string& id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(
      "SELECT record FROM shot_versions WHERE id = ? ORDER BY version DESC LIMIT 1");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  return FirstOrNone(ReadRecords<Shot>(*get, connection_->path() + ":shots:" + id, ShotFromRecord));
}

Result<std::vector<Shot>> SqliteStore::ShotVersions(const std::string& id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get =
      connection_->Prepare("SELECT record FROM shot_versions WHERE id = ? ORDER BY version");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  return ReadRecords<Shot>(*get, connection_->path() + ":shots:" + id, ShotFromRecord);
}

Result<std::vector<Shot>> SqliteStore::ShotsOfIncident(const std::string& incident_id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(
      "SELECT s.record FROM shot_versions s WHERE s.incident_id = ? AND s.version = "
      "(SELECT MAX(version) FROM shot_versions WHERE id = s.id) ORDER BY s.emission_ns, s.id");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, incident_id);
  return ReadRecords<Shot>(*get, connection_->path() + ":shots of incident " + incident_id,
                           ShotFromRecord);
}

Result<std::vector<Pulse>> SqliteStore::PulsesOfShot(const std::string& shot_id) {
  Result<std::optional<Shot>> shot = GetShot(shot_id);
  if (!shot) return std::unexpected(shot.error());
  std::vector<Pulse> pulses;
  if (!*shot) return pulses;
  for (const UsedPulse& used : (*shot)->fix.used) {
    Result<std::optional<Pulse>> pulse = GetPulse(used.pulse_id);
    if (!pulse) return std::unexpected(pulse.error());
    if (*pulse) pulses.push_back(std::move(**pulse));
  }
  return pulses;
}

// ---- incidents ----

Result<bool> SqliteStore::IncidentExistsLocked(const std::string& id) {
  Result<Statement> get = connection_->Prepare("SELECT 1 FROM incident_versions WHERE id = ?");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  return get->Step();
}

Result<WriteOutcome> SqliteStore::PutIncident(const Incident& incident, const std::string& actor) {
  const std::string source = "incident " + incident.id;
  if (incident.id.empty()) return Fail("incident", "field id", "expected a non-empty id");
  if (incident.version < 1) return Fail(source, "field version", "expected a version >= 1");
  if (actor.empty()) return Fail(source, "actor", "expected who decided");
  const std::string record = IncidentToRecord(incident).dump();
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  {
    Result<Statement> existing =
        connection_->Prepare("SELECT record FROM incident_versions WHERE id = ? AND version = ?");
    if (!existing) return std::unexpected(existing.error());
    existing->Bind(1, incident.id).Bind(2, incident.version);
    Result<bool> row = existing->Step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
      if (existing->Text(0) == record) return WriteOutcome::kDuplicate;
      return Fail(source, "version " + std::to_string(incident.version),
                  "already stored with different content; a stored version never changes, "
                  "publish the change as a new version");
    }
  }
  {
    Result<Statement> insert = connection_->Prepare(
        "INSERT INTO incident_versions (id, version, state, record, stored_ns) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->Bind(1, incident.id)
        .Bind(2, incident.version)
        .Bind(3, IncidentStateName(incident.state))
        .Bind(4, record)
        .Bind(5, NowNs());
    STORE_TRY(insert->Run());
  }
  const AuditEntry entry{
      NowNs(), actor, incident.version == 1 ? "incident.created" : "incident.updated", incident.id,
      json{{"version", incident.version},
           {"state", std::string(IncidentStateName(incident.state))},
           {"label", incident.label},
           {"p_gunfire", incident.p_gunfire},
           {"rounds", incident.rounds},
           {"shot_ids", incident.shot_ids},
           {"position_m", PositionJson(incident.position_m)}}};
  STORE_TRY(AppendAuditLocked(entry));
  STORE_TRY(transaction->Commit());
  return WriteOutcome::kInserted;
}

Result<std::optional<Incident>> SqliteStore::GetIncident(const std::string& id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(
      "SELECT record FROM incident_versions WHERE id = ? ORDER BY version DESC LIMIT 1");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  return FirstOrNone(
      ReadRecords<Incident>(*get, connection_->path() + ":incidents:" + id, IncidentFromRecord));
}

Result<std::vector<Incident>> SqliteStore::IncidentVersions(const std::string& id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get =
      connection_->Prepare("SELECT record FROM incident_versions WHERE id = ? ORDER BY version");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, id);
  return ReadRecords<Incident>(*get, connection_->path() + ":incidents:" + id, IncidentFromRecord);
}

Result<std::vector<IncidentChange>> SqliteStore::IncidentsChangedSince(int64_t after_sequence,
                                                                       int limit) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(
      "SELECT record, sequence FROM incident_versions WHERE sequence > ? ORDER BY sequence "
      "LIMIT ?");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, after_sequence).Bind(2, limit);
  std::vector<IncidentChange> changes;
  const std::string source = connection_->path() + ":incident_versions";
  for (;;) {
    Result<bool> row = get->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    Result<json> record = ParseRecord(get->Text(0), source);
    if (!record) return std::unexpected(record.error());
    Result<Incident> incident = IncidentFromRecord(*record, source);
    if (!incident) return std::unexpected(incident.error());
    changes.push_back({get->Int(1), std::move(*incident)});
  }
  return changes;
}

// ---- reviews and dispositions ----

Result<void> SqliteStore::AddReview(const Review& review) {
  const std::string source = "review of incident " + review.incident_id;
  if (review.user.empty()) return Fail(source, "field user", "expected the reviewer");
  if (review.label.empty()) return Fail(source, "field label", "expected a label");
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  Result<bool> exists = IncidentExistsLocked(review.incident_id);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists) return Fail(source, "field incident_id", "no such incident");
  {
    Result<Statement> insert = connection_->Prepare(
        "INSERT INTO reviews (incident_id, user, label, note, at_ns) VALUES (?, ?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->Bind(1, review.incident_id)
        .Bind(2, review.user)
        .Bind(3, review.label)
        .Bind(4, review.note)
        .Bind(5, review.at_ns);
    STORE_TRY(insert->Run());
  }
  STORE_TRY(AppendAuditLocked({review.at_ns, "user:" + review.user, "incident.reviewed",
                               review.incident_id,
                               json{{"label", review.label}, {"note", review.note}}}));
  return transaction->Commit();
}

Result<std::vector<Review>> SqliteStore::ReviewsOf(const std::string& incident_id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(
      "SELECT user, label, note, at_ns FROM reviews WHERE incident_id = ? ORDER BY row_id");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, incident_id);
  std::vector<Review> reviews;
  for (;;) {
    Result<bool> row = get->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    reviews.push_back({incident_id, get->Text(0), get->Text(1), get->Text(2), get->Int(3)});
  }
  return reviews;
}

Result<void> SqliteStore::AddDisposition(const std::string& incident_id,
                                         const Disposition& disposition) {
  const std::string source = "disposition of incident " + incident_id;
  if (disposition.code.empty()) return Fail(source, "field code", "expected a disposition code");
  if (disposition.by.empty()) return Fail(source, "field by", "expected who recorded it");
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  Result<bool> exists = IncidentExistsLocked(incident_id);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists) return Fail(source, "incident_id", "no such incident");
  {
    Result<Statement> insert = connection_->Prepare(
        "INSERT INTO dispositions (incident_id, code, note, by_user, at_ns) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->Bind(1, incident_id)
        .Bind(2, disposition.code)
        .Bind(3, disposition.note)
        .Bind(4, disposition.by)
        .Bind(5, disposition.at_ns);
    STORE_TRY(insert->Run());
  }
  STORE_TRY(AppendAuditLocked({disposition.at_ns, "user:" + disposition.by, "incident.disposition",
                               incident_id,
                               json{{"code", disposition.code}, {"note", disposition.note}}}));
  return transaction->Commit();
}

Result<std::vector<Disposition>> SqliteStore::DispositionsOf(const std::string& incident_id) {
  std::lock_guard lock(mutex_);
  Result<Statement> get = connection_->Prepare(
      "SELECT code, note, by_user, at_ns FROM dispositions WHERE incident_id = ? ORDER BY row_id");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, incident_id);
  std::vector<Disposition> dispositions;
  for (;;) {
    Result<bool> row = get->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    dispositions.push_back({get->Text(0), get->Text(1), get->Text(2), get->Int(3)});
  }
  return dispositions;
}

// ---- audit log ----

Result<AuditRecord> SqliteStore::AppendAuditLocked(const AuditEntry& entry) {
  if (entry.actor.empty() || entry.action.empty()) {
    return Fail("audit entry", "actor/action", "expected both an actor and an action");
  }
  // The tail is read inside the caller's transaction (BEGIN IMMEDIATE holds the write
  // lock), so no other writer can append between reading it and linking to it.
  AuditRecord previous;
  bool has_previous = false;
  {
    Result<Statement> tail =
        connection_->Prepare("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1");
    if (!tail) return std::unexpected(tail.error());
    Result<bool> row = tail->Step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
      has_previous = true;
      previous.sequence = tail->Int(0);
      previous.hash = tail->Text(1);
    }
  }
  AuditRecord record = ChainAuditEntry(has_previous ? &previous : nullptr, entry);
  Result<Statement> insert = connection_->Prepare(
      "INSERT INTO audit_log (sequence, time_ns, actor, action, subject_id, details, prev_hash, "
      "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return std::unexpected(insert.error());
  insert->Bind(1, record.sequence)
      .Bind(2, record.entry.time_ns)
      .Bind(3, record.entry.actor)
      .Bind(4, record.entry.action)
      .Bind(5, record.entry.subject_id)
      .Bind(6, record.entry.details.dump())
      .Bind(7, record.prev_hash)
      .Bind(8, record.hash);
  STORE_TRY(insert->Run());
  return record;
}

Result<AuditRecord> SqliteStore::AppendAudit(const AuditEntry& entry) {
  std::lock_guard lock(mutex_);
  Result<Transaction> transaction = Transaction::Begin(*connection_);
  if (!transaction) return std::unexpected(transaction.error());
  Result<AuditRecord> record = AppendAuditLocked(entry);
  if (!record) return record;
  STORE_TRY(transaction->Commit());
  return record;
}

Result<std::vector<AuditRecord>> SqliteStore::ReadAuditLocked(int64_t after_sequence,
                                                              int64_t limit) {
  Result<Statement> get = connection_->Prepare(
      "SELECT sequence, time_ns, actor, action, subject_id, details, prev_hash, hash "
      "FROM audit_log WHERE sequence > ? ORDER BY sequence LIMIT ?");
  if (!get) return std::unexpected(get.error());
  get->Bind(1, after_sequence).Bind(2, limit);
  std::vector<AuditRecord> records;
  for (;;) {
    Result<bool> row = get->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    AuditRecord record;
    record.sequence = get->Int(0);
    record.entry.time_ns = get->Int(1);
    record.entry.actor = get->Text(2);
    record.entry.action = get->Text(3);
    record.entry.subject_id = get->Text(4);
    // Unparseable details cannot match the hash; keep the raw text so the verifier
    // reports this entry rather than the read failing.
    const std::string details = get->Text(5);
    record.entry.details = json::parse(details, nullptr, /*allow_exceptions=*/false);
    if (record.entry.details.is_discarded()) record.entry.details = details;
    record.prev_hash = get->Text(6);
    record.hash = get->Text(7);
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::vector<AuditRecord>> SqliteStore::ReadAudit(int64_t after_sequence, int limit) {
  std::lock_guard lock(mutex_);
  return ReadAuditLocked(after_sequence, limit);
}

Result<AuditChainCheck> SqliteStore::VerifyAuditChain() {
  // Checked in pages so that a long log does not have to fit in memory at once; the last
  // record of each page links the next.
  constexpr int64_t kPage = 10000;
  AuditChainCheck total;
  std::optional<AuditRecord> last;
  std::lock_guard lock(mutex_);
  for (int64_t after = 0;;) {
    Result<std::vector<AuditRecord>> page = ReadAuditLocked(after, kPage);
    if (!page) return std::unexpected(page.error());
    if (page->empty()) return total;
    const AuditChainCheck check = VerifyAuditRecords(*page, last ? &*last : nullptr);
    total.entries_checked += check.entries_checked;
    if (!check.ok) {
      total.ok = false;
      total.first_broken_sequence = check.first_broken_sequence;
      total.reason = check.reason;
      return total;
    }
    last = page->back();
    after = last->sequence;
  }
}

Result<StoreCounts> SqliteStore::Counts() {
  std::lock_guard lock(mutex_);
  StoreCounts counts;
  const std::pair<const char*, int64_t*> queries[] = {
      {"SELECT COUNT(*) FROM sensors", &counts.sensors},
      {"SELECT COUNT(*) FROM pulses", &counts.pulses},
      {"SELECT COUNT(*) FROM snippets", &counts.snippets},
      {"SELECT COUNT(DISTINCT id) FROM shot_versions", &counts.shots},
      {"SELECT COUNT(*) FROM shot_versions", &counts.shot_versions},
      {"SELECT COUNT(DISTINCT id) FROM incident_versions", &counts.incidents},
      {"SELECT COUNT(*) FROM incident_versions", &counts.incident_versions},
      {"SELECT COUNT(*) FROM reviews", &counts.reviews},
      {"SELECT COUNT(*) FROM dispositions", &counts.dispositions},
      {"SELECT COUNT(*) FROM audit_log", &counts.audit_entries},
  };
  for (const auto& [sql, count] : queries) {
    Result<Statement> get = connection_->Prepare(sql);
    if (!get) return std::unexpected(get.error());
    Result<bool> row = get->Step();
    if (!row) return std::unexpected(row.error());
    *count = get->Int(0);
  }
  return counts;
}

}  // namespace earshot::store
