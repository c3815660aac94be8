// The simulator from scenario to files: traces the scene's paths, draws every sensor's
// pulse reports (pulse_model.h) and, in audio mode, renders each window's recordings
// (audio_render.h), then writes it all (dataset_writer.h).
//
//   auto scenario = ReadScenarioFile("scenarios/unit-three-shots.json", std::nullopt);
//   auto summary = RunSimulation(*scenario, "/tmp/sim", {});
//   // /tmp/sim/pulses.jsonl, truth.json, ..., /tmp/sim/SIM/test_001/...
//
// The output depends only on the scenario (and its seed), never on the thread count or
// the clock: two runs give byte-identical folders.
#ifndef EARSHOT_SIM_SIMULATOR_H_
#define EARSHOT_SIM_SIMULATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "earshot/core/error.h"
#include "earshot/sim/propagation.h"
#include "earshot/sim/pulse_model.h"
#include "earshot/sim/scenario.h"

namespace earshot::sim {

struct SimulationOptions {
  // Pulse reports only: no windows, no audio (the fast mode for city-scale scenes).
  bool pulses_only = false;
  // Worker threads for the pulse model and the audio; the output does not depend on it.
  int threads = 1;
  PulseModelOptions pulse_model;  // its `threads` is replaced by the one above
  PathOptions paths;
};

struct SimulationSummary {
  std::map<std::string, int64_t> events_by_class;  // "gunfire" -> count
  int64_t events = 0;
  int64_t emissions = 0;
  int64_t sensors = 0;
  int64_t pulses = 0;
  int64_t arrival_pulses = 0;
  int64_t shock_wave_pulses = 0;
  int64_t noise_pulses = 0;
  int64_t windows = 0;
  int64_t audio_files = 0;
  double audio_seconds = 0.0;  // of sensor audio rendered
};

// Runs the scene and writes its files into `out_dir` (created when missing; files of
// the same names are replaced). Fails with the path when a file cannot be written.
Result<SimulationSummary> RunSimulation(const Scenario& scenario, const std::string& out_dir,
                                        const SimulationOptions& options);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_SIMULATOR_H_
