#include "earshot/sim/internal/scenario_livefire.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "earshot/core/internal/json_fields.h"
#include "earshot/core/json_io.h"
#include "earshot/core/time.h"

namespace earshot::sim::internal {
namespace {

namespace fs = std::filesystem;
using earshot::internal::RecordPlace;
using nlohmann::json;

// Pulses whose back-projected emission times fall within this window agree on a shot:
// wide enough for GPS and clock errors and wind, narrow beside the ~0.4 s between rounds.
constexpr double kAgreementWindowS = 0.05;
constexpr size_t kAgreeingSensors = 3;
// Relative spread of the time between a 3-round test's rounds (the dataset's intervals
// run 0.4–1.2 s around 0.7 s).
constexpr double kLivefireCadenceSpread = 0.45;

Result<json> ReadJsonFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path.string(), "", "cannot open: " + std::string(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return earshot::internal::ParseJsonDocument(std::move(text).str(), path.string());
}

struct Survey {
  int rounds = 1;
  std::string firearm;
  std::string firing_position;
  int64_t approximate_ns = 0;
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
};

Result<Survey> ReadSurvey(const fs::path& path) {
  auto document = ReadJsonFile(path);
  if (!document) return std::unexpected(document.error());
  const RecordPlace place{path.string(), ""};
  if (!document->is_object()) {
    return std::unexpected(
        place.Whole("expected a JSON object, got " + earshot::internal::DescribeJson(*document)));
  }
  Survey survey;
  auto rounds = earshot::internal::RequiredNumber(
      *document, "num_rounds", place,
      {.min = 1, .max = 100, .what = "a whole number of rounds, 1..100"});
  if (!rounds) return std::unexpected(rounds.error());
  if (*rounds != std::floor(*rounds)) {
    return std::unexpected(place.At("num_rounds", "expected a whole number of rounds, 1..100"));
  }
  survey.rounds = static_cast<int>(*rounds);
  auto time = earshot::internal::RequiredTime(*document, "approximate_time_utc", place);
  if (!time) return std::unexpected(time.error());
  survey.approximate_ns = *time;
  const auto location = document->find("survey_location");
  if (location == document->end() || !location->is_object()) {
    return std::unexpected(place.At("survey_location", "expected an object {x, y, z} in metres"));
  }
  const char* const axes[] = {"x", "y", "z"};
  for (int axis = 0; axis < 3; ++axis) {
    auto value = earshot::internal::RequiredNumber(
        *location, axes[axis], place, {.what = "a finite number of metres"}, "survey_location");
    if (!value) return std::unexpected(value.error());
    survey.position_m[axis] = *value;
  }
  if (const auto firearm = document->find("firearm");
      firearm != document->end() && firearm->is_string()) {
    survey.firearm = firearm->get<std::string>();
  }
  if (const auto fp = document->find("firing_position"); fp != document->end() && fp->is_string()) {
    survey.firing_position = fp->get<std::string>();
  }
  return survey;
}

Result<std::vector<Pulse>> ReadPulses(const fs::path& path) {
  auto document = ReadJsonFile(path);
  if (!document) return std::unexpected(document.error());
  if (!document->is_array()) {
    return Fail(path.string(), "",
                "expected a JSON array of pulse reports, got " +
                    earshot::internal::DescribeJson(*document));
  }
  // Refused records (the dataset has none) are left out; the rest still place sensors.
  return ParseLivefirePulses(*document, path.string()).set.pulses;
}

// The earliest emission time that at least kAgreeingSensors sensors' pulses agree on.
std::optional<int64_t> AgreedEmissionNs(const std::vector<Pulse>& pulses,
                                        const Eigen::Vector3d& source_m, double speed_mps) {
  struct Candidate {
    int64_t emission_ns;
    const std::string* sensor;
  };
  std::vector<Candidate> candidates;
  for (const Pulse& pulse : pulses) {
    const double travel_s = (pulse.sensor_position_m - source_m).norm() / speed_mps;
    candidates.push_back(
        {pulse.onset_ns - static_cast<int64_t>(std::llround(travel_s * 1e9)), &pulse.sensor_id});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.emission_ns < b.emission_ns; });
  const auto window_ns = static_cast<int64_t>(kAgreementWindowS * 1e9);
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::set<std::string> sensors;
    for (size_t j = i; j < candidates.size() &&
                       candidates[j].emission_ns <= candidates[i].emission_ns + window_ns;
         ++j) {
      sensors.insert(*candidates[j].sensor);
    }
    if (sensors.size() >= kAgreeingSensors) return candidates[i].emission_ns;
  }
  return std::nullopt;
}

// Every position each sensor reported, counted, in order of first appearance.
struct SensorPositions {
  struct Seen {
    Eigen::Vector3d position_m;
    int count = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, std::vector<Seen>> seen;

  void Add(const Pulse& pulse) {
    auto [it, inserted] = seen.try_emplace(pulse.sensor_id);
    if (inserted) order.push_back(pulse.sensor_id);
    for (Seen& s : it->second) {
      if (s.position_m == pulse.sensor_position_m) {
        ++s.count;
        return;
      }
    }
    it->second.push_back({pulse.sensor_position_m, 1});
  }

  std::vector<LivefireSensor> MostReported() const {
    std::vector<LivefireSensor> sensors;
    for (const std::string& id : order) {
      const std::vector<Seen>& positions = seen.at(id);
      const Seen* best = &positions.front();
      for (const Seen& s : positions) {
        if (s.count > best->count) best = &s;
      }
      sensors.push_back({id, best->position_m});
    }
    return sensors;
  }
};

std::vector<fs::path> TestFolders(const fs::path& dir) {
  std::vector<fs::path> folders;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("test_", 0) == 0) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

}  // namespace

Result<LivefirePlan> ReadLivefirePlan(const LivefireSpec& spec,
                                      const std::string& scenario_source) {
  const fs::path dir(spec.dataset_dir);
  const auto refuse = [&](const std::string& what) {
    return Fail(scenario_source, "key livefire.dataset",
                "expected the folder of one firing position of the live-fire dataset (with "
                "test_NNN folders), got \"" +
                    spec.dataset_as_written + "\" (" + dir.string() + "): " + what);
  };
  std::error_code error;
  if (!fs::is_directory(dir, error)) return refuse("no such folder");
  const std::vector<fs::path> folders = TestFolders(dir);
  if (folders.empty()) return refuse("no test_NNN folder in it");

  LivefirePlan plan;
  SensorPositions positions;
  double temperature_sum = 0.0;
  Eigen::Vector2d wind_sum = Eigen::Vector2d::Zero();
  for (const fs::path& folder : folders) {
    const std::string test = folder.filename().string();
    auto survey = ReadSurvey(folder / (test + ".survey.json"));
    if (!survey) return std::unexpected(survey.error());
    auto weather = ReadWeatherFile((folder / (test + ".weather.json")).string());
    if (!weather) return std::unexpected(weather.error());
    auto pulses = ReadPulses(folder / (test + ".allpulses.json"));
    if (!pulses) return std::unexpected(pulses.error());
    for (const Pulse& pulse : *pulses) positions.Add(pulse);
    temperature_sum += weather->temperature_c;
    wind_sum += WindVelocityEnMps(*weather);
    if (plan.group.empty()) plan.group = survey->firing_position;

    EventPlan event;
    event.id = test;
    event.kind = SourceKind::kHandgun;
    // The firearm as the survey names it, so that a written survey says the same.
    event.description = survey->firearm.empty() ? std::string("handgun") : survey->firearm;
    event.stream = "livefire/" + test;
    event.position_m = survey->position_m;
    event.time_ns =
        AgreedEmissionNs(*pulses, survey->position_m, SpeedOfSoundMps(weather->temperature_c))
            .value_or(survey->approximate_ns);
    event.rounds = survey->rounds;
    event.cadence_s = spec.cadence_s;
    event.cadence_spread = kLivefireCadenceSpread;
    event.bullet_speed_mps = 0.0;  // .40, .45 and 9 mm rounds treated as subsonic
    plan.events.push_back(std::move(event));
  }
  plan.sensors = positions.MostReported();
  // The firing position names the output folder; a survey without one leaves the folder's.
  const std::string folder_name = dir.filename().string();
  const bool plain =
      !plan.group.empty() && std::all_of(plan.group.begin(), plan.group.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (!plain) plan.group = folder_name.empty() ? "LIVEFIRE" : folder_name;

  const auto tests = static_cast<double>(folders.size());
  plan.weather.temperature_c = temperature_sum / tests;
  const Eigen::Vector2d wind = wind_sum / tests;  // the direction the air moves to
  plan.weather.wind_speed_mps = wind.norm();
  if (plan.weather.wind_speed_mps > 0.0) {
    double from_deg = std::atan2(-wind.x(), -wind.y()) * 180.0 / 3.14159265358979323846;
    if (from_deg < 0.0) from_deg += 360.0;
    plan.weather.wind_from_deg = from_deg;
  }
  return plan;
}

}  // namespace earshot::sim::internal
