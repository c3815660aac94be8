// earshot eval livefire: score the locator on the live-fire dataset.
#include <iostream>
#include <memory>
#include <string>

#include "earshot/cli/commands.h"
#include "earshot/cli/locate_options.h"
#include "earshot/eval/livefire_dataset.h"
#include "earshot/eval/livefire_eval.h"

namespace earshot::cli {
namespace {

struct EvalArgs {
  std::string dir;
  bool json = false;
  double match_radius_m = 100.0;
  LocateFlags flags;
  locate::LocateOptions options;
};

int RunLivefire(const EvalArgs& args) {
  eval::LivefireEvalOptions options;
  options.locate = args.options;
  options.match_radius_m = args.match_radius_m;
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
      "pulses and print the vendor tech note's table and per-shot figures.");
  livefire->add_option("DIR", args->dir, "dataset folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  livefire->add_flag("--json", args->json, "one machine-readable summary");
  livefire
      ->add_option("--match-radius", args->match_radius_m,
                   "a fix this close to the survey (m) counts as a shot of the test")
      ->capture_default_str();
  AddLocateFlags(*livefire, &args->flags, &args->options);
  livefire->callback([args, exit_code] { *exit_code = RunLivefire(*args); });
}

}  // namespace earshot::cli
