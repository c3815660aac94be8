// Writing a simulated scene to disk: the network's pulse reports in Earshot's own
// formats (docs/formats.md), the truth beside them, and, in audio mode, one folder per
// event in the Pittsburgh live-fire dataset's layout, so that `earshot locate`,
// `earshot detect` and `earshot eval livefire` read the output unchanged.
//
//   DIR/pulses.jsonl  sensors.json  weather.json  truth.json  scenario.json
//   DIR/<group>/test_NNN/test_NNN.{survey,weather,allpulses,nlos-tuples,truth}.json
//                        test_NNN.audio.<serial>.{wav,json}
//
// Everything written is a function of the scene and the pulse reports alone: no wall
// clock, stable ordering, and numbers rounded to fixed steps, so that the same scenario
// and seed give byte-identical files. docs/simulation.md ("Output layout") describes
// every file.
#ifndef EARSHOT_SIM_DATASET_WRITER_H_
#define EARSHOT_SIM_DATASET_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/sim/audio_render.h"
#include "earshot/sim/pulse_model.h"
#include "earshot/sim/scenario.h"

namespace earshot::sim {

// One dataset "test": a stretch of time around one event, or around events that follow
// each other closely enough to share it.
struct DatasetWindow {
  std::string name;  // folder and file stem: "test_001"
  int test_id = 0;   // 1 for "test_001"
  int64_t begin_ns = 0;
  int64_t end_ns = 0;              // begin + window_s
  std::vector<int> events;         // into Scene::events, by time
  std::vector<int> emissions;      // into Scene::emissions, of those events, by time
  std::vector<int> audio_sensors;  // into Scene::sensors, nearest to the first event first
};

// Windows of `output.window_s` starting `output.lead_s` before an event (rounded down to
// a whole second, as the dataset's recordings start); a later event joins the open window
// when it comes at least `lead_s` before the window's end. Folder
// names are the events' ids when every window's first event is named like "test_NNN"
// (the live-fire scenarios: FP1/test_001 pairs with the real FP1/test_001), else
// test_001, test_002, ... in time order. Audio sensors: up to `max_audio_sensors`
// nearest to the window's first event that have no outage during the window.
std::vector<DatasetWindow> PlanWindows(const Scene& scene, const OutputOptions& output);

// The network-wide files.
Result<void> WritePulsesFile(const std::string& path, const Scene& scene,
                             const PulseReports& reports);
Result<void> WriteSensorsFile(const std::string& path, const Scene& scene);
Result<void> WriteWeatherFile(const std::string& path, const Scene& scene);
Result<void> WriteTruthFile(const std::string& path, const Scene& scene,
                            const PulseReports& reports);

// One window's dataset files (all but the audio) into `folder`, which must exist.
Result<void> WriteWindowFiles(const std::string& folder, const Scenario& scenario,
                              const DatasetWindow& window, const PulseReports& reports);

// One recording and its sidecar (audio/recording_metadata.h): `stem`.wav and `stem`.json.
Result<void> WriteRecording(const std::string& stem, const SimSensor& sensor,
                            const RenderedAudio& audio, const std::string& description);

// "test_001.audio.SIM-0007" (without extension) for a window and sensor.
std::string RecordingStem(const DatasetWindow& window, const SimSensor& sensor);

// Writes `value` (pretty-printed with `indent`, or one line when indent < 0) and a newline.
Result<void> WriteJsonFile(const std::string& path, const nlohmann::ordered_json& value,
                           int indent = 2);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_DATASET_WRITER_H_
