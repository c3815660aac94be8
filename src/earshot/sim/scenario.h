// Scenario files: a documented JSON description of a scene (see docs/simulation.md,
// "Scenarios", and the examples under scenarios/), read into a Scene with every
// generator expanded: a district of N km² with its sensors and buildings, an ordinary
// night, a July-4th night, a live-fire test like the Pittsburgh dataset.
//
// Bad files are refused with the file, the JSON key path (or line for a syntax error)
// and what was expected:
//   scenarios/bad.json: key events[2].kind: expected one of handgun, rifle, ...; got "pistol"
#ifndef EARSHOT_SIM_SCENARIO_H_
#define EARSHOT_SIM_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>

#include "earshot/core/error.h"
#include "earshot/sim/scene.h"

namespace earshot::sim {

// How the simulated data is written (dataset_writer.h).
struct OutputOptions {
  // Audio mode: one dataset "test" folder per window around each event (or group of
  // events closer than a window), `window_s` long, starting `lead_s` before the event.
  double window_s = 10.0;
  double lead_s = 2.0;
  // Audio is written for at most this many sensors per window (the nearest that hear
  // it); the live-fire dataset has up to six. Pulse reports cover every sensor.
  int max_audio_sensors = 6;
  // Folder that holds the windows, as the dataset's "FP1".
  std::string group = "SIM";
};

struct Scenario {
  Scene scene;
  OutputOptions output;
};

// Reads and expands a scenario. `seed`, when given, replaces the file's seed. Relative
// paths inside the file (a live-fire dataset folder) are relative to the file.
Result<Scenario> ReadScenarioFile(const std::string& path, std::optional<uint64_t> seed);
// The same from text; `source_name` names it in errors.
Result<Scenario> ParseScenario(const std::string& json_text, const std::string& source_name,
                               const std::string& base_dir, std::optional<uint64_t> seed);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_SCENARIO_H_
