#include "earshot/core/pulse_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <unordered_map>

#include "earshot/core/time.h"

namespace earshot {
namespace {

bool SamePulse(const Pulse& a, const Pulse& b) {
  return a.id == b.id && a.sensor_id == b.sensor_id && a.onset_ns == b.onset_ns &&
         a.onset_sigma_s == b.onset_sigma_s && a.sensor_position_m == b.sensor_position_m &&
         a.sensor_position_sigma_m == b.sensor_position_sigma_m && a.snr_db == b.snr_db &&
         a.level_db_spl == b.level_db_spl && a.features == b.features;
}

// The name of the first non-finite value of the pulse, or nullopt when all are finite.
std::optional<std::string> FirstNonFinite(const Pulse& pulse) {
  if (!pulse.sensor_position_m.allFinite()) return "sensor_position";
  if (!std::isfinite(pulse.onset_sigma_s)) return "onset_sigma_s";
  if (!std::isfinite(pulse.sensor_position_sigma_m)) return "position_sigma_m";
  if (!std::isfinite(pulse.snr_db)) return "snr_db";
  if (!std::isfinite(pulse.level_db_spl)) return "level_db_spl";
  for (const auto& [name, value] : pulse.features) {
    if (!std::isfinite(value)) return "features." + name;
  }
  return std::nullopt;
}

std::string FormatSeconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
  return buffer;
}

// The window in ns, held unsigned so that a difference between any two int64 onsets
// compares without overflow.
uint64_t WindowNs(double window_s) {
  const double window_ns = window_s * static_cast<double>(kNanosPerSecond);
  constexpr double kMax = static_cast<double>(std::numeric_limits<int64_t>::max());
  return window_ns >= kMax ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                           : static_cast<uint64_t>(window_ns);
}

// How far `onset_ns` lies before `latest_ns`, ns; 0 when it does not.
uint64_t LagNs(int64_t onset_ns, int64_t latest_ns) {
  if (onset_ns >= latest_ns) return 0;
  return static_cast<uint64_t>(latest_ns) - static_cast<uint64_t>(onset_ns);
}

class Validator {
 public:
  Validator(const std::string& source, const PulseValidationOptions& options)
      : source_(source),
        window_ns_(WindowNs(options.reorder_window_s)),
        window_s_(options.reorder_window_s) {}

  void Check(Pulse pulse, size_t index) {
    const std::string where = "input index " + std::to_string(index) + ", pulse_id " + pulse.id;
    if (pulse.id.empty() || pulse.sensor_id.empty()) {
      ++result_.missing_ids;
      Skip(where, pulse.id.empty() ? "expected a pulse id, got an empty one"
                                   : "expected a sensor id, got an empty one");
      return;
    }
    if (const auto earlier = index_of_id_.find(pulse.id); earlier != index_of_id_.end()) {
      ++result_.duplicate_ids;
      const Pulse& first = result_.pulses[earlier->second.accepted];
      const std::string first_at = "input index " + std::to_string(earlier->second.input);
      Skip(where, SamePulse(first, pulse)
                      ? "duplicate pulse id: identical replay of " + first_at + ", skipped"
                      : "duplicate pulse id with different content from " + first_at +
                            ": skipped, the first is kept");
      return;
    }
    if (const auto field = FirstNonFinite(pulse)) {
      ++result_.non_finite;
      Skip(where, "expected a finite number in " + *field + ", got NaN or infinity");
      return;
    }
    if (pulse.onset_sigma_s < 0.0 || pulse.sensor_position_sigma_m < 0.0) {
      ++result_.negative_sigma;
      Skip(where, pulse.onset_sigma_s < 0.0
                      ? "expected onset_sigma_s >= 0, got " + FormatSeconds(pulse.onset_sigma_s)
                      : "expected position_sigma_m >= 0, got " +
                            FormatSeconds(pulse.sensor_position_sigma_m));
      return;
    }
    if (latest_ns_ && LagNs(pulse.onset_ns, *latest_ns_) > window_ns_) {
      ++result_.out_of_order;
      const double lag_s = static_cast<double>(LagNs(pulse.onset_ns, *latest_ns_)) * 1e-9;
      Skip(where, "out of order: onset " + FormatIsoUtc(pulse.onset_ns, 6) + " is " +
                      FormatSeconds(lag_s) + " s before the latest accepted onset " +
                      FormatIsoUtc(*latest_ns_, 6) + ", beyond the " + FormatSeconds(window_s_) +
                      " s reorder window: too late to locate");
      return;
    }
    latest_ns_ = std::max(latest_ns_.value_or(pulse.onset_ns), pulse.onset_ns);
    index_of_id_.emplace(pulse.id, Place{index, result_.pulses.size()});
    result_.pulses.push_back(std::move(pulse));
  }

  ValidatedPulses Finish() && {
    std::sort(result_.pulses.begin(), result_.pulses.end(), [](const Pulse& a, const Pulse& b) {
      return a.onset_ns != b.onset_ns ? a.onset_ns < b.onset_ns : a.id < b.id;
    });
    return std::move(result_);
  }

 private:
  struct Place {
    size_t input;     // index in the input
    size_t accepted;  // index in result_.pulses before sorting
  };

  void Skip(const std::string& where, std::string message) {
    result_.skipped.push_back(Error{source_, where, std::move(message)});
  }

  const std::string& source_;
  uint64_t window_ns_;
  double window_s_;
  std::optional<int64_t> latest_ns_;
  std::unordered_map<std::string, Place> index_of_id_;
  ValidatedPulses result_;
};

}  // namespace

bool PulseValidationOptions::IsValid(std::string* error) const {
  if (!std::isfinite(reorder_window_s) || reorder_window_s < 0.0) {
    if (error != nullptr) {
      *error = "reorder_window_s: expected a finite number of seconds >= 0, got " +
               std::to_string(reorder_window_s);
    }
    return false;
  }
  return true;
}

ValidatedPulses ValidatePulses(std::vector<Pulse> pulses, const std::string& source,
                               const PulseValidationOptions& options) {
  EARSHOT_CHECK(options.IsValid(nullptr));
  Validator validator(source, options);
  for (size_t i = 0; i < pulses.size(); ++i) validator.Check(std::move(pulses[i]), i);
  return std::move(validator).Finish();
}

}  // namespace earshot
