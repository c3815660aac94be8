// earshot simulate: a scenario in, a simulated dataset with its truth out.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "earshot/cli/commands.h"
#include "earshot/sim/scenario.h"
#include "earshot/sim/simulator.h"

namespace earshot::cli {
namespace {

namespace fs = std::filesystem;

struct SimulateArgs {
  std::string scenario_path;
  std::string out_dir;
  uint64_t seed = 0;
  bool seed_given = false;
  bool pulses_only = false;
  bool force = false;
  int threads = 1;
};

constexpr const char* kHelp =
    "Simulate a scene (gunfire, fireworks, other bangs in a city) and write what a sensor\n"
    "network would have reported, with the truth beside it. SCENARIO is a scenario file\n"
    "(docs/simulation.md, \"Scenarios\"; examples under scenarios/).\n"
    "\n"
    "Written into --out DIR:\n"
    "  pulses.jsonl   every reported pulse (earshot locate DIR/pulses.jsonl --sensors\n"
    "                 DIR/sensors.json --weather DIR/weather.json)\n"
    "  sensors.json   the sensors' reported positions;  weather.json  the air\n"
    "  truth.json     events, emissions, the origin of every pulse, the sensors' true\n"
    "                 positions, clock faults and outages\n"
    "  scenario.json  the resolved parameters and counts\n"
    "and, unless --pulses-only, one folder per event in the live-fire dataset's layout,\n"
    "DIR/<group>/test_NNN/ (survey, weather, allpulses, nlos-tuples, truth and up to six\n"
    "sensors' audio with sidecars), which earshot detect reads, and earshot eval livefire\n"
    "too when the group is named FP... (output.group in the scenario).\n"
    "\n"
    "The same scenario and seed give byte-identical files whatever --threads is.\n"
    "Exit status: 0 written, 1 a file could not be written, 2 a refused scenario or --out.";

// "gunfire 3, aerial_firework 12"
std::string ClassCounts(const sim::SimulationSummary& summary) {
  std::string out;
  for (const auto& [name, count] : summary.events_by_class) {
    if (!out.empty()) out.append(", ");
    out.append(name).append(" ").append(std::to_string(count));
  }
  return out.empty() ? "none" : out;
}

// True when `dir` holds what an earlier `earshot simulate` wrote (its scenario.json says
// so): only such a folder is emptied by --force.
bool IsSimulationOutput(const fs::path& dir) {
  std::ifstream in(dir / "scenario.json");
  if (!in) return false;
  const nlohmann::json value = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return value.is_object() && value.value("generator", "") == "earshot simulate";
}

// Refuses an output folder that holds files, unless --force and it is an earlier
// simulation's output, which is then emptied. Returns false after saying why.
bool PrepareOutput(const SimulateArgs& args) {
  const fs::path dir(args.out_dir);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "earshot simulate: --out " << args.out_dir << " exists and is not a folder\n";
    return false;
  }
  if (fs::is_empty(dir, ec)) return true;
  if (!args.force) {
    std::cerr << "earshot simulate: --out " << args.out_dir
              << " is not empty; choose another folder, or add --force to replace an earlier "
                 "simulation's output there\n";
    return false;
  }
  if (!IsSimulationOutput(dir)) {
    std::cerr << "earshot simulate: --out " << args.out_dir
              << " is not empty and holds no earlier simulation (no scenario.json written by "
                 "earshot simulate); --force replaces only such output, so nothing was "
                 "deleted\n";
    return false;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    fs::remove_all(entry.path(), ec);
    if (ec) {
      std::cerr << "earshot simulate: cannot remove " << entry.path().string() << ": "
                << ec.message() << "\n";
      return false;
    }
  }
  return true;
}

int Run(const SimulateArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  auto scenario = sim::ReadScenarioFile(
      args.scenario_path, args.seed_given ? std::optional<uint64_t>(args.seed) : std::nullopt);
  if (!scenario) {
    std::cerr << "earshot simulate: " << scenario.error().ToString() << "\n";
    return 2;
  }
  if (!PrepareOutput(args)) return 2;

  sim::SimulationOptions options;
  options.pulses_only = args.pulses_only;
  options.threads = args.threads;
  auto summary = sim::RunSimulation(*scenario, args.out_dir, options);
  if (!summary) {
    std::cerr << "earshot simulate: " << summary.error().ToString() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const sim::Scene& scene = scenario->scene;
  char line[512];
  std::snprintf(line, sizeof line,
                "earshot simulate: scene \"%s\", seed %llu, %lld sensors\n"
                "  events: %lld (%s), emissions: %lld\n"
                "  pulses: %lld (arrivals %lld, shock waves %lld, noise %lld)\n",
                scene.name.c_str(), static_cast<unsigned long long>(scene.seed),
                static_cast<long long>(summary->sensors), static_cast<long long>(summary->events),
                ClassCounts(*summary).c_str(), static_cast<long long>(summary->emissions),
                static_cast<long long>(summary->pulses),
                static_cast<long long>(summary->arrival_pulses),
                static_cast<long long>(summary->shock_wave_pulses),
                static_cast<long long>(summary->noise_pulses));
  std::cout << line;
  if (args.pulses_only) {
    std::cout << "  windows: none, audio files: none (--pulses-only)\n";
  } else {
    std::snprintf(line, sizeof line, "  windows: %lld, audio files: %lld (%.1f s of audio)\n",
                  static_cast<long long>(summary->windows),
                  static_cast<long long>(summary->audio_files), summary->audio_seconds);
    std::cout << line;
  }
  std::snprintf(line, sizeof line, "  written to %s in %.2f s\n", args.out_dir.c_str(), seconds);
  std::cout << line;
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  args->threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* simulate =
      app.add_subcommand("simulate", "Simulate a scene and write a dataset with its truth.");
  simulate->description(kHelp);
  // No existence check here: the scenario reader's refusal names the file and exits 2.
  simulate->add_option("SCENARIO", args->scenario_path, "scenario file (JSON)")->required();
  simulate->add_option("--out", args->out_dir, "output folder (created; must be empty)")
      ->required();
  simulate->add_option("--seed", args->seed, "replaces the scenario's seed");
  simulate->add_flag("--pulses-only", args->pulses_only,
                     "pulse reports and truth only: no windows, no audio (fast)");
  simulate
      ->add_option("--threads", args->threads, "worker threads (the output does not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  simulate->add_flag("--force", args->force,
                     "empty --out first when it holds an earlier simulation's output");
  simulate->callback([args, exit_code, simulate] {
    args->seed_given = simulate->count("--seed") > 0;
    *exit_code = Run(*args);
  });
}

}  // namespace earshot::cli
