// Validation of pulses before they reach the locator: the gate that keeps one bad or
// repeated report from disturbing a stream (DESIGN.md §6). The JSON readers check each
// record's syntax and fields; this checks what only the stream as a whole can show
// (duplicates, order) and re-checks the values, because pulses also arrive from the bus
// and from simulation, not only from files.
//
//   PulseValidationOptions options;
//   std::string why;
//   if (!options.IsValid(&why)) { ... }
//   ValidatedPulses checked = ValidatePulses(std::move(read.set.pulses), path, options);
//   for (const Error& e : checked.skipped) std::cerr << e.ToString() << "\n";
//   Locate(checked.pulses);
//
// Rules, each counted and kept in `skipped` with a message, never a crash:
//   - a pulse id seen before in an accepted pulse: the later copy is skipped (replays are
//     idempotent by id; an identical replay and a conflicting one are told apart in the
//     message, the first copy wins either way);
//   - a non-finite position, sigma, SNR, level or feature;
//   - a negative sigma; an empty pulse or sensor id;
//   - out of order: a pulse whose onset is more than `reorder_window_s` earlier than the
//     latest onset accepted so far (in input order). A streaming locator has already
//     closed the shots it could belong to. Within the window any order is fine.
#ifndef EARSHOT_CORE_PULSE_VALIDATION_H_
#define EARSHOT_CORE_PULSE_VALIDATION_H_

#include <string>
#include <vector>

#include "earshot/core/error.h"
#include "earshot/core/pulse.h"

namespace earshot {

struct PulseValidationOptions {
  // How much earlier than the latest accepted onset a pulse may still be, seconds. Pulses
  // from distant sensors and uplinks with retries arrive out of order by seconds; 30 s
  // covers a spooled sensor catching up after a short link drop.
  double reorder_window_s = 30.0;

  // False, with the reason in *error (when error is not null), if an option is unusable.
  bool IsValid(std::string* error) const;
};

struct ValidatedPulses {
  std::vector<Pulse> pulses;   // accepted, sorted by onset_ns, then by id
  int duplicate_ids = 0;       // later copies of an accepted pulse id
  int non_finite = 0;          // NaN or infinite position, sigma, SNR, level or feature
  int out_of_order = 0;        // more than reorder_window_s before the latest accepted onset
  int negative_sigma = 0;      // onset or position sigma below zero
  int missing_ids = 0;         // empty pulse id or sensor id
  std::vector<Error> skipped;  // one per skipped pulse, in input order
};

// Checks `pulses` in input order against the rules above. `source` names the input in
// the messages of `skipped`. `options` must be valid (checked: a bug otherwise).
ValidatedPulses ValidatePulses(std::vector<Pulse> pulses, const std::string& source,
                               const PulseValidationOptions& options);

}  // namespace earshot

#endif  // EARSHOT_CORE_PULSE_VALIDATION_H_
