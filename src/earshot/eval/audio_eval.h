// The live-fire evaluation from audio alone: Earshot detects pulses on each test's
// recordings (up to six sensors per test), locates the shots from those pulses only, and
// scores both stages.
//
// Location is scored exactly as EvaluateLivefire scores it (same table), but from our
// pulses; association is scored against the vendor's shot tuples restricted to the
// audio we have (sensor and time), each vendor pulse stood for by the pulse of ours
// matched to it, so a vendor pulse we did not detect counts as not found.
//
// Detection is scored per recording against the vendor's pulses of the same sensor
// (detector_scoring.h): recall of the pulses the vendor located shots with, within the
// match window, the median offset and spread of our onsets against theirs, the recall
// of every vendor pulse, and our extra pulses per minute of audio. Pooled per sensor,
// per firing position and over all.
//
// A recording that cannot be read or detected on is reported in `problems` and the test
// is located from the others; it never stops the evaluation.
#ifndef EARSHOT_EVAL_AUDIO_EVAL_H_
#define EARSHOT_EVAL_AUDIO_EVAL_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"
#include "earshot/detect/recording.h"
#include "earshot/eval/detector_scoring.h"
#include "earshot/eval/livefire_dataset.h"
#include "earshot/eval/livefire_eval.h"

namespace earshot::eval {

struct AudioEvalOptions {
  LivefireEvalOptions livefire;  // locator options and the survey match radius
  detect::RecordingOptions recording;
  DetectionScoringOptions scoring;
};

// One recording: one sensor in one test.
struct RecordingResult {
  std::string test;
  std::string firing_position;
  std::string sensor_id;
  std::string audio_path;
  double duration_s = 0.0;
  int gaps = 0;
  double detect_seconds = 0.0;  // wall clock to read and detect
  DetectionCounts counts;
};

// Recordings pooled: per firing position and sensor, per firing position, or "all".
struct DetectionSummary {
  std::string firing_position;  // "FP1", or "all"
  std::string sensor_id;        // empty unless per sensor
  int recordings = 0;
  double detect_seconds = 0.0;
  DetectionCounts counts;
};

struct AudioEvalReport {
  LivefireReport location;
  std::vector<RecordingResult> recordings;
  std::vector<DetectionSummary> sensors;    // by firing position, then sensor
  std::vector<DetectionSummary> positions;  // one per firing position, then "all"
  std::vector<Error> problems;              // recordings skipped, with the reason
};

// Detects on every recording of every test, locates each test from our pulses, scores.
AudioEvalReport EvaluateLivefireFromAudio(const std::vector<LivefireTest>& tests,
                                          const AudioEvalOptions& options);

// Of the shots fired at `firing_position` ("all" for every test), the share located
// within `radius_m` of the survey: per test at most as many fixes count as rounds fired,
// nearest first, so extra fixes near the survey never make up for missed shots.
double ShareOfShotsFiredWithin(const LivefireReport& report, const std::string& firing_position,
                               double radius_m);

// "mode auto, min_sensors 4, ..." for table headers.
std::string DescribeLocateOptions(const locate::LocateOptions& options);

// The location table (as `eval livefire`), the shots-fired line, then the detection
// table per firing position and over all; with `per_sensor`, a row per sensor too.
std::string FormatAudioEvalReport(const AudioEvalReport& report, const AudioEvalOptions& options,
                                  bool per_sensor);
nlohmann::json AudioEvalReportToJson(const AudioEvalReport& report,
                                     const AudioEvalOptions& options);

}  // namespace earshot::eval

#endif  // EARSHOT_EVAL_AUDIO_EVAL_H_
