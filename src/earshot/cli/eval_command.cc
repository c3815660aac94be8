// earshot eval livefire: score the locator on the live-fire dataset, from the vendor's
// pulses or (--from-audio) from pulses Earshot detects on the recordings.
#include <iostream>
#include <memory>
#include <string>

#include "earshot/cli/commands.h"
#include "earshot/cli/locate_options.h"
#include "earshot/eval/audio_eval.h"
#include "earshot/eval/livefire_dataset.h"
#include "earshot/eval/livefire_eval.h"

namespace earshot::cli {
namespace {

struct EvalArgs {
  std::string dir;
  bool json = false;
  bool from_audio = false;
  bool per_sensor = false;
  bool min_sensors_given = false;
  double match_radius_m = 100.0;
  LocateFlags flags;
  locate::LocateOptions options;
};

int RunLivefire(const EvalArgs& args) {
  eval::LivefireEvalOptions options;
  options.locate = args.options;
  options.match_radius_m = args.match_radius_m;
  // At most six sensors per test have audio, so the default of five would leave a shot
  // with one missed pulse unlocated; four still leaves one arrival more than the unknowns
  // x, y and time, so that a wrong pulse shows in the residuals.
  if (args.from_audio && !args.min_sensors_given) options.locate.min_sensors = 4;
  if (!FinishLocateOptions(args.flags, &options.locate)) return 2;
  std::vector<Error> problems;
  auto tests = eval::LoadLivefireDataset(args.dir, &problems);
  for (const Error& problem : problems) {
    std::cerr << "earshot eval: skipped test: " << problem.ToString() << "\n";
  }
  if (!tests) {
    std::cerr << "earshot eval: " << tests.error().ToString() << "\n";
    return 2;
  }
  if (args.from_audio) {
    eval::AudioEvalOptions audio_options;
    audio_options.livefire = options;
    const eval::AudioEvalReport report = eval::EvaluateLivefireFromAudio(*tests, audio_options);
    for (const Error& problem : report.problems) {
      std::cerr << "earshot eval: skipped recording: " << problem.ToString() << "\n";
    }
    if (args.json) {
      std::cout << eval::AudioEvalReportToJson(report, audio_options).dump(2) << "\n";
    } else {
      std::cout << eval::FormatAudioEvalReport(report, audio_options, args.per_sensor);
    }
    return 0;
  }
  const eval::LivefireReport report = eval::EvaluateLivefire(*tests, options);
  if (args.json) {
    std::cout << eval::LivefireReportToJson(report).dump(2) << "\n";
  } else {
    std::cout << eval::FormatLivefireReport(report);
  }
  return 0;
}

}  // namespace

void AddEvalCommand(CLI::App& app, int* exit_code) {
  CLI::App* eval = app.add_subcommand("eval", "Score Earshot against ground truth.");
  eval->require_subcommand(1);
  auto args = std::make_shared<EvalArgs>();
  CLI::App* livefire = eval->add_subcommand(
      "livefire",
      "Locate every test of a live-fire dataset (layout FPn/test_NNN/...) from all of its\n"
      "pulses and print the vendor tech note's table and per-shot figures. With --from-audio,\n"
      "detect on each test's recordings, locate from those pulses only, and also score the\n"
      "detector against the vendor's pulses of each sensor.");
  livefire->add_option("DIR", args->dir, "dataset folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  livefire->add_flag("--json", args->json, "one machine-readable summary");
  livefire
      ->add_option("--match-radius", args->match_radius_m,
                   "a fix this close to the survey (m) counts as a shot of the test")
      ->capture_default_str();
  CLI::Option* from_audio =
      livefire->add_flag("--from-audio", args->from_audio,
                         "detect on the audio and locate from our own pulses only (min-sensors "
                         "defaults to 4)");
  livefire
      ->add_flag("--per-sensor", args->per_sensor,
                 "with --from-audio: a detection row per sensor too")
      ->needs(from_audio);
  AddLocateFlags(*livefire, &args->flags, &args->options);
  livefire->callback([args, exit_code, livefire] {
    args->min_sensors_given = livefire->count("--min-sensors") > 0;
    *exit_code = RunLivefire(*args);
  });
}

}  // namespace earshot::cli
