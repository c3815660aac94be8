// The shot (incident) classifier's half of `earshot train`: builds located-shot rows from
// simulated scenes and the real live-fire recordings, trains and calibrates the model
// (classify/shot_model_training.h), scores it on held-out simulated scenes and, firing
// position by firing position, on the real gunshots, and writes
//   shot_classifier.json, shot_classifier.calibration.json, shot_classifier_report.md
// into the output folder.
#ifndef EARSHOT_CLI_SHOT_TRAINING_H_
#define EARSHOT_CLI_SHOT_TRAINING_H_

#include <string>
#include <vector>

#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/shot_model_training.h"

namespace earshot::cli {

struct ShotTrainingArgs {
  std::vector<std::string> sims;          // training scenes ('earshot simulate', audio)
  std::vector<std::string> heldout_sims;  // scenes only scored, never trained on
  std::string livefire_dir;               // real live-fire root (FPn/test_NNN); empty: none
  std::string out_dir = "models";
  int threads = 2;
  classify::ShotModelTrainingOptions training;
  classify::DispatchThresholds thresholds;
  std::string command_line;  // for the report's "reproduce with"
};

// 0 when the model, its calibration and its report are written; 1 otherwise (the reason on
// stderr).
int TrainShotClassifier(const ShotTrainingArgs& args);

}  // namespace earshot::cli

#endif  // EARSHOT_CLI_SHOT_TRAINING_H_
