// The Pittsburgh live-fire dataset (ShotSpotter Tech Note 098, CC BY 4.0) as Earshot
// reads it: one `LivefireTest` per `FPn/test_NNN/` folder, with the surveyed shooter
// position, the weather, every pulse the network reported, the vendor's own pulse
// selection per shot (for scoring association only, never an input to the locator),
// and the audio files.
#ifndef EARSHOT_EVAL_LIVEFIRE_DATASET_H_
#define EARSHOT_EVAL_LIVEFIRE_DATASET_H_

#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/error.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"

namespace earshot::eval {

struct LivefireTest {
  std::string name;             // "FP1/test_001"
  std::string firing_position;  // "FP1"
  int test_id = 0;
  int rounds_fired = 0;
  std::string firearm;
  Eigen::Vector3d survey_m = Eigen::Vector3d::Zero();  // the dataset's metric frame
  Weather weather;
  std::vector<Pulse> pulses;  // allpulses.json, validated
  int pulses_refused = 0;
  std::vector<std::vector<std::string>> vendor_shot_pulse_ids;  // nlos-tuples.json
  std::vector<std::string> audio_wav_paths;
};

// Reads every test under `dir` (layout GROUP/test_NNN/test_NNN.*, GROUP a firing position
// such as FP1 or the group of a simulated scene). A test folder with a
// missing or malformed file is refused with its reason in `problems` and the rest are
// read; fails as a whole only when `dir` holds no test at all.
Result<std::vector<LivefireTest>> LoadLivefireDataset(const std::string& dir,
                                                      std::vector<Error>* problems);

}  // namespace earshot::eval

#endif  // EARSHOT_EVAL_LIVEFIRE_DATASET_H_
