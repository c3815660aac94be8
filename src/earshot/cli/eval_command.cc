// earshot eval livefire: score the locator on the live-fire dataset, from the vendor's
// pulses or (--from-audio) from pulses Earshot detects on the recordings.
// earshot eval realism: the same statistics of real and simulated live-fire data.
#include <iostream>
#include <memory>
#include <string>

#include "earshot/cli/commands.h"
#include "earshot/cli/locate_options.h"
#include "earshot/eval/audio_eval.h"
#include "earshot/eval/livefire_dataset.h"
#include "earshot/eval/livefire_eval.h"
#include "earshot/eval/realism.h"

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

struct RealismArgs {
  std::string real_dir;
  std::string sim_dir;
  bool json = false;
  bool no_audio = false;
  eval::RealismOptions options;
};

int RunRealism(RealismArgs args) {
  args.options.audio = !args.no_audio;
  std::string why;
  if (!args.options.IsValid(&why)) {
    std::cerr << "earshot eval realism: " << why << "\n";
    return 2;
  }
  auto report = eval::CompareRealismDirs(args.real_dir, args.sim_dir, args.options);
  if (!report) {
    std::cerr << "earshot eval realism: " << report.error().ToString() << "\n";
    return 2;
  }
  for (const std::string& name : report->only_in_real) {
    std::cerr << "earshot eval realism: " << name << " is only in " << args.real_dir
              << "; left out\n";
  }
  for (const std::string& name : report->only_in_sim) {
    std::cerr << "earshot eval realism: " << name << " is only in " << args.sim_dir
              << "; left out\n";
  }
  if (args.json) {
    std::cout << eval::RealismReportToJson(*report, args.options).dump(2) << "\n";
  } else {
    std::cout << eval::FormatRealismReport(*report, args.options);
  }
  return 0;
}

void AddRealismCommand(CLI::App& eval, int* exit_code) {
  auto args = std::make_shared<RealismArgs>();
  CLI::App* realism = eval.add_subcommand(
      "realism",
      "Compare a simulated live-fire dataset with the real one (both in the layout\n"
      "FPn/test_NNN/...): received level against distance, SNR, echoes and stray pulses\n"
      "after each shot, onset error against the straight-ray prediction, sensor\n"
      "participation against distance and, from the audio, our detector's pulses; real and\n"
      "simulated side by side per firing position and over all. Tests are paired by name.");
  realism->add_option("DIR_REAL", args->real_dir, "real dataset folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  realism->add_option("DIR_SIM", args->sim_dir, "simulated dataset folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  realism->add_flag("--json", args->json, "one machine-readable report");
  realism->add_flag("--no-audio", args->no_audio, "leave the audio out (pulse reports only)");
  realism
      ->add_option("--distance-bins", args->options.distance_edges_m,
                   "upper edges of the distance bins, metres")
      ->delimiter(',')
      ->capture_default_str();
  realism
      ->add_option("--echo-window", args->options.echo_window_s,
                   "later pulses are counted this long after the direct pulse, seconds")
      ->capture_default_str();
  realism->callback([args, exit_code] { *exit_code = RunRealism(*args); });
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
  AddRealismCommand(*eval, exit_code);
}

}  // namespace earshot::cli
